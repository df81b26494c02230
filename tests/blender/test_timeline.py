"""Takes on the sequencer: placement, real-speed retiming, switching takes, sound, waiting for renders/saves."""

from __future__ import annotations

import copy
import os
import threading

import bpy
import pytest
from strip_timing import duration, left_handle


def _strips(scene):
    editor = scene.sequence_editor
    if editor is None:
        return []
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


@pytest.fixture
def wan_shot(md, fake_wangp, output_dir, make_shot):
    # 50 frames at 24 fps -> 33 Wan frames at 16 fps (4n+1) -> 49.5 frames at real speed: not trimmed.
    obj = make_shot("SH010", 10, 59)
    obj.movie_director.model_type = "t2v_1.3B"
    return obj


def test_switching_takes_swaps_the_clip_and_fixes_the_length(md, wan_shot):
    shot = wan_shot.movie_director
    bpy.ops.movie_director.generate_shot()  # 50 frames -> 33 at 16 fps
    shot.frame_end = 33  # 24 frames -> 17 at 16 fps: 25.5 at real speed, trimmed to the shot's 24
    bpy.ops.movie_director.generate_shot()
    scene = bpy.context.scene
    [strip] = _strips(scene)
    assert strip["md_take"] == 1 and duration(strip) == 24

    shot.frame_end = 59
    assert bpy.ops.movie_director.set_active_take(index=0) == {"FINISHED"}

    [strip] = _strips(scene)
    assert shot.active_take_index == 0
    assert strip["md_take"] == 0
    assert strip.name == "SH010"
    assert strip.filepath == shot.takes[0].filepath
    assert left_handle(strip) == 10
    assert abs(duration(strip) - 33 * 1.5) <= 1


def test_set_active_take_refuses_a_missing_index_and_a_missing_clip(md, wan_shot):
    bpy.ops.movie_director.generate_shot()
    with pytest.raises(RuntimeError, match="there is no take 5"):
        bpy.ops.movie_director.set_active_take(index=4)
    os.remove(wan_shot.movie_director.takes[0].filepath)
    with pytest.raises(RuntimeError, match="is missing"):
        bpy.ops.movie_director.set_active_take(index=0)


def test_set_active_take_needs_takes(md, output_dir, make_shot):
    make_shot("Empty", 1, 24)
    assert not bpy.ops.movie_director.set_active_take.poll()
    with pytest.raises(RuntimeError, match="no takes yet"):
        bpy.ops.movie_director.set_active_take(index=0)


def test_a_new_take_never_overwrites_an_existing_file(md, wan_shot, output_dir):
    folder = os.path.join(output_dir, "Scene", "SH010")
    os.makedirs(folder)
    squatter = os.path.join(folder, "SH010_take001.mp4")
    with open(squatter, "wb") as fh:
        fh.write(b"not a clip")

    bpy.ops.movie_director.generate_shot()

    assert os.path.basename(wan_shot.movie_director.takes[0].filepath) == "SH010_take002.mp4"
    with open(squatter, "rb") as fh:
        assert fh.read() == b"not a clip"


def test_adjacent_shots_stay_on_the_channel_with_their_own_lengths(md, fake_wangp, output_dir, make_shot):
    # 48 frames -> 33 Wan frames -> 49.5 at real speed: one frame more than the shot, which would
    # overlap the next shot (and Blender would move a strip to another channel) unless trimmed.
    first = make_shot("SH010", 1, 48)
    second = make_shot("SH020", 49, 96)
    for obj in (second, first):  # the later shot lands first: the earlier clip must not push it away
        obj.movie_director.model_type = "t2v_1.3B"
        bpy.context.view_layer.objects.active = obj
        bpy.ops.movie_director.generate_shot()
    by_name = {s.name: s for s in _strips(bpy.context.scene)}
    assert {n: (s.channel, left_handle(s), duration(s)) for n, s in by_name.items()} == {
        "SH010": (2, 1, 48), "SH020": (2, 49, 48)}


def test_clip_at_the_scene_fps_is_not_retimed(md, wan_shot):
    scene = bpy.context.scene
    scene.render.fps = 16
    bpy.ops.movie_director.generate_shot()
    [strip] = _strips(scene)
    assert duration(strip) == wan_shot.movie_director.takes[0].frame_count


