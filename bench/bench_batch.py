"""Scene batches against the WanGP test double: submit cost, overhead between jobs, model loads.

Run: ``.venv-bpy/bin/python bench/bench_batch.py``. Prints figures; asserts nothing on time.
- submitting a 500-shot batch: main-thread time of the Generate Scene step (session already ready);
- batch overhead: wall time of a 4-shot batch of ~2 s jobs minus the jobs' own durations (sidecars);
- model loads of a 12-shot scene alternating 3 models, scheduled batch vs shots queued in timeline
  order, counted from the fake's "Loading Model" stream lines.
"""

from __future__ import annotations

import json
import time

from _blender import add_shots, bpy, md, open_empty, stop, use_fake_wangp, wait_ready

MODELS = ("t2v_1.3B", "t2v_2_2", "hunyuan_t2v_fast")


def submit_500() -> None:
    use_fake_wangp(load_delay_s=0.0, step_delay_s=0.0, steps_cap=1)
    scene = open_empty()
    add_shots(scene, 500, models=MODELS)
    wait_ready()
    start = time.perf_counter()
    queued = md.runtime.generate.queue_scene(bpy.context, scene, "", False)
    elapsed = time.perf_counter() - start
    print(f"Submitting a 500-shot batch (3 models): {elapsed:.3f} s on the main thread (target < 0.5 s); "
          f"{len(queued.order)} queued, {len(queued.problems)} refused")
    md.runtime.submit.cancel_all("benchmark over")
    md.runtime.session.get_host().cancel_all()
    stop()


def overhead() -> None:
    use_fake_wangp(load_delay_s=0.0, step_delay_s=0.5, steps_cap=4, preview_every=1)
    scene = open_empty()
    shots = add_shots(scene, 4)
    wait_ready()
    start = time.perf_counter()
    queued = md.runtime.generate.queue_scene(bpy.context, scene, "", False)
    md.runtime.generate.wait_for_batch(queued.scene_key)
    wall = time.perf_counter() - start
    jobs_s = 0.0
    for obj in shots:
        with open(obj.movie_director.takes[0].sidecar_path, encoding="utf-8") as fh:
            jobs_s += json.load(fh)["duration_s"]
    stop()
    print(f"Batch overhead, 4 jobs of ~2 s: wall {wall:.3f} s, jobs {jobs_s:.3f} s, overhead {wall - jobs_s:.3f} s "
          f"= {(wall - jobs_s) / wall * 100:.2f}% (target < 1%)")


def _loads_in_log() -> int:
    text = bpy.data.texts["Movie Director Log"].as_string()
    return sum(1 for line in text.splitlines() if "Loading Model" in line and "_quanto_" in line)


def model_loads() -> None:
    results = {}
    for label in ("naive timeline order", "scheduled batch"):
        use_fake_wangp(load_delay_s=0.01, step_delay_s=0.0, steps_cap=1)
        scene = open_empty()
        shots = add_shots(scene, 12, models=MODELS)
        wait_ready()
        bpy.data.texts["Movie Director Log"].clear()
        if label == "scheduled batch":
            queued = md.runtime.generate.queue_scene(bpy.context, scene, "", False)
            md.runtime.generate.wait_for_batch(queued.scene_key)
        else:
            tokens = [md.runtime.generate.queue_shot(bpy.context, scene, obj) for obj in shots]
            md.runtime.generate.wait_for(tokens)
        results[label] = _loads_in_log()
        stop()
    print(f"Model loads, 12 shots alternating 3 models: naive timeline order {results['naive timeline order']}, "
          f"scheduled {results['scheduled batch']} (target exactly 3)")


def main() -> None:
    submit_500()
    overhead()
    model_loads()


if __name__ == "__main__":
    main()
