"""The layout as the source: what a shot's guide is, and what the guide renderer hands over.

Pinned contract between the Blender side (which renders guides in a background Blender) and the
settings builder (which turns them into WanGP's ``video_guide`` / ``video_prompt_type`` /
``image_refs`` / ``frames_positions`` / ``video_source`` keys). Plain values only, no ``bpy``.
The identifiers are part of the user-facing contract (``Object.movie_director.guide`` etc.).
"""

from __future__ import annotations

from dataclasses import dataclass

#: ``Object.movie_director.guide``
GUIDE_MODES = ("NONE", "DEPTH", "POSE", "DEPTH_POSE", "LINEART", "ANIMATIC")
#: ``Object.movie_director.keyframes``
KEYFRAME_MODES = ("NONE", "FIRST", "FIRST_LAST", "CAMERA_KEYS")


@dataclass(frozen=True)
class GuideTarget:
    """The size, rate and length a guide must be rendered at: what the model really uses
    (block-snapped size, the model's frame grid, the output fps), so WanGP neither squashes nor pads it."""

    width: int
    height: int
    fps: float
    frame_count: int


@dataclass(frozen=True)
class Keyframe:
    """One still injected as an exact frame of the clip.

    :param clip_frame: 0-based index in the generated clip (at ``GuideTarget.fps``), already on
        the model's frame grid; the builder turns it into WanGP's 1-based ``frames_positions``.
    :param path: absolute path of the still (PNG).
    :param blockout: True when it is a Workbench/grey render (the panel warns: a grey still makes a grey clip).
    :param user: True when the user replaced the rendered still with their own image.
    """

    clip_frame: int
    path: str
    blockout: bool = False
    user: bool = False


@dataclass(frozen=True)
class GuideMedia:
    """What the guide renderer made for one shot; every file exists when this is handed over.

    :param mode: one of :data:`GUIDE_MODES`.
    :param control_video: absolute mp4 path of the control video ("" for ``NONE`` / keyframes only).
    :param content_hash: hash of everything that fed the render (animation over the range, poses,
        size, fps, mode); the cache key, and recorded in the take's sidecar.
    """

    mode: str
    target: GuideTarget
    control_video: str = ""
    keyframes: tuple[Keyframe, ...] = ()
    content_hash: str = ""
