"""A take lands over several pump ticks, one media file opened per tick, and all at once for the user:
the edit changes only in the tick that commits it, and a save, an undo, a file load, an unregister, a cancel
or a deleted shot in the middle leaves no half-made strip."""

from __future__ import annotations

import json
import os
import shutil
import time

import addon_utils
import bpy
import pytest
from conftest import MODULE
from strip_timing import left_handle, right_handle

PENDING = "md_landing"


def _strips(scene=None):
    editor = (scene or bpy.context.scene).sequence_editor
    if editor is None:
        return []
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


def _media(strip) -> str:
    if strip.type == "MOVIE":
        return strip.filepath
    if strip.type == "SOUND":
        return strip.sound.filepath if strip.sound else ""
    if strip.type == "IMAGE":
        return os.path.join(strip.directory, strip.elements[0].filename)
    return ""


def _state(strip) -> tuple:
    return (strip.type, strip.channel, left_handle(strip), right_handle(strip), strip.mute, _media(strip))


def _edit() -> dict[str, tuple]:
    """Every strip that is part of the edit (not one still waiting for its place)."""
    return {s.name: _state(s) for s in _strips() if not s.get(PENDING)}


def _pending() -> list:
    return [s for s in _strips() if s.get(PENDING)]


@pytest.fixture
def shot(md, fake_wangp, output_dir, make_shot):
    """A shot of frames 10-59 whose first take (a clip with sound) is on the timeline, and a user strip."""
    obj = make_shot("SH010", 10, 59)
    obj.movie_director.model_type = "ltx2_22B_distilled"  # clips with sound
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    md.compat.new_effect(bpy.context.scene.sequence_editor, "User", "COLOR", 6, 1, 101)
    return obj


def _second_take(md, obj, tmp_path) -> int:
    """A second take with sound and a guide (its control's timeline copy and a keyframe still), as a take
    arriving from the host is recorded; returns its index."""
    shot = obj.movie_director
    first = shot.takes[0]
    clip = bpy.path.abspath(first.filepath)
    folder = tmp_path / "guide"
    folder.mkdir()
    shutil.copy(clip, folder / "timeline.mp4")
    image = bpy.data.images.new("keyframe", 64, 36)
    image.filepath_raw, image.file_format = str(folder / "key.png"), "PNG"
    image.save()
    second = clip.replace("take001", "take002")
    shutil.copy(clip, second)
    with open(bpy.path.abspath(first.sidecar_path), encoding="utf-8") as handle:
        sidecar = json.load(handle)
    sidecar["guide"] = {"control_video": str(folder / "control.mp4"), "fps": first.fps,
                        "keyframe_files": [{"path": str(folder / "key.png"), "frame": 12}]}
    sidecar_path = second[:-4] + ".json"
    with open(sidecar_path, "w", encoding="utf-8") as handle:
        json.dump(sidecar, handle)
    values = {name: getattr(first, name) for name in ("model_type", "seed", "fps", "frame_count", "has_audio",
                                                       "width", "height")}
    values.update(filepath=md.runtime.paths.stored(second), sidecar_path=md.runtime.paths.stored(sidecar_path))
    return md.runtime.take_record.add(shot, values)


def _arrive(md, obj, tmp_path) -> int:
    index = _second_take(md, obj, tmp_path)
    md.runtime.timeline.request_show(md.runtime.keys.shot_key(bpy.context.scene, obj), index)
    return index


