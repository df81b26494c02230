"""Blender-version differences (4.2 LTS, 4.5 LTS, 5.0 to 5.3) in one place.

Measured differences (see the project's headless bpy notes): the strips collection is ``sequences``
in 4.2 and ``strips`` from 4.5; ``new_effect`` takes ``seq1/seq2`` in 4.2, ``input1/input2`` from 4.5 and
``length`` instead of ``frame_end`` in 5.0; ``Image.save`` gained ``save_copy`` in 4.5; a new
scene's view layer has no layer collection until synced from 5.1.
"""

from __future__ import annotations

import operator
from typing import Any

import bpy

VERSION: tuple[int, int, int] = tuple(bpy.app.version)  # type: ignore[assignment]

#: The strip base class: ``Sequence`` in 4.2, ``Strip`` from 4.5.
STRIP_TYPE = getattr(bpy.types, "Strip", None) or bpy.types.Sequence


#: Options for path properties that accept "//" (relative to the .blend). Blender 4.5 added the flag and
#: 5.0 warns about "//" values without it; 4.2 rejects the flag but accepts the values.
BLEND_RELATIVE_PATH: set[str] = {"PATH_SUPPORTS_BLEND_RELATIVE"} if VERSION >= (4, 5, 0) else set()


def strips(editor: bpy.types.SequenceEditor) -> Any:
    """The top-level strips collection (``new_movie``, ``new_sound``, ``remove``...)."""
    return editor.strips if hasattr(editor, "strips") else editor.sequences


def all_strips(editor: bpy.types.SequenceEditor) -> Any:
    """Every strip, including those inside meta strips."""
    return editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all


def new_movie(
    editor: bpy.types.SequenceEditor, name: str, filepath: str, channel: int, frame_start: int, fit: str = "FIT"
) -> Any:
    """A movie strip. FIT scales the clip into the scene's render size *as it is now*, keeping its
    aspect (a 832x480 clip fills a 1080p frame); ORIGINAL keeps the clip's pixels one to one."""
    return strips(editor).new_movie(
        name=name, filepath=filepath, channel=channel, frame_start=frame_start, fit_method=fit
    )


#: Whether this build can play sound: the PyPI ``bpy`` 4.2 wheel is built without Audaspace, and its
#: ``new_sound`` raises "Blender compiled without Audaspace support".
HAS_AUDIO: bool = bool(getattr(bpy.app.build_options, "audaspace", True))


def new_sound(editor: bpy.types.SequenceEditor, name: str, filepath: str, channel: int, frame_start: int) -> Any:
    """A sound strip, or None on a build without audio support (the clip still plays, silently)."""
    if not HAS_AUDIO:
        return None
    return strips(editor).new_sound(name=name, filepath=filepath, channel=channel, frame_start=frame_start)


def new_effect(
    editor: bpy.types.SequenceEditor,
    name: str,
    effect_type: str,
    channel: int,
    frame_start: int,
    frame_end: int,
    input1: Any = None,
    input2: Any = None,
) -> Any:
    """``new_effect`` with the argument names of the running version (end frame exclusive)."""
    kwargs: dict[str, Any] = {"name": name, "type": effect_type, "channel": channel, "frame_start": frame_start}
    if VERSION >= (5, 0, 0):
        kwargs["length"] = frame_end - frame_start
    else:
        kwargs["frame_end"] = frame_end
    first, second = ("input1", "input2") if VERSION >= (4, 5, 0) else ("seq1", "seq2")
    if input1 is not None:
        kwargs[first] = input1
    if input2 is not None:
        kwargs[second] = input2
    return strips(editor).new_effect(**kwargs)


def remove_strip(editor: bpy.types.SequenceEditor, strip: Any) -> None:
    strips(editor).remove(strip)


#: A strip's timing, by the names of the running version. 5.1 renamed them (``frame_final_start`` ->
#: ``left_handle``, ``frame_start`` -> ``content_start``...); measured on the 5.2.4 wheel, each read or write
#: of an old name warns "expected to be removed in Blender 6.0" (about 900 warnings a Blender-tier run).
#: Everything the add-on and its tests do with a strip's timing goes through the accessors below.
TIMING_NAMES: dict[str, str] = (
    {"left_handle": "left_handle", "right_handle": "right_handle", "duration": "duration",
     "left_offset": "left_handle_offset", "right_offset": "right_handle_offset",
     "content_start": "content_start", "content_duration": "content_duration"}
    if "left_handle" in STRIP_TYPE.bl_rna.properties else
    {"left_handle": "frame_final_start", "right_handle": "frame_final_end", "duration": "frame_final_duration",
     "left_offset": "frame_offset_start", "right_offset": "frame_offset_end",
     "content_start": "frame_start", "content_duration": "frame_duration"}
)


# The readers are ``attrgetter``s: as cheap as the attribute itself (a landing reads every strip's handles).
#: The first timeline frame the strip shows (``frame_final_start`` before 5.1).
left_handle = operator.attrgetter(TIMING_NAMES["left_handle"])
#: The first timeline frame after the strip (exclusive end; ``frame_final_end`` before 5.1).
right_handle = operator.attrgetter(TIMING_NAMES["right_handle"])
#: Frames shown, between the handles (``frame_final_duration`` before 5.1).
duration = operator.attrgetter(TIMING_NAMES["duration"])
#: Where the content's first frame sits on the timeline, trimmed or not (``frame_start`` before 5.1).
content_start = operator.attrgetter(TIMING_NAMES["content_start"])
#: The content's length before the handles trim it (``frame_duration`` before 5.1).
content_duration = operator.attrgetter(TIMING_NAMES["content_duration"])
#: ``(start, end)`` frames trimmed from the content (``frame_offset_start``/``_end`` before 5.1).
handle_offsets = operator.attrgetter(TIMING_NAMES["left_offset"], TIMING_NAMES["right_offset"])


def set_timing(strip: Any, **values: float) -> None:
    """Set timing by the accessors' names (``left_handle``, ``right_handle``, ``duration``, ``left_offset``,
    ``right_offset``, ``content_start``), in the order given: Blender moves one when another is set."""
    for name, value in values.items():
        setattr(strip, TIMING_NAMES[name], value)


def save_image_copy(image: bpy.types.Image, filepath: str) -> None:
    """Write ``image`` to ``filepath`` as PNG without changing the data-block's own path or format."""
    old_format = image.file_format
    old_path = image.filepath_raw
    image.file_format = "PNG"
    try:
        if VERSION >= (4, 5, 0):
            image.save(filepath=filepath, save_copy=True)
        else:
            # 4.2 has no save_copy: the path and format are restored below instead.
            image.save(filepath=filepath)
    finally:
        image.file_format = old_format
        if image.filepath_raw != old_path:
            image.filepath_raw = old_path


def render_running() -> bool:
    """True while a render job owns the scene data (the sequencer must not be edited then)."""
    return bpy.app.is_job_running("RENDER")
