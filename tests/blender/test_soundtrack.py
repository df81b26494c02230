"""The soundtrack: sound strips under a shot cut to exactly its range per speaker, sent to audio-driven
models with the speaker's face, refused without sound, recorded in the sidecar, and the take's own sound
(the dialogue WanGP muxed in) on the timeline beside the untouched user strip."""

from __future__ import annotations

import json
import os
import wave

import bpy
import numpy as np
import pytest
from guide_scene import box
from strip_timing import content_start, left_handle, set_timing

AVAILABLE = ("t2v_1.3B", "i2v", "ltx2_22B_distilled", "fantasy", "multitalk")


def _tone(path, seconds: float, rate: int = 22050, channels: int = 2) -> str:
    t = np.arange(int(seconds * rate)) / rate
    signal = (np.sin(2 * np.pi * 440 * t) * 16000).astype("<i2")
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(channels)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(np.repeat(signal[:, None], channels, axis=1).tobytes())
    return str(path)


def _png(path) -> str:
    image = bpy.data.images.new(os.path.basename(path), 16, 16)
    image.pixels.foreach_set(np.tile(np.array([0.8, 0.6, 0.5, 1.0], dtype=np.float32), 16 * 16))
    image.filepath_raw, image.file_format = str(path), "PNG"
    image.save()
    bpy.data.images.remove(image)
    return str(path)


def _samples(path: str) -> tuple[int, np.ndarray]:
    with wave.open(path, "rb") as fh:
        return fh.getframerate(), np.frombuffer(fh.readframes(fh.getnframes()), dtype="<i2").astype(np.float64)


def _sound_strip(md, name: str, path: str, channel: int, frame: int):
    scene = bpy.context.scene
    editor = scene.sequence_editor or scene.sequence_editor_create()
    strip = md.compat.new_sound(editor, name, path, channel, frame)
    if strip is None:
        pytest.skip("this Blender build has no audio support")
    return strip


@pytest.fixture
def talking_shot(md, fresh_scene, make_shot, tmp_path):
    """SH010, frames 1-48 at 24 fps (2 s), with Mara (a face image) in frame."""
    shot = make_shot("SH010", 1, 48)
    mara = box("Mara", (0.0, 2.0, 1.0), 1.0)
    bpy.ops.movie_director.add_character(name="Mara", description="a courier")
    character = bpy.context.scene.movie_director.cast[0]
    character.target = mara
    character.images.add().filepath = _png(tmp_path / "mara.png")
    bpy.context.view_layer.objects.active = shot
    return shot


def test_the_sound_under_the_shot_is_cut_to_exactly_its_range(md, talking_shot, tmp_path):
    scene = bpy.context.scene
    # A line starting half a second into the shot, and one started 0.5 s before it (its tail is in).
    _sound_strip(md, "Mara line", _tone(tmp_path / "late.wav", 1.5), 5, 13)
    early = _sound_strip(md, "Theo line", _tone(tmp_path / "early.wav", 1.0), 6, -11)
    early.volume = 0.5
    bpy.ops.movie_director.add_character(name="Theo")
    cuts = md.runtime.soundtrack.plan_cuts(scene, talking_shot, str(tmp_path / "in"), "SH010_take001", ["Mara"])
    assert [c.speaker for c in cuts] == ["Mara", "Theo"]
    mara, theo = cuts
    assert mara.duration_s == pytest.approx(2.0) and mara.path.endswith("SH010_take001_dialogue_1_Mara.wav")
    (piece,) = mara.pieces
    assert (piece.at_s, piece.source_start_s, piece.length_s) == pytest.approx((0.5, 0.0, 1.5))
    (piece,) = theo.pieces
    assert (piece.at_s, piece.source_start_s, piece.length_s) == pytest.approx((0.0, 0.5, 0.5))
    for cut in cuts:
        md.runtime.soundtrack.write_cut(cut)
    rate, samples = _samples(mara.path)
    assert rate == 16000 and len(samples) == 32000  # exactly the shot's 2 s
    assert np.abs(samples[:7900]).max() == 0 and np.abs(samples[8100:31900]).max() > 10000
    _rate, samples = _samples(theo.path)
    assert len(samples) == 32000
    assert 6000 < np.abs(samples[:7900]).max() < 9000  # the tail, at half volume
    assert np.abs(samples[8100:]).max() == 0


def test_a_take_strip_and_a_muted_strip_are_not_dialogue(md, talking_shot, tmp_path):
    muted = _sound_strip(md, "Mara muted", _tone(tmp_path / "a.wav", 1.0), 5, 1)
    muted.mute = True
    take_sound = _sound_strip(md, "SH010 Audio", _tone(tmp_path / "b.wav", 1.0), 6, 1)
    take_sound["md_shot_key"] = "some-shot"
    assert md.runtime.soundtrack.plan_cuts(bpy.context.scene, talking_shot, str(tmp_path), "s", ["Mara"]) == ()


