"""Quality tiers: which model, steps, resolution and clip length PREVIEW / STANDARD / FINAL mean.

The table is data (``tiers.json`` next to this file) so it can follow WanGP's model list without
code changes. This module reads it and picks, for a family, a tier and the GPU's VRAM class, the
first candidate this install can run; the other runnable candidates become fallbacks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..catalog import ALIASES, ModelCatalog, ModelInfo
from ..spec import QUALITY_TIERS

TIERS_PATH = Path(__file__).with_name("tiers.json")

#: VRAM classes, smallest first; a class may also use every model of the classes before it.
VRAM_CLASSES: tuple[str, ...] = ("light", "mid", "large")
IMAGE_ROLES: tuple[str, ...] = ("start", "end")


@dataclass(frozen=True)
class Candidate:
    """One model a tier may use; ``steps``/``resolution`` override the tier's for this model (0/"" = not)."""

    model_type: str
    steps: int = 0
    resolution: str = ""


@dataclass(frozen=True)
class TierPlan:
    """A tier resolved for one family, VRAM class and kind of shot (text or image)."""

    family: str
    quality: str
    vram_class: str
    resolution: str
    frames_cap: int
    #: steps for full (non-distilled) models; 0 keeps the model's default
    steps: int
    candidates: tuple[Candidate, ...]

    def candidate(self, model_type: str) -> Candidate | None:
        return next((c for c in self.candidates if c.model_type == model_type), None)


@dataclass(frozen=True)
class FrameRules:
    fps: float
    frames_minimum: int
    frames_steps: int
    frames_maximum: int

    def as_model(self, model_type: str, family_label: str = "") -> ModelInfo:
        """A stand-in catalog record for ``model_type`` when no catalog has been read yet."""
        return ModelInfo(
            model_type=model_type,
            family_label=family_label,
            fps=self.fps,
            frames_minimum=self.frames_minimum,
            frames_steps=self.frames_steps,
            frames_maximum=self.frames_maximum,
        )


def vram_class(vram_gb: float) -> str:
    """``light`` below 8 GB, ``mid`` from 8 to 16 GB, ``large`` above; unknown (0) counts as ``mid``."""
    if vram_gb <= 0:
        return "mid"
    if vram_gb < 8:
        return "light"
    return "mid" if vram_gb <= 16 else "large"


@lru_cache(maxsize=1)
def _table() -> Mapping[str, Any]:
    with TIERS_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


def families() -> tuple[str, ...]:
    return tuple(_table()["families"])


def default_family() -> str:
    return str(_table()["default_family"])


def family_label(family: str) -> str:
    return str(_table()["families"][family]["label"])


def frame_rules(family: str, model_type: str = "") -> FrameRules:
    entry = _table()["families"][family]
    rules = (entry.get("model_frame_rules") or {}).get(model_type) or entry["frame_rules"]
    return FrameRules(
        fps=float(rules["fps"]),
        frames_minimum=int(rules["frames_minimum"]),
        frames_steps=int(rules["frames_steps"]),
        frames_maximum=int(rules["frames_maximum"]),
    )


def has_guide_tier(family: str) -> bool:
    """Whether the family's tiers list guide-capable models (``"guide"`` lists) for guided shots."""
    entry = _table()["families"].get(family) or {}
    return any(tier.get("guide") for tier in (entry.get("tiers") or {}).values())


def tier_plan(family: str, quality: str, vram_gb: float = 0, image: bool = False, guide: bool = False) -> TierPlan:
    """The tier's settings and ordered candidates; raises ``ValueError`` for an unknown family or tier.

    ``guide`` plans for a shot that follows its layout: the ``"guide"`` candidates (VACE, LTX-2...).
    """
    return _plan(family, quality, vram_class(vram_gb), image, guide)


