"""The video-model catalog: what a WanGP install offers, and the frame/resolution rules per model.

Records are plain dicts shaped like ``list_model_metadata(main_output="video",
include_availability=True)`` merged with ``get_model_schema(model_type)["metadata"]`` (the same
shape as ``shared/reference/wangp-video-models.json``), so the catalog crosses threads and processes
as JSON and can be served from the snapshot when no session runs.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Names used by older WanGP guides and settings files, mapped to today's model types.
ALIASES: dict[str, str] = {
    "hunyuan_fast": "hunyuan_t2v_fast",
    "ltxv_13B_distilled": "ltxv_distilled",
    "hunyuan_accvideo": "hunyuan_t2v_accvideo",
    "fantasy_talking": "fantasy",
    "ltxv_0.9.8_13B": "ltxv_13B",
    "ltxv_0.9.8_13B_distilled": "ltxv_distilled",
}


@dataclass(frozen=True)
class ModelInfo:
    model_type: str
    name: str = ""
    family: str = ""
    family_label: str = ""
    base_model_type: str = ""
    fps: float = 16.0
    frames_minimum: int = 5
    frames_steps: int = 4
    frames_maximum: int = 97
    default_resolution: str = "832x480"
    default_video_length: int = 81
    default_num_inference_steps: int = 30
    default_guidance_scale: float = 5.0
    inputs: tuple[str, ...] = ("text",)
    outputs: tuple[str, ...] = ("video",)
    capabilities: tuple[str, ...] = ()
    #: ``{"image": {"start": bool, "end": bool, ...}, "video": {...}, "audio": {...}}``
    media_inputs: Mapping[str, Mapping[str, bool]] = field(default_factory=dict, compare=False)
    #: ``available`` (all files local), ``partial``, ``missing`` or ``unknown`` (no scan made).
    availability: str = "unknown"
    description: str = ""
    #: ``video_prompt_type`` values the live catalog offers for control videos (``setting_values``);
    #: empty when the catalog did not say (the snapshot), which leaves the guide table to decide.
    guide_choices: tuple[str, ...] = ()
    #: ``video_prompt_type`` reference values offered (``"I"``, ``"KI"``, ``"FI"``...); empty = not said
    ref_choices: tuple[str, ...] = ()
    #: the WanGP named preset (``get_model_settings`` id) the defaults come from; "" = factory defaults
    preset: str = ""

    @property
    def available(self) -> bool:
        return self.availability == "available"

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    def accepts_image(self, role: str) -> bool:
        """Whether the model takes an input image in ``role`` (``start`` or ``end``)."""
        image_roles = self.media_inputs.get("image") or {}
        if image_roles:
            return bool(image_roles.get(role))
        # Without media_inputs (older catalogs), image_to_video implies a start image only.
        return role == "start" and self.can("image_to_video")

    def accepts_control(self) -> bool:
        """Whether the model takes a control video (``media_inputs`` first, else the capability)."""
        video = self.media_inputs.get("video") or {}
        if "control" in video:
            return bool(video["control"])
        return self.can("control_video")

    def accepts_continuation(self) -> bool:
        """Whether the model continues a source video (``image_prompt_type`` ``V``)."""
        video = self.media_inputs.get("video") or {}
        if "continue" in video:
            return bool(video["continue"])
        return self.can("video_continuation")

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "ModelInfo":
        availability = record.get("availability")
        if isinstance(availability, Mapping):
            availability = availability.get("status") or ("available" if availability.get("available") else "missing")
        caps = record.get("capabilities") or {}
        if isinstance(caps, Mapping):
            caps = [name for name, on in caps.items() if on]
        return cls(
            model_type=str(record["model_type"]),
            name=str(record.get("name") or record["model_type"]),
            family=str(record.get("family") or ""),
            family_label=str(record.get("family_label") or ""),
            base_model_type=str(record.get("base_model_type") or ""),
            fps=float(record.get("fps") or 16),
            frames_minimum=int(record.get("frames_minimum") or 5),
            frames_steps=int(record.get("frames_steps") or 4),
            frames_maximum=int(record.get("frames_maximum") or 97),
            default_resolution=str(record.get("default_resolution") or "832x480"),
            default_video_length=int(record.get("default_video_length") or 81),
            default_num_inference_steps=int(record.get("default_num_inference_steps") or 30),
            default_guidance_scale=float(record.get("default_guidance_scale") or 5.0),
            inputs=tuple(record.get("inputs") or ("text",)),
            outputs=tuple(record.get("outputs") or ("video",)),
            capabilities=tuple(sorted(caps)),
            media_inputs=dict(record.get("media_inputs") or {}),
            availability=str(availability or "unknown"),
            description=str(record.get("description") or ""),
            guide_choices=_choices(record, "guide_choices", ("guide_preprocessing", "guide_custom_choices")),
            ref_choices=_choices(record, "ref_choices", ("image_ref_choices",)),
            preset=str(record.get("preset") or ""),
        )


def _choices(record: Mapping[str, Any], compact_key: str, groups: tuple[str, ...]) -> tuple[str, ...]:
    """Offered ``video_prompt_type`` values: the compact list :mod:`live_catalog` keeps, or read from
    ``setting_values.video_prompt_type`` (groups shaped ``{"selection": [...]}`` or ``{"choices": [...]}``)."""
    if record.get(compact_key):
        return tuple(str(v) for v in record[compact_key])
    values = ((record.get("setting_values") or {}).get("video_prompt_type") or {})
    if not isinstance(values, Mapping):
        return ()
    found: list[str] = []
    for group in groups:
        for value in choice_values(values.get(group)):
            if value and value not in found:
                found.append(value)
    return tuple(found)


def choice_values(node: Any) -> list[str]:
    """The values of a WanGP choice group: ``selection`` strings, ``choices`` as ``[label, value]`` pairs
    or ``{"label", "value"}`` dicts; ``None`` (the model has no such input) gives none."""
    if not isinstance(node, Mapping):
        return []
    values = [str(v) for v in node.get("selection") or () if isinstance(v, str)]
    for item in node.get("choices") or ():
        if isinstance(item, Mapping):
            values.append(str(item.get("value") or ""))
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            values.append(str(item[1] or ""))
        elif isinstance(item, str):
            values.append(item)
    return values


class ModelCatalog:
    """Look-ups over the video models of one WanGP install."""

    def __init__(self, models: Iterable[ModelInfo] = ()) -> None:
        self._models: dict[str, ModelInfo] = {m.model_type: m for m in models}

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> "ModelCatalog":
        return cls(ModelInfo.from_record(r) for r in records)

    @classmethod
    def from_snapshot(cls, path: str) -> "ModelCatalog":
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return cls.from_records(data["models"] if isinstance(data, Mapping) else data)

    def __len__(self) -> int:
        return len(self._models)

    def __iter__(self):
        return iter(self._models.values())

    def __contains__(self, model_type: object) -> bool:
        return model_type in self._models

    def resolve(self, model_type: str) -> str:
        """Today's type for ``model_type`` (aliases mapped), unchanged when unknown."""
        if model_type in self._models:
            return model_type
        return ALIASES.get(model_type, model_type)

    def get(self, model_type: str) -> ModelInfo | None:
        return self._models.get(self.resolve(model_type))

    def available(self) -> list[ModelInfo]:
        return [m for m in self._models.values() if m.available]

    def close_matches(self, model_type: str, n: int = 5) -> list[str]:
        """Model types that look like ``model_type`` (for "unknown model" messages)."""
        types = list(self._models)
        found = difflib.get_close_matches(model_type, types, n=n, cutoff=0.5)
        needle = model_type.lower()
        for t in types:
            if len(found) >= n:
                break
            if t not in found and (needle in t.lower() or t.lower() in needle):
                found.append(t)
        return found
