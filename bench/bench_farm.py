"""Farm throughput on a real Ray cluster with 1, 2 and 4 simulated GPU workers and jobs of fixed length.

Prints, per worker count: throughput relative to one worker (target at least 0.9 N), model loads per
worker, the time from a worker's end of job to its next start, and cancel latency (cancel asked ->
the farm says cancelled, for a job running on a worker; WanGP stops at its next step, here every
0.5 s). The workers run the WanGP test double with a
fixed step time, in a mixed batch of three models. Ray listens on more than the loopback address,
so run it in a private network namespace, as root::

    unshare -n bash -c 'ip link set lo up && .venv-wangp/bin/python bench/bench_farm.py'
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[1])
sys.path.insert(0, REPO)

import ray  # noqa: E402
from ray.cluster_utils import Cluster  # noqa: E402

from farm import ray_app  # noqa: E402
from farm.serve import RayBackend, start_farm  # noqa: E402

MODELS = ("t2v_1.3B", "ltxv_distilled", "hunyuan_t2v_fast")
JOBS_PER_WORKER = 6
#: Each job: 4 steps of this many seconds, plus loading when the model changes.
STEP_S = 0.5


def submit(backend: RayBackend, job_id: str, model: str, order: int, prompt: str = "a lighthouse") -> None:
    settings = {"model_type": model, "prompt": prompt, "seed": 1, "resolution": "256x144", "video_length": 17}
    backend.submit({"job_id": job_id, "model_type": model, "order": order, "client": "bench",
                    "request": {"shot_key": job_id, "settings": settings, "take_dir": "/tmp", "take_name": job_id}})


def wait(check, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the farm did not finish in time")
        time.sleep(0.05)


def run(workers: int, root: Path) -> dict[str, float | str]:
    config = root / f"fake_{workers}.json"
    config.write_text(json.dumps({"step_delay_s": STEP_S, "slow_step_delay_s": STEP_S, "load_delay_s": 0.5,
                                  "steps_cap": 4, "preview_every": 2}))
    os.environ.update(PYTHONPATH=REPO, FAKE_WANGP_CONFIG=str(config), RAY_USAGE_STATS_ENABLED="0")
    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 2, "resources": {"md_gpu": workers}, "node_ip_address": "127.0.0.1", "include_dashboard": False})
    ray.init(address=cluster.address, namespace=ray_app.NAMESPACE, logging_level="ERROR", log_to_driver=False)
    try:
        actor = start_farm(str(root / f"head_{workers}"), workers, simulated=True,
                           wangp_root=os.path.join(REPO, "tests", "fake_wangp"), wangp_args=[], vram_gb=[24.0],
                           scratch=str(root / f"scratch_{workers}"))
        backend = RayBackend(actor)
        wait(lambda: len(backend.info()["workers"]) == workers)
        count = JOBS_PER_WORKER * workers
        ids = [f"b{workers}-{n:03d}" for n in range(count)]
        began = time.monotonic()
        for n, job_id in enumerate(ids):
            submit(backend, job_id, MODELS[n * len(MODELS) // count], n)
        wait(lambda: all(backend.status(j)["state"] == "done" for j in ids))
        elapsed = time.monotonic() - began
        info = backend.info()
        gaps = []
        for worker in info["workers"]:
            handle = ray.get_actor(worker["name"], namespace=ray_app.NAMESPACE)
            runs = sorted(ray.get(handle.run_times.remote()))
            gaps += [start - end for (_s, end), (start, _e) in zip(runs, runs[1:], strict=False)]
        # Cancel latency: a job running on a worker, cancelled.
        latencies = []
        for n in range(3):
            job_id = f"c{workers}-{n}"
            submit(backend, job_id, MODELS[0], 10_000 + n, prompt="[fake:slow] waves")
            wait(lambda job_id=job_id: backend.status(job_id)["state"] == "running")
            time.sleep(1.2)  # past the model load, into the denoising steps
            asked = time.monotonic()
            backend.cancel(job_id)
            wait(lambda job_id=job_id: backend.status(job_id)["state"] == "cancelled")
            latencies.append(time.monotonic() - asked)
        return {
            "workers": workers, "jobs": count, "jobs_per_s": count / elapsed,
            "loads": " ".join(str(w["loads"]) for w in info["workers"]),
            "gap_median_ms": 1000 * statistics.median(gaps) if gaps else 0.0,
            "gap_max_ms": 1000 * max(gaps) if gaps else 0.0,
            "cancel_median_ms": 1000 * statistics.median(latencies),
        }
    finally:
        ray.shutdown()
        cluster.shutdown()


def main() -> int:
    if [name for _i, name in socket.if_nameindex()] != ["lo"]:
        print("bench_farm: run inside a private network namespace: "
              "unshare -n bash -c 'ip link set lo up && .venv-wangp/bin/python bench/bench_farm.py'", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="md_bench_farm_") as tmp:
        rows = [run(n, Path(tmp)) for n in (1, 2, 4)]
    base = rows[0]["jobs_per_s"]
    print(f"Farm on Ray, simulated GPU workers, jobs of 4 x {STEP_S} s steps, {len(MODELS)} models mixed")
    print(f"{'workers':>7} {'jobs':>5} {'jobs/s':>7} {'vs 1':>6} {'target':>7} {'loads per worker':>17} "
          f"{'end->next start':>17} {'cancel latency':>15}")
    for row in rows:
        n = row["workers"]
        print(f"{n:>7} {row['jobs']:>5} {row['jobs_per_s']:>7.3f} {row['jobs_per_s'] / base:>6.2f} {0.9 * n:>7.1f} "
              f"{row['loads']:>17} {row['gap_median_ms']:>8.1f}/{row['gap_max_ms']:<6.0f}ms "
              f"{row['cancel_median_ms']:>12.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
