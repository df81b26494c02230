"""The closed sets of names a shot, a job, a session and a failure can be in, as string enums.

Each value is the string stored before these enums existed (in .blend files, sidecars, queue files and the bridge's
JSON), so a member compares, hashes, prints and serialises as that string, and old files read back unchanged. What
makes them useful is the check: a message or the shot's writer refuses a value outside its set at once, where a
misspelt string would have shown up much later as a panel offering no fix, or a shot stuck in a state nothing clears.
"""

from __future__ import annotations

import enum

try:
    from enum import StrEnum
except ImportError:  # Python 3.10: the bridge child runs in WanGP's own environment, which may be that old

    class StrEnum(str, enum.Enum):  # type: ignore[no-redef]  # noqa: UP042 (what 3.11's StrEnum is)
        def __str__(self) -> str:
            return str(self.value)


class ShotStatus(StrEnum):
    """A shot's ``generation_status`` (the identifiers of its EnumProperty)."""

    IDLE = "idle"
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: A shot with a job waiting or running: nothing else may queue, unmark or reset it.
BUSY = frozenset({ShotStatus.QUEUED, ShotStatus.IN_PROGRESS})


class JobOutcome(StrEnum):
    """How one job of a shot ended, for the shot, its batch and whoever waits for it."""

    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    #: a batch job whose settings match the active take: not run, its take is current
    SKIPPED = "skipped"


class AttemptResult(StrEnum):
    """``Outcome.kind``: what one WanGP attempt (one model) of a job came to, before fallbacks are decided."""

    SUCCESS = "success"
    CANCELLED = "cancelled"
    FAILED = "failed"


class SessionStatus(StrEnum):
    """``SessionState.state``: ``stopped`` -> ``starting`` -> ``ready`` (or ``failed``) -> ``closing`` -> ``stopped``"""

    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"
    CLOSING = "closing"


class ErrorClass(StrEnum):
    """``Failed.error_class``: what kind of failure it was, which decides the fix a panel offers."""

    OFFLINE_OR_MISSING_WEIGHTS = "offline_or_missing_weights"
    OUT_OF_MEMORY = "out_of_memory"
    VALIDATION = "validation"
    RUNTIME = "runtime"
    ENVIRONMENT = "environment"
    #: the shot's guide could not be rendered
    GUIDE = "guide"

    @classmethod
    def parse(cls, value: object, default: ErrorClass) -> ErrorClass:
        """``value`` as a class, ``default`` for anything else (a class named by a newer farm worker)."""
        try:
            return cls(str(value))
        except ValueError:
            return default
