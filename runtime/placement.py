"""Where a take's strips go on the sequencer, without touching anything the add-on did not make.

Blender never lets two strips overlap on a channel: any strip property set that makes one overlap
shuffles *that* strip to another channel or frame. So a take is never created where it could
overlap: a new strip is made past the end of every strip (free by construction), sized there, then
moved onto the first channel free over its final range at the shot's first frame. User strips are
only ever read.

The add-on records where it put a strip (``md_placed``). A strip that is no longer there, or has
other in/out points, was moved or trimmed by the user: the next take keeps that channel and those
in/out points (the out point moves in when the new clip is shorter). A movie strip is replaced by
swapping its clip in place, so its effects, modifiers, blend mode, opacity, mute and name stay.
Everything here is data-only (no ``bpy.ops``): its cost does not grow with the scene.
"""

from __future__ import annotations

from typing import Any

from .. import compat

#: Blender's highest sequencer channel.
MAX_CHANNEL = 128
#: Custom property with ``[channel, content start, left handle, right handle]`` as placed (see compat's timing).
PLACED = "md_placed"
#: Custom property with the strip name the add-on gave (a different name is the user's).
NAMED = "md_name"
#: Custom property with the ``[scale_x, scale_y]`` the add-on gave (a different scale is the user's).
SCALED = "md_fit"


class NoFreeChannel(Exception):
    """Every channel from the add-on's up is taken over the shot's range."""


def _placement(strip: Any) -> list[int]:
    return [int(strip.channel), int(round(compat.content_start(strip))), int(compat.left_handle(strip)),
            int(compat.right_handle(strip))]


def record(strip: Any) -> None:
    """Remember where the add-on put the strip, and its name unless that is the user's."""
    strip[PLACED] = _placement(strip)
    if not renamed(strip):
        strip[NAMED] = strip.name


def fit(scene: Any, strip: Any, width: int, height: int) -> None:
    """Scale the picture into the scene's frame keeping its aspect (Blender's FIT), unless the user scaled it.

    Strips are made with ``ORIGINAL`` and scaled here: ``FIT`` at creation decodes the first frame on
    the main thread, and a clip swapped into a strip keeps the scale made for the previous clip's size.
    """
    if width <= 0 or height <= 0:
        return
    transform = strip.transform
    given = strip.get(SCALED)
    if given is not None and [round(v, 5) for v in given] != [round(transform.scale_x, 5), round(transform.scale_y, 5)]:
        return  # the user's own scale
    scale = min(scene.render.resolution_x / width, scene.render.resolution_y / height)
    transform.scale_x = transform.scale_y = scale
    strip[SCALED] = [transform.scale_x, transform.scale_y]


def marks(strip: Any) -> dict[str, Any]:
    """The placement marks of a strip about to be replaced, as plain values (they outlive the strip)."""
    found: dict[str, Any] = {}
    if strip.get(PLACED) is not None:
        found[PLACED] = [int(v) for v in strip[PLACED]]
    if strip.get(NAMED) is not None:
        found[NAMED] = str(strip[NAMED])
    return found


def restore_marks(strip: Any, values: dict[str, Any]) -> None:
    for key, value in values.items():
        strip[key] = value


def edited(strip: Any) -> bool:
    """True when the user moved or trimmed the strip since the add-on placed it."""
    placed = strip.get(PLACED)
    return placed is not None and list(placed) != _placement(strip)


def renamed(strip: Any) -> bool:
    given = strip.get(NAMED)
    return given is not None and strip.name != given


def staging_frame(editor: Any) -> int:
    """A frame after every strip: a strip made there overlaps nothing, whatever its length."""
    return max((int(compat.right_handle(s)) for s in compat.strips(editor)), default=1) + 1


class Layout:
    """Where every top-level strip lies, read in one pass and kept up to date by the moves made through it.

    A landing's commit places up to a handful of strips in one tick; each needs the free channels over its
    range and a frame past every strip. Reading every strip again for each would cost a pass over the whole
    edit per strip (about 0.3 ms per 1,000 strips each); a ``Layout`` reads them once. It is good for one
    tick only (the user edits between ticks, and an undo frees the strips).
    """

    def __init__(self, editor: Any) -> None:
        self.editor = editor
        self._spans: dict[int, tuple[int, int, int]] = {
            s.as_pointer(): (int(s.channel), int(compat.left_handle(s)), int(compat.right_handle(s)))
            for s in compat.strips(editor)
        }

    def note(self, strip: Any) -> None:
        """Take the strip's current place (after a change made outside the layout)."""
        self._spans[strip.as_pointer()] = (int(strip.channel), int(compat.left_handle(strip)),
                                           int(compat.right_handle(strip)))

    def forget(self, strip: Any) -> None:
        """The strip is about to be removed."""
        self._spans.pop(strip.as_pointer(), None)

    def staging_frame(self) -> int:
        return max((end for _channel, _start, end in self._spans.values()), default=1) + 1

    def free_channel(self, first: int, start: int, end: int, ignore: tuple[Any, ...] = ()) -> int:
        """The lowest channel from ``first`` with no strip (other than ``ignore``) over frames [start, end)."""
        skip = {s.as_pointer() for s in ignore}
        taken = {channel for pointer, (channel, s_start, s_end) in self._spans.items()
                 if s_start < end and s_end > start and pointer not in skip}
        for channel in range(max(1, first), MAX_CHANNEL + 1):
            if channel not in taken:
                return channel
        raise NoFreeChannel(f"channels {first} to {MAX_CHANNEL} all have strips over frames {start}-{end - 1}")

    def to_staging(self, strip: Any) -> None:
        """Move a strip past every other strip and drop its trims (its whole clip)."""
        compat.set_timing(strip, content_start=self.staging_frame(), left_offset=0, right_offset=0)
        self.note(strip)

    def settle(self, strip: Any, frame_start: int, frame_in: int, frame_out: int, first_channel: int,
               ignore: tuple[Any, ...] = ()) -> int:
        """Move ``strip`` (lying past every strip, untrimmed) to in/out points on the first free channel.

        ``frame_start`` is where the clip's first frame goes; the out point comes in to the clip's end
        when the clip is shorter. Returns the channel; raises :class:`NoFreeChannel`.
        """
        frame_in = max(frame_in, frame_start)
        length = int(compat.content_duration(strip))
        frame_out = min(frame_out, frame_start + length)
        if frame_out <= frame_in:
            frame_in, frame_out = frame_start, frame_start + length
        # Trimmed where it lies (nothing near it), so that it has its final length before it moves.
        compat.set_timing(strip, left_offset=frame_in - frame_start, duration=frame_out - frame_in)
        channel = self.free_channel(first_channel, frame_in, frame_out, ignore=(strip, *ignore))
        strip.channel = channel  # still past every strip: no overlap
        compat.set_timing(strip, content_start=frame_start)  # the range was checked free: nothing to shuffle
        self.note(strip)
        return channel


def keep_in_out(strip: Any, frame_in: int, frame_out: int) -> None:
    """Give a swapped clip the user's in/out points, the out point at the clip's end when it is shorter.

    The strip already covers [frame_in, frame_out) (a swap keeps the range): it only ever shrinks,
    so it never comes over a neighbour.
    """
    clip_end = int(round(compat.content_start(strip))) + int(compat.content_duration(strip))
    if frame_out > clip_end > frame_in:
        compat.set_timing(strip, right_handle=clip_end)
