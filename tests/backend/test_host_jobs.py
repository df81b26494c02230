"""SessionHost jobs against the WanGP test double: takes, sidecars, validation, failures, fallback, cancel."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gap_timer import GapTimer
from host_helpers import Collector, request, wangp_sandbox

from wangp_backend import wording
from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.messages import Cancelled, Failed, Started, TakeReady
from wangp_backend.requests import SessionConfig


@pytest.fixture(autouse=True)
def _sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with wangp_sandbox(monkeypatch):
        yield


@pytest.fixture
def ready(fake_root: str, fake_config: Callable[..., Any], tmp_path: Path) -> Iterator[Collector]:
    """A started host on the test double, its messages collected."""
    host = SessionHost(SessionConfig(fake_root, output_dir=str(tmp_path / "wangp_out")), preview_max_fps=1000.0)
    host.start()
    collector = Collector(host)
    collector.wait_for("session_state", state="ready")
    yield collector
    host.close(timeout=10)


def test_a_job_ends_in_a_take_with_its_sidecar(ready: Collector, tmp_path: Path) -> None:
    req = request(tmp_path, video_length=10, resolution="330x190", seed=-1,
                  sidecar_extra={"shot_name": "Intro", "template": "noir"})
    job_id = ready.host.submit(req)
    take = ready.end_of(job_id)
    assert isinstance(take, TakeReady), take
    kinds = [m.kind for m in ready.messages if getattr(m, "job_id", None) == job_id]
    assert kinds[0] == "queued" and kinds[-1] == "take_ready"
    assert kinds.index("started") < kinds.index("progress") < kinds.index("take_ready")
    assert "preview" in kinds and "log" in kinds

    (started,) = ready.of("started", job_id)
    assert started.attempt == 0 and started.model_type == "t2v_1.3B"
    sent = started.settings
    assert (sent["video_length"], sent["resolution"]) == (9, "336x192")
    assert sent["seed"] >= 0  # a concrete seed, chosen before submitting
    infos = [m.text for m in ready.of("log", job_id) if m.source == "info"]
    assert wording.frames_snapped(10, 9, "t2v_1.3B", "4n+1") in infos
    assert wording.resolution_snapped("330x190", "336x192") in infos
    assert wording.random_seed(sent["seed"]) in infos

    assert take.filepath == str(tmp_path / "takes" / "SH010_take001.mp4")
    assert os.path.getsize(take.filepath) > 0
    assert os.listdir(tmp_path / "wangp_out") == []  # moved, not copied
    assert (take.seed, take.fps, take.frame_count, take.width, take.height) == (sent["seed"], 16.0, 9, 336, 192)
    assert (take.model_type, take.has_audio, take.used_fallback, take.primary_error) == ("t2v_1.3B", False, False, "")

    sidecar = json.loads(Path(take.sidecar_path).read_text(encoding="utf-8"))
    assert take.sidecar_path == str(tmp_path / "takes" / "SH010_take001.json")
    assert sidecar["settings"] == sent
    assert sidecar["schema"] == "movie_director.take/1"
    assert sidecar["file"] == "SH010_take001.mp4"
    assert (sidecar["job_id"], sidecar["shot_key"], sidecar["wangp_version"]) == (job_id, "SH010", "12.60")
    assert (sidecar["seed"], sidecar["fps"], sidecar["frame_count"]) == (sent["seed"], 16.0, 9)
    assert (sidecar["width"], sidecar["height"], sidecar["has_audio"]) == (336, 192, False)
    assert (sidecar["shot_name"], sidecar["template"]) == ("Intro", "noir")
    assert sidecar["settings_hash"] == take.settings_hash and len(take.settings_hash) == 16
    assert sidecar["attempts"] == [{"model_type": "t2v_1.3B", "error": ""}]
    assert sidecar["used_fallback"] is False and sidecar["primary_error"] == ""
    assert sidecar["submitted_at"] <= sidecar["started_at"] <= sidecar["finished_at"]
    assert sidecar["duration_s"] == take.duration_s > 0


def test_settings_hash_comes_from_the_request_when_given(ready: Collector, tmp_path: Path) -> None:
    job_id = ready.host.submit(request(tmp_path, sidecar_extra={"settings_hash": "fromshot"}))
    take = ready.end_of(job_id)
    assert take.settings_hash == "fromshot"


def test_cwd_and_stdout_are_untouched_after_a_job(ready: Collector, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    cwd, stdout, stderr = os.getcwd(), sys.stdout, sys.stderr
    take = ready.end_of(ready.host.submit(request(tmp_path)))
    assert isinstance(take, TakeReady)
    assert (os.getcwd(), sys.stdout, sys.stderr) == (cwd, stdout, stderr)
    assert capsys.readouterr().out == ""  # the host never prints


def test_takes_never_overwrite(ready: Collector, tmp_path: Path) -> None:
    (tmp_path / "takes").mkdir()
    (tmp_path / "takes" / "SH010_take001.mp4").write_bytes(b"the user's take")
    first = ready.end_of(ready.host.submit(request(tmp_path)))
    second = ready.end_of(ready.host.submit(request(tmp_path)))
    assert [os.path.basename(t.filepath) for t in (first, second)] == ["SH010_take001_2.mp4", "SH010_take001_3.mp4"]
    assert (tmp_path / "takes" / "SH010_take001.mp4").read_bytes() == b"the user's take"
    assert os.path.exists(tmp_path / "takes" / "SH010_take001_3.json")


def test_last_preview_is_the_final_step_bottom_up(fake_root: str, fake_config: Callable[..., Any],
                                                  tmp_path: Path) -> None:
    fake_config(preview_every=1, steps_cap=8, step_delay_s=0.02)
    host = SessionHost(SessionConfig(fake_root, output_dir=str(tmp_path / "out")), preview_max_fps=4.0,
                       preview_max_side=64)
    host.start()
    collector = Collector(host)
    try:
        job_id = host.submit(request(tmp_path, num_inference_steps=8, resolution="320x192"))
        assert isinstance(collector.end_of(job_id), TakeReady)
    finally:
        host.close(timeout=10)
    previews = collector.of("preview", job_id)
    steps = [m for m in collector.of("progress", job_id) if m.current_step is not None]
    assert len(previews) < 8 <= len(steps)  # 8 previews in ~0.16 s, at most 4 per second delivered
    last = previews[-1]
    assert (last.width, last.height) == (64, 38)
    media = sys.modules["shared.fake_media"]
    seed = collector.of("started", job_id)[0].settings["seed"]
    final = media.preview_image(width=320, height=192, colour=media.clip_colour("a red boat", seed), seed=seed,
                                step=8, total=8).resize((64, 38))
    expected = np.asarray(final, dtype=np.float32)[::-1] / 255.0
    assert np.allclose(last.pixels.reshape(38, 64, 4)[..., :3], expected, atol=0.02)


def test_unknown_model_fails_validation_with_close_matches(ready: Collector, tmp_path: Path) -> None:
    failed = ready.end_of(ready.host.submit(request(tmp_path, model_type="t2v_1.3", fallbacks=("t2v_1.3B",))))
    assert isinstance(failed, Failed)
    assert (failed.stage, failed.error_class) == ("validation", "validation")
    assert failed.message.startswith("Unknown model 't2v_1.3': this WanGP has no such video model. Close matches: ")
    assert "t2v_1.3B" in failed.message
    assert failed.hint == "Fix the shot's settings and generate again."
    assert ready.of("started") == []  # never sent, never retried with the fallback


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"prompt": " "}, "The prompt is empty: describe what happens in the shot."),
        ({"image_start": "start.png"}, "image_start must be an absolute path, got 'start.png'."),
        ({"video_length": "long"}, "video_length must be a number of frames (or seconds such as '4s'), got 'long'."),
    ],
)
def test_invalid_settings_fail_before_submitting(ready: Collector, tmp_path: Path, settings: dict[str, Any],
                                                 message: str) -> None:
    failed = ready.end_of(ready.host.submit(request(tmp_path, **settings)))
    assert (failed.kind, failed.stage, failed.message) == ("failed", "validation", message)


@pytest.mark.parametrize(
    ("take_dir", "take_name", "message"),
    [
        ("takes", "SH010_take001", "take folder must be an absolute path, got 'takes'"),
        (None, "../SH010", "take name must be a plain file name, got '../SH010'"),
    ],
)
def test_a_take_that_could_not_be_filed_fails_before_generating(ready: Collector, tmp_path: Path,
                                                                take_dir: str | None, take_name: str,
                                                                message: str) -> None:
    req = dataclasses.replace(request(tmp_path), take_dir=take_dir or str(tmp_path), take_name=take_name)
    failed = ready.end_of(ready.host.submit(req))
    assert (failed.kind, failed.stage, failed.message) == ("failed", "validation", message)
    assert ready.of("started") == []


def test_missing_input_file_fails_validation(ready: Collector, tmp_path: Path) -> None:
    missing = str(tmp_path / "start.png")
    failed = ready.end_of(ready.host.submit(request(tmp_path, model_type="i2v", image_start=missing)))
    assert failed.message == f"image_start: file not found: {missing}"


@pytest.mark.parametrize(
    ("marker", "error_class", "text", "hint"),
    [
        ("oom", "out_of_memory", "CUDA out of memory", "Not enough GPU memory"),
        ("missing_weights", "offline_or_missing_weights", "locate the file on the Hub", "allow online access"),
        ("runtime", "runtime", "Expected all tensors to be on the same device", "Open Log shows the details"),
    ],
)
def test_generation_failures_are_classified(ready: Collector, tmp_path: Path, marker: str, error_class: str,
                                            text: str, hint: str) -> None:
    failed = ready.end_of(ready.host.submit(request(tmp_path, prompt=f"a boat [fake:{marker}]")))
    assert isinstance(failed, Failed)
    assert (failed.stage, failed.error_class) == ("generation", error_class)
    assert text in failed.message and "\n" not in failed.message
    assert hint in failed.hint
    assert any(text in line for line in failed.log_tail)
    assert any("Loading Model" in line for line in failed.log_tail)


def test_log_tail_keeps_the_last_lines(fake_root: str, fake_config: Callable[..., Any], tmp_path: Path) -> None:
    host = SessionHost(SessionConfig(fake_root, output_dir=str(tmp_path / "out")), log_lines=2)
    host.start()
    collector = Collector(host)
    try:
        failed = collector.end_of(host.submit(request(tmp_path, prompt="[fake:runtime]")))
    finally:
        host.close(timeout=10)
    assert len(failed.log_tail) == 2
    assert "Expected all tensors" in failed.log_tail[-1]


def test_fallback_after_a_generation_failure(ready: Collector, fake_config: Callable[..., Any],
                                             tmp_path: Path) -> None:
    fake_config(fail_models={"t2v_1.3B": "oom"})
    req = request(tmp_path, video_length=20, fallbacks=("no_such_model", "t2v_1.3B", "ltxv_distilled"))
    job_id = ready.host.submit(req)
    take = ready.end_of(job_id)
    assert isinstance(take, TakeReady), take
    starts = ready.of("started", job_id)
    assert [(s.model_type, s.attempt) for s in starts] == [("t2v_1.3B", 0), ("ltxv_distilled", 1)]
    # The fallback's frames follow its own rules (17 + 8n), with the same seed.
    assert (starts[0].settings["video_length"], starts[1].settings["video_length"]) == (21, 17)
    assert starts[0].settings["seed"] == starts[1].settings["seed"] == take.seed
    infos = [m.text for m in ready.of("log", job_id) if m.source == "info"]
    assert any(t.startswith("fallback model skipped: Unknown model 'no_such_model'") for t in infos)
    assert "fallback model skipped: t2v_1.3B was already tried" in infos
    assert any("trying fallback model ltxv_distilled" in t for t in infos)
    assert (take.model_type, take.used_fallback, take.fps, take.frame_count) == ("ltxv_distilled", True, 30.0, 17)
    assert "CUDA out of memory" in take.primary_error
    sidecar = json.loads(Path(take.sidecar_path).read_text(encoding="utf-8"))
    assert sidecar["used_fallback"] is True and sidecar["primary_error"] == take.primary_error
    assert [a["model_type"] for a in sidecar["attempts"]] == ["t2v_1.3B", "ltxv_distilled"]
    assert sidecar["attempts"][1]["error"] == ""


def test_failure_when_every_fallback_fails(ready: Collector, fake_config: Callable[..., Any],
                                           tmp_path: Path) -> None:
    fake_config(fail_models={"t2v_1.3B": "runtime", "i2v": "oom"})
    failed = ready.end_of(ready.host.submit(request(tmp_path, fallbacks=("i2v",))))
    assert (failed.kind, failed.error_class) == ("failed", "out_of_memory")
    assert len(ready.of("started")) == 2


def test_a_model_with_audio_output_makes_an_audio_take(ready: Collector, tmp_path: Path) -> None:
    take = ready.end_of(ready.host.submit(request(tmp_path, model_type="ltx2_22B_distilled", video_length=17,
                                                  force_fps="24")))
    assert (take.kind, take.has_audio, take.fps, take.frame_count) == ("take_ready", True, 24.0, 17)


def test_cancel_a_queued_job(ready: Collector, fake_config: Callable[..., Any], tmp_path: Path) -> None:
    fake_config(step_delay_s=0.1)
    first = ready.host.submit(request(tmp_path))
    second = ready.host.submit(request(tmp_path, shot_key="SH020"))
    ready.host.cancel(second)
    assert ready.end_of(second) == Cancelled(second, "SH020", reason="removed from queue")
    assert ready.end_of(first).kind == "take_ready"
    assert ready.of("started", second) == []


def test_cancel_the_running_job(ready: Collector, tmp_path: Path) -> None:
    job_id = ready.host.submit(request(tmp_path, prompt="a slow boat [fake:slow]"))
    ready.wait_for("progress", job_id=job_id, phase="inference")
    ready.host.cancel(job_id)
    ended = ready.end_of(job_id, timeout=5)
    assert isinstance(ended, Cancelled) and ended.reason == "cancelled"
    assert not os.path.exists(tmp_path / "takes" / "SH010_take001.mp4")
    assert ready.host.busy is False


def test_cancel_while_the_model_loads_is_a_cancel(ready: Collector, fake_config: Callable[..., Any],
                                                  tmp_path: Path) -> None:
    """WanGP reports a loading error and the cancellation together; the user asked to cancel."""
    fake_config(load_delay_s=0.4)
    job_id = ready.host.submit(request(tmp_path))
    ready.wait_for("log", job_id=job_id, source="stdout")  # "Loading Model ..." is printed
    ready.host.cancel(job_id)
    ended = ready.end_of(job_id)
    assert isinstance(ended, Cancelled), ended


def test_cancel_all(ready: Collector, tmp_path: Path) -> None:
    running = ready.host.submit(request(tmp_path, prompt="[fake:slow]"))
    queued = [ready.host.submit(request(tmp_path, shot_key=f"SH0{i}")) for i in (2, 3)]
    ready.wait_for("started", job_id=running)
    ready.host.cancel_all()
    assert all(ready.end_of(q).reason == "removed from queue" for q in queued)
    assert ready.end_of(running).kind == "cancelled"


def test_jobs_run_back_to_back(ready: Collector, tmp_path: Path) -> None:
    ids = [ready.host.submit(request(tmp_path, shot_key=f"SH{i}", take_name=f"t{i}")) for i in range(3)]
    ends = [ready.end_of(job_id) for job_id in ids]
    assert all(isinstance(e, TakeReady) for e in ends)
    order = [(m.kind, m.job_id) for m in ready.messages if m.kind in ("started", "take_ready")]
    assert order == [(kind, job_id) for job_id in ids for kind in ("started", "take_ready")]


def test_the_next_job_is_submitted_right_after_the_stream_ends(fake_root: str, fake_config: Callable[..., Any],
                                                               tmp_path: Path) -> None:
    gaps = record_gaps(fake_root, tmp_path, jobs=3)
    assert len(gaps) == 2
    assert max(gaps) < 0.5, gaps  # no idle wait between jobs (typically a few milliseconds)


def record_gaps(fake_root: str, tmp_path: Path, jobs: int) -> list[float]:
    """Seconds between one WanGP job's stream closing and the next submit_task, over ``jobs`` queued jobs."""
    timer = GapTimer()
    host = SessionHost(SessionConfig(fake_root, output_dir=str(tmp_path / "out")), api_loader=timer.loader)
    collector = Collector(host)
    ids = [host.submit(request(tmp_path, take_name=f"gap{i}", num_inference_steps=1)) for i in range(jobs)]
    host.start()
    try:
        for job_id in ids:
            assert isinstance(collector.end_of(job_id), TakeReady)
    finally:
        host.close(timeout=10)
    gaps = timer.gaps()
    assert len(gaps) == jobs - 1
    return gaps


def test_started_settings_are_a_copy(ready: Collector, tmp_path: Path) -> None:
    req = request(tmp_path)
    job_id = ready.host.submit(req)
    started = ready.wait_for("started", job_id=job_id)
    assert isinstance(started, Started)
    started.settings["prompt"] = "changed by the main thread"
    assert ready.end_of(job_id).kind == "take_ready"
    assert req.settings["prompt"] == "a red boat"
