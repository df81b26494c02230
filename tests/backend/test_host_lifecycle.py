"""The host's life: queueing while starting, cancel during load, close and restart, surviving its own bugs."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from host_helpers import (
    Collector,
    ScriptedJob,
    ScriptedSession,
    ScriptedStream,
    event,
    request,
    success_result,
    wangp_sandbox,
)

from wangp_backend import runner
from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.loader import Loaded
from wangp_backend.messages import Cancelled, Failed, TakeReady
from wangp_backend.requests import SessionConfig


@pytest.fixture(autouse=True)
def _sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with wangp_sandbox(monkeypatch):
        yield


@pytest.fixture
def host_for() -> Iterator[Callable[..., Collector]]:
    made: list[SessionHost] = []

    def make(config: SessionConfig, **kwargs: Any) -> Collector:
        host = SessionHost(config, **kwargs)
        made.append(host)
        return Collector(host)

    yield make
    for host in made:
        host.close(timeout=10)


def scripted(session: ScriptedSession) -> dict[str, Any]:
    """Keyword arguments that make a host run on ``session`` instead of importing WanGP."""
    return {"api_loader": lambda config: Loaded(session, "scripted", 0.0),
            "catalog_reader": lambda s: s.records}


def host_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "movie-director-wangp"]


def test_jobs_wait_for_start(host_for: Callable[..., Collector], fake_root: str,
                             fake_config: Callable[..., Any], tmp_path: Path) -> None:
    c = host_for(SessionConfig(fake_root, output_dir=str(tmp_path / "out")))
    ids = [c.host.submit(request(tmp_path, take_name=f"t{i}")) for i in range(3)]
    assert [m.position for m in c.wait(lambda ms: len(ms) == 3)] == [0, 1, 2]
    assert c.host.busy
    time.sleep(0.1)
    assert c.host.drain() == []  # nothing happens before start()
    c.host.start()
    assert all(isinstance(c.end_of(job_id), TakeReady) for job_id in ids)


def test_cancel_a_queued_job_while_wangp_loads(host_for: Callable[..., Collector], fake_root: str,
                                               fake_config: Callable[..., Any], tmp_path: Path) -> None:
    fake_config(init_delay_s=0.6)
    c = host_for(SessionConfig(fake_root, output_dir=str(tmp_path / "out")))
    c.host.start()
    dropped = c.host.submit(request(tmp_path, shot_key="SH010"))
    kept = c.host.submit(request(tmp_path, shot_key="SH020"))
    c.host.cancel(dropped)
    # Dropped at once, without waiting for WanGP to finish loading.
    assert c.end_of(dropped, timeout=0.3) == Cancelled(dropped, "SH010", reason="removed from queue")
    assert c.states() == ["starting"]
    assert isinstance(c.end_of(kept), TakeReady)
    assert [m.job_id for m in c.of("started")] == [kept]


def test_close_while_wangp_loads(host_for: Callable[..., Collector], fake_root: str,
                                 fake_config: Callable[..., Any], tmp_path: Path) -> None:
    fake_config(init_delay_s=0.4)
    c = host_for(SessionConfig(fake_root, output_dir=str(tmp_path / "out")))
    c.host.start()
    job_id = c.host.submit(request(tmp_path))
    c.host.close(timeout=10)
    c.wait_for("session_state", state="stopped")
    assert c.states() == ["starting", "closing", "stopped"]  # never "ready"
    assert c.end_of(job_id) == Cancelled(job_id, "SH010", reason="session closed")
    assert host_threads() == [] and not c.host.busy


def test_close_and_start_again(host_for: Callable[..., Collector], fake_root: str,
                               fake_config: Callable[..., Any], tmp_path: Path) -> None:
    c = host_for(SessionConfig(fake_root, output_dir=str(tmp_path / "out")))
    c.host.start()
    assert c.end_of(c.host.submit(request(tmp_path))).kind == "take_ready"
    wgp = sys.modules["wgp"]
    assert wgp.wan_model == "t2v_1.3B"
    c.host.close(timeout=10)
    c.wait_for("session_state", state="stopped")
    assert c.states() == ["starting", "ready", "closing", "stopped"]
    assert wgp.wan_model is None  # session.close() released the model
    assert host_threads() == []
    began = time.perf_counter()
    c.host.start()
    c.wait_for("session_state", state="ready", wangp_version="12.60")
    assert sys.modules["wgp"] is wgp  # the runtime stayed loaded: init() returned at once
    assert time.perf_counter() - began < 2.0
    assert c.end_of(c.host.submit(request(tmp_path, take_name="again"))).kind == "take_ready"


def test_close_cancels_the_running_job(host_for: Callable[..., Collector], fake_root: str,
                                       fake_config: Callable[..., Any], tmp_path: Path) -> None:
    c = host_for(SessionConfig(fake_root, output_dir=str(tmp_path / "out")))
    c.host.start()
    running = c.host.submit(request(tmp_path, prompt="[fake:slow]"))
    queued = c.host.submit(request(tmp_path, shot_key="SH020"))
    c.wait_for("progress", job_id=running, phase="inference")
    began = time.perf_counter()
    c.host.close(timeout=10)
    assert time.perf_counter() - began < 2.0
    c.wait_for("session_state", state="stopped")
    assert c.end_of(running) == Cancelled(running, "SH010", reason="session closed")
    assert c.end_of(queued) == Cancelled(queued, "SH020", reason="session closed")
    assert host_threads() == []


def test_start_during_close_restarts(host_for: Callable[..., Collector], fake_root: str,
                                     fake_config: Callable[..., Any], tmp_path: Path) -> None:
    c = host_for(SessionConfig(fake_root, output_dir=str(tmp_path / "out")))
    c.host.start()
    running = c.host.submit(request(tmp_path, prompt="[fake:slow]"))
    c.wait_for("started", job_id=running)
    closer = threading.Thread(target=c.host.close, kwargs={"timeout": 10})
    closer.start()
    c.wait_for("session_state", state="closing")
    c.host.start()
    closer.join()
    c.wait(lambda ms: [m.state for m in ms if m.kind == "session_state"][-1:] == ["ready"])
    assert c.states() == ["starting", "ready", "closing", "stopped", "starting", "ready"]
    assert c.end_of(c.host.submit(request(tmp_path, take_name="after"))).kind == "take_ready"


def test_a_second_close_cancels_a_restart(host_for: Callable[..., Collector], fake_root: str,
                                         fake_config: Callable[..., Any], tmp_path: Path) -> None:
    c = host_for(SessionConfig(fake_root, output_dir=str(tmp_path / "out")))
    c.host.start()
    running = c.host.submit(request(tmp_path, prompt="[fake:slow]"))
    c.wait_for("started", job_id=running)
    closer = threading.Thread(target=c.host.close, kwargs={"timeout": 10})
    closer.start()
    c.wait_for("session_state", state="closing")
    c.host.start()
    c.host.close(timeout=10)
    closer.join()
    c.wait_for("session_state", state="stopped")
    assert c.states() == ["starting", "ready", "closing", "stopped"]
    assert host_threads() == []


def test_close_gives_up_on_a_job_that_does_not_stop(host_for: Callable[..., Collector], tmp_path: Path) -> None:
    stuck = ScriptedJob(ScriptedStream([event("started")], hang=True), result=None)
    session = ScriptedSession([stuck])
    c = host_for(SessionConfig(str(tmp_path)), **scripted(session))
    c.host.start()
    job_id = c.host.submit(request(tmp_path))
    c.wait_for("started", job_id=job_id)
    began = time.perf_counter()
    c.host.close(timeout=0.3)
    assert time.perf_counter() - began < 2.0
    c.wait_for("session_state", state="stopped")
    assert c.end_of(job_id) == Cancelled(job_id, "SH010", reason="session closed")
    assert stuck.cancel_calls == 1
    assert session.closed == 0  # WanGP's close() would wait for the stuck job


def test_the_host_survives_an_error_in_its_own_code(host_for: Callable[..., Collector], tmp_path: Path) -> None:
    out = tmp_path / "wangp_out"
    out.mkdir()
    (out / "clip.mp4").write_bytes(b"mp4")
    broken = ScriptedJob(ScriptedStream([], fail_at=0), result=None)
    broken.events.closed = False
    healthy = ScriptedJob(ScriptedStream([event("started"), event("completed", success_result(str(out / "clip.mp4")))]),
                          result=None)
    session = ScriptedSession([broken, healthy])
    c = host_for(SessionConfig(str(tmp_path)), **scripted(session))
    c.host.start()
    first, second = c.host.submit(request(tmp_path)), c.host.submit(request(tmp_path, take_name="t2"))
    failed = c.end_of(first)
    assert isinstance(failed, Failed)
    assert (failed.stage, failed.error_class) == ("host", "runtime")
    assert failed.message == "Internal error in the WanGP host: RuntimeError: scripted stream failure"
    assert broken.cancel_calls == 1  # WanGP's job is stopped before the host moves on
    take = c.end_of(second)
    assert isinstance(take, TakeReady) and take.model_type == "t2v_1.3B"
    assert c.host.state == "ready"


def test_a_refused_submit_fails_the_job_only(host_for: Callable[..., Collector], tmp_path: Path) -> None:
    out = tmp_path / "clip.mp4"
    out.write_bytes(b"mp4")
    busy = RuntimeError("WanGP session already has a generation in progress")
    ok = ScriptedJob(ScriptedStream([event("completed", success_result(str(out)))]), result=None)
    c = host_for(SessionConfig(str(tmp_path)), **scripted(ScriptedSession([busy, ok])))
    c.host.start()
    first, second = c.host.submit(request(tmp_path)), c.host.submit(request(tmp_path, take_name="t2"))
    failed = c.end_of(first)
    assert (failed.kind, failed.stage, failed.message) == (
        "failed", "submit", "WanGP session already has a generation in progress"
    )
    assert c.end_of(second).kind == "take_ready"


def test_a_take_that_cannot_be_filed_fails_with_the_source_path(host_for: Callable[..., Collector],
                                                                tmp_path: Path) -> None:
    gone = str(tmp_path / "vanished.mp4")
    job = ScriptedJob(ScriptedStream([event("completed", success_result(gone))]), result=None)
    c = host_for(SessionConfig(str(tmp_path)), **scripted(ScriptedSession([job])))
    c.host.start()
    failed = c.end_of(c.host.submit(request(tmp_path)))
    assert (failed.kind, failed.stage) == ("failed", "take")
    assert failed.message.startswith("The clip could not be put into the take folder: ")
    assert gone in failed.hint


def test_a_sidecar_that_cannot_be_written_names_where_the_clip_went(host_for: Callable[..., Collector],
                                                                     tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    clip = tmp_path / "wangp_out" / "clip.mp4"
    clip.parent.mkdir()
    clip.write_bytes(b"mp4")

    def disk_full(filepath: str, record: Any) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runner, "write_sidecar", disk_full)
    job = ScriptedJob(ScriptedStream([event("completed", success_result(str(clip)))]), result=None)
    c = host_for(SessionConfig(str(tmp_path)), **scripted(ScriptedSession([job])))
    c.host.start()
    failed = c.end_of(c.host.submit(request(tmp_path)))
    placed = tmp_path / "takes" / "SH010_take001.mp4"
    assert (failed.kind, failed.stage) == ("failed", "take")
    assert failed.message == "The take's sidecar could not be written: [Errno 28] No space left on device"
    assert placed.read_bytes() == b"mp4" and not clip.exists()
    assert str(placed) in failed.hint and str(clip) not in failed.hint


def test_result_is_read_when_the_stream_has_no_completed_event(host_for: Callable[..., Collector],
                                                               tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"mp4")
    job = ScriptedJob(ScriptedStream([event("started")]), result=success_result(str(clip)))
    c = host_for(SessionConfig(str(tmp_path)), **scripted(ScriptedSession([job])))
    c.host.start()
    assert c.end_of(c.host.submit(request(tmp_path))).kind == "take_ready"


def test_refresh_models(host_for: Callable[..., Collector], tmp_path: Path) -> None:
    session = ScriptedSession([])
    reads: list[int] = []

    def reader(s: ScriptedSession) -> list[dict[str, Any]]:
        reads.append(1)
        if len(reads) == 3:
            raise OSError("disk gone")
        return s.records + [{"model_type": f"new_{len(reads)}"}]

    c = host_for(SessionConfig(str(tmp_path)), api_loader=lambda config: Loaded(session, "scripted", 8.0),
                 catalog_reader=reader)
    c.host.start()
    c.wait_for("session_state", state="ready")
    c.host.refresh_models()
    refreshed = c.wait(lambda ms: len([m for m in ms if m.kind == "session_state"]) == 3)[-1]
    assert refreshed.state == "ready" and refreshed.vram_gb == 8.0
    assert [m["model_type"] for m in refreshed.models] == ["t2v_1.3B", "new_2"]
    assert "new_2" in c.host.catalog
    c.host.refresh_models()
    failed = c.wait(lambda ms: len([m for m in ms if m.kind == "session_state"]) == 4)[-1]
    assert failed.message.startswith("The model list could not be refreshed: ")
    assert [m["model_type"] for m in failed.models] == ["t2v_1.3B", "new_2"]  # the last good catalog


def test_close_without_start_drops_queued_jobs(host_for: Callable[..., Collector], tmp_path: Path) -> None:
    c = host_for(SessionConfig(str(tmp_path)))
    job_id = c.host.submit(request(tmp_path))
    c.host.close()
    assert c.end_of(job_id, timeout=1) == Cancelled(job_id, "SH010", reason="session closed")
    assert c.states() == []  # it never left "stopped"
    assert not c.host.busy


def test_drain_and_step(host_for: Callable[..., Collector], tmp_path: Path) -> None:
    c = host_for(SessionConfig(str(tmp_path)))
    for i in range(5):
        c.host.submit(request(tmp_path, take_name=f"t{i}"))
    c.host.step(0.01)
    assert len(c.host.drain(max_messages=2)) == 2
    assert len(c.host.drain()) == 3
    assert c.host.drain() == []
