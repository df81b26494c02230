"""The user acts while a batch runs (at shot 2 of 3): every clip made ends as a take exactly once (or, for a
deleted shot, stays on disk with its sidecar for Recover Takes), and nothing half-made stays."""

from __future__ import annotations

import os

import bpy
import pytest
from scoreboard import partial_files, takes_on_disk

NAMES = ("SH010", "SH020", "SH030")
DELETING = ("deletes the shot", "deletes its camera data")


def _delete_shot(md, tmp_path, empty_blend):
    bpy.data.objects.remove(bpy.data.objects["SH020"])
    return "the shot's take stays on disk with its sidecar (Recover Takes lists it)"


def _rename_shot(md, tmp_path, empty_blend):
    bpy.data.objects["SH020"].name = "SH020 renamed"
    return "the take lands on the renamed shot"


def _delete_camera(md, tmp_path, empty_blend):
    bpy.data.cameras.remove(bpy.data.cameras["SH020"])  # Blender removes the camera object with its data
    return "the shot goes with its camera; its take stays on disk with its sidecar (Recover Takes lists it)"


def _undo_redo(md, tmp_path, empty_blend):
    bpy.data.objects["SH010"].location.x = 3.0
    bpy.ops.ed.undo_push(message="the user moves a camera")
    bpy.ops.ed.undo()
    bpy.ops.ed.redo()
    return "undo and redo mid-batch; every take on its shot"


def _save_while_landing(md, tmp_path, empty_blend):
    path = str(tmp_path / "saved_mid_batch.blend")
    for _ in range(20):
        bpy.ops.wm.save_as_mainfile(filepath=path)
        md.pump()
    return "20 saves while takes land; strips placed after each save"


def _switch_blend(md, tmp_path, empty_blend):
    bpy.ops.wm.open_mainfile(filepath=empty_blend)
    return "another .blend opened mid-batch, then the first reopened: Resume and Recover Takes"


def _second_scene_batch(md, tmp_path, empty_blend):
    second = bpy.data.scenes.new("Second")
    second.movie_director.output_dir = bpy.context.scene.movie_director.output_dir
    camera = bpy.data.objects.new("SH900", bpy.data.cameras.new("SH900"))
    second.collection.objects.link(camera)
    shot = camera.movie_director  # what Mark Shot does, for a scene that is not the window's
    shot.is_shot, shot.shot_id = True, md.runtime.keys.new_id()
    shot.frame_start, shot.frame_end, shot.prompt, shot.resolution = 1, 16, "a second scene", "128x96"
    shot.quality, shot.camera_mode = "PREVIEW", "NONE"
    md.runtime.keys.scene_key(second)
    queued = md.runtime.generate.queue_scene(bpy.context, second, "", False)
    assert queued.order and not queued.problems, queued.problems
    return "a second scene's batch queued behind the first; both finish"


ACTIONS = {
    "deletes the shot": _delete_shot,
    "renames the shot": _rename_shot,
    "deletes its camera data": _delete_camera,
    "undoes and redoes": _undo_redo,
    "saves while a take lands": _save_while_landing,
    "switches to another .blend": _switch_blend,
    "starts a second scene's batch": _second_scene_batch,
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_user_acts_mid_batch(md, fake_wangp, output_dir, make_shot, drive, tmp_path, empty_blend, scenario, action):
    fake_wangp(step_delay_s=0.1)
    for i, name in enumerate(NAMES):
        make_shot(name, 1 + 16 * i, 16 + 16 * i, prompt=f"{name} a cube")
    first = str(tmp_path / "first.blend")
    bpy.ops.wm.save_as_mainfile(filepath=first)
    bpy.ops.ed.undo_push(message="before the batch")
    queued = md.runtime.generate.queue_scene(bpy.context, bpy.context.scene, "", False)
    assert queued.order and not queued.problems
    drive(lambda: bpy.data.objects["SH020"].movie_director.generation_status == "in_progress", timeout=60)

    said = ACTIONS[action](md, tmp_path, empty_blend)
    drive(lambda: md.runtime.jobs.count() == 0, timeout=90)
    if action == "switches to another .blend":
        bpy.ops.wm.open_mainfile(filepath=first)
        bpy.ops.movie_director.resume_batch()
    drive(lambda: not md.runtime.timeline.waiting(), timeout=10)

    shots = [o for o in bpy.data.objects if o.movie_director.is_shot]
    attached = sorted(os.path.realpath(bpy.path.abspath(t.filepath)) for o in shots for t in o.movie_director.takes)
    on_disk = takes_on_disk(output_dir)
    every = sorted(p for paths in on_disk.values() for p in paths)
    kept_for_deleted = [p for p in every if p not in attached and action in DELETING and "SH020" in p]
    lost = [p for p in every if p not in attached and p not in kept_for_deleted]
    assert len(attached) == len(set(attached))  # no clip twice
    assert lost == []
    for obj in shots:
        assert len(obj.movie_director.takes) == 1, (obj.name, obj.movie_director.error_message)
    assert len(shots) == (2 if action in DELETING else 4 if "second scene" in action else 3)
    assert len(kept_for_deleted) == (1 if action in DELETING else 0)
    partial = partial_files(output_dir)
    assert partial == []
    scenario(f"user {action} mid-batch", injected=f"the user {action} while shot 2 of 3 generates", user_saw=said,
             survived=f"{len(attached)} take(s) attached, {len(kept_for_deleted)} kept on disk for a deleted shot",
             takes_lost=len(lost), partial_files=len(partial))