@lru_cache(maxsize=256)
def _plan(family: str, quality: str, cls: str, image: bool, guide: bool) -> TierPlan:
    """:func:`tier_plan` of the fixed table, kept: the builder asks for the same few plans for every shot."""
    families_table = _table()["families"]
    if family not in families_table:
        raise ValueError(f"Unknown model family '{family}' (known: {', '.join(families_table)})")
    if quality not in QUALITY_TIERS:
        raise ValueError(f"Unknown quality tier '{quality}' (known: {', '.join(QUALITY_TIERS)})")
    tier = families_table[family]["tiers"][quality]
    kind = "image" if image else "text"
    ordered: list[Candidate] = []
    for level in reversed(VRAM_CLASSES[: VRAM_CLASSES.index(cls) + 1]):
        listed = (tier.get("guide") or {}).get(level) if guide else tier[level][kind]
        for raw in listed or ():
            candidate = _candidate(raw)
            if all(c.model_type != candidate.model_type for c in ordered):
                ordered.append(candidate)
    return TierPlan(
        family=family,
        quality=quality,
        vram_class=cls,
        resolution=str(tier["resolution"]),
        frames_cap=int(tier["frames_cap"]),
        steps=int(tier.get("steps") or 0),
        candidates=tuple(ordered),
    )


def family_of(model_type: str, catalog: ModelCatalog | None = None) -> str:
    """The tier family of a model: the catalog's word, else the family whose table lists it, else ""."""
    info = catalog.get(model_type) if catalog is not None else None
    if info is not None and info.family in families():
        return info.family
    return _families_by_model().get(ALIASES.get(model_type, model_type), "")


@lru_cache(maxsize=1)
def _families_by_model() -> Mapping[str, str]:
    """Every model type the tiers name, in any class or kind of shot, and the first family naming it (built once:
    a Generate Scene click asks it for every shot, three times)."""
    found: dict[str, str] = {}
    for family, entry in _table()["families"].items():
        for tier in entry["tiers"].values():
            for level in VRAM_CLASSES:
                for raw in (*tier[level]["text"], *tier[level]["image"], *(tier.get("guide") or {}).get(level, ())):
                    found.setdefault(_candidate(raw).model_type, family)
    return found


def image_roles(needs_image: str) -> tuple[str, ...]:
    """``"start"``, ``"end"`` or both (``"start+end"``) as a tuple of roles; raises on anything else."""
    roles = tuple(role for role in needs_image.replace(",", "+").split("+") if role)
    unknown = [role for role in roles if role not in IMAGE_ROLES]
    if unknown:
        raise ValueError(f"Unknown image role '{unknown[0]}' (known: start, end)")
    return roles


def choose_model(
    catalog: ModelCatalog | None,
    quality: str,
    family: str = "",
    vram_gb: float = 0,
    needs_image: str = "",
    can_use: Callable[[ModelInfo], bool] | None = None,
    guide: bool = False,
) -> tuple[str, tuple[str, ...]]:
    """``(model_type, fallbacks)`` for a tier on this install.

    The first candidate the catalog reports available wins and the other available ones follow as
    fallbacks. Candidates that cannot take the needed images are skipped unless none can (the
    settings builder then says which models could); likewise for ``can_use`` (a guided or continued
    shot's test). ``guide`` picks from the tier's ``"guide"`` candidates. When nothing is available yet, the first
    candidate the install knows is chosen (WanGP downloads it) with no fallbacks, since falling back
    to another download helps nobody. Without a catalog the table's order is all we have.
    """
    roles = image_roles(needs_image)
    plan = tier_plan(family or default_family(), quality, vram_gb, image=bool(roles), guide=guide)
    types = [c.model_type for c in plan.candidates]
    if not types:
        raise ValueError(f"The {quality} tier of '{plan.family}' lists no models for this kind of shot")
    if catalog is None:
        return types[0], tuple(types[1:])
    known = [info for info in (catalog.get(t) for t in types) if info is not None]
    suitable = [
        info for info in known
        if all(info.accepts_image(role) for role in roles) and (can_use is None or can_use(info))
    ]
    pool = suitable or known
    if not pool:
        return types[0], ()
    available = [info.model_type for info in pool if info.available]
    if available:
        return available[0], tuple(available[1:])
    return pool[0].model_type, ()


def _candidate(raw: str | Mapping[str, Any]) -> Candidate:
    if isinstance(raw, str):
        return Candidate(raw)
    return Candidate(str(raw["model_type"]), int(raw.get("steps") or 0), str(raw.get("resolution") or ""))
