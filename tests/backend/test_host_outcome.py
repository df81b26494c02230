"""The pure parts of the host: judging a WanGP result, classifying failures, translating events."""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path
from types import SimpleNamespace

import pytest

from wangp_backend.failures import HINTS, classify, hint_for, one_line
from wangp_backend.loader import vram_gb, wangp_version
from wangp_backend.messages import Log, Progress
from wangp_backend.outcome import Outcome, judge
from wangp_backend.translate import JobTranslator

CANCEL = SimpleNamespace(message="Generation was cancelled", stage="cancelled", cancelled=True)
LOAD_ABORTED = SimpleNamespace(message="Model loading was aborted", stage="generation", cancelled=False)


def result(success: bool, errors: list[SimpleNamespace] = (), files: list[str] = ()) -> SimpleNamespace:
    return SimpleNamespace(success=success, errors=list(errors), generated_files=list(files))


def error(message: str, stage: str | None = "generation") -> SimpleNamespace:
    return SimpleNamespace(message=message, stage=stage, cancelled=False)


def test_success_takes_the_first_generated_file() -> None:
    outcome = judge(result(True, files=["/out/a.mp4", "/out/a.wav"]), cancel_requested=False)
    assert outcome == Outcome("success", files=("/out/a.mp4", "/out/a.wav"))


def test_success_without_a_file_is_a_failure() -> None:
    outcome = judge(result(True), cancel_requested=False)
    assert (outcome.kind, outcome.message) == ("failed", "WanGP finished the job but wrote no video file.")


def test_a_cancel_we_asked_for_with_a_loading_error_is_a_cancel() -> None:
    assert judge(result(False, [LOAD_ABORTED, CANCEL]), cancel_requested=True).kind == "cancelled"


def test_a_cancellation_only_result_is_a_cancel_even_unasked() -> None:
    assert judge(result(False, [CANCEL]), cancel_requested=False).kind == "cancelled"


def test_the_first_real_error_is_reported() -> None:
    outcome = judge(result(False, [error("CUDA out of memory.\nTried to allocate 2 GiB"), CANCEL]), False)
    assert outcome == Outcome("failed", stage="generation", message="CUDA out of memory.",
                              error_class="out_of_memory")
    assert outcome.retryable


def test_validation_and_submit_failures_are_not_retried() -> None:
    assert not judge(result(False, [error("No model_type specified", "validation")]), False).retryable
    assert not Outcome("failed", stage="submit", error_class="runtime").retryable
    assert judge(result(False, [error("boom", None)]), False).stage == "runtime"
    assert judge(result(False, [error("boom", "runtime")]), False).retryable


def test_no_result_at_all() -> None:
    assert judge(None, False).message == "WanGP ended the job without a result."
    assert judge(result(False), False).message == "WanGP did not complete the job."


@pytest.mark.parametrize(
    ("message", "stage", "expected"),
    [
        ("An error happened while trying to locate the file on the Hub and we cannot find the requested files "
         "in the local cache.", "generation", "offline_or_missing_weights"),
        ("LocalEntryNotFoundError: offline mode is enabled", "generation", "offline_or_missing_weights"),
        ("CUDA out of memory. Tried to allocate 2.00 GiB", "generation", "out_of_memory"),
        ("torch.OutOfMemoryError: allocation failed", "runtime", "out_of_memory"),
        ("Task 1 failed validation", "validation", "validation"),
        ("No module named torch", "environment", "environment"),
        ("Expected all tensors to be on the same device", "generation", "runtime"),
    ],
)
def test_failure_classes(message: str, stage: str, expected: str) -> None:
    assert classify(message, stage) == expected
    assert hint_for(expected) == HINTS[expected]


def test_hints_are_one_line() -> None:
    assert all("\n" not in hint for hint in HINTS.values())
    assert hint_for("something new") == HINTS["runtime"]


def test_one_line() -> None:
    assert one_line("\n  first  \nsecond") == "first"
    assert one_line("x" * 400).endswith("...") and len(one_line("x" * 400)) == 300
    assert one_line("") == ""


def translator(log_lines: int = 200) -> JobTranslator:
    return JobTranslator("j1", "SH010", deque(maxlen=log_lines), clock=lambda: 0.0)


def test_events_become_messages_with_job_and_shot() -> None:
    t = translator()
    progress = SimpleNamespace(phase="inference", status="Denoising", progress=140, current_step=3, total_steps=8)
    assert t.handle(SimpleNamespace(kind="progress", data=progress)) == [
        Progress("j1", "SH010", phase="inference", status="Denoising", percent=100, current_step=3, total_steps=8)
    ]
    stream = SimpleNamespace(stream="stderr", text="warning: slow  ")
    assert t.handle(SimpleNamespace(kind="stream", data=stream)) == [Log("j1", "SH010", "stderr", "warning: slow")]
    assert t.handle(SimpleNamespace(kind="status", data="Loading model")) == [
        Log("j1", "SH010", "status", "Loading model")
    ]
    assert t.handle(SimpleNamespace(kind="info", data="Saved")) == [Log("j1", "SH010", "info", "Saved")]
    failure = SimpleNamespace(message="CUDA out of memory", stage="generation")
    assert t.handle(SimpleNamespace(kind="error", data=failure)) == [
        Log("j1", "SH010", "stderr", "WanGP error (generation): CUDA out of memory")
    ]
    assert list(t.log_tail) == ["[stderr] warning: slow", "[status] Loading model", "[info] Saved",
                                "[stderr] WanGP error (generation): CUDA out of memory"]


def test_events_without_user_value_are_dropped() -> None:
    t = translator()
    for kind, data in [("started", {"tasks": 1}), ("output", None), ("refresh_models", None), ("status", "  "),
                       ("stream", SimpleNamespace(stream="stdout", text="")), ("future_kind", 1)]:
        assert t.handle(SimpleNamespace(kind=kind, data=data)) == []
    assert t.result is None
    done = result(True, files=["/a.mp4"])
    assert t.handle(SimpleNamespace(kind="completed", data=done)) == [] and t.result is done


def test_a_preview_without_an_image_is_progress_only() -> None:
    data = SimpleNamespace(image=None, phase="inference", status="", progress=50, current_step=1, total_steps=2)
    assert [m.kind for m in translator().handle(SimpleNamespace(kind="preview", data=data))] == ["progress"]


def test_log_tail_is_bounded() -> None:
    t = translator(log_lines=3)
    for i in range(10):
        t.handle(SimpleNamespace(kind="status", data=f"line {i}"))
    assert list(t.log_tail) == ["[status] line 7", "[status] line 8", "[status] line 9"]


def test_wangp_version_is_read_without_importing(tmp_path: Path) -> None:
    (tmp_path / "wgp.py").write_text('import torch\nWanGP_version = "12.60"\n', encoding="utf-8")
    assert wangp_version(str(tmp_path)) == "12.60"
    assert wangp_version(str(tmp_path / "missing")) == ""


def test_vram_is_zero_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # makes "import torch" fail
    assert vram_gb() == 0.0


def fake_torch(available: bool, total_memory: int = 0) -> SimpleNamespace:
    device = SimpleNamespace(total_memory=total_memory)
    return SimpleNamespace(cuda=SimpleNamespace(is_available=lambda: available, get_device_properties=lambda i: device))


def test_vram_from_torch_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", fake_torch(True, 24 * 1024**3))
    assert vram_gb() == 24.0
    monkeypatch.setitem(sys.modules, "torch", fake_torch(False))
    assert vram_gb() == 0.0
