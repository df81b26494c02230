"""Every sentence the settings path says to the user: the builder's notes and errors, the host's validation.

One small function per sentence, taking plain values only. Each returns a :class:`Said`: the sentence as a
``str`` (callers and the sidebar use it unchanged) that also knows which sentence it is (``kind``, the
function's name) and the values it was made from (``facts``). Tests assert on kinds and facts, so the words
are pinned once, in ``tests/backend/test_wording.py``, and can be improved without rewriting other tests.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

#: Every sentence function of this module, by kind (the wording test covers each one).
SENTENCES: dict[str, Callable[..., Said]] = {}


class Said(str):
    """A sentence for the user, with its ``kind`` and ``facts`` (a plain ``str`` everywhere else)."""

    kind: str
    #: the wording function's parameter names and the values it was called with (``facts`` pairs them up
    #: when asked: the builder makes several sentences per shot, and only tests read them)
    _names: tuple[str, ...]
    _values: tuple[Any, ...]

    def __new__(cls, text: str, kind: str = "", facts: dict[str, Any] | None = None) -> Said:
        said = super().__new__(cls, text)
        said.kind = kind
        said._names, said._values = tuple(facts or ()), tuple((facts or {}).values())
        return said

    @property
    def facts(self) -> dict[str, Any]:
        return dict(zip(self._names, self._values, strict=True))

    def __reduce__(self) -> tuple[Any, ...]:
        return Said, (str(self), self.kind, self.facts)


def kind_of(sentence: str) -> str:
    """The sentence's kind ("" for a plain string made elsewhere)."""
    return getattr(sentence, "kind", "")


def _sentence(words: Callable[..., str]) -> Callable[..., Said]:
    """Make ``words`` return a :class:`Said` named after it, with its arguments as the facts."""
    names = tuple(inspect.signature(words).parameters)
    kind = words.__name__
    new = str.__new__

    @functools.wraps(words)
    def said(*args: Any) -> Said:
        sentence = new(Said, words(*args))
        sentence.kind, sentence._names, sentence._values = kind, names, args
        return sentence

    SENTENCES[kind] = said
    return said


def _names(names: list[str]) -> str:
    return ", ".join(names)


def _more(count: int) -> str:
    return f" and {count} more" if count > 0 else ""


# --- sizes and frame counts (the builder and the host's validation say the same) ---------------------------


@_sentence
def resolution_snapped(before: str, after: str) -> str:
    return f"Resolution {before} -> {after} (sides are multiples of 16)"


@_sentence
def resolution_floored(before: str, after: str, model: str, block: int) -> str:
    return (f"Resolution {before} -> {after} ({model} works in blocks of {block} pixels; the guide is rendered "
            "at that size)")


@_sentence
def resolution_reshaped(after: str, aspect: str, quality: str, base: str) -> str:
    return f"Resolution {after}: {aspect} from the {quality.title()} tier's {base}"


@_sentence
def resolution_not_understood(place: str, text: str) -> str:
    return f"The {place}'s resolution '{text}' is not like '832x480'"


@_sentence
def frames_snapped(requested: int | str, frames: int, model: str, rule: str) -> str:
    return f"Frames {requested!r} -> {frames} ({model} needs {rule})"


@_sentence
def frames_cut(requested: int | str, frames: int, model: str) -> str:
    return f"Frames {requested!r} -> {frames} (the longest {model} clip)"


@_sentence
def frames_capped(frames: int, capped: int, quality: str) -> str:
    return f"Frames {frames} -> {capped} ({quality.title()} tier cap)"


@_sentence
def clip_shorter(clip_s: float, shot_s: float) -> str:
    return f"The clip covers {clip_s:.2f} s of the {shot_s:.2f} s shot"


@_sentence
def fps_forced(scene: int, model: float) -> str:
    return f"Output at {scene} fps (model {model:g} fps) so frames land one-to-one on the timeline"


# --- the shot's numbers, template and tier ---------------------------------------------------------------


@_sentence
def scene_fps_out_of_range(fps: float, low: float, high: float) -> str:
    return f"The scene's frame rate ({fps:g}) must be between {low:g} and {high:g} fps"


@_sentence
def guidance_negative(guidance: float) -> str:
    return f"Guidance ({guidance:g}) must be a number of 0 or more"


@_sentence
def steps_negative(steps: int) -> str:
    return f"Steps ({steps}) must be 0 (automatic) or more"


@_sentence
def camera_unusable(frame: int) -> str:
    return (f"The shot camera cannot be described at frame {frame} (zero scale, or a value that is not a "
            "number): fix the camera or use manual camera moves")


@_sentence
def template_missing(name: str, available: list[str]) -> str:
    return f"Template '{name}' not found (available: {_names(available) or 'none'})"


@_sentence
def template_applied(name: str) -> str:
    return f"Template '{name}' applied"


@_sentence
def quality_unknown(quality: str, tiers: list[str]) -> str:
    return f"Unknown quality '{quality}' (use {_names(tiers)})"


@_sentence
def template_steps_unused(steps: int, model: str) -> str:
    return f"Template steps ({steps}) not used: {model} is a few-step model"


