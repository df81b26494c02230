"""The cast and the soundtrack turned into WanGP settings: reference images, dialogue audio, the cast sentence.

One step of :func:`~wangp_backend.toolkit.builder.build_settings`, run after the guide step (so with VACE
the positioned keyframes stay first in ``image_refs`` and the cast follows them). What a model takes comes
from the table's ``cast`` section read with the live catalog (:mod:`guide_table`), never a per-family branch.
An audio-driven model without sound under the shot is refused here, saying what is missing. The files
are the Blender side's to check and write (a Blender image is saved, the dialogue cut, after this step).
"""

from __future__ import annotations

from typing import Any

from .. import wording
from ..cast_spec import CastMember
from ..catalog import ModelCatalog, ModelInfo
from ..spec import ShotSpec
from . import guide_table
from .draft import Draft

#: Speakers an audio model takes at most (``audio_guide`` and ``audio_guide2``).
MAX_SPEAKERS = 2
#: A model with this many default steps or fewer is a few-step (distilled) one: the Preview tier's pick.
FEW_STEPS = 12


def cast_sentence(cast: tuple[CastMember, ...]) -> str:
    """``"Cast: Mara (a courier in a red coat); Theo."``: who the references show, for the prompt."""
    people = [f"{m.name} ({m.description.strip().rstrip('.')})" if m.description.strip() else m.name for m in cast]
    return f"Cast: {'; '.join(people)}." if people else ""


def reference_models(catalog: ModelCatalog | None, limit: int = 6) -> list[str]:
    """Models of this install that take reference images, available ones and the table's order first."""
    return _able(catalog, guide_table.reference_family, guide_table.reference_families(), limit)


def audio_models(catalog: ModelCatalog | None, limit: int = 6) -> list[str]:
    """Audio-driven models of this install (audio required), available ones and the table's order first."""
    def driven(info: ModelInfo):
        family = guide_table.audio_family(info)
        return family if family is not None and not family.optional else None

    return _able(catalog, driven, guide_table.audio_families(), limit)


def _able(catalog: ModelCatalog | None, family_of, order_of: tuple[Any, ...], limit: int) -> list[str]:
    order = {family.id: i for i, family in enumerate(order_of)}
    able = [(m, family_of(m)) for m in (catalog if catalog is not None else ())]
    ranked = sorted(
        ((m, f) for m, f in able if f is not None),
        key=lambda pair: (not pair[0].available, order.get(pair[1].id, 99), pair[0].model_type),
    )
    return [m.model_type for m, _f in ranked[:limit]]


def apply_cast(d: Draft) -> None:
    """Write the cast's references, the dialogue and the cast sentence into the draft's settings; the take's
    sidecar records ``cast`` and ``dialogue``."""
    spec, info, settings = d.spec, d.model, d.settings
    sentence = cast_sentence(spec.cast)
    if sentence:
        body = str(settings.get("prompt") or "").rstrip().rstrip(".")
        settings["prompt"] = f"{body}. {sentence}" if body else sentence
    speaker = _apply_audio(d)
    cast = _speaker_first(spec.cast, speaker)
    sent = _apply_references(d, cast)
    audio = guide_table.audio_family(info)
    if audio is not None and audio.face == "ref" and spec.dialogue and not sent and not d.errors:
        d.errors.append(wording.face_needs_reference(info.model_type))
    if spec.cast:
        d.sidecar["cast"] = [
            {"name": m.name, "description": m.description, "images": list(m.images), "reason": m.reason,
             "sent": [path for path in m.images if path in sent]}
            for m in cast
        ]


def _speaker_first(cast: tuple[CastMember, ...], speaker: str) -> tuple[CastMember, ...]:
    if not speaker:
        return cast
    return tuple(sorted(cast, key=lambda m: m.name != speaker))


def _apply_references(d: Draft, cast: tuple[CastMember, ...]) -> set[str]:
    """Append the cast's images to ``image_refs`` with the model's letters; returns the images sent."""
    spec, info, settings = d.spec, d.model, d.settings
    images = [path for member in cast for path in member.images]
    if not images and not spec.set_image:
        return set()
    family = guide_table.reference_family(info)
    if family is None:
        d.notes.append(wording.references_unsupported(info.model_type, reference_models(d.catalog)))
        return set()
    letters = str(settings.get("video_prompt_type") or "")
    positioned = list(settings.get("image_refs") or ()) if "F" in letters else []
    background = bool(spec.set_image) and not positioned
    if spec.set_image and positioned:
        d.notes.append(wording.set_image_not_sent())
    ref_letters = guide_table.reference_letters(info, family, background)
    if not ref_letters:
        d.notes.append(wording.no_reference_mode(info.model_type))
        return set()
    background = background and "K" in ref_letters
    if family.max_refs and len(images) > family.max_refs:
        d.notes.append(wording.one_face(info.model_type, cast[0].name))
        images = images[: family.max_refs]
    if not images and not background:
        return set()
    refs = [*positioned, *([spec.set_image] if background else []), *images]
    settings["image_refs"] = refs
    settings["video_prompt_type"] = _merged_letters(letters, ref_letters)
    if images:
        settings["remove_background_images_ref"] = family.remove_background
    return set(images)


