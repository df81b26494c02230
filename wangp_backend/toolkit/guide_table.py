"""Which model takes which guide: ``guides.json`` read together with the live catalog.

The table says how a family takes a guide (letters, LoRAs, strength key, keyframes, block size,
continuation overlap); the catalog says what this install's model really accepts (a control video,
the offered ``video_prompt_type`` letters, start/end images, continuation). A model takes a guide
only when both agree, so a new WanGP family is one table entry, not a code branch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..catalog import ModelInfo

GUIDES_PATH = Path(__file__).with_name("guides.json")

#: How the user-facing guide modes read in messages.
MODE_LABELS = {
    "DEPTH": "depth",
    "POSE": "pose",
    "DEPTH_POSE": "depth and pose",
    "LINEART": "line-art",
    "ANIMATIC": "animatic",
}
KEYFRAME_LABELS = {"FIRST": "a first keyframe", "FIRST_LAST": "first and last keyframes",
                   "CAMERA_KEYS": "keyframes at the camera's keys"}


@dataclass(frozen=True)
class Strength:
    """``guide_strength`` 0..1 mapped linearly onto ``key`` (``at_zero`` .. ``at_full``)."""

    key: str
    at_zero: float
    at_full: float

    def value(self, strength: float) -> float:
        s = min(1.0, max(0.0, float(strength)))
        return round(self.at_zero + (self.at_full - self.at_zero) * s, 3)


@dataclass(frozen=True)
class GuideFamily:
    id: str
    label: str
    base_model_types: tuple[str, ...]
    families: tuple[str, ...]
    model_types: tuple[str, ...]
    block: int
    #: guide mode -> ``video_prompt_type`` letters
    controls: Mapping[str, str]
    #: control letters -> LoRAs to add to ``activated_loras``
    loras: Mapping[str, tuple[str, ...]]
    strength: Strength | None
    #: ``inject`` (positioned frames) or ``start_end`` (start/end images)
    keyframes: str
    continue_overlap: int
    pads_short_control: bool = False
    needs_catalog_choice: bool = False


@lru_cache(maxsize=1)
def _table() -> Mapping[str, Any]:
    with GUIDES_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def guide_families() -> tuple[GuideFamily, ...]:
    """The table's families in preference order (the first that can take a guide is the default)."""
    table = _table()
    found = []
    for family_id in table["preference"]:
        raw = table["families"][family_id]
        strength = raw.get("strength")
        found.append(GuideFamily(
            id=family_id,
            label=str(raw["label"]),
            base_model_types=tuple(raw.get("base_model_types") or ()),
            families=tuple(raw.get("families") or ()),
            model_types=tuple(raw.get("model_types") or ()),
            block=int(raw.get("block") or table["default_block"]),
            controls=dict(raw.get("controls") or {}),
            loras={letters: tuple(urls) for letters, urls in (raw.get("loras") or {}).items()},
            strength=Strength(str(strength["key"]), float(strength["at_zero"]), float(strength["at_full"]))
            if strength else None,
            keyframes=str(raw.get("keyframes") or "start_end"),
            continue_overlap=int(raw.get("continue_overlap") or 1),
            pads_short_control=bool(raw.get("pads_short_control")),
            needs_catalog_choice=bool(raw.get("needs_catalog_choice")),
        ))
    return tuple(found)


def default_tier_family() -> str:
    """The quality-tier family to pick guided models from when the shot's own family has none."""
    return str(_table()["default_tier_family"])


def guide_family(info: ModelInfo) -> GuideFamily | None:
    base = info.base_model_type or info.model_type
    for family in guide_families():
        if base in family.base_model_types or info.model_type in (*family.base_model_types, *family.model_types):
            return family
        if info.family and info.family in family.families:
            return family
    if not info.base_model_type:
        # No catalog record yet: a finetune's type starts with its base type (vace_14B_fusionix).
        for family in guide_families():
            if any(info.model_type.startswith(base + "_") for base in family.base_model_types):
                return family
    return None


def unknown(info: ModelInfo) -> bool:
    """A stand-in record (no catalog read yet): the table alone decides what the model takes."""
    return not info.capabilities and not info.media_inputs


def block_size(info: ModelInfo) -> int:
    """The VAE block WanGP floors the picture size to (16 Wan/VACE, 32 Wan 5B/LTXV, 64 LTX-2)."""
    blocks = _table()["blocks"]
    base = info.base_model_type or info.model_type
    if base in blocks:
        return int(blocks[base])
    family = guide_family(info)
    return family.block if family else int(_table()["default_block"])


def continue_overlap(info: ModelInfo) -> int:
    family = guide_family(info)
    return family.continue_overlap if family else 1


def control_letters(info: ModelInfo, mode: str) -> str:
    """The ``video_prompt_type`` letters ``info`` needs for ``mode``, or "" when it cannot take it."""
    family = guide_family(info)
    letters = family.controls.get(mode, "") if family else ""
    if unknown(info):
        return "" if family is None or family.needs_catalog_choice else letters
    if not letters or not info.accepts_control():
        return ""
    if info.guide_choices:
        if not any(set(choice) == set(letters) for choice in info.guide_choices):
            return ""
    elif family.needs_catalog_choice:
        return ""
    return letters


def injects_keyframes(info: ModelInfo) -> bool:
    """Whether keyframes go in as positioned frames (VACE ``FI``) rather than start/end images."""
    family = guide_family(info)
    if family is None or family.keyframes != "inject":
        return False
    if info.ref_choices:
        return any(set("FI") <= set(choice) for choice in info.ref_choices)
    return info.can("injected_frames") or unknown(info)


