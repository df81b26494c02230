"""The scene batches in flight: their run order, their release of jobs, counters and summary.

A batch is built up front (every shot validated, ordered by ``batch.schedule``) and then *released*
to the job queue in that order. A shot that continues the previous shot (start image
``PREVIOUS_SHOT``) can only be queued once that shot's take exists, so release stops at it: jobs
after it wait too, which keeps the scheduled order (and its model loads) exactly. Each end of a job
releases what it unblocked and records the batch (see ``runtime.batch_queue``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import bpy

from ..wangp_backend.batch import BatchSummary, DurationEstimator
from ..wangp_backend.requests import JobRequest
from ..wangp_backend.states import JobOutcome
from . import jobs, keys, log, session, shot_state

#: Item states; ``waiting`` is not queued yet, ``released`` is queued or running.
OPEN_STATES = ("waiting", "released")


@dataclass
class Item:
    """One shot of a batch (mutable: its state follows its job)."""

    shot_key: str
    shot_name: str
    model_type: str
    frames: int
    quality: str = ""
    depends_on: str = ""
    #: the recorded request to submit as is (a resumed batch), else the shot is queued from its data
    request: JobRequest | None = None
    skip_if_unchanged: str = ""
    state: str = "waiting"
    token: str = ""
    reason: str = ""
    #: when its job started on the host (``time.time``), 0 before
    started_at: float = 0.0


@dataclass
class Batch:
    scene_key: str
    items: list[Item]
    #: queues one item (returns the job token or raises ``ValueError`` with the reason it cannot)
    release_fn: Callable[[Item], str]
    summary: BatchSummary = field(default_factory=BatchSummary)
    estimator: DurationEstimator = field(default_factory=DurationEstimator)
    started: float = field(default_factory=time.time)
    last_end: float = field(default_factory=time.time)

    def item(self, shot_key: str) -> Item | None:
        return next((i for i in self.items if i.shot_key == shot_key), None)

    @property
    def open(self) -> bool:
        return any(i.state in OPEN_STATES for i in self.items)


@dataclass(frozen=True)
class BatchView:
    """What the batch panel draws (computed from memory; no I/O)."""

    total: int
    finished: int
    elapsed_s: float
    eta_s: float | None
    #: (shot name, status, shot key) in the batch's order
    rows: tuple[tuple[str, str, str], ...]


_batches: dict[str, Batch] = {}
#: Called after every change of a batch (persistence); set by ``runtime.batch_queue``.
_observers: list[Callable[..., None]] = []


def observe(fn: Callable[..., None]) -> None:
    """``fn(batch, background=...)`` after every change; ``background`` for the pump's periodic saves."""
    if fn not in _observers:
        _observers.append(fn)


#: Batches changed since their last save, and when each was last saved (``time.monotonic``).
_dirty: set[str] = set()
_saved_at: dict[str, float] = {}
#: A running batch is saved at most this often: a save writes every open shot's request, so saving on
#: every job event would cost the main thread O(shots) each time, O(shots²) over a batch.
SAVE_INTERVAL_S = 1.0


def _changed(batch: Batch, now: bool = False, background: bool = False) -> None:
    """Record that ``batch`` changed: saved at once when ``now`` (start, end), else by :func:`save_due`."""
    if not now:
        _dirty.add(batch.scene_key)
        return
    _dirty.discard(batch.scene_key)
    _saved_at[batch.scene_key] = time.monotonic()
    for fn in _observers:
        fn(batch, background=background)


def save_due(force: bool = False) -> None:
    """Save the changed batches whose last save is older than :data:`SAVE_INTERVAL_S` (the pump calls it)."""
    for scene_key in list(_dirty):
        batch = _batches.get(scene_key)
        if batch is None:
            _dirty.discard(scene_key)
        elif force or time.monotonic() - _saved_at.get(scene_key, 0.0) >= SAVE_INTERVAL_S:
            # The pump's periodic saves are written off the main thread; a forced one (file save) now.
            _changed(batch, now=True, background=not force)


def get(scene_key: str) -> Batch | None:
    return _batches.get(scene_key)


def active(scene_key: str) -> bool:
    batch = _batches.get(scene_key)
    return batch is not None and batch.open


def begin(scene: bpy.types.Scene, batch: Batch, skipped: int, estimator: DurationEstimator | None = None) -> None:
    """Start ``batch`` (``skipped`` shots were unchanged) and release its first jobs."""
    if estimator is not None:
        batch.estimator = estimator
    batch.summary = BatchSummary(skipped=skipped)
    _batches[batch.scene_key] = batch
    settings = scene.movie_director
    settings.batch_total = len(batch.items) + skipped
    settings.batch_done = settings.batch_failed = 0
    settings.batch_skipped = skipped
    settings.batch_started = batch.started
    settings.batch_summary = ""
    settings.batch_order = ", ".join(i.shot_name for i in batch.items)
    release(batch)
    _finish_if_over(batch)
    _changed(batch, now=True)


def release(batch: Batch) -> None:
    """Queue the waiting items in order, up to the first one whose dependency has not finished."""
    for item in batch.items:
        if item.state != "waiting":
            continue
        parent = batch.item(item.depends_on) if item.depends_on else None
        if parent is not None and parent.state in OPEN_STATES:
            return
        if parent is not None and parent.state in ("failed", "cancelled"):
            why = f"the previous shot {parent.shot_name} was {parent.state}"
            _end_item(batch, item, parent.state, f"Not generated: {why}")
            continue
        try:
            item.token = batch.release_fn(item)
        except ValueError as exc:
            _end_item(batch, item, "failed", str(exc))
            continue
        item.state = "released"


