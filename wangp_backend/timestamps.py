"""The one timestamp format of Movie Director's records (take sidecars, the queue file, the animatic's takes).

UTC with its offset and milliseconds ("2026-11-21T20:19:33.512+00:00"): the strings of one machine or of
several (a farm) sort in time order as they are, and ``datetime.fromisoformat`` reads them back.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    """The current time, as the records store it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")