def test_fantasy_gets_the_cut_line_and_the_face_and_the_take_keeps_the_dialogue(
        md, fake_wangp, output_dir, talking_shot, tmp_path):
    fake_wangp(available=list(AVAILABLE))
    user = _sound_strip(md, "Mara line", _tone(tmp_path / "line.wav", 1.5), 5, 13)
    talking_shot.movie_director.model_type = "fantasy"

    bpy.ops.movie_director.generate_shot()

    shot = talking_shot.movie_director
    take = shot.takes[shot.active_take_index]
    with open(take.sidecar_path, encoding="utf-8") as fh:
        record = json.load(fh)
    settings = record["settings"]
    cut = os.path.join(output_dir, "Scene", "SH010", "inputs", "SH010_take001_dialogue_1_Mara.wav")
    assert settings["audio_guide"] == cut and settings["audio_prompt_type"] == "A"
    assert settings["image_start"] == str(tmp_path / "mara.png") and not record["used_fallback"]
    assert record["dialogue"] == [{"path": cut, "duration_s": 2.0, "speaker": "Mara", "strips": ["Mara line"]}]
    assert record["frame_count"] == 49  # 2 s of voice at 24 fps (fantasy re-timed to the scene), on 4n+1
    assert take.has_audio
    editor = bpy.context.scene.sequence_editor
    take_sounds = [s for s in md.compat.strips(editor) if s.type == "SOUND" and s.get("md_shot_key")]
    assert len(take_sounds) == 1 and left_handle(take_sounds[0]) == 1
    assert (user.name, user.channel, content_start(user), user.mute) == ("Mara line", 5, 13, False)


def test_an_audio_driven_model_without_sound_is_refused_before_submitting(md, fake_wangp, output_dir, talking_shot):
    fake_wangp(available=list(AVAILABLE))
    talking_shot.movie_director.model_type = "fantasy"
    with pytest.raises(RuntimeError, match="fantasy is driven by dialogue, but no sound strip lies under SH010"):
        bpy.ops.movie_director.generate_shot()
    assert not len(talking_shot.movie_director.takes)


def test_two_speakers_go_to_multitalk_as_audio_guide_and_audio_guide2(md, fake_wangp, output_dir, talking_shot,
                                                                     tmp_path):
    fake_wangp(available=list(AVAILABLE))
    bpy.ops.movie_director.add_character(name="Theo")
    bpy.context.scene.movie_director.cast[1].voice_channel = 7
    bpy.ops.movie_director.set_cast_override(character="Theo", mode="ADD")
    _sound_strip(md, "Mara line", _tone(tmp_path / "m.wav", 1.0), 5, 1)
    _sound_strip(md, "reply", _tone(tmp_path / "t.wav", 1.0), 7, 25)
    talking_shot.movie_director.model_type = "multitalk"
    bpy.ops.movie_director.generate_shot()
    shot = talking_shot.movie_director
    with open(shot.takes[shot.active_take_index].sidecar_path, encoding="utf-8") as fh:
        record = json.load(fh)
    settings = record["settings"]
    assert settings["audio_prompt_type"] == "PAB"
    assert settings["audio_guide"].endswith("_dialogue_1_Mara.wav")
    assert settings["audio_guide2"].endswith("_dialogue_2_Theo.wav")
    assert [d["speaker"] for d in record["dialogue"]] == ["Mara", "Theo"]


def test_only_changed_skips_an_unchanged_talking_shot_and_redoes_a_moved_line(md, fake_wangp, output_dir,
                                                                              talking_shot, tmp_path):
    fake_wangp(available=list(AVAILABLE))
    line = _sound_strip(md, "Mara line", _tone(tmp_path / "line.wav", 1.0), 5, 13)
    talking_shot.movie_director.model_type = "fantasy"
    bpy.ops.movie_director.generate_scene(only_changed=True)
    assert len(talking_shot.movie_director.takes) == 1
    bpy.ops.movie_director.generate_scene(only_changed=True)
    assert len(talking_shot.movie_director.takes) == 1  # the same cut, the same face: nothing to redo
    assert bpy.context.scene.movie_director.batch_skipped == 1
    set_timing(line, content_start=20)
    bpy.ops.movie_director.generate_scene(only_changed=True)
    assert len(talking_shot.movie_director.takes) == 2  # the line moved: the shot is made again


def test_a_cut_the_model_does_not_take_is_not_left_behind(md, fake_wangp, output_dir, talking_shot, tmp_path):
    fake_wangp(available=list(AVAILABLE))
    _sound_strip(md, "Mara line", _tone(tmp_path / "line.wav", 1.0), 5, 13)
    talking_shot.movie_director.model_type = "t2v_1.3B"  # takes no audio
    bpy.ops.movie_director.generate_shot()
    shot = talking_shot.movie_director
    with open(shot.takes[shot.active_take_index].sidecar_path, encoding="utf-8") as fh:
        assert "audio_guide" not in json.load(fh)["settings"]
    inputs = os.path.join(output_dir, "Scene", "SH010", "inputs")
    left = [name for name in os.listdir(inputs) if "_dialogue_" in name] if os.path.isdir(inputs) else []
    assert left == []
