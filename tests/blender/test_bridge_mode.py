"""WanGP in Blender's process and in a bridge process: the same results, the mode choice, and the child's end.

The bridge child runs the WanGP test double with ``MD_TEST_WANGP_PYTHON`` (default: the WanGP test
environment's interpreter). Another Python version is faked with a small launcher that answers the
version question as Python 3.10 and otherwise runs the real interpreter, so the automatic choice of
the bridge is tested end to end on any machine.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time

import bpy
import numpy as np
import pytest
from conftest import FAKE_WANGP_ROOT, REPO, WANGP_PYTHON, needs_in_process
from strip_timing import left_handle

OTHER_PYTHON = "/root/.pyenv/versions/3.10.13/bin/python3.10"
MODES = {"IN_PROCESS": "in_process", "BRIDGE": "bridge"}

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and shebang launchers are POSIX")


def _strips(scene):
    editor = scene.sequence_editor
    if editor is None:
        return []
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def prefs(md):
    prefs = md.preferences.get_prefs()
    yield prefs
    md.runtime.lifecycle.stop(timeout=10.0)
    prefs.host_mode, prefs.wangp_python = "AUTO", ""


@pytest.fixture(params=[pytest.param("IN_PROCESS", marks=needs_in_process), "BRIDGE"])
def wangp_mode(request, md, fake_wangp, prefs) -> str:
    """Runs the test once with WanGP in Blender and once in a bridge process; returns the expected mode."""
    prefs.host_mode = request.param
    prefs.wangp_python = WANGP_PYTHON if request.param == "BRIDGE" else ""
    return MODES[request.param]


@pytest.fixture
def bridge(md, fake_wangp, prefs):
    prefs.host_mode, prefs.wangp_python = "BRIDGE", WANGP_PYTHON
    return fake_wangp


@pytest.fixture
def python_310_launcher(tmp_path) -> str:
    """An interpreter path that says it is Python 3.10.13 but runs the WanGP test environment's Python."""
    path = tmp_path / "python3.10"
    path.write_text(
        f"#!{WANGP_PYTHON} -E\n"
        "import os, sys\n"
        "if sys.argv[1:3] == ['-E', '-c'] and 'version_info' in sys.argv[3]:\n"
        "    sys.stdout.write('3.10.13')\n"
        "else:\n"
        f"    os.execv({WANGP_PYTHON!r}, [{WANGP_PYTHON!r}, *sys.argv[1:]])\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def _shot(make_shot, name: str, start: int = 1, end: int = 24, prompt: str = "a red cube on a table"):
    obj = make_shot(name, start, end, prompt=prompt)
    obj.movie_director.model_type = "t2v_1.3B"
    return obj


# --- the same scenarios in both modes ---------------------------------------------------------------


def test_generate_a_shot(md, wangp_mode, fake_wangp, output_dir, make_shot, drive):
    fake_wangp(step_delay_s=0.03, steps_cap=6, preview_every=1)
    obj = _shot(make_shot, "SH010")
    shot = obj.movie_director
    seen: dict[str, set] = {"status": set(), "progress": set()}

    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, obj)

    def finished() -> bool:
        seen["status"].add(shot.generation_status)
        seen["progress"].add(shot.generation_progress)
        return shot.generation_status in ("done", "failed")

    drive(finished, timeout=60)
    assert md.runtime.session.view().mode == wangp_mode
    assert shot.generation_status == "done", shot.error_message
    assert {"queued", "in_progress"} <= seen["status"]
    assert shot.generation_progress == 100
    image = shot.preview_image
    assert image is not None and image.name == "MD Preview SH010"
    pixels = np.empty(image.size[0] * image.size[1] * 4, dtype=np.float32)
    image.pixels.foreach_get(pixels)
    assert pixels.reshape(-1, 4)[:, :3].max() > 0.05
    [take] = shot.takes
    assert os.path.isfile(take.filepath) and os.path.getsize(take.filepath) > 0
    with open(take.sidecar_path, encoding="utf-8") as fh:
        sidecar = json.load(fh)
    assert sidecar["settings_hash"] == take.settings_hash and sidecar["shot_name"] == "SH010"
    drive(lambda: not md.runtime.timeline.waiting())
    [strip] = _strips(bpy.context.scene)
    assert strip["md_shot_key"] == md.runtime.keys.shot_key(bpy.context.scene, obj)
    assert left_handle(strip) == 1


