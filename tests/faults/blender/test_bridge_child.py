"""The bridge child is killed or hangs at each phase of a job: the shot fails with one sentence, nothing
half-made stays, and the next Generate starts a new child and gets its take. Runs in the bridge pass."""

from __future__ import annotations

import os
import signal

import bpy
import pytest
from scoreboard import partial_files, takes_on_disk

pytestmark = pytest.mark.skipif(os.environ.get("MD_TEST_HOST_MODE") != "BRIDGE",
                                reason="the bridge child exists in the bridge pass (MD_TEST_HOST_MODE=BRIDGE)")
PHASES = {"loading": "load", "denoising": "denois", "decoding": "decod"}


@pytest.mark.parametrize("fault", ["killed", "hung"])
@pytest.mark.parametrize("phase", list(PHASES))
def test_bridge_child_dies_or_hangs(md, fake_wangp, output_dir, make_shot, drive, scenario, phase, fault):
    fake_wangp(load_delay_s=1.5, step_delay_s=0.3, decode_delay_s=1.5)
    obj = make_shot("SH010", 1, 16)
    shot = obj.movie_director
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, obj)
    drive(lambda: shot.generation_status == "in_progress" and PHASES[phase] in shot.generation_phase.lower(),
          timeout=60)
    host = md.runtime.session.get_host()
    pid = host.pid
    if fault == "killed":
        os.kill(pid, signal.SIGKILL)
    else:
        child = host._child  # a child that stops answering is found by the heartbeat; shorten it for the test
        child.hang_timeout_s, child._heartbeat_s = 1.0, 0.2
        os.kill(pid, signal.SIGSTOP)
    drive(lambda: shot.generation_status == "failed", timeout=30)
    saw = shot.error_message
    assert saw and "Traceback" not in saw and len(saw.splitlines()) == 1
    assert ("SIGKILL" in saw) if fault == "killed" else ("stopped" in saw or "answer" in saw or "SIGKILL" in saw), saw
    assert len(shot.takes) == 0 and partial_files(output_dir) == []

    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    assert md.runtime.session.get_host().pid not in (None, pid)
    assert shot.generation_status == "done" and len(shot.takes) == 1
    on_disk = sum(takes_on_disk(output_dir).values(), [])
    assert on_disk == [os.path.realpath(shot.takes[0].filepath)]
    assert partial_files(output_dir) == []
    scenario(f"bridge child {fault}: {phase}", injected=f"{'SIGKILL' if fault == 'killed' else 'SIGSTOP'} of the "
             f"WanGP bridge process while {phase}", user_saw=saw,
             survived="Blender; a new bridge process made the retry's take")
