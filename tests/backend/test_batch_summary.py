"""The batch's one-line reports."""

from __future__ import annotations

from wangp_backend.batch import BatchSummary, queue_report


def test_line_and_one_report_line_per_failure():
    summary = BatchSummary()
    for _ in range(3):
        summary.add_generated()
    summary.add_skipped()
    summary.add_skipped()
    summary.add_failed("SH030", "Out of memory: try the Preview quality")
    assert summary.failed == 1
    assert summary.line() == "Generated 3 | Failed 1 | Skipped 2"
    assert summary.report_lines() == ["SH030: Out of memory: try the Preview quality"]


def test_cancelled_shots_are_mentioned_only_when_there_are_some():
    summary = BatchSummary(generated=1)
    summary.add_cancelled()
    summary.add_failed("SH010", "")
    summary.add_failed("SH020", "Model weights missing")
    assert summary.line() == "Generated 1 | Failed 2 | Skipped 0 | Cancelled 1"
    assert summary.report_lines() == ["SH010: no reason given", "SH020: Model weights missing"]


def test_queue_report():
    assert queue_report(12, 3) == "Queued 12 Shots | Skipped 3 Unchanged"
    assert queue_report(1, 0) == "Queued 1 Shot | Skipped 0 Unchanged"
    assert queue_report(0, 5) == "Queued 0 Shots | Skipped 5 Unchanged"
