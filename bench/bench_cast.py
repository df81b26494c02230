"""Finding each shot's cast on the main thread: characters seen through the shot camera over its range.

Run: ``.venv-bpy/bin/python bench/bench_cast.py`` (the Blender tier's set-up: the built extension in a
headless bpy). A scene of N animated objects (every fifth one a character, each an armature carrying
a mesh), 100 shots; prints the time per shot for the 9 sampled frames, and what the frame changes cost
alone, so the share of the frustum test shows.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _blender import add_shots, bpy, md, open_empty  # noqa: E402

SHOTS = 100


def build(scene: bpy.types.Scene, objects: int) -> list:
    mesh = bpy.data.meshes.new("Box")
    mesh.from_pydata([(x, y, z) for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (0, 1.8)], [],
                     [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)])
    for i in range(objects):
        obj = bpy.data.objects.new(f"Prop{i}", mesh)
        obj.location = ((i % 40) * 3.0 - 60.0, (i // 40) * 3.0, 0.0)
        scene.collection.objects.link(obj)
        obj.keyframe_insert("location", frame=1)
        obj.location.x += 5.0
        obj.keyframe_insert("location", frame=400)
        if i % 5 == 0:
            rig = bpy.data.objects.new(f"Rig{i}", bpy.data.armatures.new(f"Rig{i}"))
            scene.collection.objects.link(rig)
            obj.parent = rig
            character = scene.movie_director.cast.add()
            character.name, character.target = f"Actor{i}", rig
    shots = add_shots(scene, SHOTS, length=16)
    for i, camera in enumerate(shots):
        camera.location = ((i % 10) * 12.0 - 60.0, -20.0, 1.5)
        camera.rotation_euler = (1.45, 0.0, 0.0)
    return shots


def main() -> None:
    print("| objects | characters | shots | find the cast, per shot (median) | the 9 frame changes alone "
          "| characters seen per shot |")
    print("|---|---|---|---|---|---|")
    for objects in (200, 1000):
        scene = open_empty()
        shots = build(scene, objects)
        context = bpy.context
        times, frames_only, seen = [], [], []
        for camera in shots:
            started = time.perf_counter()
            seen.append(len(md.runtime.cast.seen_characters(context, scene, camera)))
            times.append(time.perf_counter() - started)
            shot = camera.movie_director
            started = time.perf_counter()
            for frame in md.runtime.camera_samples.sample_frames(shot.frame_start, shot.frame_end, 9):
                scene.frame_set(frame)
            frames_only.append(time.perf_counter() - started)
        print(f"| {objects} | {len(scene.movie_director.cast)} | {SHOTS} | {1000 * statistics.median(times):.1f} ms "
              f"| {1000 * statistics.median(frames_only):.1f} ms | {statistics.mean(seen):.1f} |")


if __name__ == "__main__":
    main()
