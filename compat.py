"""Blender-version differences (4.2 LTS, 4.5 LTS, 5.x) in one place.

Measured differences (see the project's headless bpy notes): the strips collection is ``sequences``
in 4.2 and ``strips`` from 4.5; ``new_effect`` takes ``seq1/seq2`` in 4.2, ``input1/input2`` from 4.5 and
``length`` instead of ``frame_end`` in 5.0; sequencer operators in 5.0 act on the workspace's
``sequencer_scene`` instead of the context scene; ``Image.save`` gained ``save_copy`` in 4.5.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import bpy

VERSION: tuple[int, int, int] = tuple(bpy.app.version)  # type: ignore[assignment]

#: The strip base class: ``Sequence`` in 4.2, ``Strip`` from 4.5.
STRIP_TYPE = getattr(bpy.types, "Strip", None) or bpy.types.Sequence


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


def new_sound(editor: bpy.types.SequenceEditor, name: str, filepath: str, channel: int, frame_start: int) -> Any:
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


@contextlib.contextmanager
def sequencer_context(context: bpy.types.Context, scene: bpy.types.Scene) -> Iterator[None]:
    """Make ``scene`` the one sequencer operators act on, then put things back.

    Before 5.0 they act on the context scene; 5.0 added the workspace's ``sequencer_scene`` and
    every sequencer operator's poll fails until it is set. A timer callback has no window in its
    context (so no workspace either), so the first window is used then.
    """
    window = context.window or next(iter(context.window_manager.windows), None)
    workspace = window.workspace if window is not None else None
    has_sequencer_scene = workspace is not None and hasattr(workspace, "sequencer_scene")
    previous = workspace.sequencer_scene if has_sequencer_scene else None
    if has_sequencer_scene:
        workspace.sequencer_scene = scene
    override: dict[str, Any] = {"scene": scene}
    if window is not None:
        override["window"] = window
    try:
        with context.temp_override(**override):
            yield
    finally:
        if has_sequencer_scene:
            workspace.sequencer_scene = previous


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

