"""One shot of a scene batch, as the scheduler sees it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BatchItem:
    """A shot to generate in a batch.

    :param shot_key: the shot's stable key (unique within the batch).
    :param shot_name: the name shown to the user (notes and reports).
    :param model_type: the WanGP model the shot runs on; shots sharing it share one model load.
    :param timeline_start: the shot's first frame on the timeline; the order within a model.
    :param settings_hash: :func:`wangp_backend.hashing.settings_hash` of the shot's settings.
    :param depends_on: the ``shot_key`` this shot needs first (its start image is that shot's last
        frame), or ``""``. A key outside the batch is already satisfied (that shot was skipped).
    """

    shot_key: str
    shot_name: str
    model_type: str
    timeline_start: int
    settings_hash: str = ""
    depends_on: str = ""