def keyframe_problem(info: ModelInfo, keyframes: str) -> str:
    """Why ``info`` cannot take ``keyframes`` ("" when it can)."""
    if keyframes == "NONE" or injects_keyframes(info):
        return ""
    what = KEYFRAME_LABELS.get(keyframes, keyframes)
    if keyframes == "CAMERA_KEYS":
        return f"cannot take {what}"
    roles = ("start", "end") if keyframes == "FIRST_LAST" else ("start",)
    if unknown(info) or all(info.accepts_image(role) for role in roles):
        return ""
    return f"cannot take {what}"


def families_for(mode: str, keyframes: str = "NONE") -> list[str]:
    """Labels of the table's families that take ``mode`` and ``keyframes`` (for messages without a catalog)."""
    return [
        family.label for family in guide_families()
        if (mode in ("", "NONE") or family.controls.get(mode)) and not family.needs_catalog_choice
        and (keyframes != "CAMERA_KEYS" or family.keyframes == "inject")
    ]


def guide_problem(info: ModelInfo, mode: str, keyframes: str = "NONE", continuing: bool = False) -> str:
    """Why ``info`` cannot take this guide, keyframes and continuation ("" when it can all)."""
    if mode not in ("", "NONE") and not control_letters(info, mode):
        return f"cannot follow a {MODE_LABELS.get(mode, mode)} guide"
    problem = keyframe_problem(info, keyframes)
    if problem:
        return problem
    if continuing and not info.accepts_continuation() and not unknown(info):
        return "cannot continue a previous take"
    return ""


# --- the cast and the soundtrack (the table's "cast" section) ---


@dataclass(frozen=True)
class ReferenceFamily:
    """How a family takes reference images of the shot's characters."""

    id: str
    label: str
    base_model_types: tuple[str, ...]
    model_types: tuple[str, ...]
    #: ``video_prompt_type`` letters for people/object references
    letters: str
    #: the letter that makes the first reference a background/set image ("" = none)
    background: str
    #: 0 = any number, 1 = one face
    max_refs: int
    remove_background: int


@dataclass(frozen=True)
class AudioFamily:
    """How a family takes the dialogue under a shot."""

    id: str
    label: str
    base_model_types: tuple[str, ...]
    #: ``audio_prompt_type`` for one speaker, and two speakers in parallel ("" = one only)
    one: str
    two: str
    #: where the speaking character's face goes: ``start`` (image_start), ``ref`` (image_refs) or ""
    face: str
    #: True when the model also runs without audio (LTX-2)
    optional: bool


@lru_cache(maxsize=1)
def reference_families() -> tuple[ReferenceFamily, ...]:
    cast = _table()["cast"]
    return tuple(
        ReferenceFamily(
            id=family_id,
            label=str(raw["label"]),
            base_model_types=tuple(raw.get("base_model_types") or ()),
            model_types=tuple(raw.get("model_types") or ()),
            letters=str(raw.get("letters") or "I"),
            background=str(raw.get("background") or ""),
            max_refs=int(raw.get("max_refs") or 0),
            remove_background=int(raw.get("remove_background") or 0),
        )
        for family_id in cast["reference_preference"]
        for raw in (cast["references"][family_id],)
    )


@lru_cache(maxsize=1)
def audio_families() -> tuple[AudioFamily, ...]:
    cast = _table()["cast"]
    return tuple(
        AudioFamily(
            id=family_id,
            label=str(raw["label"]),
            base_model_types=tuple(raw.get("base_model_types") or ()),
            one=str(raw.get("one") or "A"),
            two=str(raw.get("two") or ""),
            face=str(raw.get("face") or ""),
            optional=bool(raw.get("optional")),
        )
        for family_id in cast["audio_preference"]
        for raw in (cast["audio"][family_id],)
    )


def _matching(info: ModelInfo, families: tuple[Any, ...]) -> Any | None:
    base = info.base_model_type or info.model_type
    for family in families:
        if base in family.base_model_types or info.model_type in getattr(family, "model_types", ()):
            return family
    if not info.base_model_type:
        for family in families:
            if any(info.model_type.startswith(b + "_") for b in family.base_model_types):
                return family
    return None


def reference_family(info: ModelInfo) -> ReferenceFamily | None:
    """The table's reference family of ``info`` when this install's model really takes reference images."""
    family = _matching(info, reference_families())
    if family is None:
        return None
    image = info.media_inputs.get("image") or {}
    takes = image.get("reference") if "reference" in image else info.can("reference_images")
    return family if takes or unknown(info) else None


def audio_family(info: ModelInfo) -> AudioFamily | None:
    """The table's audio family of ``info`` when this install's model really takes audio."""
    family = _matching(info, audio_families())
    if family is None:
        return None
    audio = info.media_inputs.get("audio") or {}
    takes = audio.get("prompt") if "prompt" in audio else info.can("audio_to_video")
    return family if takes or unknown(info) else None


def reference_letters(info: ModelInfo, family: ReferenceFamily, background: bool) -> str:
    """The reference letters to send: the live catalog's offered mode (without positioned frames) when it
    lists them, else the table's; with ``background`` the mode that also takes a set image, if any."""
    wanted = set(family.letters) | (set(family.background) if background and family.background else set())
    if not info.ref_choices:
        return "".join(sorted(wanted, key="KI".find))
    offered = [set(choice) for choice in info.ref_choices if "I" in choice and "F" not in choice]
    for choice in (wanted, set(family.letters)):
        if choice in offered:
            return "".join(sorted(choice, key="KI".find))
    return ""
