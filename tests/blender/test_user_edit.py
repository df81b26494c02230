"""The edit belongs to the user: a take never covers, moves, trims, hides or renames what the add-on
did not make, and what the user did to a take's strip survives the next take."""

from __future__ import annotations

import bpy
import pytest
from strip_timing import content_start, left_handle, right_handle, set_timing


def _strips(scene):
    editor = scene.sequence_editor
    if editor is None:
        return []
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


def _state(strip) -> tuple:
    return (strip.name, strip.channel, left_handle(strip), right_handle(strip), strip.mute)


def _log() -> str:
    text = bpy.data.texts.get("Movie Director Log")
    return text.as_string() if text else ""


@pytest.fixture
def shot(md, fake_wangp, output_dir, make_shot):
    """Frames 49-85 (37 frames) at 24 fps: a Wan clip of 25 frames at 16 fps, conformed to 37-38 frames."""
    obj = make_shot("SH010", 49, 85)
    obj.movie_director.model_type = "t2v_1.3B"
    return obj


def _colour(md, name: str, channel: int, start: int, end: int):
    editor = bpy.context.scene.sequence_editor_create()
    return md.compat.new_effect(editor, name, "COLOR", channel, start, end + 1)


def test_a_user_strip_under_the_shot_survives_untouched(md, shot):
    scene = bpy.context.scene
    slate = _colour(md, "Slate", 2, 60, 70)
    before = _state(slate)

    bpy.ops.movie_director.generate_shot()

    take = md.runtime.timeline.shot_strip(scene, md.runtime.keys.shot_key(scene, shot))
    assert _state(md.compat.all_strips(scene.sequence_editor)["Slate"]) == before
    assert left_handle(take) == 49 and take.channel == 3
    assert not any(
        s.channel == take.channel and left_handle(s) < right_handle(take) and right_handle(s) > 49
        for s in _strips(scene) if s != take
    )
    assert "channel 2 has other strips over frames 49-" in _log()
    assert scene.sequence_editor.channels[2].name == "Channel 2"  # the user's channel is not renamed
    assert scene.sequence_editor.channels[3].name == "Movie Director"


def test_a_take_keeps_its_first_frame_when_the_low_channels_are_taken(md, shot):
    scene = bpy.context.scene
    users = [_colour(md, f"User {c}", c, 40, 100) for c in (1, 2, 3)]
    before = [_state(s) for s in users]

    bpy.ops.movie_director.generate_shot()
    bpy.ops.movie_director.generate_shot()  # a second take replaces the first in the same free place

    assert [_state(s) for s in users] == before
    [take] = [s for s in _strips(scene) if s.get("md_shot_key")]
    assert (take.channel, left_handle(take), take["md_take"]) == (4, 49, 1)


def test_a_user_named_channel_keeps_its_name(md, shot):
    scene = bpy.context.scene
    scene.sequence_editor_create().channels[2].name = "Hero Plates"

    bpy.ops.movie_director.generate_shot()

    [take] = _strips(scene)
    assert take.channel == 2
    assert scene.sequence_editor.channels[2].name == "Hero Plates"


def test_a_moved_and_trimmed_take_stays_where_the_user_put_it(md, shot):
    scene = bpy.context.scene
    bpy.ops.movie_director.generate_shot()
    [take] = _strips(scene)
    first_clip = take.filepath
    # The director's cut: up to channel 5, 10 frames later, 3 frames off each end, muted, half opacity, blurred.
    take.channel = 5
    set_timing(take, content_start=content_start(take) + 10)
    set_timing(take, left_handle=left_handle(take) + 3)
    set_timing(take, right_handle=right_handle(take) - 3)
    take.mute = True
    take.blend_alpha = 0.5
    take.name = "Hero shot"
    cut = (take.channel, left_handle(take), right_handle(take))
    editor = scene.sequence_editor
    blur = md.compat.new_effect(editor, "Blur", "GAUSSIAN_BLUR", 6, cut[1], cut[2], input1=take)
    if md.compat.VERSION < (5, 0, 0):  # StripModifiers.new segfaults in the 5.0 wheel (module mode)
        take.modifiers.new(name="Grade", type="BRIGHT_CONTRAST")

    bpy.ops.movie_director.generate_shot()

    movies = [s for s in _strips(scene) if s.type == "MOVIE"]
    assert len(movies) == 1
    take = movies[0]
    assert take["md_take"] == 1 and take.filepath != first_clip
    assert (take.channel, left_handle(take), right_handle(take)) == cut
    assert take.mute and take.blend_alpha == 0.5 and take.name == "Hero shot"
    assert (blur.input_1 if hasattr(blur, "input_1") else blur.seq1) == take
    if md.compat.VERSION < (5, 0, 0):
        assert [m.name for m in take.modifiers] == ["Grade"]

    # Set Active Take follows the same rule.
    assert bpy.ops.movie_director.set_active_take(index=0) == {"FINISHED"}
    assert (take.channel, left_handle(take), right_handle(take)) == cut and take["md_take"] == 0


def test_an_untouched_take_follows_its_shot(md, shot):
    scene = bpy.context.scene
    bpy.ops.movie_director.generate_shot()
    shot.movie_director.frame_start, shot.movie_director.frame_end = 20, 56  # the shot moved in the layout

    bpy.ops.movie_director.generate_shot()

    [take] = _strips(scene)
    assert (take.channel, left_handle(take)) == (2, 20)


def test_sound_strips_follow_the_same_rules(md, fake_wangp, output_dir, make_shot):
    if not md.compat.HAS_AUDIO:
        pytest.skip("this bpy build has no audio (the 4.2 wheel)")
    scene = bpy.context.scene
    obj = make_shot("Talk", 1, 24)
    obj.movie_director.model_type = "ltx2_22B_distilled"
    music = _colour(md, "Music Cue", 3, 1, 30)  # where the take's sound would go
    before = _state(music)

    bpy.ops.movie_director.generate_shot()

    assert _state(music) == before
    [sound] = [s for s in _strips(scene) if s.type == "SOUND"]
    [movie] = [s for s in _strips(scene) if s.type == "MOVIE"]
    assert (movie.channel, sound.channel, left_handle(sound)) == (2, 4, 1)
    assert scene.sequence_editor.channels[3].name == "Channel 3"

    sound.channel = 7
    set_timing(sound, right_handle=right_handle(sound) - 4)
    sound.volume = 0.25
    cut = (sound.channel, left_handle(sound), right_handle(sound))

    bpy.ops.movie_director.generate_shot()

    assert _state(music) == before
    [sound] = [s for s in _strips(scene) if s.type == "SOUND"]
    assert (sound.channel, left_handle(sound), right_handle(sound)) == cut
    assert sound.volume == 0.25 and sound["md_take"] == 1
