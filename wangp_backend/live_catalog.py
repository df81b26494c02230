"""Read the video-model catalog from a running WanGP session as plain, JSON-safe records.

``list_model_metadata`` has no frame rules, fps or defaults; ``get_model_schema`` adds them per
model. The merged records have the shape of ``shared/reference/wangp-video-models.json``, so
:meth:`ModelCatalog.from_records` reads live and snapshot catalogs alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .catalog import ModelInfo
from .failures import one_line
from .logs import get_logger

log = get_logger()

#: Keys kept from WanGP's records; the rest (model internals) is large and unused. Of ``setting_values``
#: only the offered control and reference letters are kept (``guide_choices``, ``ref_choices``).
_METADATA_KEYS = (
    "model_type", "name", "family", "family_label", "base_model_type", "finetune", "main_output", "inputs",
    "outputs", "media_inputs", "capabilities", "availability",
)
_SCHEMA_KEYS = ("description", "fps", "frames_minimum", "frames_steps", "frames_maximum", "sliding_window")
_DEFAULT_KEYS = {
    "resolution": "default_resolution",
    "video_length": "default_video_length",
    "num_inference_steps": "default_num_inference_steps",
    "guidance_scale": "default_guidance_scale",
}


def read_catalog(session: Any) -> list[dict[str, Any]]:
    """One record per video model of ``session``; a model whose schema cannot be read keeps its metadata."""
    records = []
    for metadata in session.list_model_metadata(main_output="video", include_availability=True):
        record = {key: metadata[key] for key in _METADATA_KEYS if key in metadata}
        record.update(_letter_choices(metadata))
        try:
            record.update(_schema_fields(session, str(record["model_type"])))
        except Exception as exc:  # one broken model definition must not hide the others
            log.warning("model %s: could not read its schema: %s", record.get("model_type"), one_line(exc))
        records.append(record)
    return records


def _letter_choices(metadata: Mapping[str, Any]) -> dict[str, list[str]]:
    """The control/reference letters a model offers, so guides are checked against the live install."""
    info = ModelInfo.from_record({"model_type": str(metadata.get("model_type") or "?"),
                                  "setting_values": metadata.get("setting_values") or {}})
    found = {"guide_choices": list(info.guide_choices), "ref_choices": list(info.ref_choices)}
    return {key: value for key, value in found.items() if value}


def _schema_fields(session: Any, model_type: str) -> dict[str, Any]:
    schema = session.get_model_schema(model_type) or {}
    metadata: Mapping[str, Any] = schema.get("metadata") or {}
    fields = {key: metadata[key] for key in _SCHEMA_KEYS if key in metadata}
    defaults = schema.get("default_settings")
    if defaults is None:
        defaults = session.get_default_settings(model_type)
    preset_id, preset = _preset(session, model_type)
    if preset_id:
        # WanGP's own named preset for the model beats its factory defaults (newer installs ship them).
        fields["preset"] = preset_id
        defaults = {**defaults, **preset}
    for theirs, ours in _DEFAULT_KEYS.items():
        if defaults.get(theirs) is not None:
            fields[ours] = defaults[theirs]
    return fields


def _preset(session: Any, model_type: str) -> tuple[str, Mapping[str, Any]]:
    """The model's first named preset (``get_model_settings``, WanGP 12.60+) and its settings, or ("", {}).

    Accelerator profiles and the user's own saved settings are not presets: only ``type == "preset"``.
    """
    lister = getattr(session, "get_model_settings", None)
    if lister is None:
        return "", {}
    try:
        listed = lister(model_type) or {}
        entries = [e for e in listed.get("settings", []) if isinstance(e, Mapping)]
        ids = [str(e.get("id")) for e in entries if e.get("type") == "preset"]
        if not ids:
            return "", {}
        content = (lister(model_type, ids[0]) or {}).get("content") or {}
    except (ValueError, OSError, KeyError, TypeError) as exc:
        log.warning("model %s: its presets could not be read: %s", model_type, one_line(exc))
        return "", {}
    return (ids[0], content) if isinstance(content, Mapping) else ("", {})
