"""What each step of a take's landing costs the main thread, against scene size and a cold or warm disk.

A landing (``runtime/landing.py``) runs one step per pump tick: ``begin`` (hands the files to the reader
thread), one step per new strip (the clip of a shot without a strip, the sound, the guide video, a keyframe
still: each opens its file), and the commit (swaps the clip into the shot's strip, or places the new one, and
moves everything into place). Per size (0 and 10,000 extra objects, 500 shots, an edit of 1,000 strips) it
lands an 832x480 LTX-2 take with sound and a guide, ROUNDS times as a swap and ROUNDS times on a shot without
a strip, each from a fresh copy of the clip, and prints the median and max of every step. ``cold``: the
files are dropped from the OS cache first (``posix_fadvise``; Linux), so the reader thread reads them from
disk before the steps open them. Also prints what the same take cost in one go (``show_take``: every step
in one call, as a click does).
Figures on the wall clock and as the main thread's CPU time (see ``bench_scene_size.py``).
Run: ``.venv-bpy/bin/python bench/bench_landing.py [sizes...]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict

from _blender import add_shots, bpy, md, open_empty, stop, use_fake_wangp
from bench_scene_size import Figure, add_edit, add_set, clocks, since

SIZES = (0, 10000)
SHOTS = 500
ROUNDS = 8


def drop_cache(path: str) -> None:
    """Evict the file from the OS page cache, so its next read comes from disk."""
    if not hasattr(os, "posix_fadvise"):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def guided_take(obj: bpy.types.Object, folder: str, number: int) -> tuple[int, list[str]]:
    """A new take of ``obj``: a fresh copy of its first clip, its sidecar with a guide; returns index and files."""
    shot = obj.movie_director
    first = shot.takes[0]
    clip = bpy.path.abspath(first.filepath)
    guide = os.path.join(folder, f"guide{number}")
    os.makedirs(guide)
    shutil.copy(clip, os.path.join(guide, "timeline.mp4"))
    still = os.path.join(guide, "key.png")
    image = bpy.data.images.get("bench keyframe") or bpy.data.images.new("bench keyframe", 832, 480)
    image.filepath_raw, image.file_format = still, "PNG"
    image.save()
    path = os.path.join(os.path.dirname(clip), f"{obj.name}_take{number + 100:03d}.mp4")
    shutil.copy(clip, path)
    record = md.wangp_backend.review.read_sidecar(bpy.path.abspath(first.sidecar_path))
    record["guide"] = {"control_video": os.path.join(guide, "control.mp4"), "fps": first.fps,
                       "keyframe_files": [{"path": still, "frame": 10}]}
    sidecar = path[:-4] + ".json"
    with open(sidecar, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
    values = {name: getattr(first, name) for name in ("model_type", "seed", "fps", "frame_count", "has_audio",
                                                       "width", "height")}
    values.update(filepath=md.runtime.paths.stored(path), sidecar_path=md.runtime.paths.stored(sidecar))
    return md.runtime.take_record.add(shot, values), [path, os.path.join(guide, "timeline.mp4"), still, sidecar]


def measure(count: int, cold: bool) -> dict[str, list[Figure]]:
    scene = open_empty()
    shots = add_shots(scene, SHOTS)
    add_edit(scene, shots)
    add_set(scene, count)
    obj = shots[0]
    obj.movie_director.model_type = "ltx2_22B_distilled"
    obj.movie_director.resolution = "832x480"
    bpy.context.view_layer.objects.active = obj
    bpy.ops.movie_director.generate_shot()
    key = md.runtime.keys.shot_key(scene, obj)
    folder = tempfile.mkdtemp(prefix="md_bench_landing_")
    steps: dict[str, list[Figure]] = defaultdict(list)
    landing = md.runtime.landing.Landing
    real_make, real_commit = landing._make, landing._commit
    current = {"label": ""}

    def make(self, scene, editor, obj, role, item):
        current["label"] = f"make {role if role != 'guide' else item[0] + ' (guide)'}"
        return real_make(self, scene, editor, obj, role, item)

    def commit(self, scene, editor, obj, take, made):
        current["label"] = "commit (new strip)" if any(role == "movie" for role, _s, _i in made) else "commit (swap)"
        return real_commit(self, scene, editor, obj, take, made)

    landing._make, landing._commit = make, commit
    timeline = md.runtime.timeline
    try:
        for number in range(2 * ROUNDS):
            if number % 2:
                strip = timeline.shot_strip(scene, key)
                if strip is not None:
                    md.compat.remove_strip(scene.sequence_editor, strip)
            index, files = guided_take(obj, folder, number)
            if cold:
                for path in files:
                    drop_cache(path)
            timeline.request_show(key, index)
            begun = clocks()
            timeline.flush()
            steps["begin"].append(since(begun))
            while timeline.waiting():
                time.sleep(0.02)  # a pump tick later; the reader thread reads meanwhile
                begun = clocks()
                if timeline.flush():
                    steps[current["label"]].append(since(begun))
            index, files = guided_take(obj, folder, 100 + number)
            if cold:
                for path in files:
                    drop_cache(path)
            begun = clocks()
            timeline.show_take(scene, obj, index)
            steps["show_take (all in one call)"].append(since(begun))
    finally:
        landing._make, landing._commit = real_make, real_commit
    return steps


def main() -> None:
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    use_fake_wangp(load_delay_s=0.0, step_delay_s=0.01, steps_cap=2, preview_every=100)
    results = {}
    try:
        for count in sizes:
            for cold in (False, True):
                results[(count, cold)] = measure(count, cold)
    finally:
        stop()
    labels = sorted({label for steps in results.values() for label in steps},
                    key=lambda x: ("show_take" in x, "commit" in x, x))
    for clock, title in ((0, "wall clock"), (1, "the main thread's CPU time")):
        print(f"Main-thread ms per landing step ({title}; 832x480 LTX-2 take with sound and a guide, {SHOTS} shots, "
              f"an edit of {2 * (SHOTS - 3)} strips; median / max of {ROUNDS} or {2 * ROUNDS})")
        head = "| step | " + " | ".join(f"{c:,} objects, {'cold' if k else 'warm'}" for c, k in results) + " |"
        print(head)
        print("|" + "---|" * (head.count("|") - 1))
        for label in labels:
            cells = []
            for steps in results.values():
                values = [figure[clock] for figure in steps.get(label, [])]
                cells.append(f"{statistics.median(values) * 1000:.1f} / {max(values) * 1000:.1f}" if values else "-")
            print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
