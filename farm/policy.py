"""Which queued shot a free worker runs next (a pure function; the dispatcher holds the state).

In order: a shot only this worker can run (the others lack the VRAM), then a shot of the model this
worker already has loaded, then a shot of a model no other worker holds (so two workers do not both
load it), then any shot it can run. Within a group: higher priority first, then the add-on's batch
order (which already groups shots by model and honours continuity).
"""

from __future__ import annotations

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
    held = {other.model for other in others if other.model}
    groups = (
        [shot for shot in runnable if others and not any(fits(other, shot) for other in others)],
        [shot for shot in runnable if worker.model and shot.model_type == worker.model],
        [shot for shot in runnable if shot.model_type not in held],
        runnable,
    )
    group = next(g for g in groups if g)
    return min(group, key=lambda shot: (-shot.priority, shot.order))