def test_a_failure_reaches_the_shot(md, wangp_mode, output_dir, make_shot):
    obj = _shot(make_shot, "SH020", prompt="a storm [fake:oom]")

    with pytest.raises(RuntimeError, match="SH020 failed: .*out of memory"):
        bpy.ops.movie_director.generate_shot()

    shot = obj.movie_director
    assert md.runtime.session.view().mode == wangp_mode
    assert shot.generation_status == "failed"
    assert shot.error_class == "out_of_memory" and shot.error_hint
    assert not shot.takes


def test_cancel_the_running_job(md, wangp_mode, fake_wangp, output_dir, make_shot, drive):
    fake_wangp(steps_cap=8)
    obj = _shot(make_shot, "SH030", prompt="a slow pan [fake:slow]")
    shot = obj.movie_director
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, obj)
    drive(lambda: shot.generation_status == "in_progress" and shot.generation_step > 0, timeout=60)

    assert bpy.ops.movie_director.cancel(scope="SHOT") == {"FINISHED"}
    drive(lambda: shot.generation_status == "cancelled")

    assert md.runtime.session.view().mode == wangp_mode
    assert not shot.takes and shot.queued_jobs == 0
    assert md.runtime.jobs.count() == 0


# --- the automatic choice -----------------------------------------------------------------------------


@needs_in_process
def test_auto_runs_in_blender_when_the_versions_match(md, fake_wangp, prefs, drive, monkeypatch):
    monkeypatch.delenv("WANGP_HOST_MODE", raising=False)  # a forced mode (MD_TEST_HOST_MODE) is not AUTO
    prefs.host_mode = "AUTO"
    assert bpy.ops.movie_director.start_session() == {"FINISHED"}
    drive(lambda: md.runtime.session.view().state == "ready", timeout=60)

    view = md.runtime.session.view()
    assert view.mode == "in_process"
    assert "same as Blender" in view.mode_reason
    assert md.panels.session.mode_text(view.mode, True) == "Running WanGP in Blender"


@posix_only
def test_auto_runs_a_bridge_for_another_python_version(md, fake_wangp, prefs, python_310_launcher, monkeypatch,
                                                       output_dir, make_shot):
    # Only the interpreter is named: its own environment holds the packages, nothing goes into Blender.
    monkeypatch.delenv("WANGP_SITE_PACKAGES")
    prefs.host_mode, prefs.wangp_python = "AUTO", python_310_launcher
    obj = _shot(make_shot, "SH040")

    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}

    view = md.runtime.session.view()
    assert view.mode == "bridge"
    assert "Python 3.10" in view.mode_reason and python_310_launcher in view.mode_reason
    assert md.panels.session.mode_text(view.mode, True) == "Running WanGP in a bridge process"
    assert obj.movie_director.generation_status == "done"
    assert os.path.isfile(obj.movie_director.takes[0].filepath)


@pytest.mark.skipif(not os.path.isfile(OTHER_PYTHON), reason=f"no Python other than 3.11 here ({OTHER_PYTHON})")
def test_auto_picks_the_bridge_for_a_real_python_310(md, fake_wangp, prefs, monkeypatch):
    monkeypatch.delenv("WANGP_SITE_PACKAGES")
    prefs.host_mode, prefs.wangp_python = "AUTO", OTHER_PYTHON

    assert bpy.ops.movie_director.start_session() == {"FINISHED"}

    view = md.runtime.session.view()
    assert view.mode == "bridge" and "Python 3.10" in view.mode_reason


# --- the bridge child's end ---------------------------------------------------------------------------


@posix_only
def test_killed_child_fails_the_job_and_the_next_generate_restarts(md, bridge, output_dir, make_shot, drive):
    bridge(steps_cap=8)
    obj = _shot(make_shot, "SH050", prompt="a slow pan [fake:slow]")
    shot = obj.movie_director
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, obj)
    drive(lambda: shot.generation_status == "in_progress" and shot.generation_step > 0, timeout=60)
    pid = md.runtime.session.get_host().pid

    os.kill(pid, signal.SIGKILL)
    drive(lambda: shot.generation_status == "failed")

    assert "SIGKILL" in shot.error_message and shot.error_class == "environment"
    assert shot.error_hint
    assert md.runtime.session.view().state == "failed"
    # Nothing was left to run: the crash alone does not start a new process.
    assert md.runtime.session.get_host().pid is None

    shot.prompt = "a red cube on a table"
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}

    host = md.runtime.session.get_host()
    assert host.pid is not None and host.pid != pid
    assert shot.generation_status == "done" and len(shot.takes) == 1
    assert md.runtime.session.view().state == "ready"


