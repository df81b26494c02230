"""BridgeHost end to end: the real SessionHost in a child process running the WanGP test double.

The child runs a DIFFERENT Python environment than the tests: a fresh venv with nothing installed
(made once per session), given WanGP's packages through ``SessionConfig.site_packages`` exactly as a
user's preferences would (the test process's own site-packages, which holds numpy/PIL/imageio, or
``MD_TEST_WANGP_SITE_PACKAGES``). Faults are real: the child is SIGKILLed and SIGSTOPped.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bridge_hosts import RAISE_ON_SUBMIT  # the child loads the same file by path

from wangp_backend.bridge.python_env import find_python
from wangp_backend.hosts import bridge as bridge_host_module
from wangp_backend.hosts.bridge import BridgeHost
from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.messages import (
    TERMINAL_KINDS,
    Cancelled,
    Failed,
    Message,
    Preview,
    Progress,
    SessionState,
    Started,
    TakeReady,
    from_wire,
)
from wangp_backend.requests import JobRequest, SessionConfig

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the fault tests use POSIX signals and /proc")

WANGP_SITE_PACKAGES = os.environ.get("MD_TEST_WANGP_SITE_PACKAGES") or os.path.dirname(
    os.path.dirname(np.__file__)
)
HOSTS_FILE = str(Path(__file__).with_name("bridge_hosts.py"))
REPO = str(Path(__file__).resolve().parents[2])


@pytest.fixture(scope="session")
def bridge_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The interpreter of a new, empty venv: WanGP's packages reach it only through the SessionConfig."""
    env = tmp_path_factory.mktemp("bridge") / "bridge-env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = find_python(str(env))
    assert python is not None and os.path.realpath(os.path.dirname(python)) != os.path.dirname(sys.executable)
    probe = subprocess.run([python, "-c", "import numpy"], capture_output=True)
    assert probe.returncode != 0, "the bridge venv must not see WanGP's packages by itself"
    return python


@pytest.fixture
def config(fake_root: str, fake_config: Callable[..., dict[str, Any]], tmp_path: Path) -> SessionConfig:
    return SessionConfig(wangp_root=fake_root, site_packages=WANGP_SITE_PACKAGES, output_dir=str(tmp_path / "out"))


@pytest.fixture
def make_bridge(config: SessionConfig, bridge_python: str) -> Iterator[Callable[..., BridgeHost]]:
    """Build bridge hosts (fast heartbeat by default); each is closed and checked for leftovers after the test."""
    hosts: list[BridgeHost] = []
    pids: list[int] = []

    def make(**kwargs: Any) -> BridgeHost:
        kwargs.setdefault("heartbeat_s", 0.2)
        kwargs.setdefault("hang_timeout_s", 10.0)
        host = BridgeHost(kwargs.pop("config", config), kwargs.pop("python", bridge_python), **kwargs)
        hosts.append(host)
        return host

    def remember_pids() -> None:
        while not stop.is_set():
            for host in hosts:
                pid = host.pid
                if pid is not None and pid not in pids:
                    pids.append(pid)
            stop.wait(0.02)

    stop = threading.Event()
    watcher = threading.Thread(target=remember_pids, daemon=True)
    watcher.start()
    yield make
    stop.set()
    watcher.join()
    for host in hosts:
        host.close(timeout=5.0)
    for pid in pids:
        assert not process_exists(pid), f"bridge child {pid} outlived its host"
    # close() joins its child's threads; those of a child that crashed earlier end on their own.
    deadline = time.monotonic() + 3.0
    while leftover := [t.name for t in threading.enumerate() if t.name.startswith("movie-director-bridge")]:
        assert time.monotonic() < deadline, f"threads left running: {leftover}"
        time.sleep(0.01)


def process_exists(pid: int) -> bool:
    """True while ``pid`` runs or is a zombie of ours (a reaped child has no /proc entry)."""
    return os.path.exists(f"/proc/{pid}")


