"""What the user is told: the "Movie Director Log" text and notices for the next operator report.

WanGP replaces ``sys.stdout`` during jobs, so nothing here prints; lines go to a Text data-block
(readable in the Text Editor, saved with the file) and to ``logging`` on the real stderr.
Notices are things the user must not miss (a take that landed on disk for a deleted shot): the
next operator that reports anything reports them too.
"""

from __future__ import annotations

import logging
import time

import bpy

from ..wangp_backend.logs import get_logger

TEXT_NAME = "Movie Director Log"
#: Lines kept in the Text data-block; older ones are dropped in one go when twice as many piled up.
KEEP_LINES = 2000

_notices: list[str] = []
#: WanGP's lines gathered during one pump tick, written in one go by :func:`flush` (a Text write and
#: a logging call per line cost about 0.1 ms each on the main thread; a tick can bring dozens).
_buffered: list[str] = []


def logger() -> logging.Logger:
    return get_logger("runtime")


def _text() -> bpy.types.Text:
    text = bpy.data.texts.get(TEXT_NAME)
    if text is None:
        text = bpy.data.texts.new(TEXT_NAME)
    return text


def write(line: str) -> None:
    """Append a time-stamped line at the end of the log text (wherever the user's cursor is)."""
    flush()
    _append([line])


def buffer(line: str) -> None:
    """Queue a line for the next :func:`flush` (the pump flushes at the end of every tick)."""
    _buffered.append(line)


def flush() -> None:
    if _buffered:
        lines = list(_buffered)
        _buffered.clear()
        _append(lines)


def _append(lines: list[str]) -> None:
    text = _text()
    if len(text.lines) > 2 * KEEP_LINES:
        text.from_string("\n".join(body.body for body in text.lines[-KEEP_LINES:]))
    last = len(text.lines) - 1
    # The cursor's character index counts UTF-8 bytes, not Python characters: a count of characters
    # would put it inside a non-Latin shot name and split its bytes.
    text.cursor_set(last, character=len(text.lines[last].body.encode("utf-8")))
    prefix = "" if not text.lines[last].body else "\n"
    stamp = time.strftime("%H:%M:%S")
    text.write(prefix + "\n".join(f"{stamp} {line}" for line in lines))
    logger().info("\n".join(lines))


def notice(line: str) -> None:
    """Log ``line`` and keep it for the next operator report."""
    write(line)
    _notices.append(line)


def take_notices() -> list[str]:
    found = list(_notices)
    _notices.clear()
    return found
