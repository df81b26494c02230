"""What a job needs from a farm worker: the GPU memory its model's quality tiers are written for."""

from __future__ import annotations

from ..catalog import ALIASES
from ..spec import QUALITY_TIERS
from ..toolkit import tiers

#: Each VRAM class, smallest first: (a memory size inside it, the least memory of the class).
#: See ``tiers.vram_class``: light below 8 GB, mid 8 to 16 GB, large above.
CLASSES = ((4.0, 0.0), (12.0, 8.0), (24.0, 16.5))


def min_vram_gb(model_type: str) -> float:
    """The least VRAM of the smallest class whose tiers offer ``model_type`` (0 when no tier names it).

    A model the tiers only offer to large GPUs must not be sent to a 12 GB worker: the farm's
    dispatcher keeps such a shot for a worker that has the memory.
    """
    resolved = ALIASES.get(model_type, model_type)
    for probe_gb, floor_gb in CLASSES:
        for family in tiers.families():
            for quality in QUALITY_TIERS:
                for image in (False, True):
                    plan = tiers.tier_plan(family, quality, probe_gb, image=image)
                    if any(c.model_type == resolved for c in plan.candidates):
                        return floor_gb
    return 0.0
