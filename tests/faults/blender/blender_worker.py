"""A headless Blender the kill tests run and SIGKILL: ``python blender_worker.py MODE BLEND PHASE REPORT``.

``start`` opens BLEND (three saved shots), queues the scene's batch (not saved again) and drives
``pump()``; at PHASE of the second shot's job it kills its own process with SIGKILL, the way
the OS or a crash ends Blender: no handler, no atexit, no flush. ``resume`` opens BLEND again, runs
Resume Batch until it ends, saves, and writes what the file holds to REPORT (JSON).

The extension is the one the tier installed (the parent passes ``BLENDER_USER_RESOURCES``); WanGP
is the test double, through the same ``WANGP_*`` / ``FAKE_WANGP_CONFIG`` variables.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

import bpy

MODULE = "bl_ext.user_default.movie_director"
PHASES = ("loading", "denoising", "decoding", "moving", "sidecar", "strip", "saving")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def arm(md, phase: str, victim: str) -> tuple:
    """Hooks that kill the process inside the add-on at ``phase`` of ``victim``'s job; returns a pump-time check."""
    def victim_job() -> bool:
        obj = bpy.data.objects.get(victim)
        return obj is not None and obj.movie_director.generation_status == "in_progress"

    if phase == "moving":  # inside filing: the take name is reserved, the clip not yet moved over it
        takes = sys.modules[f"{MODULE}.wangp_backend.takes"]
        real = takes._move_over_placeholder
        takes._move_over_placeholder = lambda src, dst: die() if victim in dst else real(src, dst)
    elif phase == "sidecar":  # the clip is in place, its sidecar not yet written
        runner = sys.modules[f"{MODULE}.wangp_backend.runner"]
        real_sidecar = runner.write_sidecar
        runner.write_sidecar = lambda path, record: die() if victim in path else real_sidecar(path, record)
    elif phase == "strip":  # the take is on the shot, its landing half-way: its first strip made, not placed
        landing = md.runtime.landing.Landing
        real_make = landing._make

        def make_then_die(self, scene, editor, obj, role, item):
            real_make(self, scene, editor, obj, role, item)
            if obj.name == victim:
                die()

        landing._make = make_then_die
    words = {"loading": "load", "denoising": "denois", "decoding": "decod"}.get(phase)

    def check() -> None:
        if words and victim_job() and words in bpy.data.objects[victim].movie_director.generation_phase.lower():
            die()
        if phase == "saving" and bpy.data.objects[victim].movie_director.takes:
            # Blender writes the file while this thread's SIGKILL lands in the middle of it.
            threading.Timer(0.003, die).start()
            for _ in range(200):
                bpy.ops.wm.save_mainfile()

    return check


def start(md, blend: str, phase: str) -> None:
    bpy.ops.wm.open_mainfile(filepath=blend)
    check = arm(md, phase, "SH020")
    queued = md.runtime.generate.queue_scene(bpy.context, bpy.context.scene, "", False)
    assert queued.order and not queued.problems, queued.problems
    # Not saved after queueing (the usual crash): the batch is found in the queue file, not in the .blend.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        md.pump()
        check()
        time.sleep(0.005)
    raise SystemExit(f"phase {phase} never came")


def resume(md, blend: str, report: str) -> None:
    bpy.ops.wm.open_mainfile(filepath=blend)
    scene = bpy.context.scene
    interrupted = [o.name for o in scene.objects
                   if o.movie_director.error_message == md.runtime.batch_queue.INTERRUPTED]
    if bpy.ops.movie_director.resume_batch.poll():
        result = {f"resume: {r}" for r in bpy.ops.movie_director.resume_batch()}
    else:  # nothing left to resume (the last job had delivered): what the user does is Recover Takes
        result = {f"recover takes: {r}" for r in bpy.ops.movie_director.recover_takes()}
    deadline = time.monotonic() + 10  # the UI's timer would place recovered takes' strips within a tick
    while md.runtime.timeline.waiting() and time.monotonic() < deadline:
        md.pump()
        time.sleep(0.01)
    bpy.ops.wm.save_mainfile()
    shots = {
        o.name: {
            "key": md.runtime.keys.shot_key(scene, o),
            "status": o.movie_director.generation_status,
            "error": o.movie_director.error_message,
            "takes": [os.path.realpath(bpy.path.abspath(t.filepath)) for t in o.movie_director.takes],
            "strips": len(md.runtime.timeline.shot_strips(scene, md.runtime.keys.shot_key(scene, o))),
        }
        for o in scene.objects if o.movie_director.is_shot
    }
    log = bpy.data.texts["Movie Director Log"].as_string() if "Movie Director Log" in bpy.data.texts else ""
    with open(report, "w", encoding="utf-8") as fh:
        json.dump({"result": sorted(result), "interrupted": interrupted, "shots": shots, "log": log,
                   "record_left": md.runtime.batch_queue.ID_PROP in scene}, fh)
    md.runtime.lifecycle.stop(timeout=10.0)


def main() -> None:
    import addon_utils  # on sys.path only once bpy is imported

    mode, blend, phase, report = sys.argv[1:5]
    addon_utils.enable(MODULE, default_set=True)
    md = sys.modules[MODULE]
    if mode == "start":
        start(md, blend, phase)
    else:
        resume(md, blend, report)


if __name__ == "__main__":
    main()
