"""The farm on a real Ray cluster: affinity, VRAM, cancel, and what happens when processes and machines die."""

from __future__ import annotations

import itertools
import os
import signal
import time
from typing import Any

import ray
from conftest import RayFarm

from farm import ray_app

_ids = itertools.count(1)


def job(farm: RayFarm, model: str = "t2v_1.3B", prompt: str = "a lighthouse", vram: float = 0.0,
        order: int = 0) -> str:
    job_id = f"ray-{next(_ids):04d}"
    settings = {"model_type": model, "prompt": prompt, "seed": 5, "resolution": "256x144", "video_length": 17}
    request = {"shot_key": job_id, "settings": settings, "take_dir": str(farm.root / "takes"),
               "take_name": f"{job_id}_take001", "fallbacks": [], "sidecar_extra": {}}
    status, created = farm.dispatcher().submit({"job_id": job_id, "request": request, "model_type": model,
                                                "min_vram_gb": vram, "order": order, "client": "ray-tier"})
    assert created, status
    return job_id


def state(farm: RayFarm, job_id: str) -> dict[str, Any]:
    return farm.dispatcher().status(job_id)


def wait_state(farm: RayFarm, job_id: str, wanted: str, timeout: float = 60.0) -> dict[str, Any]:
    farm.wait(lambda: state(farm, job_id)["state"] == wanted, timeout, f"{job_id} to be {wanted}")
    return state(farm, job_id)


def events(farm: RayFarm, job_id: str) -> list[dict[str, Any]]:
    return [e for e in farm.dispatcher().events(0, 0)["events"] if e.get("job_id") == job_id]


def worker_pid(farm: RayFarm, name: str) -> int:
    handle = ray.get_actor(name, namespace=ray_app.NAMESPACE)
    return int(ray.get(handle.hello.remote(), timeout=30)["pid"])


def test_a_mixed_batch_loads_each_model_once_per_worker_and_files_real_clips(ray_farm):
    loads_before = {w["name"]: w["loads"] for w in ray_farm.backend.info()["workers"]}
    models = ["t2v_1.3B", "ltxv_distilled", "hunyuan_t2v_fast"]
    ids = [job(ray_farm, model, order=n) for n, model in enumerate(m for m in models for _ in range(3))]
    for job_id in ids:
        status = wait_state(ray_farm, job_id, "done", 120)
        path = ray_farm.backend.result_path(job_id)
        assert os.path.getsize(path) == status["size"] > 1000
        assert status["record"]["model_type"] == ray_farm.dispatcher().status(job_id)["model_type"]
        assert status["record"]["settings"]["prompt"] == "a lighthouse"
    runs: dict[str, list[str]] = {}
    for job_id in ids:
        assigned = [e for e in events(ray_farm, job_id) if e["type"] == "assigned"]
        assert len(assigned) == 1
        runs.setdefault(assigned[0]["worker"], []).append(state(ray_farm, job_id)["model_type"])
    info = {w["name"]: w for w in ray_farm.backend.info()["workers"]}
    for name, ran in runs.items():
        switches = [m for i, m in enumerate(ran) if i == 0 or ran[i - 1] != m]
        assert len(switches) == len(set(switches)), f"{name} loaded a model twice: {ran}"
        assert info[name]["loads"] - loads_before[name] <= len(set(ran))
    assert len(runs) == 2, "both workers took part"


def test_vram_rules_send_a_large_model_only_to_the_worker_with_the_memory(ray_farm):
    big = [job(ray_farm, "t2v_1.3B", vram=16.5) for _ in range(3)]
    for job_id in big:
        wait_state(ray_farm, job_id, "done", 120)
    workers = {e["worker"] for j in big for e in events(ray_farm, j) if e["type"] == "assigned"}
    vram = {w["name"]: w["vram_gb"] for w in ray_farm.backend.info()["workers"]}
    assert workers and all(vram[w] >= 16.5 for w in workers), (workers, vram)
    status, _created = ray_farm.dispatcher().submit({
        "job_id": "ray-too-big", "model_type": "t2v", "min_vram_gb": 80.0,
        "request": {"shot_key": "x", "settings": {}, "take_dir": "/tmp", "take_name": "x"}})
    assert status["state"] == "failed" and "80 GB" in status["error"]["message"]


