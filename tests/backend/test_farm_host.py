"""FarmHost against the farm's HTTP API on threads (no Ray): what Blender sees of a farm."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from farm_fakes import TOKEN, ThreadFarm, read_json, wait_until

from wangp_backend.farm.client import FarmClient
from wangp_backend.farm.wire import file_digest, job_id_for
from wangp_backend.hosts.farm import FarmHost
from wangp_backend.messages import TERMINAL_KINDS, Message
from wangp_backend.requests import JobRequest


class Collector:
    def __init__(self, host: FarmHost) -> None:
        self.host, self.messages = host, []

    def pump(self) -> list[Message]:
        self.messages.extend(self.host.drain())
        return self.messages

    def of(self, job_id: str, kind: str = "") -> list[Message]:
        return [m for m in self.pump() if getattr(m, "job_id", "") == job_id and (not kind or m.kind == kind)]

    def end(self, job_id: str, timeout: float = 15.0) -> Message:
        wait_until(lambda: any(m.kind in TERMINAL_KINDS for m in self.of(job_id)), timeout, f"the end of {job_id}")
        ends = [m for m in self.of(job_id) if m.kind in TERMINAL_KINDS]
        assert len(ends) == 1, ends
        return ends[0]

    def state(self) -> str:
        states = [m for m in self.pump() if m.kind == "session_state"]
        return states[-1].state if states else ""


@pytest.fixture
def farm(tmp_path: Path):
    made: list[ThreadFarm] = []

    def make(workers: dict[str, float] | None = None, **kwargs) -> ThreadFarm:
        default = {"gpu-a": 24.0, "gpu-b": 24.0}
        made.append(ThreadFarm(str(tmp_path / f"farm{len(made)}"), default if workers is None else workers,
                               **kwargs))
        return made[-1]

    yield make
    for f in made:
        f.close()


@pytest.fixture
def hosts():
    made: list[FarmHost] = []

    def make(url: str, token: str = TOKEN, **kwargs) -> tuple[FarmHost, Collector]:
        host = FarmHost(url, token, long_poll_s=kwargs.pop("long_poll_s", 2.0), **kwargs)
        made.append(host)
        host.start()
        return host, Collector(host)

    yield make
    for host in made:
        host.close(timeout=5)


def request(tmp_path: Path, shot: str, prompt: str = "a lighthouse", model: str = "t2v_1.3B",
            image: str = "") -> JobRequest:
    settings = {"model_type": model, "prompt": prompt, "seed": 11}
    if image:
        settings["image_start"] = image
    return JobRequest(shot_key=shot, settings=settings, take_dir=str(tmp_path / "takes" / shot),
                      take_name=f"{shot}_take001", sidecar_extra={"shot_name": shot})


def ready(collector: Collector) -> None:
    wait_until(lambda: collector.state() == "ready", what="the farm session to be ready")


def test_normal_run_files_takes_with_the_worker_in_the_sidecar(farm, hosts, tmp_path):
    f = farm()
    host, seen = hosts(f.url)
    ready(seen)
    ready_state = [m for m in seen.messages if m.kind == "session_state"][-1]
    assert ready_state.mode == "farm" and ready_state.vram_gb == 24.0
    assert [m["model_type"] for m in ready_state.models] == ["t2v_1.3B"]
    image = tmp_path / "start.png"
    image.write_bytes(b"\x89PNG fake start image")
    ids = [host.submit(request(tmp_path, f"SH{n}", image=str(image) if n == 1 else "")) for n in range(3)]
    assert host.busy
    for job_id in ids:
        take = seen.end(job_id)
        assert take.kind == "take_ready", take
        assert os.path.isfile(take.filepath) and take.filepath.endswith("_take001.mp4")
        sidecar = read_json(take.sidecar_path)
        assert sidecar["worker"] in ("gpu-a", "gpu-b") and sidecar["farm"]["worker"] == sidecar["worker"]
        assert (sidecar["farm"]["size"], sidecar["farm"]["sha256"]) == file_digest(take.filepath)
        assert sidecar["job_id"] == job_id and sidecar["shot_name"] in ("SH0", "SH1", "SH2")
        assert not [n for n in os.listdir(os.path.dirname(take.filepath)) if "partial" in n]
        kinds = [m.kind for m in seen.of(job_id)]
        assert kinds[0] == "queued" and "started" in kinds and "progress" in kinds and "preview" in kinds
    # The input image was uploaded, and the sidecar names it by its path on this machine, not the farm's.
    sidecar = read_json(seen.of(ids[1], "take_ready")[0].sidecar_path)
    assert sidecar["settings"]["image_start"] == str(image)
    assert f.dispatcher.jobs[ids[1]].request["settings"]["image_start"].startswith("farm-blob:")
    assert {w for w, _ in f.port.runs} == {"gpu-a", "gpu-b"}
    wait_until(lambda: not host.busy, what="the host to be idle")
    wait_until(lambda: len(host.view.workers) == 2, what="the panel's view of the workers")
    # One shot per worker at once: what batches and the scheduler read instead of asking for a farm.
    assert host.capabilities.jobs_at_once == 2 and host.capabilities.remote and host.capabilities.needs_wangp
    light = FarmClient(f.url, TOKEN).info(models=False)
    assert "models" not in light and [w["name"] for w in light["workers"]] == ["gpu-a", "gpu-b"]


def test_cancel_queued_and_running(farm, hosts, tmp_path):
    f = farm({"gpu-a": 24.0})
    host, seen = hosts(f.url)
    ready(seen)
    running = host.submit(request(tmp_path, "SLOW", prompt="[farm:slow] waves"))
    queued = host.submit(request(tmp_path, "NEXT"))
    wait_until(lambda: seen.of(running, "started"), what="the slow shot to start")
    wait_until(lambda: queued in f.dispatcher.jobs and host._jobs[queued].sent, what="the farm to queue the next")
    host.cancel(queued)
    assert seen.end(queued).kind == "cancelled"
    assert f.dispatcher.jobs[queued].state == "cancelled"
    host.cancel(running)
    end = seen.end(running)
    assert end.kind == "cancelled"
    assert f.dispatcher.workers["gpu-a"].state == "idle"
    assert ("gpu-a", queued) not in f.port.runs
    assert not os.path.exists(tmp_path / "takes" / "SLOW")


def test_worker_lost_requeues_the_shot_which_finishes_once(farm, hosts, tmp_path):
    f = farm({"gpu-a": 24.0})
    host, seen = hosts(f.url)
    ready(seen)
    job = host.submit(request(tmp_path, "LOST", prompt="[farm:slow] storm"))
    wait_until(lambda: seen.of(job, "started"), what="the shot to start")
    f.port.kill("gpu-a")
    wait_until(lambda: any("requeued" in getattr(m, "text", "") for m in seen.of(job, "log")), what="the requeue")
    assert f.dispatcher.jobs[job].state == "queued"
    f.add_worker("gpu-a", 24.0)  # the process restarted
    f.port.release.set()
    take = seen.end(job)
    assert take.kind == "take_ready"
    assert [run for run in f.port.runs if run[1] == job] == [("gpu-a", job), ("gpu-a", job)]
    assert f.dispatcher.jobs[job].requeues == 1
    assert len([n for n in os.listdir(tmp_path / "takes" / "LOST") if n.endswith(".mp4")]) == 1


def test_a_wangp_failure_is_the_shots_failure(farm, hosts, tmp_path):
    f = farm({"gpu-a": 24.0})
    host, seen = hosts(f.url)
    ready(seen)
    end = seen.end(host.submit(request(tmp_path, "OOM", prompt="[farm:fail]")))
    assert end.kind == "failed" and end.error_class == "out_of_memory" and end.message == "CUDA out of memory"
    assert len(f.port.runs) == 1


def test_duplicate_submit_is_one_farm_job(farm, hosts, tmp_path):
    f = farm({"gpu-a": 24.0})
    host, seen = hosts(f.url)
    ready(seen)
    req = request(tmp_path, "TWICE", prompt="[farm:slow] rain")
    first, again = host.submit(req), host.submit(req)
    assert first == again == job_id_for(req.shot_key, req.take_dir, req.take_name)
    wait_until(lambda: seen.of(first, "started"), what="the shot to start")
    # The same submit again on the wire (a retry after a lost answer) is answered with the job as it is.
    client = FarmClient(f.url, TOKEN)
    answer = client.submit({"job_id": first, "request": f.dispatcher.jobs[first].request, "model_type": "t2v_1.3B"})
    assert answer["created"] is False and answer["state"] == "running" and answer["worker"] == "gpu-a"
    f.port.release.set()
    assert seen.end(first).kind == "take_ready"
    assert len(seen.of(first, "queued")) == 1
    assert len(f.port.runs) == 1 and len(f.dispatcher.jobs) == 1
    assert len([n for n in os.listdir(req.take_dir) if n.endswith(".mp4")]) == 1
    # Once done, a submit never runs it again.
    assert client.submit({"job_id": first, "request": {}, "model_type": "x"})["state"] == "done"
    assert len(f.port.runs) == 1


def test_blender_restarted_mid_batch_reconnects(farm, hosts, tmp_path):
    f = farm({"gpu-a": 24.0, "gpu-b": 24.0})
    first, seen = hosts(f.url)
    ready(seen)
    fetched = request(tmp_path, "DONE")
    unfetched = request(tmp_path, "AWAY", prompt="[farm:hold] dawn")
    running = request(tmp_path, "RUN", prompt="[farm:slow] fog")
    never_sent = request(tmp_path, "UNKNOWN")
    done_id = first.submit(fetched)
    assert seen.end(done_id).kind == "take_ready"
    away_id = first.submit(unfetched)
    run_id = first.submit(running)
    jobs = f.dispatcher.jobs
    wait_until(lambda: all(j in jobs and jobs[j].state == "running" for j in (away_id, run_id)), what="both to run")
    first._stop.set()  # Blender crashed: no close, no cancel; the farm keeps working
    first._commands.put(("close", ""))
    for thread in first._threads:
        thread.join(5)
    f.port.hold.set()
    wait_until(lambda: f.dispatcher.jobs[away_id].state == "done", what="the shot done while Blender is gone")
    assert not os.path.exists(unfetched.take_dir)
    # The crashed Blender never fetched AWAY: Resume, in a new Blender, submits the recorded batch again.
    second, seen2 = hosts(f.url)
    ready(seen2)
    ids = [second.submit(r) for r in (fetched, unfetched, running, never_sent)]
    assert ids[:3] == [done_id, away_id, run_id]
    linked = seen2.end(done_id)
    assert linked.kind == "take_ready" and linked.filepath == seen.of(done_id, "take_ready")[0].filepath
    assert seen2.end(away_id).kind == "take_ready"
    wait_until(lambda: seen2.of(run_id, "started"), what="the running shot to be followed again")
    assert seen2.end(ids[3]).kind == "take_ready"
    f.port.release.set()
    assert seen2.end(run_id).kind == "take_ready"
    for req in (fetched, unfetched, running, never_sent):
        assert len([n for n in os.listdir(req.take_dir) if n.endswith(".mp4")]) == 1, req.shot_key
    assert sorted(job for _, job in f.port.runs) == sorted([done_id, away_id, run_id, ids[3]])


def test_a_slow_long_poll_never_delays_submit_or_cancel(farm, hosts, tmp_path):
    f = farm({"gpu-a": 24.0}, slow_events_s=1.5)
    host, seen = hosts(f.url)
    ready(seen)
    slow = host.submit(request(tmp_path, "SLOWPOLL", prompt="[farm:slow] dusk"))
    wait_until(lambda: slow in f.dispatcher.jobs and f.dispatcher.jobs[slow].state == "running", what="the run")
    began = time.monotonic()
    queued = host.submit(request(tmp_path, "BEHIND"))
    host.cancel(queued)
    submit_and_cancel_s = time.monotonic() - began
    wait_until(lambda: f.dispatcher.jobs.get(queued) is None or f.dispatcher.jobs[queued].state == "cancelled",
               timeout=1.0, what="the cancel to reach the farm before the next poll returns")
    assert submit_and_cancel_s < 0.2
    f.port.release.set()
    assert seen.end(slow, timeout=20).kind == "take_ready"
    assert seen.end(queued).kind == "cancelled"


def test_a_wrong_token_is_one_clear_failure(farm, hosts, tmp_path):
    f = farm({"gpu-a": 24.0})
    host, seen = hosts(f.url, token="not-the-token")
    wait_until(lambda: seen.state() == "failed", what="the session to fail")
    state = [m for m in seen.messages if m.kind == "session_state"][-1]
    assert "refused the token" in state.message and "Farm Token" in state.hint
    host2, seen2 = hosts(f.url, token="")
    wait_until(lambda: seen2.state() == "failed", what="an empty token to fail")
    assert not f.dispatcher.jobs


def test_an_unreachable_farm_says_where_it_looked(hosts):
    host, seen = hosts("http://127.0.0.1:9")
    wait_until(lambda: seen.state() == "failed", what="the session to fail")
    state = [m for m in seen.messages if m.kind == "session_state"][-1]
    assert "http://127.0.0.1:9 cannot be reached" in state.message and "farm.sh up" in state.hint


def test_a_farm_without_workers_says_so(farm, hosts):
    f = farm({})
    host, seen = hosts(f.url)
    wait_until(lambda: seen.state() == "failed", what="the session to fail")
    state = [m for m in seen.messages if m.kind == "session_state"][-1]
    assert "has no worker yet" in state.message and "ray start --address" in state.hint
