"""Which queued shot a free worker runs next (a pure function; the dispatcher holds the state).

In order: a shot only this worker can run (the others lack the VRAM), then a shot of the model this
worker already has loaded; when it must load another model, the model with the most queued shots per
worker holding it, this one included (so a second worker loads a model only when its queue is long
enough to share). Higher priority always first, then the add-on's batch order (which already
groups shots by model and honours continuity).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkerSlot:
    name: str
    vram_gb: float
    #: the model the worker has loaded ("" before its first job)
    model: str = ""


@dataclass(frozen=True)
class QueuedShot:
    job_id: str
    model_type: str
    min_vram_gb: float = 0.0
    priority: int = 0
    #: submission order: (client's sequence, arrival) keeps each add-on's batch order
    order: tuple[int, int] = (0, 0)


def fits(worker: WorkerSlot, shot: QueuedShot) -> bool:
    return worker.vram_gb <= 0 or worker.vram_gb >= shot.min_vram_gb


def pick(worker: WorkerSlot, queued: Sequence[QueuedShot], others: Sequence[WorkerSlot]) -> QueuedShot | None:
    """The shot ``worker`` should run next, or None; ``others`` are the other live workers."""
    runnable = [shot for shot in queued if fits(worker, shot)]
    if not runnable:
        return None
    holders = Counter(other.model for other in others if other.model)
    only_here = [shot for shot in runnable if others and not any(fits(other, shot) for other in others)]
    same_model = [shot for shot in runnable if worker.model and shot.model_type == worker.model]
    for group in (only_here, same_model):
        if group:
            return min(group, key=lambda shot: (-shot.priority, shot.order))
    # A model switch: to where the work is per worker that would hold the model, so loads spread.
    queued = Counter(shot.model_type for shot in runnable)
    return min(runnable, key=lambda shot: (-shot.priority, -queued[shot.model_type] / (1 + holders[shot.model_type]),
                                           shot.order))