def test_cancel_queued_and_running(ray_farm):
    slow = [job(ray_farm, prompt="[fake:slow] waves") for _ in range(2)]
    queued = job(ray_farm)
    farm = ray_farm.dispatcher()
    ray_farm.wait(lambda: all(state(ray_farm, j)["state"] == "running" for j in slow), 60, "both slow shots to run")
    assert farm.cancel(queued)["state"] == "cancelled"
    began = time.monotonic()
    for job_id in slow:
        farm.cancel(job_id)
    for job_id in slow:
        wait_state(ray_farm, job_id, "cancelled", 30)
    assert time.monotonic() - began < 5.0
    assert not [e for e in events(ray_farm, queued) if e["type"] == "assigned"]


def test_a_worker_process_killed_mid_shot_finishes_on_a_retry_recorded_once(ray_farm):
    job_id = job(ray_farm, prompt="[fake:slow] storm")
    wait_state(ray_farm, job_id, "running")
    ray_farm.wait(lambda: any(e["type"] == "message" and e["message"]["kind"] == "progress"
                              for e in events(ray_farm, job_id)), 30, "progress from the worker")
    first = state(ray_farm, job_id)["worker"]
    os.kill(worker_pid(ray_farm, first), signal.SIGKILL)
    status = wait_state(ray_farm, job_id, "done", 120)
    kinds = [e["type"] for e in events(ray_farm, job_id)]
    assert kinds.count("requeued") == 1 and kinds.count("done") == 1 and kinds.count("assigned") == 2
    assert status["size"] > 1000
    ray_farm.wait(lambda: all(w["state"] != "lost" for w in ray_farm.backend.info()["workers"]), 120,
                  "the restarted worker to come back")


def test_a_node_killed_and_rejoining(ray_farm):
    job_id = job(ray_farm, prompt="[fake:slow] fog")
    wait_state(ray_farm, job_id, "running")
    worker = state(ray_farm, job_id)["worker"]
    pid = worker_pid(ray_farm, worker)
    node = next(n for n in ray_farm.gpu_nodes if _runs_pid(n, pid))
    ray_farm.cluster.remove_node(node, allow_graceful=False)
    ray_farm.gpu_nodes.remove(node)
    wait_state(ray_farm, job_id, "done", 120)  # requeued onto the other worker's machine
    assert [e["type"] for e in events(ray_farm, job_id)].count("requeued") == 1
    ray_farm.wait(lambda: _worker(ray_farm, worker)["state"] == "lost", 60, "the worker to be removed")
    ray_farm.gpu_nodes.append(ray_farm.add_gpu_node())
    ray_farm.wait(lambda: _worker(ray_farm, worker)["state"] != "lost", 180, "the worker to return with its machine")
    back = job(ray_farm, "t2v_1.3B", vram=16.5) if _worker(ray_farm, worker)["vram_gb"] >= 16.5 else job(ray_farm)
    wait_state(ray_farm, back, "done", 120)


def test_the_dispatcher_killed_is_restored_from_its_journal(ray_farm):
    running = job(ray_farm, prompt="[fake:slow] dusk")
    done = job(ray_farm)
    wait_state(ray_farm, done, "done", 60)
    wait_state(ray_farm, running, "running")
    queued = [job(ray_farm, prompt="[fake:slow] later") for _ in range(2)]
    old = ray_farm.dispatcher()
    assert old.status(running)["runs"] == 1
    epoch = old.events(0, 0)["epoch"]
    os.kill(int(ray.get(old.actor.pid.remote())), signal.SIGKILL)
    ray_farm.wait(lambda: _epoch(ray_farm) not in ("", epoch), 60, "the dispatcher to come back")
    restored = ray_farm.dispatcher()
    assert restored.status(done)["state"] == "done"
    for job_id in [running, *queued]:
        wait_state(ray_farm, job_id, "done", 120)
    assert len(os.listdir(ray_farm.data / "results")) >= 3
    # The running shot was followed again on its worker, not run a second time.
    assert restored.status(running)["runs"] == 1


def _epoch(farm: RayFarm) -> str:
    try:
        return farm.dispatcher().events(0, 0)["epoch"]
    except Exception:  # still restarting
        return ""


def _worker(farm: RayFarm, name: str) -> dict[str, Any]:
    return next(w for w in farm.backend.info()["workers"] if w["name"] == name)


def _runs_pid(node: Any, pid: int) -> bool:
    """Whether ``pid`` is a worker process of ``node`` (its raylet's descendant)."""
    raylet = node.all_processes["raylet"][0].process.pid
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            parent = int(fh.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return False
    return parent == raylet
