"""One shot's settings while they are built: the single value every step of the builder reads and adds to.

:func:`~wangp_backend.toolkit.builder.build_settings` runs its steps in one declared order over a
:class:`Draft`; a step reads what earlier steps decided (the template, the model's record, the size...) and
writes its own part. Notes and errors are sentences from :mod:`wangp_backend.wording`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..catalog import ModelCatalog, ModelInfo
from ..guide_spec import GuideTarget
from ..spec import ShotSpec
from .templates import Template, TemplateLibrary
from .tiers import Candidate, TierPlan

#: The record before the model step has chosen one (a shared, frozen placeholder: cheaper than a new one).
NO_MODEL = ModelInfo("")


@dataclass(slots=True)
class Draft:
    """What is known about a shot's settings so far. Steps fill it in order; nothing else writes it."""

    spec: ShotSpec
    catalog: ModelCatalog | None
    templates: TemplateLibrary | None
    vram_gb: float
    template: Template | None = None
    quality: str = "STANDARD"
    #: the shot's own start/end images (``"start"``, ``"end"``)
    image_roles: tuple[str, ...] = ()
    #: True when the shot follows its layout (a guide or keyframes at the camera's keys)
    layout: bool = False
    model_type: str = ""
    fallbacks: tuple[str, ...] = ()
    #: the quality tier's model family ("" for a model no tier lists)
    family: str = ""
    #: the chosen model's record: the catalog's, or a stand-in from the family's frame rules
    model: ModelInfo = NO_MODEL
    #: True when the catalog knows the model (its defaults can be trusted)
    known: bool = False
    #: True for a model that takes keyframes as positioned reference frames (VACE), not start/end images
    injects_keyframes: bool = False
    plan: TierPlan | None = None
    candidate: Candidate | None = None
    #: True for a model with its full step count (not a few-step distilled one)
    full_model: bool = False
    width: int = 0
    height: int = 0
    camera_wording: str = ""
    #: the frame rate the clip plays at
    fps: float = 0.0
    #: the WanGP settings, in the order they are sent
    settings: dict[str, Any] = field(default_factory=dict)
    guide_target: GuideTarget | None = None
    guide_pending: bool = False
    trim_head_frames: int = 0
    #: plain values for the take's sidecar (the guide, the continuation, the cast and dialogue)
    sidecar: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
