"""The jobs this Blender session asked for, from the click until their last message.

A job is *pending* from the click until the session is ready to take it (WanGP may still be
loading, and the model choice waits for its catalog), then *submitted* under the host's job id.
Every job remembers the file it was made for (``file_token``): after another file is opened its
messages must not write into the new file.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from ..wangp_backend.requests import JobRequest
from ..wangp_backend.states import JobOutcome

_file_token = itertools.count(1)
_current_file_token = next(_file_token)
_pending: list["PendingJob"] = []
_submitted: dict[str, "JobRecord"] = {}
_started: set[str] = set()
_finished_tokens: dict[str, JobOutcome] = {}


@dataclass(frozen=True)
class PendingJob:
    """A job waiting for the session: the shot as read at the click, settings built later.

    :param snapshot: a :class:`runtime.snapshot.Snapshot` (the ShotSpec plus its resolved inputs).
    :param skip_if_unchanged: the active take's sidecar path when the job is to be skipped if the
        settings built with the live catalog hash the same as that take (batch ``only_changed``).
    :param request: a recorded request (a resumed batch), submitted as it is instead of one built
        from ``snapshot`` (which is then None).
    """

    token: str
    shot_key: str
    scene_key: str
    file_token: int
    shot_name: str
    take_dir: str
    take_name: str
    kind: str
    snapshot: Any
    skip_if_unchanged: str = ""
    request: JobRequest | None = None


@dataclass(frozen=True)
class JobRecord:
    """A job the host accepted (``job_id`` is the host's id, ``token`` ours from the click)."""

    job_id: str
    token: str
    shot_key: str
    scene_key: str
    file_token: int
    shot_name: str
    take_dir: str
    take_name: str
    request: JobRequest
    kind: str = "shot"


def file_token() -> int:
    return _current_file_token


def bump_file_token() -> int:
    """A new file is being opened: jobs made for the old one no longer touch Blender data."""
    global _current_file_token
    _current_file_token = next(_file_token)
    return _current_file_token


def add_pending(job: PendingJob) -> None:
    _pending.append(job)


def pending() -> list[PendingJob]:
    return list(_pending)


def drop_pending(token: str) -> PendingJob | None:
    for job in _pending:
        if job.token == token:
            _pending.remove(job)
            return job
    return None


def add_submitted(record: JobRecord) -> None:
    _submitted[record.job_id] = record


def get(job_id: str) -> JobRecord | None:
    return _submitted.get(job_id)


def submitted() -> list[JobRecord]:
    return list(_submitted.values())


def mark_started(job_id: str) -> None:
    _started.add(job_id)


def is_started(job_id: str) -> bool:
    return job_id in _started


def finish(job_id: str, outcome: str) -> JobRecord | None:
    """Forget a submitted job after its terminal message; ``outcome`` (a :class:`JobOutcome`) is kept for waiters."""
    outcome = JobOutcome(outcome)
    record = _submitted.pop(job_id, None)
    _started.discard(job_id)
    if record is not None:
        _finished_tokens[record.token] = outcome
    return record


def finish_pending(token: str, outcome: str) -> PendingJob | None:
    outcome = JobOutcome(outcome)
    job = drop_pending(token)
    if job is not None:
        _finished_tokens[token] = outcome
    return job


def outcome(token: str) -> JobOutcome | str:
    """How the job ended (``done``, ``failed``, ``cancelled``, ``skipped``), ``""`` while it has not."""
    return _finished_tokens.get(token, "")


def is_active(token: str) -> bool:
    return any(j.token == token for j in _pending) or any(r.token == token for r in _submitted.values())


def for_shot(shot_key: str) -> tuple[list[PendingJob], list[JobRecord]]:
    return [j for j in _pending if j.shot_key == shot_key], [r for r in _submitted.values() if r.shot_key == shot_key]


def reserved_names(take_dir: str) -> set[str]:
    """Take names promised to jobs that have not delivered yet (two clicks must not share one)."""
    names = {j.take_name for j in _pending if j.take_dir == take_dir}
    return names | {r.take_name for r in _submitted.values() if r.take_dir == take_dir}


def count() -> int:
    return len(_pending) + len(_submitted)


def clear() -> None:
    _pending.clear()
    _submitted.clear()
    _started.clear()
    _finished_tokens.clear()
