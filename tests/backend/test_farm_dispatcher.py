"""The farm's dispatcher on its own: policy (VRAM, model affinity, order), losses and its journal."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from farm.dispatcher import MAX_REQUEUES, Dispatcher
from farm.policy import QueuedShot, WorkerSlot, pick


class RecordingPort:
    def __init__(self) -> None:
        self.runs: list[tuple[str, str, int]] = []
        self.cancels: list[tuple[str, str]] = []

    def run(self, worker: str, assignment: dict[str, Any]) -> None:
        self.runs.append((worker, assignment["job_id"], assignment["attempt"]))

    def cancel(self, worker: str, job_id: str) -> None:
        self.cancels.append((worker, job_id))


def submit(d: Dispatcher, job_id: str, model: str, vram: float = 0.0, order: int = 0) -> dict[str, Any]:
    status, _created = d.submit({"job_id": job_id, "model_type": model, "min_vram_gb": vram, "order": order,
                                 "request": {"shot_key": job_id, "settings": {"model_type": model}}})
    return status


def finish(d: Dispatcher, worker: str, job_id: str) -> None:
    d.report(worker, job_id, d.jobs[job_id].attempt,
             [{"type": "message", "message": {"kind": "started", "model_type": d.jobs[job_id].model_type}}])
    d.finish(worker, job_id, d.jobs[job_id].attempt,
             {"kind": "done", "path": "/x", "size": 1, "sha256": "0", "record": {}})


def test_policy_prefers_vram_only_here_then_loaded_model_then_unheld_model_then_order():
    big, small = WorkerSlot("big", 24.0, "a"), WorkerSlot("small", 12.0, "b")
    shots = [QueuedShot("1", "a", 0, order=(1, 1)), QueuedShot("2", "huge", 16.5, order=(2, 2)),
             QueuedShot("3", "b", 0, order=(3, 3)), QueuedShot("4", "c", 0, order=(4, 4))]
    assert pick(big, shots, [small]).job_id == "2"  # only the big one can run it
    assert pick(small, shots, [big]).job_id == "3"  # its own model first; never the huge one
    assert pick(WorkerSlot("new", 24.0), shots[2:], [big, small]).job_id == "4"  # "b" is held elsewhere
    assert pick(small, [shots[1]], [big]) is None
    assert pick(WorkerSlot("solo", 24.0, "b"), shots, []).job_id == "3"  # alone, affinity still wins
    urgent = QueuedShot("5", "c", 0, priority=5, order=(5, 5))
    assert pick(WorkerSlot("new", 24.0), [shots[3], urgent], [big, small]).job_id == "5"


def test_a_mixed_batch_loads_each_model_once_per_worker():
    port = RecordingPort()
    d = Dispatcher(port)
    for name in ("w1", "w2"):
        d.add_worker(name, vram_gb=24.0)
    for n, model in enumerate(["a", "a", "a", "b", "b", "b", "c", "c", "c"]):
        submit(d, f"j{n}", model, order=n)
    while len([r for r in port.runs]) < 9 or any(j.state == "running" for j in d.jobs.values()):
        running = [(w, j) for w, j, _a in port.runs if d.jobs[j].state == "running"]
        worker, job = running[0]
        finish(d, worker, job)
    models = {name: [d.jobs[j].model_type for w, j, _a in port.runs if w == name] for name in ("w1", "w2")}
    for name, ran in models.items():
        changes = [m for i, m in enumerate(ran) if i == 0 or ran[i - 1] != m]
        assert len(changes) == len(set(changes)), f"{name} loaded a model twice: {ran}"
        assert d.workers[name].loads == len(changes)
    assert sum(w.loads for w in d.workers.values()) <= 4


def test_vram_rules_keep_a_shot_for_a_worker_with_the_memory_or_fail_it():
    port = RecordingPort()
    d = Dispatcher(port)
    d.add_worker("small", vram_gb=12.0)
    status = submit(d, "huge", "t2v", vram=16.5)
    assert status["state"] == "failed" and "16.5 GB" in status["error"]["message"]
    d.add_worker("big", vram_gb=24.0)
    submit(d, "huge2", "t2v", vram=16.5)
    assert port.runs == [("big", "huge2", 1)]
    submit(d, "light", "t2v_1.3B")
    assert port.runs[-1] == ("small", "light", 1)


def test_a_lost_worker_requeues_without_spending_retries_until_the_shot_keeps_killing_workers():
    port = RecordingPort()
    d = Dispatcher(port)
    d.add_worker("w1", vram_gb=24.0)
    submit(d, "j", "a")
    for _ in range(MAX_REQUEUES):
        d.worker_lost("w1", "the worker process died")
        assert d.jobs["j"].state == "queued"
        d.add_worker("w1", vram_gb=24.0)
        assert d.jobs["j"].state == "running"
    d.worker_lost("w1", "the worker process died")
    assert d.jobs["j"].state == "failed" and "lost 6 times" in d.jobs["j"].error["message"]


def test_reports_of_an_earlier_attempt_are_ignored_and_a_done_shot_never_runs_again():
    port = RecordingPort()
    d = Dispatcher(port)
    d.add_worker("w1", vram_gb=24.0)
    submit(d, "j", "a")
    d.worker_lost("w1", "died")
    d.add_worker("w1", vram_gb=24.0)
    d.finish("w1", "j", 1, {"kind": "failed", "error": {"message": "late news from the dead attempt"}})
    assert d.jobs["j"].state == "running"
    finish(d, "w1", "j")
    assert d.jobs["j"].state == "done"
    status, created = d.submit({"job_id": "j", "request": {}, "model_type": "a"})
    assert status["state"] == "done" and not created and len(port.runs) == 2


def test_a_restarted_dispatcher_follows_running_shots_and_requeues_lost_ones(tmp_path: Path):
    journal = str(tmp_path / "journal.json")
    port = RecordingPort()
    d = Dispatcher(port, journal)
    for name in ("w1", "w2", "w3"):
        d.add_worker(name, vram_gb=24.0)
    for n in range(4):
        submit(d, f"j{n}", "a", order=n)
    finish(d, "w1", "j0")
    running = {j.worker: j.job_id for j in d.jobs.values() if j.state == "running"}
    assert set(running) == {"w1", "w2", "w3"}
    # The dispatcher dies. w1 still runs its shot, w2 restarted (runs nothing), w3's machine is gone.
    port2 = RecordingPort()
    d2 = Dispatcher(port2, journal)
    d2.restore(lambda worker: {"w1": running["w1"], "w2": ""}.get(worker))
    assert d2.jobs["j0"].state == "done"
    assert d2.jobs[running["w1"]].state == "running" and d2.workers["w1"].state == "busy"
    assert d2.workers["w3"].state == "lost"
    assert port2.runs == [("w2", running["w2"], 2)]  # w2's lost shot runs again on the idle w2 first
    assert d2.jobs[running["w3"]].state == "queued"
    assert d2.epoch != d.epoch


def test_events_say_which_is_the_oldest_kept_so_a_client_far_behind_resynchronises():
    d = Dispatcher(RecordingPort())
    d._events = deque(maxlen=3)
    for n in range(5):
        d.add_worker(f"w{n}", vram_gb=24.0)
    reply = d.events(0, 0)
    assert reply["seq"] == 5 and reply["first"] == 3 and [e["seq"] for e in reply["events"]] == [3, 4, 5]
    assert d.events(5, 0)["events"] == []
