"""The batch's pending jobs on disk, so a crash or a closed Blender loses no queued work.

``<output>/movie_director_queue.json`` lists every job that is queued or running, each with its
full :class:`~wangp_backend.requests.JobRequest` as plain data, so the Blender side can re-submit
it after a restart, plus the duration estimates. It is rewritten atomically on every change; one
Blender at a time is expected to own an output folder (the last writer wins).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..atomic import write_json_atomic
from ..logs import get_logger
from ..requests import JobRequest
from ..timestamps import now_iso
from .estimate import DurationEstimator

log = get_logger("batch")

QUEUE_FILE_NAME = "movie_director_queue.json"
QUEUE_SCHEMA = "movie_director.queue/1"
QUEUE_STATUSES = ("queued", "in_progress")


def request_to_plain(request: JobRequest) -> dict[str, Any]:
    """A JobRequest as JSON data (tuples become lists); raises ``TypeError`` if it cannot be."""
    return json.loads(json.dumps(dataclasses.asdict(request), allow_nan=False))


def request_from_plain(data: Mapping[str, Any]) -> JobRequest:
    """Inverse of :func:`request_to_plain`."""
    return JobRequest(
        shot_key=data["shot_key"],
        settings=dict(data["settings"]),
        take_dir=data["take_dir"],
        take_name=data["take_name"],
        fallbacks=tuple(data.get("fallbacks", ())),
        sidecar_extra=dict(data.get("sidecar_extra", {})),
        operation=str(data.get("operation", "generate")),
        play_fps=float(data.get("play_fps", 0.0)),
    )


@dataclass(frozen=True)
class QueueEntry:
    """One pending job. Identity: blend file, scene, shot and job id together (a host's job ids
    restart with each session, so a job id alone could name another shot's job after a crash).

    :param request: the job's :class:`JobRequest` as plain data (:func:`request_to_plain`).
    """

    shot_key: str
    shot_name: str
    scene_key: str
    blend_file: str
    job_id: str
    status: str
    settings_hash: str
    take_dir: str
    take_name: str
    submitted_at: str = field(default_factory=now_iso)
    request: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in QUEUE_STATUSES:
            raise ValueError(f"Queue entry status must be one of {QUEUE_STATUSES}, got {self.status!r}")

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.blend_file, self.scene_key, self.shot_key, self.job_id)

    def job_request(self) -> JobRequest:
        """The request to submit again after a restart."""
        return request_from_plain(self.request)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QueueEntry:
        """Build from :meth:`to_dict` output; unknown keys (a newer version's) are ignored.

        :raises TypeError, ValueError: if a field is missing or malformed.
        """
        if not isinstance(data, Mapping):
            raise TypeError("queue entry must be an object")
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {name: data[name] for name in names if name in data}
        entry = cls(**kwargs)
        text_fields = [f.name for f in dataclasses.fields(cls) if f.name != "request"]
        if not all(isinstance(getattr(entry, name), str) for name in text_fields):
            raise TypeError("queue entry text fields must be strings")
        if not isinstance(entry.request, dict):
            raise TypeError("queue entry request must be an object")
        if entry.request:
            try:
                request_from_plain(entry.request)
            except (KeyError, TypeError, ValueError) as exc:
                raise TypeError(f"queue entry request is incomplete ({exc!r})") from exc
        return entry


class QueueFile:
    """Load and change the queue file; every change rewrites it atomically.

    A corrupt file (a hand edit; writes are atomic) reads as empty, with a warning naming it; an
    entry that cannot be read is left out, with a warning. Before the next change replaces such a
    file, it is kept beside it as ``movie_director_queue.broken-<time>.json``: what it held may be
    someone's work, so it is never deleted or overwritten.
    """

    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(path)

    @classmethod
    def in_folder(cls, output_dir: str) -> QueueFile:
        return cls(os.path.join(output_dir, QUEUE_FILE_NAME))

    def load(self) -> list[QueueEntry]:
        self._remove_stale_temporaries()  # reading after a crash: what a dead writer left goes first
        entries: list[QueueEntry] = []
        raw_entries = self._read().get("entries", [])
        for raw in raw_entries if isinstance(raw_entries, list) else []:
            try:
                entries.append(QueueEntry.from_dict(raw))
            except (TypeError, ValueError) as exc:
                log.warning("Skipping an unreadable entry of %s: %s", self.path, exc)
        return entries

    def save(self, entries: Iterable[QueueEntry]) -> None:
        document = self._read()
        ours = {"schema": QUEUE_SCHEMA, "entries": [entry.to_dict() for entry in entries]}
        self._write({**document, **ours}, ours)

    def upsert(self, entry: QueueEntry) -> None:
        """Add ``entry``, or replace the entry with the same identity (e.g. queued -> in_progress)."""
        entries = self.load()
        at = next((i for i, old in enumerate(entries) if old.identity == entry.identity), None)
        if at is None:
            entries.append(entry)
        else:
            entries[at] = entry
        self.save(entries)

    def remove(self, key: str, *, scene_key: str = "", blend_file: str = "") -> int:
        """Drop the entries whose shot key or job id is ``key`` (within a scene / blend file when
        given); returns how many were dropped."""
        entries = self.load()
        kept = [
            entry
            for entry in entries
            if key not in (entry.shot_key, entry.job_id)
            or (scene_key and entry.scene_key != scene_key)
            or (blend_file and entry.blend_file != blend_file)
        ]
        if len(kept) != len(entries):
            self.save(kept)
        return len(entries) - len(kept)

    def clear(self) -> None:
        """Drop every entry (the duration estimates stay)."""
        self.save([])

    def load_estimator(self) -> DurationEstimator:
        estimates = self._read().get("estimates", {})
        return DurationEstimator.from_dict(estimates if isinstance(estimates, dict) else {})

    def save_estimator(self, estimator: DurationEstimator) -> None:
        document = self._read()
        ours = {"schema": QUEUE_SCHEMA, "estimates": estimator.to_dict()}
        self._write({"entries": [], **document, **ours}, ours)

    def _write(self, document: dict[str, Any], ours: dict[str, Any]) -> None:
        """Write ``document`` (what the file held, updated with ``ours``)."""
        damaged = self._damaged()
        try:
            json.dumps(document, allow_nan=False)
        except (TypeError, ValueError):
            # The file held a value JSON cannot write back (a hand edit: Infinity): keep it, write ours alone.
            document, damaged = ours, True
        # Serialise ours before the file is moved: a value of ours JSON cannot hold raises here.
        json.dumps(document, allow_nan=False)
        self._remove_stale_temporaries()
        if damaged and os.path.lexists(self.path):
            kept = os.path.join(
                os.path.dirname(self.path), f"movie_director_queue.broken-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.json"
            )
            os.replace(self.path, kept)
            log.warning("Queue file %s could not be read in full; kept it as %s", self.path, kept)
        write_json_atomic(self.path, document)

    def _remove_stale_temporaries(self) -> None:
        """Drop what a writer killed mid-write left (``.<name>.*.tmp``): one Blender owns an output folder,
        and its writes run one at a time on the main thread, so any such file here is a dead writer's."""
        folder, prefix = os.path.dirname(self.path), f".{os.path.basename(self.path)}."
        with contextlib.suppress(OSError):
            for name in os.listdir(folder):
                if name.startswith(prefix) and name.endswith(".tmp"):
                    os.remove(os.path.join(folder, name))
                    log.warning("Removed %s, left by a write that did not finish", os.path.join(folder, name))

    def _damaged(self) -> bool:
        """Whether the file on disk holds something the next write would lose (unreadable, or an entry)."""
        try:
            with open(self.path, encoding="utf-8") as fh:
                document = json.load(fh)
        except FileNotFoundError:
            return False
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            return True
        raw_entries = document.get("entries", []) if isinstance(document, dict) else None
        if not isinstance(raw_entries, list):
            return True
        for raw in raw_entries:
            try:
                QueueEntry.from_dict(raw)
            except (TypeError, ValueError):
                return True
        return False

    def _read(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as fh:
                document = json.load(fh)
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            log.warning("Queue file %s is unreadable (%s); treating it as empty", self.path, exc)
            return {}
        if not isinstance(document, dict):
            log.warning("Queue file %s does not hold an object; treating it as empty", self.path)
            return {}
        return document
