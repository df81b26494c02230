"""One take landing on the timeline, in steps that each fit in a pump tick, all or nothing for the user.

Opening a media file is what a landing costs the main thread: Blender probes it (ffmpeg for a clip,
Audaspace for a sound, the image reader for a still) in ``new_movie``, ``new_sound``, ``new_image`` and
when a strip's ``filepath`` changes: about 2-5 ms each for an 832x480 take on an idle machine, 10 ms and
more on a loaded one, whatever the scene's size. A take can bring four kinds of file (its clip, its
sound, its guide video and keyframe stills), so the pump lands a take in steps, one file per tick:

1. :meth:`Landing.begin`: a worker thread reads the sidecar (the guide, the head frames to hide) and
   reads every file through once, so no later step waits on a cold disk or a network share. No bpy there.
2. One step per new strip (the clip of a shot that has no strip yet, the sound, each guide strip): it is
   made muted past the end of every strip and tagged :data:`PENDING` with the landing's token.
3. The commit, in one tick: the shot's strip gets the new clip (swapped in place, so the user's edits
   stay), every pending strip moves to its place, the old sound and guide strips go, the tags go.

Until the commit nothing in the edit has changed: the pending strips lie muted after its end, and a
render or an export skips muted strips. A save finishes the landing first, an undo starts it again,
and a file load, an unregister or a deleted shot removes its pending strips (:func:`drop_pending`
also clears any an autosave kept), so a half-made landing is never saved, kept or shown. A landing
holds strip names, never strip references: an undo frees the strips. Where strips go, and how the
user's strips and edits are left alone, is :mod:`placement`; nothing here calls ``bpy.ops``.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import uuid
from typing import Any

import bpy

from .. import compat
from . import guide_strips, keys, log, paths, placement

CHANNEL_NAME = "Movie Director"
AUDIO_CHANNEL_NAME = "Movie Director Audio"
#: Custom property of a strip that a landing made and has not placed yet: "<landing token> <shot key>".
PENDING = "md_landing"
#: Seconds a landing waits for its worker's reads before its steps open the files anyway.
READ_WAIT_S = 2.0
_READ_CHUNK = 1 << 20


class TimelineError(Exception):
    """The take cannot be placed (its clip is missing, no channel is free); the message says why."""


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


def drop_pending() -> list[str]:
    """Remove every strip a landing made and did not place (after an undo or a load); returns their shots' keys."""
    shots = []
    for scene in bpy.data.scenes:
        editor = scene.sequence_editor
        if editor is None:
            continue
        for strip in [s for s in compat.strips(editor) if s.get(PENDING)]:
            shots.append(str(strip[PENDING]).partition(" ")[2])
            compat.remove_strip(editor, strip)
    return shots


def _tag(strip: Any, shot_key: str, shot_id: str, take_index: int) -> None:
    strip["md_shot_key"] = shot_key
    strip["md_shot_id"] = shot_id
    strip["md_take"] = take_index


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
        log.write(f"{obj.name}: channel {wanted} has other strips over frames {compat.left_handle(strip)}-"
                  f"{compat.right_handle(strip) - 1}; the {what} is on channel {channel}")


def _previous_fps(shot: Any, strip: Any, default: float) -> float:
    index = strip.get("md_take")
    if isinstance(index, int) and 0 <= index < len(shot.takes) and shot.takes[index].fps > 0:
        return shot.takes[index].fps
    return default


def _read_through(path: str) -> None:
    """Read a file once so that its later opening on the main thread finds it in the OS's cache."""
    try:
        with open(path, "rb") as handle:
            while handle.read(_READ_CHUNK):
                pass
    except OSError:
        return  # a file that cannot be read is reported by the step that opens it, on the main thread


class _Reads:
    """What a landing needs from files before it touches Blender data (plain reads: any thread)."""

    def __init__(self, clip: str, sidecar: str, read_through: bool) -> None:
        self.guide: dict[str, Any] = {}
        self.trim = 0
        self.items: list[tuple[str, str, int]] = []
        self.done = threading.Event()
        self._clip, self._sidecar, self._read_through = clip, sidecar, read_through

    def run(self) -> None:
        try:
            if self._sidecar:
                self.guide, self.trim = guide_strips.read_guide(self._sidecar)
            self.items = guide_strips.items(self.guide) if self.guide else []
            if self._read_through:
                for path in (self._clip, *(path for _kind, path, _frame in self.items)):
                    _read_through(path)
        finally:
            self.done.set()  # even after an error: the steps then work with what was read


