"""Filing a take fails half-way (the disk fills between the clip and its sidecar), or a crash cut filing short:
no clip stays in the take folder without its sidecar, and a crash's leftovers are settled into a take or removed."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from host_helpers import Collector, request, wangp_sandbox

import wangp_backend.runner as runner
from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.messages import Failed
from wangp_backend.requests import SessionConfig
from wangp_backend.takes import interrupted_record, settle_interrupted


@pytest.fixture(autouse=True)
def _sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with wangp_sandbox(monkeypatch):
        yield


@pytest.fixture
def ready(fake_root: str, fake_config: Callable[..., Any], tmp_path: Path) -> Iterator[Collector]:
    host = SessionHost(SessionConfig(fake_root, output_dir=str(tmp_path / "wangp_out")))
    host.start()
    collector = Collector(host)
    collector.wait_for("session_state", state="ready")
    yield collector
    host.close(timeout=10)


def test_the_disk_fills_between_the_clip_and_its_sidecar(ready, tmp_path, monkeypatch, scenario) -> None:
    real = runner.write_sidecar

    def full(path: str, record: dict) -> str:
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(runner, "write_sidecar", full)
    req = request(tmp_path)
    job_id = ready.host.submit(req)
    failed = ready.end_of(job_id)
    assert isinstance(failed, Failed) and "sidecar could not be written" in failed.message
    placed = tmp_path / "takes" / "SH010_take001.mp4"
    assert placed.stat().st_size > 0 and str(placed) in failed.hint  # the message says where the clip is
    # Once the disk has room, Recover Takes / Resume settle the batch job's filing: the clip becomes a take.
    monkeypatch.setattr(runner, "write_sidecar", real)
    done = settle_interrupted(req.take_dir, req.take_name, interrupted_record(req, job_id))
    assert len(done) == 1 and json.loads((tmp_path / "takes" / "SH010_take001.json").read_text())["recovered"]
    scenario("disk full between clip and sidecar", injected="ENOSPC while writing the sidecar",
             user_saw=f"{failed.message} {failed.hint}"[:200],
             survived="the clip, in the take folder and named in the message; Recover Takes made it a take")


def test_a_crash_mid_filing_is_settled(tmp_path: Path, scenario) -> None:
    take_dir = tmp_path / "Scene" / "SH010"
    take_dir.mkdir(parents=True)
    (take_dir / "SH010_take001.mp4").write_bytes(b"")  # killed while the clip moved: the empty reservation
    (take_dir / "SH010_take001_2.mp4").write_bytes(b"a whole clip")  # killed before its sidecar
    (take_dir / ".SH010_take001_2.json.x1y2.tmp").write_text("{")  # killed while writing the sidecar
    (take_dir / "SH010_take002.mp4").write_bytes(b"another job's take")
    (take_dir / "SH010_take002.json").write_text("{}")
    req = request(tmp_path, take_name="SH010_take001", sidecar_extra={"settings_hash": "abc"})
    done = settle_interrupted(str(take_dir), "SH010_take001", interrupted_record(req, "7"))
    assert sorted(p.name for p in take_dir.iterdir()) == [
        "SH010_take001_2.json", "SH010_take001_2.mp4", "SH010_take002.json", "SH010_take002.mp4"]
    record = json.loads((take_dir / "SH010_take001_2.json").read_text())
    assert record["file"] == "SH010_take001_2.mp4" and record["shot_key"] == "SH010"
    assert record["settings_hash"] == "abc" and record["recovered"]
    assert (take_dir / "SH010_take002.json").read_text() == "{}"  # another take is never touched
    assert len(done) == 3 and settle_interrupted(str(take_dir), "SH010_take001", {}) == []
    assert os.path.getsize(take_dir / "SH010_take001_2.mp4") > 0
    scenario("crash leftovers settled", injected="an empty reservation, a clip without sidecar, a temp sidecar",
             user_saw="one log line each on Recover Takes / Resume",
             survived="the finished clip as a take; the empty and half-written files removed")
