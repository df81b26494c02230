"""Write a JSON file so that a crash or an error never leaves a half-written one."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import Any


def write_json_atomic(path: str, data: Any, *, strict: bool = True) -> None:
    """Replace ``path`` with ``data`` as JSON in one step (temporary file, fsync, ``os.replace``).

    The data is serialised before anything touches the disk. Strictly by default (no NaN, no
    ``default=str``), so a value JSON cannot hold raises ``TypeError``/``ValueError`` and leaves the old
    file as it was. ``strict=False`` writes such values as strings: a take's sidecar must never be
    lost over one odd settings value. A failed write removes its temporary file.
    """
    if strict:
        text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"
    else:
        text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
