"""A take's review (approval, rating, note) kept in its sidecar, so it survives the .blend.

The sidecar is the take's record outside Blender (Recover Takes rebuilds takes from it): the review
goes there too. It is read, merged and replaced in one atomic step, so an interrupted write never
loses the settings that re-make the take.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from . import sidecar_paths
from .atomic import write_json_atomic

#: The sidecar key holding the review.
REVIEW_KEY = "review"
MAX_RATING = 5


@dataclass(frozen=True)
class Review:
    approved: bool = False
    rating: int = 0
    note: str = ""


def read_sidecar(path: str) -> dict[str, Any]:
    """The sidecar's JSON object, its paths absolute; ``OSError``/``ValueError`` when it is missing or not a
    take's record."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a take's record")
    return sidecar_paths.resolve(data, path)


def update_sidecar(path: str, values: dict[str, Any]) -> None:
    """Merge ``values`` into the sidecar at ``path`` and replace it atomically (raises OSError/ValueError)."""
    data = read_sidecar(path)
    data.update(values)
    write_json_atomic(path, sidecar_paths.store(data, path), strict=False)


def write_review(path: str, review: Review) -> None:
    rating = max(0, min(MAX_RATING, int(review.rating)))
    update_sidecar(path, {REVIEW_KEY: asdict(Review(bool(review.approved), rating, str(review.note)))})


def review_of(record: dict[str, Any]) -> Review:
    """The review stored in a sidecar record (defaults for a take never reviewed or an odd value)."""
    raw = record.get(REVIEW_KEY)
    if not isinstance(raw, dict):
        return Review()
    try:
        rating = max(0, min(MAX_RATING, int(raw.get("rating", 0))))
    except (TypeError, ValueError):
        rating = 0
    return Review(bool(raw.get("approved", False)), rating, str(raw.get("note", "")))
