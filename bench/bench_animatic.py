"""Main-thread cost of the layout animatic (no WanGP configured) against scene size.

Per size (0, 2,000 and 10,000 extra objects, the layout set of ``bench_scene_size``) it queues SHOTS camera
shots of FRAMES frames at 320x180 and times every ``pump()`` until their takes have landed on the timeline.
It prints the median, p99 and max of all ticks and the slowest tick of each kind: a frame's progress and
preview arrived; a take landed (the timeline's own work, ``new_movie``, included); the strips of a take that
waited were placed (``runtime.timeline``, not the animatic's work); jobs were handed to the
host (settings built from the snapshot); a job started (the shot read, its render handed to the background
renderer); any other. Also the Generate click and the wall time per shot.
Run: ``.venv-bpy/bin/python bench/bench_animatic.py [sizes...]``. Prints figures; asserts nothing.
Target: max < 16 ms per tick while an animatic job renders; no ``bpy.ops`` on the pump path. The main thread's
CPU time per tick is printed beside the wall clock: on a shared machine the wall clock also counts the time the
main thread waited for a core (the background renderer competes for the same cores).
``MD_BENCH_TIMEOUT`` (seconds per size, default 900) stops a size early: its row is then marked "unfinished"
and holds the ticks measured so far (the main-thread renderer of old needed 28 s per frame at 2,000 objects).
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time

from _blender import bpy, md, open_empty, stop
from bench_scene_size import add_set

SIZES = (0, 2000, 10000)
TIMEOUT = float(os.environ.get("MD_BENCH_TIMEOUT", "900"))
SHOTS = 2
FRAMES = 48


def add_camera_shots(scene: bpy.types.Scene) -> list:
    shots = []
    for i in range(SHOTS):
        name = f"SH{(i + 1) * 10:04d}"
        camera = bpy.data.objects.new(name, bpy.data.cameras.new(name))
        camera.location, camera.rotation_euler = (50.0, -60.0, 30.0), (math.radians(65), 0.0, 0.0)
        scene.collection.objects.link(camera)
        shot = camera.movie_director
        shot.is_shot, shot.shot_id = True, f"id{i}"
        shot.frame_start, shot.frame_end = 1 + i * FRAMES, (i + 1) * FRAMES
        shot.prompt, shot.resolution, shot.camera_mode = f"{name}: the set", "320x180", "NONE"
        shots.append(camera)
    return shots


def one_size(count: int) -> dict[str, float]:
    scene = open_empty()
    add_set(scene, count)
    shots = add_camera_shots(scene)
    previews = {"n": 0}
    real_show = md.runtime.preview.show

    def counting_show(*args, **kwargs):
        previews["n"] += 1
        return real_show(*args, **kwargs)

    md.runtime.preview.show = counting_show
    times: list[float] = []
    cpu_times: list[float] = []
    take_ticks, preview_ticks, submit_ticks, start_ticks, timeline_ticks, other_ticks = [], [], [], [], [], []

    def running() -> int:
        return sum(o.movie_director.generation_status == "in_progress" for o in shots)

    began = time.perf_counter()
    try:
        click = time.perf_counter()
        for obj in shots:
            md.runtime.generate.queue_shot(bpy.context, scene, obj)
        click = time.perf_counter() - click
        deadline = time.monotonic() + TIMEOUT
        unfinished = False
        while any(not o.movie_director.takes for o in shots) or md.runtime.timeline.waiting():
            if time.monotonic() > deadline:
                unfinished = True
                break
            failed = [o.movie_director.error_message for o in shots if o.movie_director.generation_status == "failed"]
            if failed:
                raise RuntimeError(f"an animatic job failed: {failed}")
            takes, seen = sum(len(o.movie_director.takes) for o in shots), previews["n"]
            pending, started = len(md.runtime.jobs.pending()), running()
            placing = md.runtime.timeline.waiting()
            start, cpu = time.perf_counter(), time.thread_time()
            md.pump()
            elapsed = time.perf_counter() - start
            times.append(elapsed)
            cpu_times.append(time.thread_time() - cpu)
            if sum(len(o.movie_director.takes) for o in shots) > takes:
                take_ticks.append(elapsed)
            elif previews["n"] > seen:
                preview_ticks.append(elapsed)
            elif len(md.runtime.jobs.pending()) < pending:
                submit_ticks.append(elapsed)
            elif running() > started:
                start_ticks.append(elapsed)
            elif placing and not md.runtime.timeline.waiting():
                timeline_ticks.append(elapsed)
            else:
                other_ticks.append(elapsed)
            time.sleep(0.002)
    finally:
        md.runtime.preview.show = real_show
    wall = time.perf_counter() - began
    times.sort()
    cpu_times.sort()
    return {
        "cpu_median": statistics.median(cpu_times), "cpu_max": cpu_times[-1],
        "median": statistics.median(times), "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        "max": times[-1], "preview": max(preview_ticks, default=0.0), "take": max(take_ticks, default=0.0),
        "submit": max(submit_ticks, default=0.0), "start": max(start_ticks, default=0.0),
        "timeline": max(timeline_ticks, default=0.0),
        "other": max(other_ticks, default=0.0), "click": click, "per_shot": wall / SHOTS, "ticks": len(times),
        "unfinished": unfinished, "takes": sum(len(o.movie_director.takes) for o in shots),
    }


def main() -> None:
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    os.environ.pop("WANGP_ROOT", None)
    os.environ.pop("WANGP_SITE_PACKAGES", None)
    rows = {}
    try:
        for count in sizes:
            rows[count] = one_size(count)
            md.runtime.submit.cancel_all("benchmark size over")
            stop()
            print(f"  ({count} objects: {rows[count]}", flush=True)
    finally:
        stop()
    print(f"\nLayout animatic, {SHOTS} shots x {FRAMES} frames at 320x180, bpy {bpy.app.version_string} "
          "(milliseconds; per shot: seconds of wall time)")
    print("| extra objects | pump median | pump p99 | pump max | CPU median | CPU max | frame/preview tick | take tick "
          "| strips placed tick "
          "| submit tick "
          "| job start tick | other ticks max | Generate click (2 shots) | per shot |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for count, row in rows.items():
        ms = {k: v * 1000 for k, v in row.items()}
        note = f" (unfinished: {row['takes']} of {SHOTS} takes in {TIMEOUT:.0f} s)" if row["unfinished"] else ""
        print(f"| {count:,}{note} | {ms['median']:.1f} | {ms['p99']:.1f} | {ms['max']:.1f} | "
              f"{ms['cpu_median']:.1f} | "
              f"{ms['cpu_max']:.1f} | {ms['preview']:.1f} | "
              f"{ms['take']:.1f} | {ms['timeline']:.1f} | {ms['submit']:.1f} | {ms['start']:.1f} | {ms['other']:.1f} | "
              f"{ms['click']:.1f} | "
              f"{row['per_shot']:.1f} |")


if __name__ == "__main__":
    main()