def _merged_letters(current: str, extra: str) -> str:
    """``current`` plus the reference letters it lacks (``FI`` already has ``I``); K goes before I."""
    merged = current
    for letter in extra:
        if letter not in merged:
            merged = merged.replace("I", letter + "I") if letter == "K" and "I" in merged else merged + letter
    return merged


def _apply_audio(d: Draft) -> str:
    """``audio_guide`` (``audio_guide2``) and ``audio_prompt_type``; returns the first speaker's name."""
    spec, info, settings = d.spec, d.model, d.settings
    family = guide_table.audio_family(info)
    lines = spec.dialogue
    if family is None:
        if lines:
            d.notes.append(wording.audio_not_sent(info.model_type, audio_models(d.catalog)))
        return ""
    if not lines:
        if not family.optional:
            d.errors.append(wording.dialogue_missing(info.model_type, spec.shot_name, spec.frame_start,
                                                     spec.frame_end))
        return ""
    sent = lines[:MAX_SPEAKERS] if family.two else lines[:1]
    if len(lines) > len(sent):
        dropped = [line.speaker or "an unnamed voice" for line in lines[len(sent):]]
        d.notes.append(wording.speakers_dropped(info.model_type, len(sent), dropped))
    settings["audio_guide"] = sent[0].path
    if len(sent) > 1:
        settings["audio_guide2"] = sent[1].path
    settings["audio_prompt_type"] = family.two if len(sent) > 1 else family.one
    d.sidecar["dialogue"] = [
        {"path": line.path, "duration_s": line.duration_s, "speaker": line.speaker, "strips": list(line.strips)}
        for line in sent
    ]
    speaker = sent[0].speaker
    if family.face == "start":
        _face_as_start(d, speaker)
    return speaker


def _face_as_start(d: Draft, speaker: str) -> None:
    """An image-to-video talking model starts from the speaking character's face unless the shot has a start."""
    spec, info, settings = d.spec, d.model, d.settings
    if settings.get("image_start"):
        return
    face = next((m for m in spec.cast if m.name == speaker and m.images), None)
    face = face or next((m for m in spec.cast if m.images), None)
    if face is None:
        d.errors.append(wording.face_needs_start(info.model_type))
        return
    settings["image_start"] = face.images[0]
    prompt = str(settings.get("image_prompt_type") or "")
    settings["image_prompt_type"] = "S" + prompt.replace("S", "")
    d.notes.append(wording.face_as_start(face.name, info.model_type))


def choose_cast_model(
    spec: ShotSpec, wants_references: bool, catalog: ModelCatalog | None, quality: str
) -> tuple[str, tuple[str, ...], str]:
    """``(model_type, fallbacks, note)`` from the live catalog for a shot the tiers cannot serve: dialogue under
    it picks an audio-driven model, a character-focused shot with a cast reference a reference-capable one.
    Only downloaded models are picked (a shot should not start a download on its own); ``("", (), note)``
    when none is, ``("", (), "")`` when neither applies. Preview prefers few-step models, Final full ones."""
    if catalog is None:
        return "", (), ""
    if spec.dialogue:
        pool, what = audio_models(catalog, limit=len(catalog)), "audio-driven"
    elif wants_references and any(m.images for m in spec.cast):
        pool, what = reference_models(catalog, limit=len(catalog)), "reference-image"
    else:
        return "", (), ""
    infos = [info for info in (catalog.get(t) for t in pool) if info is not None]
    ready = [info for info in infos if info.available]
    if not ready:
        return "", (), wording.cast_model_not_ready(what, [info.model_type for info in infos[:4]])

    def tier_rank(info: ModelInfo) -> int:
        few_step = info.default_num_inference_steps <= FEW_STEPS
        return {"PREVIEW": not few_step, "FINAL": few_step}.get(quality, False)

    ready.sort(key=tier_rank)
    return ready[0].model_type, tuple(info.model_type for info in ready[1:]), ""