def _end_item(batch: Batch, item: Item, outcome: str, reason: str) -> None:
    """An item that ended without a job of its own (its dependency failed, or it could not be queued)."""
    item.state, item.reason = JobOutcome(outcome), reason
    _count(batch, item, outcome, reason)
    _scene, obj = keys.find_shot(item.shot_key)
    if obj is not None:
        shot_state.ended_without_job(obj.movie_director, outcome, reason)
    log.write(f"{item.shot_name}: {reason}")


def _count(batch: Batch, item: Item, outcome: str, reason: str) -> None:
    scene = keys.find_scene(batch.scene_key)
    settings = scene.movie_director if scene is not None else None
    if outcome == "done":
        batch.summary.add_generated()
        if settings is not None:
            settings.batch_done += 1
        now = time.time()
        # A job's time is from its start. On a host that runs one job at a time, the last end of another job
        # is the same moment; on one that runs several (a farm) it says nothing about this one.
        started = item.started_at or (batch.last_end if session.capabilities().jobs_at_once == 1 else 0.0)
        if started:
            batch.estimator.record(item.model_type, now - started, item.frames)
        batch.last_end = now
    elif outcome == "failed":
        batch.summary.add_failed(item.shot_name, reason)
        if settings is not None:
            settings.batch_failed += 1
    elif outcome == "skipped":
        batch.summary.add_skipped()
        if settings is not None:
            settings.batch_skipped += 1
    else:
        batch.summary.add_cancelled()
    if outcome != "done":
        batch.last_end = max(batch.last_end, time.time())


def _released(batch: Batch | None, shot_key: str) -> Item | None:
    """The shot's item whose job is out, found by the shot's stable key: the user may rename a shot while
    its item waits (a continuation waiting for its previous shot), and a name would then match nothing."""
    if batch is None:
        return None
    return next((i for i in batch.items if i.shot_key == shot_key and i.state == "released"), None)


def record(kind: str, scene_key: str, shot_key: str, outcome: str, reason: str = "") -> None:
    """A job of a scene batch ended: count it, release what it unblocked, summarise at the end."""
    batch = _batches.get(scene_key)
    if kind != "batch" or batch is None:
        return
    item = _released(batch, shot_key)
    if item is None:
        return
    item.state, item.reason = JobOutcome(outcome), reason
    _count(batch, item, outcome, reason)
    release(batch)
    _finish_if_over(batch)
    _changed(batch)


def started(scene_key: str, shot_key: str) -> None:
    """A job of the batch started on the host: its duration counts from now."""
    item = _released(_batches.get(scene_key), shot_key)
    if item is not None:
        item.started_at = time.time()
    touch(scene_key)


def touch(scene_key: str) -> None:
    """A job of the batch was submitted or started: record it (called by the pump's message handling)."""
    batch = _batches.get(scene_key)
    if batch is not None:
        _changed(batch)


def _finish_if_over(batch: Batch) -> None:
    if batch.open:
        return
    _changed(batch, now=True)  # the record must say at once that nothing is left to resume
    scene = keys.find_scene(batch.scene_key)
    line = batch.summary.line()
    if scene is not None:
        scene.movie_director.batch_summary = line
    log.write(f"Batch of {scene.name if scene else 'a closed scene'} finished: {line}")
    for text in batch.summary.report_lines():
        log.write(f"  {text}")


def status(item: Item, by_token: dict[str, jobs.JobRecord] | None = None) -> str:
    """``waiting``, ``queued``, ``in_progress`` or the outcome, for the panel and the queue file.

    ``by_token``: the submitted jobs by token, when the caller asks for many items (one lookup each
    instead of a scan of every submitted job).
    """
    if item.state == "waiting":
        return "waiting"
    if item.state != "released":
        return item.state
    if by_token is None:
        by_token = {r.token: r for r in jobs.submitted()}
    record_ = by_token.get(item.token)
    return "in_progress" if record_ is not None and jobs.is_started(record_.job_id) else "queued"


def view(scene_key: str) -> BatchView | None:
    batch = _batches.get(scene_key)
    if batch is None:
        return None
    remaining = [(i.model_type, i.frames) for i in batch.items if i.state in OPEN_STATES]
    finished = len(batch.items) - len(remaining)
    by_token = {r.token: r for r in jobs.submitted()}
    rows = tuple((i.shot_name, status(i, by_token), i.shot_key) for i in batch.items)
    eta = batch.estimator.eta(remaining) if remaining else 0.0
    # A host may run several shots at once (a farm): the remaining work is shared by the shots running now.
    running = sum(1 for row in rows if row[1] == "in_progress")
    lanes = max(1, min(running, session.capabilities().jobs_at_once))
    return BatchView(
        total=len(batch.items),
        finished=finished,
        elapsed_s=time.time() - batch.started,
        eta_s=eta / lanes if eta is not None else None,
        rows=rows,
    )


def cancel_all_waiting() -> int:
    """Cancel the waiting items of every batch; returns how many."""
    return sum(cancel_waiting(key) for key in list(_batches))


def cancel_waiting(scene_key: str, shot_key: str = "") -> int:
    """Cancel the batch's items not queued yet (all, or one shot's); returns how many."""
    batch = _batches.get(scene_key)
    if batch is None:
        return 0
    chosen = [i for i in batch.items if i.state == "waiting" and (not shot_key or i.shot_key == shot_key)]
    for item in chosen:
        _end_item(batch, item, "cancelled", "Cancelled by the user")
    if chosen:
        release(batch)
        _finish_if_over(batch)
        _changed(batch)
    return len(chosen)


def forget() -> None:
    """Drop the batches in memory (a file is closing); observers stay until unregister."""
    save_due(force=True)
    _batches.clear()
    _dirty.clear()
    _saved_at.clear()


def stop_observing() -> None:
    _observers.clear()
