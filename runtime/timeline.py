"""A shot's take on the sequencer: one movie strip (plus its sound) at the shot's first frame.

Strips are found by their ``md_shot_key`` custom property, never by name, so renaming a shot or a
strip does not orphan it. Clips come from the host already at the scene's frame rate (see
``wangp_backend/conform.py``), so a strip needs no retiming; nothing here calls ``bpy.ops`` (an
operator makes Blender update the whole view layer, a cost that grows with the scene). Where strips
go, and how the user's strips and edits are left alone, is :mod:`placement`. Strip edits wait while
a render or a save owns the data (see :func:`blocked`).
"""

from __future__ import annotations

import os
from typing import Any

import bpy

from .. import compat
from . import guide_strips, keys, log, paths, placement

CHANNEL_NAME = "Movie Director"
AUDIO_CHANNEL_NAME = "Movie Director Audio"

_saving = False
#: shot_key -> take index to show once the sequencer may be edited again
_waiting: dict[str, int] = {}


class TimelineError(Exception):
    """The take cannot be placed (its clip is missing); the message says which file."""


def set_saving(flag: bool) -> None:
    global _saving
    _saving = flag


def blocked() -> bool:
    """True while a render or a save owns the scene data: editing strips then is unsafe."""
    return _saving or compat.render_running()


def scene_fps(scene: bpy.types.Scene) -> float:
    return scene.render.fps / (scene.render.fps_base or 1.0)


def shot_strips(scene: bpy.types.Scene, shot_key: str) -> list[Any]:
    editor = scene.sequence_editor
    if editor is None:
        return []
    return [s for s in compat.strips(editor) if s.get("md_shot_key") == shot_key]


def shot_strip(scene: bpy.types.Scene, shot_key: str) -> Any | None:
    """The shot's movie strip (its take, not its guide), or None."""
    for strip in shot_strips(scene, shot_key):
        if strip.type == "MOVIE" and not guide_strips.is_guide(strip):
            return strip
    return None


def _tag(strip: Any, shot_key: str, shot_id: str, take_index: int) -> None:
    strip["md_shot_key"] = shot_key
    strip["md_shot_id"] = shot_id
    strip["md_take"] = take_index


def _shot_sound(scene: bpy.types.Scene, shot_key: str) -> Any | None:
    for strip in shot_strips(scene, shot_key):
        if strip.type == "SOUND":
            return strip
    return None


def _name_channel(editor: Any, channel: int, name: str) -> None:
    """Name a channel the add-on uses, unless the user named it (only Blender's default name or ours change)."""
    channels = getattr(editor, "channels", None)
    if channels is None or channel >= len(channels):
        return
    current = channels[channel].name
    if current != name and current in (f"Channel {channel}", CHANNEL_NAME, AUDIO_CHANNEL_NAME):
        channels[channel].name = name


def _note_channel(obj: bpy.types.Object, what: str, wanted: int, channel: int, strip: Any) -> None:
    if channel != wanted:
        log.write(f"{obj.name}: channel {wanted} has other strips over frames {strip.frame_final_start}-"
                  f"{strip.frame_final_end - 1}; the {what} is on channel {channel}")


def _previous_fps(shot: Any, strip: Any, default: float) -> float:
    index = strip.get("md_take")
    if isinstance(index, int) and 0 <= index < len(shot.takes) and shot.takes[index].fps > 0:
        return shot.takes[index].fps
    return default


def _place_movie(scene: bpy.types.Scene, editor: Any, obj: bpy.types.Object, take: Any, path: str,
                 head: int = 0) -> Any:
    """The take's movie strip: the shot's strip with the new clip swapped in, or a new one.

    Nothing reads the strip's ``fps``: that opens the movie file again on the main thread (the take
    knows its rate and picture size). ``head`` timeline frames at the clip's start are hidden (a continued
    take begins with the frames of the take it continues; they stay in the clip as a handle).
    """
    shot = obj.movie_director
    key = keys.shot_key(scene, obj)
    fps = scene_fps(scene)
    first = scene.movie_director.channel
    start, out = shot.frame_start, shot.frame_end + 1
    strip = shot_strip(scene, key)
    width, height = take.width, take.height
    if strip is None:
        strip = compat.new_movie(editor, obj.name, path, first, placement.staging_frame(editor), fit="ORIGINAL")
        if not width or not height:
            width, height = strip.elements[0].orig_width, strip.elements[0].orig_height
        moved = False
    else:
        moved = placement.edited(strip)
        if not placement.renamed(strip) and strip.name != obj.name:
            strip.name = obj.name  # the shot was renamed
            strip[placement.NAMED] = strip.name
        # Keys that made an older, unconformed clip play at real speed would now slow a conformed one.
        reset = len(strip.retiming_keys) > 0 and abs(_previous_fps(shot, strip, fps) - fps) > 1e-3 and abs(
            take.fps - fps) <= 1e-3
        # The clip is swapped in place: effects using the strip, its modifiers, blend and mute stay.
        strip.filepath = path
        if reset:
            strip.retiming_keys.reset()
        if moved:
            placement.keep_in_out(strip, strip.frame_final_start, strip.frame_final_end)
        else:
            placement.to_staging(editor, strip)
    placement.fit(scene, strip, width, height)
    if not moved:
        try:
            channel = placement.settle(editor, strip, start - head, start, out, first)
        except placement.NoFreeChannel as exc:
            compat.remove_strip(editor, strip)
            raise TimelineError(f"{obj.name}: no channel is free for the take ({exc})") from exc
        _note_channel(obj, "take", first, channel, strip)
        _name_channel(editor, strip.channel, CHANNEL_NAME)
        placement.record(strip)
    if take.fps > 0 and abs(take.fps - fps) > 1e-3 and not len(strip.retiming_keys):
        log.write(f"{obj.name}: the clip is at {take.fps:g} fps and plays at the scene's {fps:g} fps "
                  "(it was not conformed when it was made)")
    return strip


