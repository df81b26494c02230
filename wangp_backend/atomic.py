"""Write a JSON file so that a crash or an error never leaves a half-written one."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from typing import Any


def write_json_atomic(path: str, data: Any, *, strict: bool = True) -> None:
    """Replace ``path`` with ``data`` as JSON in one step (temporary file, fsync, ``os.replace``).

    The data is serialised before anything touches the disk. Strictly by default (no NaN, no
    ``default=str``), so a value JSON cannot hold raises ``TypeError``/``ValueError`` and leaves the old
    file as it was. ``strict=False`` writes such values as strings: a take's sidecar must never be
    lost over one odd settings value. A failed write removes its temporary file. The file gets the
    permissions of any file the user writes (0666 less the umask), like the clips beside it: a
    ``mkstemp`` file is 0600, and its mode would survive the rename.
    """
    if strict:
        text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"
    else:
        text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    # O_EXCL: a fresh name of our own, never someone else's file; 0o666 lets the umask decide, as open() does.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
