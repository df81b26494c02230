"""The scene batch without Blender: run order, change detection, the queue file and its reports.

The Blender side collects the scene's shots as :class:`BatchItem`, skips the unchanged ones
(:func:`is_unchanged`), submits in :func:`schedule` order, records pending jobs in a
:class:`QueueFile` so a crash loses nothing, and recovers orphaned clips with :func:`scan_takes`.
"""

from .estimate import DurationEstimator
from .item import BatchItem
from .ordering import model_loads, schedule
from .queue_file import (
    QUEUE_FILE_NAME,
    QueueEntry,
    QueueFile,
    request_from_plain,
    request_to_plain,
)
from .sidecars import TAKE_SCHEMA, clip_path, is_unchanged, scan_takes
from .summary import BatchSummary, queue_report

__all__ = [
    "QUEUE_FILE_NAME",
    "TAKE_SCHEMA",
    "BatchItem",
    "BatchSummary",
    "DurationEstimator",
    "QueueEntry",
    "QueueFile",
    "clip_path",
    "is_unchanged",
    "model_loads",
    "queue_report",
    "request_from_plain",
    "request_to_plain",
    "scan_takes",
    "schedule",
]