@posix_only
def test_jobs_queued_behind_a_crash_run_in_a_new_process(md, bridge, output_dir, make_shot, drive):
    bridge(steps_cap=8)
    slow = _shot(make_shot, "SH060", prompt="a slow pan [fake:slow]")
    quick = _shot(make_shot, "SH070", 25, 48)
    scene = bpy.context.scene
    md.runtime.generate.queue_shot(bpy.context, scene, slow)
    md.runtime.generate.queue_shot(bpy.context, scene, quick)
    drive(lambda: slow.movie_director.generation_step > 0, timeout=60)
    pid = md.runtime.session.get_host().pid

    os.kill(pid, signal.SIGKILL)
    drive(lambda: quick.movie_director.generation_status in ("done", "failed", "cancelled"), timeout=60)

    assert slow.movie_director.generation_status == "failed"
    assert quick.movie_director.generation_status == "done", quick.movie_director.error_message
    assert "restarting WanGP's process for 1 queued job(s)" in bpy.data.texts["Movie Director Log"].as_string()
    assert _gone(pid)


@posix_only
def test_stop_session_right_after_a_crash_starts_no_new_child(md, bridge, output_dir, make_shot, drive):
    bridge(steps_cap=8)
    slow = _shot(make_shot, "SH080", prompt="a slow pan [fake:slow]")
    quick = _shot(make_shot, "SH090", 25, 48)
    scene = bpy.context.scene
    md.runtime.generate.queue_shot(bpy.context, scene, slow)
    md.runtime.generate.queue_shot(bpy.context, scene, quick)
    drive(lambda: slow.movie_director.generation_step > 0, timeout=60)
    host = md.runtime.session.get_host()
    os.kill(host.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while host.state != "failed" and time.monotonic() < deadline:
        time.sleep(0.01)  # the crash is reported, not pumped yet: the user clicks Stop now
    assert host.state == "failed"

    assert bpy.ops.movie_director.stop_session() == {"FINISHED"}

    assert md.runtime.session.get_host() is None
    assert host.pid is None, "a new WanGP process was started for a stopped session"
    assert quick.movie_director.generation_status == "cancelled"


@posix_only
def test_stop_session_leaves_no_child(md, bridge, drive):
    assert bpy.ops.movie_director.start_session() == {"FINISHED"}
    drive(lambda: md.runtime.session.view().state == "ready", timeout=60)
    host = md.runtime.session.get_host()
    pid = host.pid
    assert pid is not None and not _gone(pid)

    assert bpy.ops.movie_director.stop_session() == {"FINISHED"}

    assert md.runtime.session.get_host() is None and host.pid is None
    assert _gone(pid)


_QUIT_WITHOUT_STOPPING = """
import sys, time
sys.path.insert(0, sys.argv[1])
from wangp_backend.hosts.bridge import BridgeHost
from wangp_backend.requests import SessionConfig
host = BridgeHost(SessionConfig(sys.argv[2], "", (), sys.argv[3], True), sys.argv[4])
host.start()
deadline = time.monotonic() + 60
while host.state != "ready" and time.monotonic() < deadline:
    time.sleep(0.02)
sys.stdout.write(f"{host.state} {host.pid}")
"""


@posix_only
def test_quitting_without_stopping_leaves_no_child(tmp_path):
    """What Blender does at quit (atexit) with a bridge still running: the child is ended and reaped."""
    done = subprocess.run(
        [sys.executable, "-c", _QUIT_WITHOUT_STOPPING, REPO, FAKE_WANGP_ROOT, str(tmp_path), WANGP_PYTHON],
        capture_output=True, text=True, timeout=90,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    state, pid = done.stdout.split()
    assert state == "ready"
    assert _gone(int(pid))
