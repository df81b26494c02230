"""Guide figures: render time per mode (832x480, 81 frames), the click's cost at scale, and a guided batch.

1. Each guide mode rendered by the background worker on a layout with a dollying camera, a near box, a
   far wall and a walking actor (``BENCH_GUIDE_FRAMES`` frames, default 81, at 832x480).
2. What the click costs the main thread with 3000 objects: the layout fingerprint and the saved copy.
3. A guided batch of ``BENCH_GUIDE_SHOTS`` DEPTH shots against the WanGP test double (each job about
   ``BENCH_GEN_S`` s): its wall time against the sum of guide render and generation times, and the main
   thread's longest ``pump()`` while guides render and WanGP generates.

Run: ``.venv-bpy/bin/python bench/bench_guides.py``. Prints figures; asserts nothing on time.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
import time

from _blender import bpy, md, open_empty, stop, use_fake_wangp

# tests/blender is on the path once _blender is imported (its conftest sets Blender up).
guide_scene = importlib.import_module("guide_scene")
job_module = importlib.import_module(f"{md.__name__}.render.job")
bonemaps = importlib.import_module(f"{md.__name__}.render.bonemaps")

FRAMES = int(os.environ.get("BENCH_GUIDE_FRAMES", "81"))
SHOTS = int(os.environ.get("BENCH_GUIDE_SHOTS", "4"))
GEN_S = float(os.environ.get("BENCH_GEN_S", "6"))
MODEL = "vace_1.3B"


def layout_file(folder: str) -> str:
    scene = open_empty()
    camera = bpy.data.objects.new("Cam", bpy.data.cameras.new("Cam"))
    scene.collection.objects.link(camera)
    guide_scene.layout(camera, frames=(1, 121))
    path = os.path.join(folder, "layout.blend")
    bpy.ops.wm.save_as_mainfile(filepath=path, copy=True)
    return path


def render_modes(folder: str) -> None:
    blend = layout_file(folder)
    actor = bpy.data.objects["Actor"]
    maps = {"Actor": bonemaps.auto([b.name for b in actor.data.bones])[1]}
    worker = os.path.join(os.path.dirname(md.__file__), "render", "worker.py")
    print(f"Guide render time per mode, 832x480, {FRAMES} frames at 16 fps from a 24 fps scene (2 cores, no GPU)")
    print(f"{'mode':<22}{'wall s':>8}{'per frame ms':>14}")
    cases = [(m, ()) for m in ("DEPTH", "POSE", "DEPTH_POSE", "LINEART", "ANIMATIC")]
    cases.append(("NONE", (job_module.KeyframeJob(0, os.path.join(folder, "k0.png")),)))
    for mode, stills in cases:
        job = job_module.GuideJob(
            scene="Scene", camera="Cam", mode=mode, frame_start=1, scene_fps=24.0, width=832, height=480, fps=16.0,
            frame_count=FRAMES, control_path=os.path.join(folder, f"{mode}.mp4") if mode != "NONE" else "",
            keyframes=stills, bone_maps=maps, blend=blend, work_dir=os.path.join(folder, f"work_{mode}"),
        )
        job_file = os.path.join(folder, f"{mode}.json")
        with open(job_file, "w", encoding="utf-8") as handle:
            handle.write(job.to_json())
        began = time.perf_counter()
        done = subprocess.run([sys.executable, worker, "--", job_file], capture_output=True, text=True)
        wall = time.perf_counter() - began
        label = mode if mode != "NONE" else "keyframe still (scene)"
        per = wall / (FRAMES if mode != "NONE" else 1) * 1000
        print(f"{label:<22}{wall:>8.1f}{per:>14.0f}" + ("" if done.returncode == 0 else "  FAILED"))


def click_cost() -> None:
    scene = open_empty()
    camera = bpy.data.objects.new("Cam", bpy.data.cameras.new("Cam"))
    scene.collection.objects.link(camera)
    objects = guide_scene.layout(camera, frames=(1, 121))
    mesh = objects["near"].data
    for i in range(3000):
        obj = bpy.data.objects.new(f"Prop{i}", mesh)
        scene.collection.objects.link(obj)
        obj.location = (i % 60, 5 + i // 60, 0)
        if i % 10 == 0:
            obj.keyframe_insert("location", frame=1)
            obj.location.z += 1
            obj.keyframe_insert("location", frame=60)
    layout = md.runtime.guide_layout
    visible = [o for o in scene.objects if not o.hide_render]
    began = time.perf_counter()
    layout.layout_hash(scene, camera, visible, 1, 81)
    shot_s = time.perf_counter() - began
    began = time.perf_counter()
    fingerprint = layout.scene_hash(scene)
    scene_s = time.perf_counter() - began
    began = time.perf_counter()
    md.runtime.guide_copy.write_copy(scene, "bench_" + fingerprint)
    copy_s = time.perf_counter() - began
    began = time.perf_counter()
    bpy.ops.wm.save_as_mainfile(filepath=os.path.join(tempfile.mkdtemp(), "full.blend"), copy=True)
    full_s = time.perf_counter() - began
    print(f"\nClick cost with {len(scene.objects)} objects (300 animated), main thread, once per click")
    print(f"  shot layout fingerprint   {shot_s * 1000:7.1f} ms")
    print(f"  scene fingerprint         {scene_s * 1000:7.1f} ms")
    print(f"  saved copy (libraries.write) {copy_s * 1000:5.1f} ms   (save_as_mainfile copy: {full_s * 1000:.0f} ms)")


def guided_batch() -> None:
    steps = 4
    use_fake_wangp(step_delay_s=GEN_S / steps, steps_cap=steps, load_delay_s=0.05,
                   available=["t2v_1.3B", MODEL])
    scene = open_empty()
    length = 48
    for index in range(SHOTS):
        name = f"SH{(index + 1) * 10:03d}"
        camera = bpy.data.objects.new(name, bpy.data.cameras.new(name))
        scene.collection.objects.link(camera)
        bpy.context.view_layer.objects.active = camera
        bpy.ops.movie_director.mark_shot()
        start = 1 + index * length
        camera.location, camera.rotation_euler = (index * 0.3, -4.0, 1.5), (1.5708, 0.0, 0.0)
        camera.keyframe_insert("location", frame=start)
        camera.location.y += 0.8
        camera.keyframe_insert("location", frame=start + length - 1)
        shot = camera.movie_director
        shot.frame_start, shot.frame_end = start, start + length - 1
        shot.prompt, shot.resolution, shot.quality, shot.camera_mode = f"{name} a walk", "320x192", "PREVIEW", "NONE"
        shot.model_type, shot.guide = MODEL, "DEPTH"
    guide_scene.box("NearBox", (-1.0, 2.0, 1.0), 1.0)
    guide_scene.box("FarWall", (0.0, 14.0, 2.0), 8.0)
    bpy.ops.movie_director.start_session()
    while md.runtime.session.view().state != "ready":
        md.pump()
        time.sleep(0.01)
    began = time.perf_counter()
    longest, ticks = 0.0, 0
    # What a click does (Generate Scene's invoke): queue and return; then the timer's ticks, one by one.
    queued = md.runtime.generate.queue_scene(bpy.context, scene, "", False)
    click = time.perf_counter() - began
    while md.runtime.batches.active(queued.scene_key) or md.runtime.jobs.count():
        tick = time.perf_counter()
        md.pump()
        longest = max(longest, time.perf_counter() - tick)
        ticks += 1
        time.sleep(0.01)
    wall = time.perf_counter() - began
    render_s = generate_s = 0.0
    for obj in [o for o in scene.objects if o.movie_director.is_shot]:
        shot = obj.movie_director
        with open(shot.takes[-1].sidecar_path, encoding="utf-8") as handle:
            record = json.load(handle)
        generate_s += float(record.get("duration_s") or 0.0)
        guide_record = os.path.join(os.path.dirname(record["guide"]["control_video"]), "guide.json")
        with open(guide_record, encoding="utf-8") as fh:
            render_s += float(json.load(fh)["render_s"])
    print(f"\nGuided batch: {SHOTS} DEPTH shots, 320x192, 48 scene frames each (fake WanGP ~{GEN_S:g} s per job)")
    print(f"  sum of guide renders     {render_s:7.1f} s")
    print(f"  sum of generations       {generate_s:7.1f} s")
    print(f"  render + generation      {render_s + generate_s:7.1f} s")
    print(f"  batch wall time          {wall:7.1f} s   (max of the two: {max(render_s, generate_s):.1f} s)")
    print(f"  the click (queue {SHOTS} shots, fingerprints, saved copy) {click * 1000:.0f} ms")
    print(f"  longest pump() tick      {longest * 1000:7.1f} ms (main thread, {ticks} ticks during the batch)")
    stop()


def main() -> None:
    folder = tempfile.mkdtemp(prefix="md_bench_guides_")
    try:
        render_modes(folder)
        click_cost()
        guided_batch()
    finally:
        stop()


if __name__ == "__main__":
    main()