def test_sound_strip_for_a_clip_with_audio(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("Talk", 1, 24)
    obj.movie_director.model_type = "ltx2_22B_distilled"
    scene = bpy.context.scene

    bpy.ops.movie_director.generate_shot()

    take = obj.movie_director.takes[0]
    assert take.has_audio
    by_type = {s.type: s for s in _strips(scene)}
    if not md.compat.HAS_AUDIO:
        # bpy 4.2's wheel has no Audaspace: the clip goes on the timeline alone and the log says why.
        assert set(by_type) == {"MOVIE"}
        assert "no audio support" in bpy.data.texts["Movie Director Log"].as_string()
        return
    assert set(by_type) == {"MOVIE", "SOUND"}
    assert by_type["SOUND"].channel == by_type["MOVIE"].channel + 1
    assert left_handle(by_type["SOUND"]) == 1
    assert by_type["SOUND"]["md_shot_id"] == obj.movie_director.shot_id
    # Switching takes replaces both strips of the shot.
    bpy.ops.movie_director.set_active_take(index=0)
    assert sorted(s.type for s in _strips(scene)) == ["MOVIE", "SOUND"]


def test_other_strips_are_left_alone(md, wan_shot):
    scene = bpy.context.scene
    editor = scene.sequence_editor_create()
    slate = md.compat.new_effect(editor, "Slate", "COLOR", 5, 1, 11)
    assert duration(slate) == 10

    bpy.ops.movie_director.generate_shot()
    bpy.ops.movie_director.set_active_take(index=0)

    assert sorted(s.type for s in _strips(scene)) == ["COLOR", "MOVIE"]
    assert slate.name == "Slate" and slate.channel == 5


def test_strips_wait_while_a_render_runs(md, wan_shot, drive, monkeypatch):
    monkeypatch.setattr(md.compat, "render_running", lambda: True)
    scene = bpy.context.scene
    md.runtime.generate.queue_shot(bpy.context, scene, wan_shot)
    drive(lambda: wan_shot.movie_director.generation_status == "done")
    md.pump()
    assert _strips(scene) == []
    assert md.runtime.timeline.waiting()

    monkeypatch.setattr(md.compat, "render_running", lambda: False)
    drive(lambda: not md.runtime.timeline.waiting())
    assert len(_strips(scene)) == 1


def test_strips_wait_while_the_file_saves(md, wan_shot, drive, tmp_path):
    seen = []

    def record(*_args):
        seen.append(md.runtime.timeline.blocked())

    bpy.app.handlers.save_pre.append(record)
    try:
        bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "saving.blend"))
    finally:
        bpy.app.handlers.save_pre.remove(record)
    assert seen == [True]
    assert not md.runtime.timeline.blocked()

    md.runtime.timeline.set_saving(True)
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, wan_shot)
    drive(lambda: wan_shot.movie_director.generation_status == "done")
    assert _strips(bpy.context.scene) == []
    md.runtime.timeline.set_saving(False)
    drive(lambda: not md.runtime.timeline.waiting())
    assert len(_strips(bpy.context.scene)) == 1


def test_set_active_take_during_a_render_waits(md, wan_shot, drive, monkeypatch):
    bpy.ops.movie_director.generate_shot()
    bpy.ops.movie_director.generate_shot()
    monkeypatch.setattr(md.compat, "render_running", lambda: True)

    bpy.ops.movie_director.set_active_take(index=0)

    [strip] = _strips(bpy.context.scene)
    assert strip["md_take"] == 1 and wan_shot.movie_director.active_take_index == 0
    monkeypatch.setattr(md.compat, "render_running", lambda: False)
    drive(lambda: _strips(bpy.context.scene)[0]["md_take"] == 0)


def test_a_take_chosen_after_a_render_beats_the_placement_still_waiting(md, wan_shot, drive, monkeypatch):
    bpy.ops.movie_director.generate_shot()
    bpy.ops.movie_director.generate_shot()
    monkeypatch.setattr(md.compat, "render_running", lambda: True)
    bpy.ops.movie_director.set_active_take(index=0)  # waits for the render
    monkeypatch.setattr(md.compat, "render_running", lambda: False)
    bpy.ops.movie_director.set_active_take(index=1)  # the render ended; the user picks again at once
    for _ in range(3):
        md.pump()
    [strip] = _strips(bpy.context.scene)
    assert strip["md_take"] == 1 and wan_shot.movie_director.active_take_index == 1


def test_switching_takes_while_another_python_thread_runs(md, wan_shot):
    """Operators inside ``temp_override`` segfault when another Python thread runs (WanGP's always
    do); placing and retiming strips must not need one. A crash here kills the whole test run."""
    bpy.ops.movie_director.generate_shot()
    bpy.ops.movie_director.generate_shot()
    stop = threading.Event()
    data = {"shots": [{"id": i, "moves": ["dolly", {"speed": "slow"}]} for i in range(200)]}

    def busy():
        while not stop.is_set():
            copy.deepcopy(data)

    worker = threading.Thread(target=busy, daemon=True)
    worker.start()
    try:
        for index in [0, 1] * 40:
            bpy.ops.movie_director.set_active_take(index=index)
    finally:
        stop.set()
        worker.join()
    [strip] = _strips(bpy.context.scene)
    assert strip["md_take"] == 1 and abs(duration(strip) - 33 * 1.5) <= 1
