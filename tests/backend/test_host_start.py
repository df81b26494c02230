"""Starting WanGP in the host thread: locating, importing, init(), the catalog, and every start error."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from host_helpers import Collector, make_wangp_root, request, wangp_sandbox

from wangp_backend.catalog import ModelCatalog
from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.loader import Loaded, load_wangp
from wangp_backend.locate import StartError
from wangp_backend.messages import Failed, SessionState
from wangp_backend.requests import SessionConfig


@pytest.fixture(autouse=True)
def _sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with wangp_sandbox(monkeypatch):
        yield


@pytest.fixture
def hosts() -> Iterator[Callable[..., Collector]]:
    """``make(config, **kwargs)``: a started host with its collector; every host is closed afterwards."""
    made: list[SessionHost] = []

    def make(config: SessionConfig, start: bool = True, **kwargs: Any) -> Collector:
        host = SessionHost(config, **kwargs)
        made.append(host)
        if start:
            host.start()
        return Collector(host)

    yield make
    for host in made:
        host.close(timeout=10)


def packages_folder(tmp_path: Path, python: str = "python3.11") -> str:
    folder = tmp_path / "env" / "lib" / python / "site-packages"
    folder.mkdir(parents=True)
    return str(folder)


def failed_state(collector: Collector) -> SessionState:
    state = collector.wait_for("session_state", state="failed")
    assert isinstance(state, SessionState)
    return state


def test_start_returns_before_wangp_loads_and_reports_the_session(
        hosts: Callable[..., Collector], fake_root: str, fake_config: Callable[..., Any], tmp_path: Path) -> None:
    # WanGP loads (import, init(), catalog) on the host thread only: start() comes back while the load is held,
    # whatever the machine's load (how fast it comes back is bench/bench_host.py's figure, not a test's).
    gate, loaded, loaders = threading.Event(), threading.Event(), []

    def held_loader(config: SessionConfig) -> Loaded:
        loaders.append(threading.current_thread())
        gate.wait(timeout=30)
        result = load_wangp(config)
        loaded.set()
        return result

    packages = packages_folder(tmp_path)
    c = hosts(SessionConfig(fake_root, site_packages=packages, cli_args=("--profile", "4"),
                            output_dir=str(tmp_path / "out")), api_loader=held_loader)
    assert not loaded.is_set()  # start() did not wait for the load
    assert c.host.busy and c.host.mode == "in_process"
    gate.set()
    ready = c.wait_for("session_state", state="ready")
    assert loaders and loaders[0] is not threading.main_thread()
    assert c.states() == ["starting", "ready"]
    assert (ready.wangp_version, ready.vram_gb, ready.message) == ("12.60", 0.0, "")
    assert c.host.wangp_version == "12.60"
    # The catalog: every video model of the install, with the schema's frame rules merged in.
    catalog = ModelCatalog.from_records(ready.models)
    assert len(catalog) == len(ready.models) > 100
    wan, ltx2 = catalog.get("t2v_1.3B"), catalog.get("ltx2_22B_distilled")
    assert (wan.fps, wan.frames_minimum, wan.frames_steps, wan.frames_maximum) == (16.0, 5, 4, 97)
    assert (ltx2.fps, ltx2.frames_minimum, ltx2.frames_steps, ltx2.frames_maximum) == (24.0, 17, 8, 481)
    assert (ltx2.default_resolution, ltx2.default_video_length, "audio" in ltx2.outputs) == ("1280x720", 241, True)
    assert wan.available and wan.media_inputs["image"]["start"] is False
    assert "setting_values" not in ready.models[0]
    assert c.host.catalog is not None and "t2v_1.3B" in c.host.catalog
    # WanGP's packages come after Blender's; the root goes first, as WanGP's init() puts it.
    assert sys.path[-1] == packages and sys.path[0] == fake_root
    assert "HF_HUB_OFFLINE" not in os.environ
    assert not c.host.busy


def test_offline_sets_hf_hub_offline_so_missing_weights_fail_fast(
    hosts: Callable[..., Collector], fake_root: str, fake_config: Callable[..., Any], tmp_path: Path
) -> None:
    fake_config(available=[])
    c = hosts(SessionConfig(fake_root, output_dir=str(tmp_path / "out"), offline=True))
    c.wait_for("session_state", state="ready")
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    failed = c.end_of(c.host.submit(request(tmp_path)))
    assert (failed.kind, failed.error_class) == ("failed", "offline_or_missing_weights")
    assert "cannot find the requested files in the local cache" in failed.message


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("missing", "WanGP folder not found: {root}."),
        ("no_wgp", "Not a WanGP install: {root} has no wgp.py."),
        ("no_packages", "WanGP packages folder not found: {packages}."),
        ("python310", "WanGP's Python environment is Python 3.10 but Blender runs Python 3.11: "
                      "its packages cannot be loaded into Blender."),
    ],
)
def test_install_problems_fail_the_start_and_the_queued_jobs(hosts: Callable[..., Collector], tmp_path: Path,
                                                            layout: str, message: str) -> None:
    root = str(tmp_path / "Wan2GP")
    packages = str(tmp_path / "env" / "lib" / "python3.11" / "site-packages")
    if layout == "no_wgp":
        os.makedirs(os.path.join(root, "shared"))
    if layout in ("no_packages", "python310"):
        root = make_wangp_root(tmp_path, "", name="Wan2GP")
    if layout == "python310":
        packages = packages_folder(tmp_path, "python3.10")
    c = hosts(SessionConfig(root, site_packages=packages), start=False)
    job_id = c.host.submit(request(tmp_path))  # waits for the start
    c.host.start()
    state = failed_state(c)
    expected = message.format(root=root, packages=packages)
    assert state.message == expected and state.hint
    failed = c.end_of(job_id)
    assert isinstance(failed, Failed)
    assert (failed.stage, failed.error_class, failed.message, failed.hint) == (
        "environment", "environment", expected, state.hint
    )
    assert "\n" not in state.message and "Traceback" not in state.message
    # Later submits fail at once with the same error.
    again = c.end_of(c.host.submit(request(tmp_path)), timeout=1)
    assert (again.kind, again.message) == ("failed", expected)
    assert c.host.busy is False


def test_missing_package_names_the_module_and_the_packages_folder(hosts: Callable[..., Collector],
                                                                  tmp_path: Path) -> None:
    root = make_wangp_root(tmp_path, "import movie_director_missing_torch\n")
    packages = packages_folder(tmp_path)
    state = failed_state(hosts(SessionConfig(root, site_packages=packages)))
    assert state.message == (
        "WanGP could not be loaded: the Python module 'movie_director_missing_torch' is missing "
        f"(searched the WanGP packages folder {packages})."
    )
    assert "Install WanGP's requirements" in state.hint


def test_missing_package_without_a_packages_folder(hosts: Callable[..., Collector], tmp_path: Path) -> None:
    root = make_wangp_root(tmp_path, "def init(**kwargs):\n    import movie_director_missing_mmgp\n")
    state = failed_state(hosts(SessionConfig(root)))
    assert state.message == (
        "WanGP could not be loaded: the Python module 'movie_director_missing_mmgp' is missing, "
        "and no WanGP packages folder is set."
    )
    assert "site-packages" in state.hint


@pytest.mark.parametrize(
    ("api_source", "message", "hint"),
    [
        ("def init(**kwargs):\n    raise SystemExit(2)\n", "WanGP rejected its start-up flags: --bogus 1",
         "start-up flags"),
        ("def init(**kwargs):\n    raise ValueError('bad config\\nsecond line')\n",
         "WanGP failed to start: ValueError: bad config", "python wgp.py"),
        ("raise ImportError('DLL load failed while importing _C')\n",
         "WanGP could not be loaded: DLL load failed while importing _C", "Python version"),
        ("def run_task(settings):\n    pass\n", "This WanGP is too old: {root}/shared/api.py has no init().",
         "Update WanGP"),
    ],
)
def test_init_errors_become_one_line(hosts: Callable[..., Collector], tmp_path: Path, api_source: str,
                                     message: str, hint: str) -> None:
    root = make_wangp_root(tmp_path, api_source)
    state = failed_state(hosts(SessionConfig(root, cli_args=("--bogus", "1"))))
    assert state.message == message.format(root=root)
    assert hint in state.hint


def test_wangp_loads_once_per_session_with_one_set_of_flags(hosts: Callable[..., Collector], fake_root: str,
                                                            fake_config: Callable[..., Any], tmp_path: Path) -> None:
    first = hosts(SessionConfig(fake_root, cli_args=("--profile", "4"), output_dir=str(tmp_path / "out")))
    first.wait_for("session_state", state="ready")
    first.host.close(timeout=10)
    second = hosts(SessionConfig(fake_root, cli_args=("--profile", "5"), output_dir=str(tmp_path / "out")))
    state = failed_state(second)
    assert state.message == (
        "WanGP is already loaded in this Blender session with another folder or other start-up flags: "
        "WanGP can only be loaded once per Blender session, with one set of start-up flags."
    )
    assert state.hint.startswith("Restart Blender")


def test_another_wangp_folder_after_one_was_loaded(hosts: Callable[..., Collector], fake_root: str,
                                                   fake_config: Callable[..., Any], tmp_path: Path) -> None:
    first = hosts(SessionConfig(fake_root, output_dir=str(tmp_path / "out")))
    first.wait_for("session_state", state="ready")
    other = make_wangp_root(tmp_path, "def init(**kwargs):\n    return None\n")
    state = failed_state(hosts(SessionConfig(other)))
    assert state.message == (
        f"WanGP is already loaded in this Blender session from {fake_root}: "
        "WanGP can only be loaded once per Blender session, with one set of start-up flags."
    )
    assert "Restart Blender" in state.hint


def test_an_unreadable_catalog_fails_the_start(hosts: Callable[..., Collector], fake_root: str,
                                               fake_config: Callable[..., Any], tmp_path: Path) -> None:
    def broken_reader(session: Any) -> list[dict[str, Any]]:
        raise KeyError("metadata")

    state = failed_state(hosts(SessionConfig(fake_root, output_dir=str(tmp_path)), catalog_reader=broken_reader))
    assert state.message == "WanGP started but its model list could not be read: 'metadata'"


def test_start_again_after_a_failed_start(hosts: Callable[..., Collector], fake_root: str,
                                          fake_config: Callable[..., Any], tmp_path: Path) -> None:
    calls: list[int] = []

    def flaky_loader(config: SessionConfig) -> Loaded:
        calls.append(1)
        if len(calls) == 1:
            raise StartError("first start fails", "try again")
        return load_wangp(config)

    c = hosts(SessionConfig(fake_root, output_dir=str(tmp_path / "out")), api_loader=flaky_loader)
    assert failed_state(c).hint == "try again"
    c.host.start()
    c.wait_for("session_state", state="ready")
    assert c.states() == ["starting", "failed", "starting", "ready"]
    assert c.end_of(c.host.submit(request(tmp_path))).kind == "take_ready"


def test_a_loader_bug_is_reported_not_raised(hosts: Callable[..., Collector], tmp_path: Path) -> None:
    def buggy_loader(config: SessionConfig) -> Loaded:
        raise AttributeError("'NoneType' object has no attribute 'session'")

    state = failed_state(hosts(SessionConfig(str(tmp_path)), api_loader=buggy_loader))
    assert state.message == "WanGP failed to start: AttributeError: 'NoneType' object has no attribute 'session'"
    assert state.hint
