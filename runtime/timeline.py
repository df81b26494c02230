"""A shot's take on the sequencer: one movie strip (plus its sound and guide) at the shot's first frame.

Strips are found by their ``md_shot_key`` custom property, never by name, so renaming a shot or a
strip does not orphan it. Clips come from the host already at the scene's frame rate (see
``wangp_backend/conform.py``), so a strip needs no retiming; nothing here calls ``bpy.ops`` (an
operator makes Blender update the whole view layer, a cost that grows with the scene).

Takes that arrive in the pump land one at a time, one step per tick (:mod:`landing`: each step opens at
most one media file), so the tick in which a take lands stays within a 60 Hz frame; a user's click
(Set Active Take, an undo) lands its take at once. Strip edits wait while a render or a save owns the
data (see :func:`blocked`); a save first finishes the landing under way.
"""

from __future__ import annotations

import time
from typing import Any

import bpy

from .. import compat
from . import keys, landing, log, timer
from .landing import AUDIO_CHANNEL_NAME, CHANNEL_NAME, TimelineError, scene_fps, shot_strip, shot_strips

__all__ = ["AUDIO_CHANNEL_NAME", "CHANNEL_NAME", "TimelineError", "scene_fps", "shot_strip", "shot_strips"]

#: A landing step opens a media file (2-5 ms on an idle machine, 10 and more on a loaded one): it runs in a
#: tick that has used less than this so far, so that the tick stays within one 60 Hz frame (16.7 ms)...
STEP_WITHIN_S = 0.004
#: ...unless it was put off this many ticks in a row (a tick that is always busy must not hold a take back).
MAX_PUT_OFF = 8

_saving = False
#: shot_key -> take index to show once the sequencer may be edited again (the latest request wins)
_waiting: dict[str, int] = {}
#: The landing under way (one at a time), and how many ticks in a row its next step was put off.
_current: landing.Landing | None = None
_put_off = 0
#: Shots the pump landed a take on in this session: after an undo, each one's strip must show its active take.
_landed: set[str] = set()


def set_saving(flag: bool) -> None:
    global _saving
    _saving = flag


def blocked() -> bool:
    """True while a render or a save owns the scene data: editing strips then is unsafe."""
    return _saving or compat.render_running()


def _drop_current(shot_key: str | None = None) -> None:
    """Give up the landing under way (all of it, or only if it is ``shot_key``'s): its pending strips go."""
    global _current
    if _current is not None and (shot_key is None or _current.shot_key == shot_key):
        _current.abandon()
        _current = None


def show_take(scene: bpy.types.Scene, obj: bpy.types.Object, take_index: int) -> Any:
    """Put take ``take_index`` of the shot on the timeline now, in place of the shot's previous take."""
    key = keys.shot_key(scene, obj)
    _waiting.pop(key, None)  # a placement made now supersedes one still waiting for a render or save
    _drop_current(key)
    now = landing.Landing(key, take_index)
    now.begin(threaded=False)
    return now.finish()


def request_show(shot_key: str, take_index: int) -> None:
    """Show a take at the next :func:`flush` that may edit the sequencer (the latest request wins)."""
    _drop_current(shot_key)
    _waiting[shot_key] = take_index


def waiting() -> bool:
    """True while a take waits to land or is landing."""
    return bool(_waiting) or _current is not None


def flush(tick_started: float | None = None) -> int:
    """One landing step unless a render or save owns the data; returns 1 when Blender data changed.

    :param tick_started: when the pump's tick began (``time.perf_counter()``); a step that would open a
        file is put off to a later tick when this one has already used :data:`STEP_WITHIN_S`.
    """
    global _current, _put_off
    if blocked() or not waiting():
        return 0
    if _current is None:
        key, take_index = next(iter(_waiting.items()))
        del _waiting[key]
        _current = landing.Landing(key, take_index)
        try:
            _current.begin()  # reads on a worker thread; the next tick makes the first strip
        except TimelineError as exc:
            _current = None
            log.write(str(exc))
        return 0
    if not _current.ready():
        return 0
    if tick_started is not None and time.perf_counter() - tick_started > STEP_WITHIN_S and _put_off < MAX_PUT_OFF:
        _put_off += 1
        return 0
    _put_off = 0
    try:
        done = _current.step()
    except TimelineError as exc:
        done = True
        log.write(str(exc))
    if done:
        _landed.add(_current.shot_key)
        _current = None
    return 1


def finish_all() -> None:
    """Land every waiting take now: a save must not write a half-made landing, a script's wait ends with its
    takes on the timeline. Nothing happens while a render owns the data."""
    global _current
    if compat.render_running():
        return
    while waiting():
        current, _current = _current, None
        try:
            if current is None:
                key = next(iter(_waiting))
                current = landing.Landing(key, _waiting.pop(key))
                current.begin(threaded=False)
            current.finish()
        except TimelineError as exc:
            log.write(str(exc))


def after_undo() -> None:
    """An undo or redo restored other data: the landing under way starts again, strips a landing had made
    without placing them (in the restored state) go, and a shot whose strip shows another take than its
    active one (a state saved mid-landing) gets its active take again."""
    if _current is not None:
        _current.restart()
    interrupted = set(landing.drop_pending())
    shown: dict[str, Any] = {}
    for scene in bpy.data.scenes:
        editor = scene.sequence_editor
        for strip in compat.strips(editor) if editor is not None else ():
            key = strip.get("md_shot_key")
            if key in _landed and strip.type == "MOVIE" and not strip.get(landing.guide_strips.TAG):
                shown[key] = strip.get("md_take")
    for key in _landed | interrupted:
        # A strip that shows another take, or none where a landing was half-way (not where the user deleted it).
        lost = shown.get(key) != _active_take(key) if key in shown else key in interrupted
        _land_again(key, lost)


def drop_pending() -> None:
    """After a file is opened: strips of a landing an autosave caught half-way go, and their take lands again."""
    interrupted = set(landing.drop_pending())
    for key in interrupted:
        _land_again(key, True)
    if interrupted:
        log.write(f"{len(interrupted)} take(s) had not finished landing when the file was saved; they land again")


def _active_take(key: str) -> int | None:
    _scene, obj = keys.find_shot(key)
    if obj is None:
        return None
    shot = obj.movie_director
    return shot.active_take_index if 0 <= shot.active_take_index < len(shot.takes) else None


def _land_again(key: str, lost: bool) -> None:
    index = _active_take(key)
    if index is None:
        _landed.discard(key)
    elif lost and not (_current is not None and _current.shot_key == key):
        _waiting.setdefault(key, index)
        timer.ensure_timer()


def forget() -> None:
    """Before a file is opened, or when the add-on is disabled: the landing under way leaves nothing behind."""
    global _current, _put_off
    current, _current = _current, None
    _put_off = 0
    _waiting.clear()
    _landed.clear()
    landing.stop_reader()  # started again by the next landing
    if current is not None:
        try:
            current.abandon()
        except AttributeError:
            return  # Blender restricts bpy.data while it quits: the pending strips go with the file