def process_ended(pid: int) -> bool:
    """Gone, or a zombie that only its new parent (init) can still reap."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def request(take_dir: Path, name: str, prompt: str = "a red kite over the dunes", **settings: Any) -> JobRequest:
    settings = {"model_type": "t2v_1.3B", "prompt": prompt, "resolution": "128x96", "video_length": 9,
                "seed": 7, **settings}
    return JobRequest(f"scene/{name}", settings, str(take_dir), name)


def collect(host: Any, done: Callable[[list[Message]], bool], messages: list[Message] | None = None,
            timeout: float = 30.0) -> list[Message]:
    """Drain ``host`` like the pump does until ``done(messages)``; all messages so far are returned."""
    messages = [] if messages is None else messages
    deadline = time.monotonic() + timeout
    while not done(messages):
        if time.monotonic() > deadline:
            summary = [(type(m).__name__, getattr(m, "job_id", getattr(m, "state", ""))) for m in messages]
            raise AssertionError(f"timed out; messages: {summary}")
        messages.extend(host.drain())
        time.sleep(0.005)
    return messages


def ended(*job_ids: str) -> Callable[[list[Message]], bool]:
    return lambda messages: all(terminal(messages, job_id) is not None for job_id in job_ids)


def terminal(messages: list[Message], job_id: str) -> Message | None:
    return next((m for m in messages if m.kind in TERMINAL_KINDS and m.job_id == job_id), None)


def has(kind: type[Message], **fields: Any) -> Callable[[list[Message]], bool]:
    def check(messages: list[Message]) -> bool:
        return any(isinstance(m, kind) and all(getattr(m, k) == v for k, v in fields.items()) for m in messages)

    return check


def of_job(messages: list[Message], job_id: str) -> list[Message]:
    return [m for m in messages if getattr(m, "job_id", None) == job_id]


def run_one(host: Any, job: JobRequest) -> list[Message]:
    host.start()
    job_id = host.submit(job)
    messages = collect(host, ended(job_id))
    host.close(timeout=10.0)
    messages.extend(host.drain())
    return messages


# --- the same messages as in-process ---


def test_a_job_through_the_bridge_gives_the_same_messages_as_in_process(
    config: SessionConfig, make_bridge: Callable[..., BridgeHost], tmp_path: Path
) -> None:
    local = run_one(SessionHost(config, preview_max_fps=1000.0), request(tmp_path / "local", "SH010_take001"))
    bridged = run_one(make_bridge(preview_max_fps=1000.0), request(tmp_path / "bridge", "SH010_take001"))

    def shape(messages: list[Message]) -> list[tuple[str, str]]:
        return [(m.kind, getattr(m, "state", getattr(m, "source", ""))) for m in messages]

    assert shape(bridged) == shape(local)
    assert [m.mode for m in bridged if isinstance(m, SessionState)] == ["bridge"] * 4
    assert [m.state for m in bridged if isinstance(m, SessionState)] == ["starting", "ready", "closing", "stopped"]
    ready = next(m for m in bridged if isinstance(m, SessionState) and m.state == "ready")
    assert ready.wangp_version == "12.60" and len(ready.models) > 100

    started = [next(m for m in ms if isinstance(m, Started)) for ms in (local, bridged)]
    assert started[0].settings == started[1].settings and started[1].settings["seed"] == 7
    progress = [[(m.phase, m.percent, m.current_step) for m in ms if isinstance(m, Progress)]
                for ms in (local, bridged)]
    assert progress[0] == progress[1] and progress[1][-1][1] >= 85

    previews = [[m for m in ms if isinstance(m, Preview)] for ms in (local, bridged)]
    assert len(previews[1]) == len(previews[0]) >= 2
    for here, there in zip(*previews, strict=True):
        assert (there.width, there.height) == (here.width, here.height) == (128, 96)
        assert there.pixels.dtype == np.float32 and there.pixels.size == 128 * 96 * 4
        np.testing.assert_array_equal(there.pixels, here.pixels)
    assert previews[1][-1].pixels.max() > 0

    takes = [next(m for m in ms if isinstance(m, TakeReady)) for ms in (local, bridged)]
    same = ("model_type", "seed", "fps", "frame_count", "width", "height", "has_audio", "used_fallback",
            "settings_hash")
    assert {k: getattr(takes[1], k) for k in same} == {k: getattr(takes[0], k) for k in same}
    assert takes[1].filepath == str(tmp_path / "bridge" / "SH010_take001.mp4")
    assert os.path.getsize(takes[1].filepath) > 0
    sidecar = json.loads(Path(takes[1].sidecar_path).read_text(encoding="utf-8"))
    assert sidecar["settings"] == started[1].settings and sidecar["shot_key"] == "scene/SH010_take001"
    assert all(m.job_id == takes[1].job_id for m in bridged if hasattr(m, "job_id"))


def test_failures_cross_the_bridge_as_in_process(
    config: SessionConfig, make_bridge: Callable[..., BridgeHost], tmp_path: Path
) -> None:
    def failures(host: Any) -> list[Failed]:
        host.start()
        ids = [host.submit(request(tmp_path, "SH020", prompt="a kite [fake:oom]")),
               host.submit(request(tmp_path, "SH030", model_type="no_such_model"))]
        messages = collect(host, ended(*ids))
        host.close(timeout=10.0)
        return [terminal(messages, job_id) for job_id in ids]  # type: ignore[misc]

    local, bridged = failures(SessionHost(config)), failures(make_bridge())
    assert all(isinstance(m, Failed) for m in local + bridged)
    fields = [[(m.stage, m.error_class, m.message, m.hint) for m in ms] for ms in (local, bridged)]
    assert fields[1] == fields[0]
    assert bridged[0].error_class == "out_of_memory" and "out of memory" in bridged[0].message.lower()
    assert bridged[1].error_class == "validation" and "no_such_model" in bridged[1].message


def test_refresh_models_sends_the_catalog_again(make_bridge: Callable[..., BridgeHost]) -> None:
    host = make_bridge()
    host.start()
    messages = collect(host, has(SessionState, state="ready"))
    host.refresh_models()
    messages = collect(host, lambda ms: sum(isinstance(m, SessionState) and m.state == "ready" for m in ms) == 2,
                       messages)
    refreshed = [m for m in messages if isinstance(m, SessionState)][-1]
    assert refreshed.mode == "bridge" and len(refreshed.models) > 100
    assert host.catalog is not None and "t2v_1.3B" in host.catalog
    assert host.wangp_version == "12.60" and not host.busy


# --- cancel ---


def test_cancel_a_queued_and_the_running_job(make_bridge: Callable[..., BridgeHost], tmp_path: Path) -> None:
    host = make_bridge()
    host.start()
    slow = host.submit(request(tmp_path, "SH010", prompt="a slow kite [fake:slow]"))
    queued = host.submit(request(tmp_path, "SH020"))
    after = host.submit(request(tmp_path, "SH030"))
    messages = collect(host, has(Started, job_id=slow))
    host.cancel(queued)
    messages = collect(host, ended(queued), messages)
    assert host.busy
    host.cancel(slow)
    messages = collect(host, ended(slow, after), messages)
    assert terminal(messages, queued) == Cancelled(queued, "scene/SH020", reason="removed from queue")
    assert isinstance(terminal(messages, slow), Cancelled)
    assert isinstance(terminal(messages, after), TakeReady)
    assert not any(isinstance(m, Started) for m in of_job(messages, queued))
    assert not host.busy


def test_cancel_all(make_bridge: Callable[..., BridgeHost], tmp_path: Path) -> None:
    host = make_bridge()
    host.start()
    ids = [host.submit(request(tmp_path, f"SH0{n}0", prompt="a slow kite [fake:slow]")) for n in (1, 2, 3)]
    messages = collect(host, has(Started, job_id=ids[0]))
    host.cancel_all()
    messages = collect(host, ended(*ids), messages)
    assert all(isinstance(terminal(messages, job_id), Cancelled) for job_id in ids)
    assert not host.busy


# --- faults ---


def test_a_killed_child_fails_the_running_job_keeps_the_queue_and_restarts_on_submit(
    make_bridge: Callable[..., BridgeHost], tmp_path: Path
) -> None:
    host = make_bridge()
    host.start()
    running = host.submit(request(tmp_path, "SH010", prompt="a slow kite [fake:slow]"))
    kept = host.submit(request(tmp_path, "SH020"))
    messages = collect(host, has(Progress, job_id=running, phase="inference"))
    first_pid = host.pid
    assert first_pid is not None
    os.kill(first_pid, signal.SIGKILL)
    messages = collect(host, lambda ms: ended(running)(ms) and has(SessionState, state="failed")(ms), messages)

    failed = terminal(messages, running)
    assert isinstance(failed, Failed)
    assert (failed.stage, failed.error_class) == ("environment", "environment")
    assert "SIGKILL" in failed.message and "out of memory" in failed.message
    assert any("Denoising" in line or "Loading" in line for line in failed.log_tail)
    state = [m for m in messages if isinstance(m, SessionState)][-1]
    assert state.mode == "bridge" and "SIGKILL" in state.message and "1 queued job" in state.hint
    assert terminal(messages, kept) is None and host.busy and host.pid is None
    assert process_ended(first_pid)

    later = host.submit(request(tmp_path, "SH030"))
    messages = collect(host, ended(kept, later), messages)
    assert host.pid not in (None, first_pid)
    take_kept, take_later = terminal(messages, kept), terminal(messages, later)
    assert isinstance(take_kept, TakeReady) and isinstance(take_later, TakeReady)
    assert os.path.isfile(take_kept.filepath) and os.path.isfile(take_later.filepath)
    assert messages.index(take_kept) < messages.index(take_later)
    assert [m.state for m in messages if isinstance(m, SessionState)][-2:] == ["starting", "ready"]
    assert not host.busy


def test_a_stopped_child_is_found_by_its_heartbeat_killed_and_restarted(
    make_bridge: Callable[..., BridgeHost], tmp_path: Path
) -> None:
    host = make_bridge(heartbeat_s=0.1, hang_timeout_s=1.0)
    host.start()
    running = host.submit(request(tmp_path, "SH010", prompt="a slow kite [fake:slow]"))
    messages = collect(host, has(Started, job_id=running))
    pid = host.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    stopped_at = time.monotonic()
    messages = collect(host, ended(running), messages, timeout=10.0)
    detected_after = time.monotonic() - stopped_at
    failed = terminal(messages, running)
    assert isinstance(failed, Failed) and failed.error_class == "environment"
    assert "stopped responding" in failed.message
    assert 1.0 <= detected_after < 5.0
    assert process_ended(pid)

    again = host.submit(request(tmp_path, "SH020"))
    messages = collect(host, ended(again), messages)
    assert isinstance(terminal(messages, again), TakeReady) and host.pid != pid


def test_a_child_stuck_while_starting_gets_the_longer_start_timeout(
    make_bridge: Callable[..., BridgeHost], fake_config: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    fake_config(init_delay_s=5.0)  # WanGP's init() is still running when the child is stopped
    host = make_bridge(heartbeat_s=0.1, hang_timeout_s=0.3, start_timeout_s=1.5)
    host.start()
    job = host.submit(request(tmp_path, "SH010"))
    pid = host.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    stopped_at = time.monotonic()
    messages = collect(host, ended(job), timeout=10.0)
    assert 1.5 <= time.monotonic() - stopped_at < 5.0
    failed = terminal(messages, job)
    assert isinstance(failed, Failed) and failed.error_class == "environment"
    assert "stopped responding" in failed.message and "before it was ready" in failed.message
    assert process_ended(pid)


def test_a_child_that_cannot_start_fails_its_jobs_with_the_reason(
    make_bridge: Callable[..., BridgeHost], tmp_path: Path
) -> None:
    host = make_bridge(host_factory="no_such_module:Host")
    job = host.submit(request(tmp_path, "SH010"))
    messages = collect(host, lambda ms: ended(job)(ms) and has(SessionState, state="failed")(ms))
    failed = terminal(messages, job)
    assert isinstance(failed, Failed) and failed.error_class == "environment"
    assert "exited with code 1 before it was ready" in failed.message
    assert "No module named 'no_such_module'" in failed.message
    assert any("Traceback" in line for line in failed.log_tail)
    assert not host.busy and host.pid is None


def test_an_interpreter_that_does_not_exist(make_bridge: Callable[..., BridgeHost], tmp_path: Path) -> None:
    missing = str(tmp_path / "env" / "bin" / "python3")
    host = make_bridge(python=missing)
    host.start()
    job = host.submit(request(tmp_path, "SH010"))
    messages = collect(host, ended(job))
    failed = terminal(messages, job)
    assert isinstance(failed, Failed) and failed.stage == "environment" and missing in failed.message
    state = next(m for m in messages if isinstance(m, SessionState))
    assert state.state == "failed" and missing in state.message and state.mode == "bridge" and state.hint


def test_stray_output_cannot_corrupt_the_protocol_and_a_host_error_is_a_message(
    make_bridge: Callable[..., BridgeHost], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="movie_director.backend")
    host = make_bridge(host_factory=f"{HOSTS_FILE}:NoisyHost")
    host.start()
    broken = host.submit(JobRequest(RAISE_ON_SUBMIT, {"prompt": "x"}, str(tmp_path), "broken"))
    fine = host.submit(request(tmp_path, "SH010"))
    messages = collect(host, ended(broken, fine))
    failed = terminal(messages, broken)
    assert isinstance(failed, Failed) and failed.stage == "host" and "scripted submit failure" in failed.message
    assert isinstance(terminal(messages, fine), TakeReady)
    logged = caplog.text
    assert "stray print at start" in logged and "stray bytes on fd 1 at submit" in logged
    assert "stray write to sys.__stdout__" in logged


def test_a_message_the_parent_cannot_handle_does_not_stop_the_reader(
    make_bridge: Callable[..., BridgeHost], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = []

    def from_wire_failing_once(header: dict[str, Any], payload: bytes = b"") -> Message:
        calls.append(header["kind"])
        if len(calls) == 1:
            raise ValueError("scripted: a message from a newer add-on version")
        return from_wire(header, payload)

    monkeypatch.setattr(bridge_host_module, "from_wire", from_wire_failing_once)
    host = make_bridge()
    host.start()
    job = host.submit(request(tmp_path, "SH010"))
    messages = collect(host, ended(job))
    assert isinstance(terminal(messages, job), TakeReady)
    assert calls[0] == "session_state" and "starting" not in [getattr(m, "state", "") for m in messages]
    assert "could not be handled" in caplog.text and "newer add-on version" in caplog.text


# --- the end of the child ---


def test_close_ends_the_child_and_leaves_no_process(make_bridge: Callable[..., BridgeHost], tmp_path: Path) -> None:
    host = make_bridge()
    host.start()
    job = host.submit(request(tmp_path, "SH010", prompt="a slow kite [fake:slow]"))
    messages = collect(host, has(Started, job_id=job))
    pid = host.pid
    assert pid is not None
    host.close(timeout=5.0)
    messages.extend(host.drain())
    assert isinstance(terminal(messages, job), Cancelled)
    assert messages[-1] == SessionState("stopped", wangp_version="12.60", mode="bridge")
    assert not process_exists(pid) and host.pid is None and not host.busy
    assert not [t.name for t in threading.enumerate() if t.name.endswith(f"-{pid}")]
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left

    host.start()
    collect(host, has(SessionState, state="ready"))
    assert host.pid not in (None, pid)


def test_close_without_a_child_cancels_kept_jobs(make_bridge: Callable[..., BridgeHost], tmp_path: Path) -> None:
    host = make_bridge()
    host.start()
    running = host.submit(request(tmp_path, "SH010", prompt="a slow kite [fake:slow]"))
    kept = host.submit(request(tmp_path, "SH020"))
    messages = collect(host, has(Started, job_id=running))
    os.kill(host.pid, signal.SIGKILL)  # type: ignore[arg-type]
    messages = collect(host, ended(running), messages)
    assert host.busy
    host.close()
    messages.extend(host.drain())
    assert terminal(messages, kept) == Cancelled(kept, "scene/SH020", reason="session closed")
    assert messages[-1].kind == "session_state" and messages[-1].state == "stopped" and not host.busy


def test_cancel_a_kept_job_while_no_child_runs(make_bridge: Callable[..., BridgeHost], tmp_path: Path) -> None:
    host = make_bridge()
    host.start()
    running = host.submit(request(tmp_path, "SH010", prompt="a slow kite [fake:slow]"))
    kept = host.submit(request(tmp_path, "SH020"))
    messages = collect(host, has(Started, job_id=running))
    os.kill(host.pid, signal.SIGKILL)  # type: ignore[arg-type]
    messages = collect(host, ended(running), messages)
    host.cancel(kept)
    messages.extend(host.drain())
    assert terminal(messages, kept) == Cancelled(kept, "scene/SH020", reason="removed from queue")
    assert not host.busy and host.pid is None


PARENT_SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    sys.path.insert(0, {repo!r})
    from wangp_backend.hosts.bridge import BridgeHost
    from wangp_backend.requests import SessionConfig
    host = BridgeHost(SessionConfig(**json.loads({config!r})), {python!r})
    host.start()
    deadline = time.monotonic() + 30
    while not any(m.kind == "session_state" and m.state == "ready" for m in host.drain()):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    sys.stdout.write(str(host.pid) + "\\n")
    sys.stdout.flush()
    if {abrupt!r}:
        os._exit(0)  # like a Blender crash: no atexit, no close
    """
)


@pytest.mark.parametrize("abrupt", [False, True], ids=["atexit", "parent-crash"])
def test_no_child_outlives_blender(config: SessionConfig, bridge_python: str, abrupt: bool) -> None:
    script = PARENT_SCRIPT.format(repo=REPO, config=json.dumps(config.__dict__ | {"cli_args": []}),
                                  python=bridge_python, abrupt=abrupt)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    pid = int(done.stdout.strip())
    if not abrupt:
        assert not process_exists(pid)  # the parent's atexit hook reaped it before exiting
        return
    deadline = time.monotonic() + 10
    while not process_ended(pid):  # the child sees its commands pipe close and ends by itself
        assert time.monotonic() < deadline, f"child {pid} still runs after its parent died"
        time.sleep(0.05)