@_sentence
def template_guidance_unused(guidance: float, model: str) -> str:
    return f"Template guidance ({guidance:g}) not used: {model} is a few-step model"


# --- the model --------------------------------------------------------------------------------------------


@_sentence
def no_catalog() -> str:
    return "No model catalog yet: frame rules assumed from the model family, model defaults left to WanGP"


@_sentence
def no_quality_tier(model: str, fps: float, steps: int, minimum: int, maximum: int, preset: str) -> str:
    defaults = f", defaults of WanGP's preset {preset}" if preset else ", WanGP's defaults"
    return (f"{model} has no quality tier: {fps:g} fps, {steps}n+1 frames ({minimum}-{maximum}){defaults} "
            "from the catalog")


@_sentence
def model_unknown(model: str, close: list[str]) -> str:
    hint = f" Did you mean: {_names(close)}?" if close else ""
    return f"Unknown model type '{model}' on this WanGP install.{hint}"


@_sentence
def model_renamed(old: str, new: str) -> str:
    return f"Model '{old}' is called '{new}' in today's WanGP"


@_sentence
def tier_choice(quality: str, family: str, vram: str, model: str) -> str:
    return f"{quality.title()} tier on {family} ({vram} VRAM): {model}"


@_sentence
def model_not_downloaded(model: str) -> str:
    return f"'{model}' is not downloaded yet: WanGP will download it first"


@_sentence
def fallback_skipped(model: str) -> str:
    return f"Fallback '{model}' skipped: not a model of this WanGP install"


@_sentence
def cast_model_chosen(model: str, dialogue: bool) -> str:
    why = "the dialogue under the shot" if dialogue else "the cast's reference images"
    return f"{model} chosen for {why}"


@_sentence
def cast_model_not_ready(what: str, models: list[str]) -> str:
    found = _names(models) or "none on this install"
    return f"No {what} model is downloaded yet ({found}): the quality tier's model is used"


# --- the camera -------------------------------------------------------------------------------------------


@_sentence
def camera_mode_unknown(mode: str, modes: list[str]) -> str:
    return f"Unknown camera mode '{mode}' (use {_names(modes)})"


@_sentence
def camera_no_samples() -> str:
    return "Camera language: no camera samples to derive moves from"


@_sentence
def camera_move_unknown(move: str, known: list[str]) -> str:
    return f"Unknown camera move '{move}' (known: {_names(known)})"


# --- start and end images ---------------------------------------------------------------------------------


@_sentence
def end_image_alone() -> str:
    return "An end image needs a start image too: set the shot's start image"


@_sentence
def image_refused(model: str, role: str, able: list[str], more: int) -> str:
    what = "a start image" if role == "start" else "an end image"
    if not able:
        return f"{model} cannot take {what}, and no model of this WanGP install can"
    return f"{model} cannot take {what}. Models that can: {_names(able)}{_more(more)}"


# --- guides, keyframes and continuation -------------------------------------------------------------------


@_sentence
def guide_unknown(guide: str, modes: list[str]) -> str:
    return f"Unknown guide '{guide}' (use {_names(modes)})"


@_sentence
def keyframes_unknown(keyframes: str, modes: list[str]) -> str:
    return f"Unknown keyframes '{keyframes}' (use {_names(modes)})"


@_sentence
def guide_strength_out_of_range(strength: float) -> str:
    return f"Guide strength {strength:g} is out of range: use a value from 0 to 1"


@_sentence
def guide_refused(model: str, problem: str, able: list[str], more: int) -> str:
    if not able:
        return f"{model} {problem}, and no model of this WanGP install can"
    return f"{model} {problem}. Models on this install that can: {_names(able)}{_more(more)}"


@_sentence
def guide_refused_no_catalog(model: str, problem: str, families: list[str]) -> str:
    return f"{model} {problem}: choose a {' or '.join(families) or 'VACE'} model"


@_sentence
def guide_pending(width: int, height: int, frames: int, fps: float) -> str:
    return (f"The guide is not rendered yet: render it at {width}x{height}, {frames} frames at {fps:g} fps, "
            "then build the shot again")


@_sentence
def guide_windows(frames: int, window: int) -> str:
    return f"{frames} frames in sliding windows of {window}: each window follows its part of the guide"


@_sentence
def guide_mode_mismatch(rendered: str, wanted: str) -> str:
    return f"The rendered guide is {rendered}, the shot asks for {wanted}: render the guide again"


@_sentence
def guide_size_mismatch(rendered: list[float], wanted: list[float]) -> str:
    """``rendered`` and ``wanted`` are ``[width, height, frames, fps]``."""
    (w, h, n, fps), (tw, th, tn, tfps) = rendered, wanted
    return (f"The guide was rendered at {w}x{h}, {n} frames at {fps:g} fps; the model uses {tw}x{th}, {tn} frames "
            f"at {tfps:g} fps: render the guide again")


@_sentence
def control_video_missing(path: str) -> str:
    return f"The guide's control video is missing: {path or '(none)'}"