#: Reads waiting for the worker thread (one thread for every landing: starting a thread per take would
#: make the main thread wait for the new thread to take the GIL, milliseconds on a busy machine).
_to_read: queue.SimpleQueue[_Reads | None] = queue.SimpleQueue()
_reader: threading.Thread | None = None


def _read_loop() -> None:
    while (reads := _to_read.get()) is not None:
        reads.run()


def _read_later(reads: _Reads) -> None:
    global _reader
    if _reader is None or not _reader.is_alive():
        _reader = threading.Thread(target=_read_loop, name="movie-director-landing-reads", daemon=True)
        _reader.start()
    _to_read.put(reads)


def stop_reader() -> None:
    """End the worker thread once it has read what it was given (the add-on is disabled)."""
    global _reader
    if _reader is not None:
        _to_read.put(None)
        _reader = None


class Landing:
    """Take ``take_index`` of the shot ``shot_key`` on its way to the timeline (see the module's text)."""

    def __init__(self, shot_key: str, take_index: int) -> None:
        self.shot_key, self.take_index = shot_key, take_index
        self.mark = f"{uuid.uuid4().hex[:12]} {shot_key}"
        self._reads: _Reads | None = None
        self._read_by = 0.0
        self._media = ""
        #: The strips still to make, each ``(role, guide item)``; None until planned.
        self._todo: list[tuple[str, tuple[str, str, int] | None]] | None = None
        #: The strips made so far: ``(role, strip name, guide item)``.
        self._made: list[tuple[str, str, tuple[str, str, int] | None]] = []
        self._scene_name = ""
        #: The take's strip once committed (valid until the data changes: read it at once).
        self.placed: Any | None = None

    # -- the steps -----------------------------------------------------------------------------------

    def begin(self, threaded: bool = True) -> None:
        """Check the clip and start reading its files; raises :class:`TimelineError` when the clip is missing."""
        scene, obj, take = self._find()
        if obj is None or take is None:
            self._todo = []
            return
        path = bpy.path.abspath(take.filepath)
        if not os.path.isfile(path):
            label = paths.take_label(take.filepath, self.take_index)
            raise TimelineError(f"The clip of {label} of {obj.name} is missing: {path}")
        self._scene_name = scene.name
        self._media = paths.stored(path)  # blend-relative inside the project folder: the project can move
        sidecar = bpy.path.abspath(take.sidecar_path) if take.sidecar_path else ""
        self._reads = _Reads(path, sidecar, read_through=threaded)
        self._read_by = time.monotonic() + READ_WAIT_S
        if threaded:
            _read_later(self._reads)
        else:
            self._reads.run()

    def ready(self) -> bool:
        """Whether the next step can run (the worker has read the files, or took too long)."""
        return self._reads is None or self._reads.done.is_set() or time.monotonic() >= self._read_by

    def step(self) -> bool:
        """Make one pending strip, or commit; returns True when the landing is over (placed or given up).

        Raises :class:`TimelineError` when the take cannot be placed (nothing of it is left behind).
        """
        if self._reads is None:
            return True  # the shot or its take was gone at the start
        scene, obj, take = self._find()
        if obj is None or take is None:
            self.abandon()  # the shot was deleted, or an undo took its take away: nothing half-made stays
            return True
        editor = scene.sequence_editor or scene.sequence_editor_create()
        made = self._made_strips(editor)
        if made is None:
            # The user deleted, renamed or moved a strip still waiting for its place: start again.
            self.abandon()
            self._todo = None
            made = []
        if self._todo is None:
            self._todo = self._plan(scene, take)
        if self._todo:
            role, item = self._todo.pop(0)
            self._make(scene, editor, obj, role, item)
            return False
        self._commit(scene, editor, obj, take, made)
        return True

    def finish(self) -> Any | None:
        """Run every remaining step now (a save, a script's wait, a user's click); returns the take's strip."""
        if self._reads is not None:
            self._reads.done.wait(max(0.0, self._read_by - time.monotonic()))
        while not self.step():
            pass
        return self.placed

    def restart(self) -> None:
        """After an undo: the strips made so far are gone or belong to the undone state; make them again."""
        self._made = []
        self._todo = None

    def abandon(self) -> None:
        """Remove the strips made so far (the landing does not happen, or starts again)."""
        scene = bpy.data.scenes.get(self._scene_name) if self._scene_name else None
        editor = scene.sequence_editor if scene is not None else None
        if editor is not None:
            collection = compat.strips(editor)
            for _role, name, _item in self._made:
                strip = collection.get(name)
                if strip is not None and strip.get(PENDING) == self.mark:
                    compat.remove_strip(editor, strip)
        self._made = []

    # -- inside the steps ----------------------------------------------------------------------------

    def _find(self) -> tuple[Any, Any, Any]:
        scene, obj = keys.find_shot(self.shot_key)
        if obj is None or not 0 <= self.take_index < len(obj.movie_director.takes):
            return scene, obj, None
        return scene, obj, obj.movie_director.takes[self.take_index]

    def _plan(self, scene: bpy.types.Scene, take: Any) -> list[tuple[str, tuple[str, str, int] | None]]:
        assert self._reads is not None
        todo: list[tuple[str, tuple[str, str, int] | None]] = []
        if shot_strip(scene, self.shot_key) is None:
            todo.append(("movie", None))
        if take.has_audio and compat.HAS_AUDIO:
            todo.append(("sound", None))
        todo.extend(("guide", item) for item in self._reads.items)
        return todo

    def _made_strips(self, editor: Any) -> list[tuple[str, Any, tuple[str, str, int] | None]] | None:
        """The strips made so far, found again by name (None when one is no longer what was made)."""
        collection = compat.strips(editor)
        found = []
        for role, name, item in self._made:
            strip = collection.get(name)
            if strip is None or strip.get(PENDING) != self.mark:
                return None
            found.append((role, strip, item))
        return found

    def _make(self, scene: bpy.types.Scene, editor: Any, obj: bpy.types.Object, role: str,
              item: tuple[str, str, int] | None) -> None:
        """One new strip, muted, past every strip (where nothing can overlap it), tagged as pending."""
        staging = placement.staging_frame(editor)
        first = scene.movie_director.channel
        if role == "movie":
            strip = compat.new_movie(editor, obj.name, self._media, first, staging, fit="ORIGINAL")
            strip.mute = True
        elif role == "sound":
            strip = compat.new_sound(editor, f"{obj.name} Audio", self._media, min(first + 1, placement.MAX_CHANNEL),
                                     staging)
            strip.mute = True
        else:
            assert item is not None
            strip = guide_strips.make(editor, obj.name, item, max(1, first - 1), staging)
        strip[PENDING] = self.mark
        self._made.append((role, strip.name, item))

    def _commit(self, scene: bpy.types.Scene, editor: Any, obj: bpy.types.Object, take: Any,
                made: list[tuple[str, Any, tuple[str, str, int] | None]]) -> None:
        """Put the take and every pending strip in place, in this one tick."""
        assert self._reads is not None
        shot = obj.movie_director
        key = self.shot_key
        guide, trim = self._reads.guide, self._reads.trim
        head = round(trim * scene_fps(scene) / guide["fps"]) if trim and guide.get("fps") else trim
        layout = placement.Layout(editor)
        own = shot_strips(scene, key)
        old_movie = next((s for s in own if s.type == "MOVIE" and not guide_strips.is_guide(s)), None)
        old_sound = next((s for s in own if s.type == "SOUND"), None)
        old_guides = [s for s in own if guide_strips.is_guide(s)]
        new_movie = next((s for role, s, _item in made if role == "movie"), None)
        new_sound = next((s for role, s, _item in made if role == "sound"), None)
        new_guides = [(s, item) for role, s, item in made if role == "guide" and item is not None]
        for _role, strip, _item in made:
            del strip[PENDING]  # from here on each strip is either placed or removed
        if new_movie is not None and old_movie is not None:
            layout.forget(new_movie)  # the shot got a strip meanwhile: the clip goes into it
            compat.remove_strip(editor, new_movie)
            new_movie = None
        try:
            strip = self._place_movie(scene, editor, obj, take, layout, old_movie, new_movie, head)
        except TimelineError:
            for _strip, _item in new_guides:
                compat.remove_strip(editor, _strip)
            if new_sound is not None:
                compat.remove_strip(editor, new_sound)
            self._made = []
            raise
        self._made = []
        tag = lambda s: _tag(s, key, shot.shot_id, self.take_index)  # noqa: E731
        tag(strip)
        self.placed = strip
        guide_strips.commit(scene, editor, shot, old_guides, new_guides, strip, guide, tag=tag, log=log.write,
                            layout=layout)
        if take.has_audio:
            try:
                sound = self._place_sound(editor, obj, strip, layout, old_sound, new_sound)
            except placement.NoFreeChannel as exc:
                sound = None
                log.write(f"{obj.name}: the take's sound is not on the timeline: {exc}")
            else:
                if sound is None:
                    log.write(f"{obj.name}: this Blender build has no audio support; "
                              "the take's sound is not on the timeline")
            if sound is not None:
                tag(sound)
        elif old_sound is not None:
            layout.forget(old_sound)
            compat.remove_strip(editor, old_sound)

    def _place_movie(self, scene: bpy.types.Scene, editor: Any, obj: bpy.types.Object, take: Any,
                     layout: placement.Layout, strip: Any | None, made: Any | None, head: int) -> Any:
        """The take's movie strip: the shot's ``strip`` with the new clip swapped in, or the ``made`` one.

        Nothing reads the strip's ``fps``: that opens the movie file again on the main thread (the take
        knows its rate and picture size). ``head`` timeline frames at the clip's start are hidden (a continued
        take begins with the frames of the take it continues; they stay in the clip as a handle).
        """
        shot = obj.movie_director
        fps = scene_fps(scene)
        first = scene.movie_director.channel
        start, out = shot.frame_start, shot.frame_end + 1
        width, height = take.width, take.height
        if strip is None:
            strip = made
            if strip is None:  # the shot's strip went away since the plan: made here, in this tick
                strip = compat.new_movie(editor, obj.name, self._media, first, layout.staging_frame(), fit="ORIGINAL")
            strip.mute = False
            if not width or not height:
                width, height = strip.elements[0].orig_width, strip.elements[0].orig_height
            layout.to_staging(strip)  # past every strip again, whatever the user did meanwhile
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
            strip.filepath = self._media
            if reset:
                strip.retiming_keys.reset()
            if moved:
                placement.keep_in_out(strip, compat.left_handle(strip), compat.right_handle(strip))
                layout.note(strip)
            else:
                layout.to_staging(strip)
        placement.fit(scene, strip, width, height)
        if not moved:
            try:
                channel = layout.settle(strip, start - head, start, out, first)
            except placement.NoFreeChannel as exc:
                layout.forget(strip)
                compat.remove_strip(editor, strip)
                raise TimelineError(f"{obj.name}: no channel is free for the take ({exc})") from exc
            _note_channel(obj, "take", first, channel, strip)
            _name_channel(editor, strip.channel, CHANNEL_NAME)
            placement.record(strip)
        if take.fps > 0 and abs(take.fps - fps) > 1e-3 and not len(strip.retiming_keys):
            log.write(f"{obj.name}: the clip is at {take.fps:g} fps and plays at the scene's {fps:g} fps "
                      "(it was not conformed when it was made)")
        return strip

    def _place_sound(self, editor: Any, obj: bpy.types.Object, movie: Any, layout: placement.Layout,
                     old: Any | None, made: Any | None) -> Any | None:
        """The take's sound under its picture, or where the user put the previous take's sound."""
        keep = None
        marks: dict[str, Any] = {}
        name = f"{obj.name} Audio"
        settings = (False, 1.0, 0.0)
        if old is not None:
            marks = placement.marks(old)
            if placement.edited(old):
                keep = (old.channel, int(round(compat.content_start(old))), compat.left_handle(old),
                        compat.right_handle(old))
            settings = (old.mute, old.volume, old.pan)
            if placement.renamed(old):
                name = old.name
            layout.forget(old)
            compat.remove_strip(editor, old)  # a sound strip cannot swap its sound: a new one takes its place
        if not compat.HAS_AUDIO:
            return None
        first = movie.channel + 1 if keep is None else keep[0]
        sound = made
        if sound is None:  # not made beforehand (a landing run in one go makes it here)
            sound = compat.new_sound(editor, name, self._media, min(first, placement.MAX_CHANNEL),
                                     layout.staging_frame())
        if sound.name != name:
            sound.name = name  # the old sound is gone: its name is free
        if old is not None:
            sound.volume, sound.pan = settings[1], settings[2]
            placement.restore_marks(sound, marks)
        sound.mute = settings[0]
        layout.to_staging(sound)
        try:
            if keep is not None:
                channel = layout.settle(sound, keep[1], keep[2], keep[3], keep[0])
            else:
                channel = layout.settle(sound, int(round(compat.content_start(movie))), compat.left_handle(movie),
                                        compat.right_handle(movie), first, ignore=(movie,))
        except placement.NoFreeChannel:
            layout.forget(sound)
            compat.remove_strip(editor, sound)  # never a half-placed strip past the end of the edit
            raise
        if keep is None:
            _note_channel(obj, "take's sound", first, channel, sound)
            _name_channel(editor, channel, AUDIO_CHANNEL_NAME)
            placement.record(sound)
        # else the marks say it is still the user's place: the next take keeps it too
        return sound
