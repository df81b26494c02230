"""Read take sidecars: has a shot changed since its take, and which takes exist on disk.

The session host writes ``<take>.json`` beside every clip ``<take>.<ext>`` (see
:mod:`wangp_backend.takes`). A sidecar whose clip is gone is not a usable take: the shot must be
generated again and "Recover Takes" must not offer it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .. import sidecar_paths
from ..logs import get_logger

log = get_logger("batch")

#: The ``schema`` value of a take sidecar.
TAKE_SCHEMA = "movie_director.take/1"
#: Clip extensions looked for beside a sidecar that does not name its clip.
CLIP_EXTENSIONS = (".mp4", ".mkv", ".webm", ".mov", ".avi", ".gif")


def is_unchanged(current_hash: str, sidecar_path: str) -> bool:
    """True when the take's sidecar records ``current_hash`` and its clip is still there.

    Anything else (no sidecar, unreadable or corrupt JSON, another hash, a deleted clip) means
    "generate again", which is the safe answer for a batch that skips unchanged shots.
    """
    if not current_hash or not sidecar_path:
        return False
    record = _read_json_object(sidecar_path)
    return record is not None and record.get("settings_hash") == current_hash and bool(clip_path(sidecar_path, record))


def scan_takes(output_dir: str) -> list[dict[str, Any]]:
    """Every take sidecar under ``output_dir`` whose clip exists, in path order.

    Each dict is the sidecar plus ``sidecar_path`` and ``clip_path`` (absolute); its ``shot_key``
    says which shot it belongs to. Other JSON files (the queue file, WanGP settings) are ignored.
    """
    takes: list[dict[str, Any]] = []
    for folder, dirs, files in os.walk(os.path.abspath(output_dir)):
        dirs.sort()
        for name in sorted(files):
            if not name.lower().endswith(".json"):
                continue
            path = os.path.join(folder, name)
            record = _read_json_object(path)
            if record is None or record.get("schema") != TAKE_SCHEMA:
                continue
            clip = clip_path(path, record)
            if clip:
                takes.append({**sidecar_paths.resolve(record, path), "sidecar_path": path, "clip_path": clip})
            else:
                log.info("Take sidecar %s has no clip beside it; not a take", path)
    return takes


def clip_path(sidecar_path: str, record: dict[str, Any]) -> str:
    """The existing clip of a sidecar, or ``""``: the file the sidecar names, else ``<stem>.<ext>``."""
    folder = os.path.dirname(os.path.abspath(sidecar_path))
    named = record.get("file")
    if isinstance(named, str) and named:
        candidate = os.path.join(folder, os.path.basename(named))
        return candidate if os.path.isfile(candidate) else ""
    stem = os.path.splitext(os.path.abspath(sidecar_path))[0]
    for ext in CLIP_EXTENSIONS:
        if os.path.isfile(stem + ext):
            return stem + ext
    return ""


def _read_json_object(path: str) -> dict[str, Any] | None:
    """The JSON object in ``path``, or ``None`` if it is missing, unreadable or not an object."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: bad UTF-8 or JSON; RecursionError: nesting
        log.warning("Skipped %s: it cannot be read as JSON (%s); the file is left as it is", path, exc)
        return None
    return data if isinstance(data, dict) else None
