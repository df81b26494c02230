"""A shot's take on the sequencer: one movie strip (plus its sound) at the shot's first frame.

Strips are found by their ``md_shot_key`` custom property, never by name, so renaming a shot or a
strip does not orphan it. A clip whose fps differs from the scene's is retimed to play at real
speed with the retiming operator; ``retiming_keys.add`` on a fresh strip crashes Blender and
``movie_strip_add`` needs a sequencer area (and crashes 5.0 with an override), so neither is used.
Strip edits wait while a render or a save owns the data (see :func:`blocked`).
"""

from __future__ import annotations

import os
from typing import Any

import bpy

from .. import compat
from . import keys, log, paths

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
    """The shot's movie strip, or None."""
    for strip in shot_strips(scene, shot_key):
        if strip.type == "MOVIE":
            return strip
    return None


def _tag(strip: Any, shot_key: str, shot_id: str, take_index: int) -> None:
    strip["md_shot_key"] = shot_key
    strip["md_shot_id"] = shot_id
    strip["md_take"] = take_index


def _retime(context: bpy.types.Context, scene: bpy.types.Scene, strip: Any, clip_fps: float) -> None:
    """Make a clip at ``clip_fps`` play at real speed in ``scene`` (frames * scene_fps / clip_fps long)."""
    fps = scene_fps(scene)
    if clip_fps <= 0 or abs(clip_fps - fps) < 1e-3:
        return
    editor = scene.sequence_editor
    selected = [s for s in compat.strips(editor) if s.select]
    active = editor.active_strip
    for other in selected:
        other.select = False
    strip.select = True
    editor.active_strip = strip
    try:
        with compat.sequencer_scene(context, scene) as ready:
            if not ready:
                raise RuntimeError(f"the sequencer cannot act on the scene {scene.name} from here")
            bpy.ops.sequencer.retiming_segment_speed_set(speed=100.0 * clip_fps / fps)
    except RuntimeError as exc:
        # The strip stays, at the clip's own frame rate; the user can retime it by hand.
        log.write(f"Could not retime {strip.name} from {clip_fps:g} to {fps:g} fps: {exc}")
    finally:
        strip.select = False
        for other in selected:
            other.select = True
        editor.active_strip = active


def _fit_to_shot(strip: Any, shot: Any, channel: int) -> None:
    """Trim a clip that runs past its shot's last frame, and keep it on the shot's frames and channel.

    Models round frame counts up (Wan makes 4n+1 frames), so a clip is often a frame or two longer
    than its shot: the tail stays in the clip as a handle instead of overlapping the next shot, which
    would make Blender push one of the two strips to another channel.
    """
    length = shot.frame_end - shot.frame_start + 1
    if strip.frame_final_duration > length:
        strip.frame_final_duration = length
    if strip.frame_final_start != shot.frame_start:
        # Blender 5.3 shuffles an overlapping strip back in time instead of up a channel.
        strip.frame_start += shot.frame_start - strip.frame_final_start
    if strip.channel != channel:
        strip.channel = channel  # Blender moved it up while it overlapped; back now that it fits


def _name_channel(editor: Any, channel: int, name: str) -> None:
    channels = getattr(editor, "channels", None)
    if channels is not None and channel < len(channels) and channels[channel].name != name:
        channels[channel].name = name


def remove_shot_strips(scene: bpy.types.Scene, shot_key: str) -> None:
    editor = scene.sequence_editor
    for strip in shot_strips(scene, shot_key):
        compat.remove_strip(editor, strip)


def show_take(scene: bpy.types.Scene, obj: bpy.types.Object, take_index: int) -> Any:
    """Put take ``take_index`` of the shot on the timeline, replacing the shot's previous strips."""
    shot = obj.movie_director
    take = shot.takes[take_index]
    path = bpy.path.abspath(take.filepath)
    if not os.path.isfile(path):
        raise TimelineError(f"The clip of take {take_index + 1} of {obj.name} is missing: {path}")
    key = keys.shot_key(scene, obj)
    _waiting.pop(key, None)  # a placement made now supersedes one still waiting for a render or save
    editor = scene.sequence_editor or scene.sequence_editor_create()
    channel = scene.movie_director.channel
    remove_shot_strips(scene, key)
    media = paths.stored(path)  # blend-relative inside the project folder: the project can move
    strip = compat.new_movie(editor, obj.name, media, channel, shot.frame_start)
    _tag(strip, key, shot.shot_id, take_index)
    _name_channel(editor, channel, CHANNEL_NAME)
    _retime(bpy.context, scene, strip, getattr(strip, "fps", 0.0) or take.fps)
    _fit_to_shot(strip, shot, channel)
    if take.has_audio and channel < 128:
        sound = compat.new_sound(editor, f"{obj.name} Audio", media, channel + 1, shot.frame_start)
        if sound is None:
            log.write(f"{obj.name}: this Blender build has no audio support; the take's sound is not on the timeline")
        else:
            _fit_to_shot(sound, shot, channel + 1)
            _tag(sound, key, shot.shot_id, take_index)
            _name_channel(editor, channel + 1, AUDIO_CHANNEL_NAME)
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
