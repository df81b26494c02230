"""A snapshot of one shot as plain values, read from Blender on the main thread.

The Blender side fills a :class:`ShotSpec`; :mod:`wangp_backend.toolkit` turns it into a WanGP
settings dict. Nothing here refers to Blender objects, so the settings logic is unit-testable.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cast_spec import CastMember, DialogueLine
from .guide_spec import GuideMedia

Vec3 = tuple[float, float, float]

QUALITY_TIERS = ("PREVIEW", "STANDARD", "FINAL")
CAMERA_MODES = ("NONE", "MANUAL", "DERIVED")


@dataclass(frozen=True)
class CameraSample:
    """The shot camera at one frame, in world space (Blender units, metres by default).

    ``forward`` is the view direction (the camera's -Z), ``up`` its +Y, ``right`` its +X, all unit
    vectors. ``subject_distance`` is the distance to the nearest object in view, ``None`` if none.
    """

    frame: int
    location: Vec3
    forward: Vec3
    up: Vec3
    right: Vec3
    focal_length_mm: float = 50.0
    sensor_width_mm: float = 36.0
    subject_distance: float | None = None


@dataclass(frozen=True)
class ShotSpec:
    shot_key: str
    shot_name: str
    prompt: str
    negative_prompt: str = ""
    #: template id (file stem in ``templates/``), "" for none
    template: str = ""
    #: PREVIEW | STANDARD | FINAL
    quality: str = "STANDARD"
    #: explicit model type; "" lets the quality tier choose
    model_type: str = ""
    fallback_model_types: tuple[str, ...] = ()
    frame_start: int = 1
    frame_end: int = 81
    scene_fps: float = 24.0
    #: "WxH"; "" lets the template / tier choose
    resolution: str = ""
    #: -1 picks a random seed, which is then recorded so the take can be re-made exactly
    seed: int = -1
    #: 0 lets the tier choose
    steps: int = 0
    #: 0 lets the tier / model choose
    guidance: float = 0.0
    #: NONE | MANUAL | DERIVED
    camera_mode: str = "MANUAL"
    camera_movements: tuple[str, ...] = ()
    camera_samples: tuple[CameraSample, ...] = ()
    #: absolute paths, already resolved or extracted by the Blender side
    start_image: str = ""
    end_image: str = ""
    #: guide_spec.GUIDE_MODES; the guide the layout gives the model
    guide: str = "NONE"
    #: 0-1: how strongly the clip follows the guide (VACE control weight, LTX-2 control strength...)
    guide_strength: float = 1.0
    #: guide_spec.KEYFRAME_MODES
    keyframes: str = "NONE"
    #: the rendered guide files, once the guide renderer made them (None before, or for NONE)
    guide_media: GuideMedia | None = None
    #: absolute path of the previous shot's active take to continue ("" = do not continue)
    continue_from: str = ""
    #: the characters of the shot (seen through its camera, or added/pinned), lead first
    cast: tuple[CastMember, ...] = ()
    #: absolute path of a background/set image sent with ``K`` where the model takes one ("" = none)
    set_image: str = ""
    #: the sound under the shot, one line per speaker (at most two are sent)
    dialogue: tuple[DialogueLine, ...] = ()
    #: the .blend's folder ("" when unsaved): files inside it are fingerprinted by their place in it, so a
    #: project moved as a whole keeps its shots unchanged
    project_folder: str = ""

    @property
    def frame_count(self) -> int:
        return max(1, self.frame_end - self.frame_start + 1)

    @property
    def duration_s(self) -> float:
        return self.frame_count / (self.scene_fps or 24.0)
