"""Predict how long generating a clip takes, from how long recent clips took on this machine.

Generation time grows with the frame count and depends on the model, so the estimator keeps, per
model, the most recent (seconds, frames) samples and predicts with their seconds per frame. A
model never measured is predicted from all models' average rate, so a batch ETA exists as soon as
one clip has finished.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from ..logs import get_logger

log = get_logger("batch")

#: Samples kept per model: recent enough to follow a changed machine or settings.
WINDOW = 20
_FORMAT_VERSION = 1


class DurationEstimator:
    def __init__(self) -> None:
        self._samples: dict[str, deque[tuple[float, int]]] = {}

    def record(self, model_type: str, seconds: float, frames: int) -> bool:
        """Remember one finished job; returns False (and keeps nothing) for an unmeasured one.

        A job with no positive duration or frame count (e.g. ``TakeReady.duration_s`` left at 0)
        says nothing about speed, so it is skipped rather than dragging estimates to zero.
        """
        if not model_type or not _positive(seconds) or not _positive(frames):
            log.debug("Duration sample skipped: %r %r s %r frames", model_type, seconds, frames)
            return False
        self._samples.setdefault(model_type, deque(maxlen=WINDOW)).append((float(seconds), int(frames)))
        return True

    def estimate(self, model_type: str, frames: int) -> float | None:
        """Seconds to generate ``frames`` frames with ``model_type``; ``None`` if never measured."""
        rate = _rate(self._samples.get(model_type, ()))
        return None if rate is None else rate * frames

    def eta(self, remaining: Sequence[tuple[str, int]]) -> float | None:
        """Seconds for the remaining ``(model_type, frames)`` jobs; ``None`` before any measurement."""
        overall = _rate([sample for samples in self._samples.values() for sample in samples])
        if overall is None:
            return None
        total = 0.0
        for model_type, frames in remaining:
            rate = _rate(self._samples.get(model_type, ()))
            total += (overall if rate is None else rate) * frames
        return total

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the queue file or a scene property, so estimates survive restarts."""
        return {
            "version": _FORMAT_VERSION,
            "models": {model: [list(sample) for sample in samples] for model, samples in self._samples.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DurationEstimator:
        """Inverse of :meth:`to_dict`; malformed samples (a hand-edited file) are left out."""
        estimator = cls()
        models = data.get("models") if isinstance(data, Mapping) else None
        if not isinstance(models, Mapping):
            return estimator
        for model_type, samples in models.items():
            if not isinstance(samples, list):
                continue
            for sample in samples:
                if isinstance(sample, list) and len(sample) == 2:
                    estimator.record(str(model_type), sample[0], sample[1])
        return estimator


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def _rate(samples: Sequence[tuple[float, int]] | deque[tuple[float, int]]) -> float | None:
    frames = sum(f for _, f in samples)
    return sum(s for s, _ in samples) / frames if frames else None