def _tick_until_pending(md, count: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if len(_pending()) >= count:
            return
        md.pump()
        time.sleep(0.005)  # the landing's worker reads the files first
    raise AssertionError(f"no {count} pending strips: {[s.name for s in _strips()]}")


def _take_strips(md, obj):
    key = md.runtime.keys.shot_key(bpy.context.scene, obj)
    own = md.runtime.timeline.shot_strips(bpy.context.scene, key)
    return ([s for s in own if s.type == "MOVIE" and not s.get("md_guide")], [s for s in own if s.type == "SOUND"],
            [s for s in own if s.get("md_guide")])


def _assert_landed(md, obj, index: int) -> None:
    movies, sounds, guides = _take_strips(md, obj)
    assert _pending() == []
    assert [s["md_take"] for s in movies] == [index]
    assert left_handle(movies[0]) == 10 and not movies[0].mute
    assert bpy.path.abspath(movies[0].filepath) == bpy.path.abspath(obj.movie_director.takes[index].filepath)
    if md.compat.HAS_AUDIO:
        assert [s["md_take"] for s in sounds] == [index]
    assert sorted(s.type for s in guides) == (["IMAGE", "MOVIE"] if index == 1 else [])


def test_a_take_lands_one_file_per_tick_and_the_edit_changes_only_at_the_commit(md, shot, tmp_path):
    before = _edit()
    index = _arrive(md, shot, tmp_path)
    previous = {s.as_pointer(): _media(s) for s in _strips()}  # by identity: a sound is renamed at the commit
    changes_per_tick = []
    deadline = time.monotonic() + 20
    while md.runtime.timeline.waiting():
        assert time.monotonic() < deadline, "the take did not land"
        md.pump()
        time.sleep(0.005)
        now = {s.as_pointer(): _media(s) for s in _strips()}
        opened = [strip for strip, path in now.items() if previous.get(strip) != path]  # new strips, new clips
        changes_per_tick.append(opened)
        previous = now
        if md.runtime.timeline.waiting():
            assert _edit() == before, "the edit changed before the commit"
            last = max(right_handle(s) for s in _strips() if not s.get(PENDING))
            assert all(s.mute and left_handle(s) >= last for s in _pending())
    assert max(len(opened) for opened in changes_per_tick) == 1
    # sound (where Blender has audio), guide video, keyframe still, then the commit that swaps the clip
    assert sum(1 for opened in changes_per_tick if opened) == 3 + md.compat.HAS_AUDIO
    _assert_landed(md, shot, index)
    assert _edit()["User"] == before["User"]


def test_a_save_mid_landing_writes_the_whole_landing(md, shot, tmp_path):
    index = _arrive(md, shot, tmp_path)
    _tick_until_pending(md, 2)
    path = str(tmp_path / "mid_landing.blend")
    bpy.ops.wm.save_as_mainfile(filepath=path)
    assert not md.runtime.timeline.waiting()
    _assert_landed(md, shot, index)

    bpy.ops.wm.open_mainfile(filepath=path)
    _assert_landed(md, bpy.data.objects["SH010"], index)


def test_an_undo_to_a_state_saved_mid_landing_lands_the_take_again(md, shot, tmp_path, drive):
    index = _arrive(md, shot, tmp_path)
    _tick_until_pending(md, 2)
    bpy.ops.ed.undo_push(message="the user moves a camera mid-landing")
    drive(lambda: not md.runtime.timeline.waiting())
    bpy.data.objects["SH010"].location.x = 2.0
    bpy.ops.ed.undo_push(message="the user moves it again")

    bpy.ops.ed.undo()  # back to the state with half of the landing made

    obj = bpy.data.objects["SH010"]
    assert _pending() == [], "the restored state's half-made strips are gone at once"
    assert obj.movie_director.active_take_index == index
    drive(lambda: not md.runtime.timeline.waiting())
    _assert_landed(md, obj, index)


def test_an_undo_while_a_take_lands_starts_the_landing_again(md, shot, tmp_path, drive):
    index = _arrive(md, shot, tmp_path)
    _tick_until_pending(md, 1)
    bpy.ops.ed.undo_push(message="mid-landing")
    _tick_until_pending(md, 2)
    shot.location.x = 2.0
    bpy.ops.ed.undo_push(message="the user moves a camera")

    bpy.ops.ed.undo()  # the landing is still under way: its strips were freed or are the restored state's

    assert _pending() == [] and md.runtime.timeline.waiting()
    drive(lambda: not md.runtime.timeline.waiting())
    _assert_landed(md, bpy.data.objects["SH010"], index)


def test_opening_a_file_mid_landing_leaves_nothing_half_made(md, shot, tmp_path, empty_blend):
    before = str(tmp_path / "before.blend")
    bpy.ops.wm.save_as_mainfile(filepath=before)
    _arrive(md, shot, tmp_path)
    _tick_until_pending(md, 2)

    bpy.ops.wm.open_mainfile(filepath=before)

    assert not md.runtime.timeline.waiting() and _pending() == []
    [movie], _sounds, _guides = _take_strips(md, bpy.data.objects["SH010"])
    assert movie["md_take"] == 0


def test_a_file_saved_half_way_by_an_autosave_lands_the_take_when_opened(md, shot, tmp_path, drive):
    index = _arrive(md, shot, tmp_path)
    _tick_until_pending(md, 2)
    # An autosave writes the file without the save handlers: what it holds is the half-made landing.
    path = str(tmp_path / "autosave.blend")
    bpy.app.handlers.save_pre.remove(md.runtime.handlers.on_save_pre)
    try:
        bpy.ops.wm.save_as_mainfile(filepath=path, copy=True)
    finally:
        bpy.app.handlers.save_pre.append(md.runtime.handlers.on_save_pre)

    bpy.ops.wm.open_mainfile(filepath=path)

    assert _pending() == []
    drive(lambda: not md.runtime.timeline.waiting())
    _assert_landed(md, bpy.data.objects["SH010"], index)
    assert "had not finished landing when the file was saved" in bpy.data.texts["Movie Director Log"].as_string()


def test_unregister_mid_landing_removes_what_it_made(md, shot, tmp_path):
    _arrive(md, shot, tmp_path)
    _tick_until_pending(md, 2)
    before = _edit()

    addon_utils.disable(MODULE, default_set=True)
    try:
        assert _pending() == []
        assert _edit() == before  # the previous take stays whole on the timeline
    finally:
        assert addon_utils.enable(MODULE, default_set=True) is not None
    assert not md.runtime.timeline.waiting()


def test_cancel_mid_landing_still_lands_the_take_whole(md, shot, tmp_path, drive, fake_wangp, make_shot):
    fake_wangp(step_delay_s=0.5)
    other = make_shot("SH020", 60, 80)
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, other)
    index = _arrive(md, shot, tmp_path)
    _tick_until_pending(md, 1)
    bpy.ops.movie_director.cancel(scope="ALL")
    drive(lambda: not md.runtime.timeline.waiting())
    _assert_landed(md, shot, index)


def test_a_shot_deleted_mid_landing_leaves_nothing(md, shot, tmp_path, drive):
    _arrive(md, shot, tmp_path)
    _tick_until_pending(md, 2)
    bpy.data.objects.remove(shot)
    drive(lambda: not md.runtime.timeline.waiting())
    assert _pending() == []


def test_a_pending_strip_the_user_deletes_is_made_again(md, shot, tmp_path, drive):
    index = _arrive(md, shot, tmp_path)
    _tick_until_pending(md, 2)
    md.compat.remove_strip(bpy.context.scene.sequence_editor, _pending()[0])
    drive(lambda: not md.runtime.timeline.waiting())
    _assert_landed(md, shot, index)


def test_set_active_take_mid_landing_wins(md, shot, tmp_path):
    _arrive(md, shot, tmp_path)
    _tick_until_pending(md, 2)
    assert bpy.ops.movie_director.set_active_take(index=0) == {"FINISHED"}
    assert not md.runtime.timeline.waiting()
    _assert_landed(md, shot, 0)
