"""Shared helpers of the toolkit tests: the catalog snapshot with faked availability, camera paths.

Imported by the ``test_toolkit_*`` modules (pytest puts this folder on ``sys.path``); it holds no
tests itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from wangp_backend.catalog import ModelCatalog
from wangp_backend.spec import CameraSample
from wangp_backend.toolkit import vec

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO.parent / "shared" / "reference" / "wangp-video-models.json"

needs_snapshot = pytest.mark.skipif(
    not SNAPSHOT.is_file(), reason=f"catalog snapshot {SNAPSHOT} not found (it ships with the shared design docs)"
)

#: Base model types that take an end image as well as a start image. The snapshot has no
#: ``media_inputs`` (``accepts_image`` would then fall back to "start only"); the live catalog derives
#: them from ``image_prompt_types_allowed``: "SEVL" for Wan's i2v class (models/wan/wan_handler.py),
#: "TSEV" for LTX-2; "TSVL" (no end image) for ti2v_2_2 and infinitetalk, "SVL" for multitalk/fantasy.
END_IMAGE_BASES = frozenset({"i2v", "i2v_2_2", "fun_inp", "fun_inp_1.3B", "flf2v_720p"})


def snapshot_records() -> list[dict[str, Any]]:
    with SNAPSHOT.open(encoding="utf-8") as fh:
        return json.load(fh)["models"]


def snapshot_catalog(available: Iterable[str] | None = None, missing: Iterable[str] = ()) -> ModelCatalog:
    """The snapshot with ``availability`` set: all available unless ``available`` names the only ones.

    Image models get ``media_inputs`` the way the live catalog reports them.
    """
    only = set(available) if available is not None else None
    absent = set(missing)
    records = []
    for record in snapshot_records():
        record = dict(record)
        model_type = record["model_type"]
        on = (only is None or model_type in only) and model_type not in absent
        record["availability"] = {"status": "available" if on else "missing", "available": on}
        if record["capabilities"].get("image_to_video"):
            end = record["base_model_type"] in END_IMAGE_BASES or record["family"] == "ltx2"
            record["media_inputs"] = {"image": {"start": True, "end": end}}
        records.append(record)
    return ModelCatalog.from_records(records)


def look_at(
    frame: int,
    location: vec.Vec3,
    target: vec.Vec3,
    focal_length_mm: float = 50.0,
    subject_distance: float | None = None,
    roll_deg: float = 0.0,
) -> CameraSample:
    """A level camera at ``location`` aimed at ``target`` (Z up), optionally rolled about its view."""
    forward = vec.normalized(vec.sub(target, location))
    right = vec.normalized(vec.cross(forward, (0.0, 0.0, 1.0)))
    up = vec.cross(right, forward)
    if roll_deg:
        a = math.radians(roll_deg)
        right, up = (
            vec.add(vec.scale(right, math.cos(a)), vec.scale(up, math.sin(a))),
            vec.sub(vec.scale(up, math.cos(a)), vec.scale(right, math.sin(a))),
        )
    distance = subject_distance if subject_distance is not None else vec.length(vec.sub(target, location))
    return CameraSample(
        frame=frame,
        location=location,
        forward=forward,
        up=up,
        right=right,
        focal_length_mm=focal_length_mm,
        subject_distance=distance,
    )


def camera_path(make: Callable[[int, float], CameraSample], count: int = 97) -> tuple[CameraSample, ...]:
    """``count`` samples, one per frame from 1; ``make(frame, t)`` with ``t`` going 0 -> 1."""
    return tuple(make(i + 1, i / (count - 1)) for i in range(count))


def lerp(a: vec.Vec3, b: vec.Vec3, t: float) -> vec.Vec3:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def said(sentences: Iterable[str]) -> list[dict[str, Any]]:
    """Which sentences a build or a validation said, by kind and facts (``wording.Said``), not by their
    words: the words are pinned once, in ``test_wording.py``. JSON-shaped, as the golden files store them."""
    return json.loads(json.dumps([{"kind": getattr(s, "kind", ""), **getattr(s, "facts", {})} for s in sentences]))


def kinds(sentences: Iterable[str]) -> list[str]:
    """The kinds of the sentences, in order (``wording.Said.kind``)."""
    return [getattr(s, "kind", "") for s in sentences]
