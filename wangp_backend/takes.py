"""Put a finished clip into the shot's take folder with its sidecar JSON, never overwriting anything.

Takes are the user's work: a name already used (by an older take, a file the user put there, or a
sidecar left without its clip) is never reused; the next free ``<name>_2``, ``<name>_3``... is taken.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from typing import Any

from . import sidecar_paths
from .atomic import write_json_atomic
from .requests import JobRequest
from .validate import Validated

SIDECAR_SCHEMA = "movie_director.take/1"


def sidecar_path(media_path: str) -> str:
    return os.path.splitext(media_path)[0] + ".json"


def check_take_target(take_dir: str, take_name: str) -> None:
    """Raise ``ValueError`` if a take cannot be filed under this name: checked before generating, not after."""
    if not take_name or os.path.basename(take_name) != take_name or take_name in (".", ".."):
        raise ValueError(f"take name must be a plain file name, got {take_name!r}")
    if not os.path.isabs(take_dir):
        raise ValueError(f"take folder must be an absolute path, got {take_dir!r}")


def place_take(src: str, take_dir: str, take_name: str) -> str:
    """Move ``src`` to ``take_dir/<free stem><ext>`` and return the new absolute path."""
    check_take_target(take_dir, take_name)
    os.makedirs(take_dir, exist_ok=True)
    ext = os.path.splitext(src)[1]
    for n in itertools.count(1):
        dst = os.path.join(take_dir, (take_name if n == 1 else f"{take_name}_{n}") + ext)
        if os.path.lexists(sidecar_path(dst)):
            continue
        try:
            # O_EXCL reserves the name atomically; the move below then replaces only our empty placeholder.
            os.close(os.open(dst, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            continue
        _move_over_placeholder(src, dst)
        return dst


def _move_over_placeholder(src: str, dst: str) -> None:
    try:
        os.replace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            os.remove(dst)
            raise
        # Another drive or file system: copy, then delete the source, so it is still a move.
        try:
            shutil.copyfile(src, dst)
            shutil.copystat(src, dst)
        except OSError:
            # A half-copied clip under a take name would pass for a take; WanGP's file is still whole.
            os.remove(dst)
            raise
        os.remove(src)


def write_sidecar(filepath: str, record: Mapping[str, Any]) -> str:
    """Write a take's sidecar beside its clip (atomically, never failing on an odd value); returns its path."""
    path = sidecar_path(filepath)
    # The files it names move with the project: relative to the sidecar when inside the .blend's folder.
    write_json_atomic(path, sidecar_paths.store(record, path), strict=False)
    return path


def take_record(
    *,
    job_id: str,
    request: JobRequest,
    settings: Mapping[str, Any],
    model_type: str,
    seed: int,
    fps: float,
    frame_count: int,
    width: int,
    height: int,
    has_audio: bool,
    filepath: str,
    settings_hash: str,
    submitted_at: str,
    started_at: str,
    finished_at: str,
    duration_s: float,
    attempts: Sequence[tuple[str, str]],
    wangp_version: str = "",
) -> dict[str, Any]:
    """What a take's sidecar JSON holds, whoever made the clip (WanGP or the layout animatic): enough to
    re-make it exactly, in or outside Blender.

    ``attempts`` lists ``(model_type, error)`` in order; the last one made this take.
    """
    primary_error = attempts[0][1] if len(attempts) > 1 else ""
    record: dict[str, Any] = dict(request.sidecar_extra)
    record.update(
        schema=SIDECAR_SCHEMA,
        file=os.path.basename(filepath),
        job_id=job_id,
        shot_key=request.shot_key,
        settings=dict(settings),
        settings_hash=settings_hash,
        wangp_version=wangp_version,
        model_type=model_type,
        seed=seed,
        fps=fps,
        frame_count=frame_count,
        width=width,
        height=height,
        has_audio=has_audio,
        submitted_at=submitted_at,
        started_at=started_at,
        finished_at=finished_at,
        duration_s=duration_s,
        used_fallback=len(attempts) > 1,
        primary_error=primary_error,
        attempts=[{"model_type": model, "error": error} for model, error in attempts],
    )
    return record


def sidecar_record(
    *,
    job_id: str,
    request: JobRequest,
    validated: Validated,
    wangp_version: str,
    filepath: str,
    settings_hash: str,
    submitted_at: str,
    started_at: str,
    finished_at: str,
    duration_s: float,
    attempts: Sequence[tuple[str, str]],
    wangp_commit: str = "",
) -> dict[str, Any]:
    """A WanGP take's sidecar: :func:`take_record` with the facts of the validated settings."""
    record = take_record(
        job_id=job_id, request=request, settings=validated.settings, model_type=validated.model.model_type,
        seed=validated.seed, fps=validated.fps, frame_count=validated.frame_count, width=validated.width,
        height=validated.height, has_audio="audio" in validated.model.outputs, filepath=filepath,
        settings_hash=settings_hash, submitted_at=submitted_at, started_at=started_at, finished_at=finished_at,
        duration_s=duration_s, attempts=attempts, wangp_version=wangp_version,
    )
    if wangp_commit:  # only a git checkout of WanGP has one
        record["wangp_commit"] = wangp_commit
    return record


def settle_interrupted(take_dir: str, take_name: str, record: Mapping[str, Any]) -> list[str]:
    """Finish or undo the filing of a take that a crash interrupted; returns what was done, one line each.

    Filing is: reserve ``<take_name>[_N].<ext>`` (an empty file), move the clip over it, write the
    sidecar (through a ``.<name>.*.tmp`` file). Killed in between, it leaves an empty placeholder
    (removed: no clip arrived), a clip without its sidecar (given ``record``, rebuilt from the job's
    request, so the finished clip is a take and is not generated twice) or a temporary sidecar (removed).
    """
    if not os.path.isdir(take_dir):
        return []
    ours = re.compile(rf"^{re.escape(take_name)}(?:_\d+)?$")
    done: list[str] = []
    for name in sorted(os.listdir(take_dir)):
        path = os.path.join(take_dir, name)
        stem, ext = os.path.splitext(name)
        if name.startswith(f".{take_name}") and name.endswith(".tmp"):
            os.remove(path)
            done.append(f"removed the half-written sidecar {path}")
        elif ours.match(stem) and ext.lower() != ".json" and not os.path.lexists(sidecar_path(path)):
            if os.path.getsize(path) == 0:
                os.remove(path)
                done.append(f"removed the empty place of a clip that never arrived: {path}")
            else:
                write_sidecar(path, {**record, "file": name})
                done.append(f"wrote the missing sidecar of {path}")
    return done


def interrupted_record(request: JobRequest, job_id: str) -> dict[str, Any]:
    """The sidecar of a clip filed just before a crash, from what the job's request says.

    The resolved seed, timings and clip facts died with the process; ``recovered`` says so.
    """
    settings = request.settings
    record: dict[str, Any] = dict(request.sidecar_extra)
    record.update(
        schema=SIDECAR_SCHEMA, job_id=job_id, shot_key=request.shot_key, settings=dict(settings),
        settings_hash=str(request.sidecar_extra.get("settings_hash", "")),
        model_type=str(settings.get("model_type", "")), seed=settings.get("seed", -1), fps=0, frame_count=0,
        used_fallback=False, primary_error="",
        recovered="Blender stopped after the clip was filed and before its sidecar was written; the seed (if "
                  "random), timings and fallbacks are unknown",
    )
    return record