def _place_sound(scene: bpy.types.Scene, editor: Any, obj: bpy.types.Object, path: str, movie: Any) -> Any | None:
    """The take's sound under its picture, or where the user put the previous take's sound."""
    key = keys.shot_key(scene, obj)
    old = _shot_sound(scene, key)
    keep = None
    marks: dict[str, Any] = {}
    name = f"{obj.name} Audio"
    if old is not None:
        marks = placement.marks(old)
        if placement.edited(old):
            keep = (old.channel, int(round(old.frame_start)), old.frame_final_start, old.frame_final_end)
        settings = (old.mute, old.volume, old.pan)
        if placement.renamed(old):
            name = old.name
        compat.remove_strip(editor, old)  # a sound strip cannot swap its sound: a new one takes its place
    if not compat.HAS_AUDIO:
        return None
    staging = placement.staging_frame(editor)
    first = movie.channel + 1 if keep is None else keep[0]
    sound = compat.new_sound(editor, name, path, min(first, placement.MAX_CHANNEL), staging)
    if old is not None:
        sound.mute, sound.volume, sound.pan = settings
        placement.restore_marks(sound, marks)
    try:
        if keep is not None:
            channel = placement.settle(editor, sound, keep[1], keep[2], keep[3], keep[0])
        else:
            channel = placement.settle(editor, sound, int(round(movie.frame_start)), movie.frame_final_start,
                                       movie.frame_final_end, first, ignore=(movie,))
    except placement.NoFreeChannel:
        compat.remove_strip(editor, sound)  # never a half-placed strip past the end of the edit
        raise
    if keep is None:
        _note_channel(obj, "take's sound", first, channel, sound)
        _name_channel(editor, channel, AUDIO_CHANNEL_NAME)
        placement.record(sound)
    # else the marks say it is still the user's place: the next take keeps it too
    return sound


def show_take(scene: bpy.types.Scene, obj: bpy.types.Object, take_index: int) -> Any:
    """Put take ``take_index`` of the shot on the timeline in place of the shot's previous take."""
    shot = obj.movie_director
    take = shot.takes[take_index]
    path = bpy.path.abspath(take.filepath)
    if not os.path.isfile(path):
        label = paths.take_label(take.filepath, take_index)
        raise TimelineError(f"The clip of {label} of {obj.name} is missing: {path}")
    key = keys.shot_key(scene, obj)
    _waiting.pop(key, None)  # a placement made now supersedes one still waiting for a render or save
    editor = scene.sequence_editor or scene.sequence_editor_create()
    media = paths.stored(path)  # blend-relative inside the project folder: the project can move
    guide, trim = guide_strips.read_guide(take.sidecar_path) if take.sidecar_path else ({}, 0)
    head = round(trim * scene_fps(scene) / guide["fps"]) if trim and guide.get("fps") else trim
    strip = _place_movie(scene, editor, obj, take, media, head)
    _tag(strip, key, shot.shot_id, take_index)
    guide_strips.replace(scene, editor, shot, key, strip, guide, tag=lambda s: _tag(s, key, shot.shot_id, take_index),
                         log=log.write)
    if take.has_audio:
        try:
            sound = _place_sound(scene, editor, obj, media, strip)
        except placement.NoFreeChannel as exc:
            sound = None
            log.write(f"{obj.name}: the take's sound is not on the timeline: {exc}")
        else:
            if sound is None:
                log.write(f"{obj.name}: this Blender build has no audio support; "
                          "the take's sound is not on the timeline")
        if sound is not None:
            _tag(sound, key, shot.shot_id, take_index)
    else:
        old = _shot_sound(scene, key)
        if old is not None:
            compat.remove_strip(editor, old)
    return strip


def request_show(shot_key: str, take_index: int) -> None:
    """Show a take at the next :func:`flush` that may edit the sequencer (the latest request wins)."""
    _waiting[shot_key] = take_index


def waiting() -> bool:
    """True while a placement waits for a render or save to end."""
    return bool(_waiting)


def flush() -> int:
    """Place the requested takes unless a render or save owns the data; returns how many were placed."""
    if not _waiting or blocked():
        return 0
    placed = 0
    for key, take_index in list(_waiting.items()):
        del _waiting[key]
        scene, obj = keys.find_shot(key)
        if obj is None or take_index >= len(obj.movie_director.takes):
            continue
        try:
            show_take(scene, obj, take_index)
            placed += 1
        except TimelineError as exc:
            log.write(str(exc))
    return placed


def forget() -> None:
    _waiting.clear()
