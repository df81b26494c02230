"""What each host says it can do: the Blender side reads these flags instead of asking which host it has."""

from __future__ import annotations

import dataclasses

import pytest

from wangp_backend.hosts import api
from wangp_backend.hosts.animatic import AnimaticHost
from wangp_backend.hosts.bridge import BridgeHost
from wangp_backend.hosts.farm import FarmHost
from wangp_backend.hosts.in_process import SessionHost


def test_wangp_hosts_run_one_job_at_a_time_and_only_the_bridge_restarts_its_process():
    assert SessionHost.capabilities == api.IN_PROCESS
    assert BridgeHost.capabilities == api.BRIDGE
    for caps in (api.IN_PROCESS, api.BRIDGE):
        assert caps.jobs_at_once == 1 and caps.needs_wangp and not caps.remote and not caps.layout_animatic
    assert api.BRIDGE.restarts_after_crash and not api.IN_PROCESS.restarts_after_crash


def test_the_animatic_needs_no_wangp_and_is_no_ai():
    caps = AnimaticHost.capabilities
    assert caps == api.ANIMATIC
    assert caps.layout_animatic and not caps.needs_wangp and not caps.remote and caps.jobs_at_once == 1


def test_the_farm_is_remote_and_runs_one_shot_per_worker_known_so_far():
    host = FarmHost("http://127.0.0.1:9", "token")  # never started: no request is made
    assert host.capabilities.remote and host.capabilities.needs_wangp and not host.capabilities.restarts_after_crash
    # Before its workers were read, one at a time (test_farm_host checks two once two workers answer).
    assert host.capabilities.jobs_at_once == 1


def test_capabilities_are_frozen():
    # Every host of a kind shares its constant: none may change it for the others.
    with pytest.raises(dataclasses.FrozenInstanceError):
        api.IN_PROCESS.jobs_at_once = 2  # type: ignore[misc]
