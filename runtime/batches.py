"""The scene batches in flight: their counters on the scene (for the panel) and their summary.

The batch issue deepens this (scheduling by model, a queue file that survives a crash); for now a
batch is the scene's shots in timeline order, and its end writes one summary line.
"""

from __future__ import annotations

import time

import bpy

from ..wangp_backend.batch import BatchSummary
from . import jobs, keys, log

_summaries: dict[str, BatchSummary] = {}


def begin(scene: bpy.types.Scene, queued: int, skipped: int, order: list[str]) -> None:
    """A batch of ``queued`` jobs starts (``skipped`` shots were unchanged)."""
    summary = BatchSummary(skipped=skipped)
    _summaries[keys.scene_key(scene)] = summary
    settings = scene.movie_director
    settings.batch_total = queued + skipped
    settings.batch_done = settings.batch_failed = 0
    settings.batch_skipped = skipped
    settings.batch_started = time.time()
    settings.batch_summary = "" if queued else summary.line()
    settings.batch_order = ", ".join(order)


def _running(scene_key: str) -> bool:
    return any(r.kind == "batch" and r.scene_key == scene_key for r in jobs.submitted()) or any(
        p.kind == "batch" and p.scene_key == scene_key for p in jobs.pending()
    )


def record(kind: str, scene_key: str, shot_name: str, outcome: str, reason: str = "") -> None:
    """Count a finished job of a scene batch; the last one writes the batch summary."""
    scene = keys.find_scene(scene_key)
    summary = _summaries.get(scene_key)
    if kind != "batch" or scene is None or summary is None:
        return
    settings = scene.movie_director
    if outcome == "done":
        summary.add_generated()
        settings.batch_done += 1
    elif outcome == "failed":
        summary.add_failed(shot_name, reason)
        settings.batch_failed += 1
    elif outcome == "skipped":
        summary.add_skipped()
        settings.batch_skipped += 1
    else:
        summary.add_cancelled()
    if not _running(scene_key):
        settings.batch_summary = summary.line()
        log.write(f"Batch of {scene.name} finished: {summary.line()}")
        for line in summary.report_lines():
            log.write(f"  {line}")
        del _summaries[scene_key]


def forget() -> None:
    _summaries.clear()