@_sentence
def keyframes_unexpected() -> str:
    return "The guide has keyframes but the shot's Keyframes is None: render the guide again"


@_sentence
def keyframes_misplaced(mode: str, wanted: list[int], found: list[int]) -> str:
    return f"Keyframes {mode} need stills at clip frames {wanted}, the guide has {found}"


@_sentence
def camera_keys_need_stills() -> str:
    return "Keyframes at the camera's keys need at least one still, one per clip frame"


@_sentence
def keyframe_outside(frame: int, last: int) -> str:
    return f"Keyframe at clip frame {frame} is outside the clip (0 to {last})"


@_sentence
def keyframe_missing(path: str) -> str:
    return f"Keyframe still is missing: {path}"


@_sentence
def images_injected() -> str:
    return "Start/end images sent as injected frames (this model has no start image input)"


@_sentence
def first_keyframe_dropped() -> str:
    return "The first keyframe is not used: a continued shot starts from the previous take"


@_sentence
def keyframe_blockout() -> str:
    return "A keyframe is a blockout render: the clip takes its grey look. Paint over it or render it lit"


@_sentence
def keyframe_replaces_start() -> str:
    return "The first keyframe replaces the shot's start image"


@_sentence
def keyframe_replaces_end() -> str:
    return "The last keyframe replaces the shot's end image"


@_sentence
def continue_missing(path: str) -> str:
    return f"The take to continue is missing: {path}"


@_sentence
def continue_with_start_image() -> str:
    return "A continued shot starts from the previous take: clear the shot's start image"


@_sentence
def continued(overlap: int, trim: int, new: int) -> str:
    return (f"Continues the previous take from its last {overlap} frames; WanGP returns them first, {trim} frames "
            f"to trim, then {new} new frames")


# --- the cast and the soundtrack --------------------------------------------------------------------------


@_sentence
def references_unsupported(model: str, able: list[str]) -> str:
    where = f" Models on this install that do: {_names(able)}" if able else ""
    return f"{model} takes no reference images: the cast is described in the prompt only.{where}"


@_sentence
def set_image_not_sent() -> str:
    return "The set image is not sent: the positioned keyframes take the references' first places"


@_sentence
def no_reference_mode(model: str) -> str:
    return f"{model} offers no reference mode on this install: the cast is in the prompt only"


@_sentence
def one_face(model: str, name: str) -> str:
    return f"{model} takes one face: {name}'s first image is sent, not the others"


@_sentence
def face_needs_reference(model: str) -> str:
    return (f"{model} animates a face from the dialogue: give the speaking character a reference image in the "
            "Cast panel")


@_sentence
def face_needs_start(model: str) -> str:
    return (f"{model} animates a face from the dialogue: give the speaking character a reference image in the "
            "Cast panel, or set the shot's start image")


@_sentence
def face_as_start(name: str, model: str) -> str:
    return f"{name}'s reference image is the start frame: {model} animates that face"


@_sentence
def audio_not_sent(model: str, able: list[str]) -> str:
    where = f"; models on this install that do: {_names(able)}" if able else ""
    return f"The sound under the shot is not sent: {model} takes no audio{where}"


@_sentence
def dialogue_missing(model: str, shot: str, start: int, end: int) -> str:
    return (f"{model} is driven by dialogue, but no sound strip lies under {shot} (frames {start}-{end}): put the "
            "line's sound strip under the shot, or choose a model that does not need audio")


@_sentence
def speakers_dropped(model: str, count: int, dropped: list[str]) -> str:
    return f"{model} takes {count} speaker(s): {_names(dropped)} not sent"


# --- the host's validation of a settings dict (names of settings keys start some sentences) ---------------


@_sentence
def no_model_set() -> str:
    return "No model is set (the settings have no model_type)."


@_sentence
def model_not_in_catalog(model: str, close: list[str]) -> str:
    tail = f" Close matches: {_names(close)}." if close else " Refresh the model list to see what it offers."
    return f"Unknown model '{model}': this WanGP has no such video model.{tail}"


@_sentence
def prompt_empty() -> str:
    return "The prompt is empty: describe what happens in the shot."


@_sentence
def video_length_not_frames(shown: str) -> str:
    return f"video_length must be a number of frames, got {shown}."


@_sentence
def video_length_bad(shown: str) -> str:
    return f"video_length must be a number of frames (or seconds such as '4s'), got {shown}."


@_sentence
def resolution_bad(shown: str) -> str:
    return f"resolution must look like '832x480' (width x height), got {shown}."


@_sentence
def media_not_a_path(key: str, shown: str) -> str:
    return f"{key} must be a file path, got {shown}."


@_sentence
def media_not_absolute(key: str, path: str) -> str:
    return f"{key} must be an absolute path, got '{path}'."


@_sentence
def media_missing(key: str, path: str) -> str:
    return f"{key}: file not found: {path}"


@_sentence
def seed_bad(shown: str) -> str:
    return f"seed must be a whole number (-1 for random), got {shown}."


@_sentence
def random_seed(seed: int) -> str:
    return f"Random seed {seed}"
