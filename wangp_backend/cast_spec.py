"""The shot's cast and dialogue as plain values: who is seen through the shot camera, and what is said.

Pinned contract between the Blender side (which finds the characters in the camera frustum and cuts the
sound under the shot) and the settings builder (which turns them into WanGP's ``image_refs``,
``audio_guide``/``audio_guide2`` and ``audio_prompt_type`` keys and the prompt's cast sentence).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Why a character is in a shot: seen through its camera, or a per-shot override.
CAST_REASONS = ("VISIBLE", "ADDED", "PINNED")
#: ``Object.movie_director`` per-shot override modes (``PINNED`` also makes the character the lead).
OVERRIDE_MODES = ("ADD", "REMOVE", "PIN")


@dataclass(frozen=True)
class CastMember:
    """One character of a shot.

    :param images: absolute paths of its reference images (a turnaround sheet is one image).
    :param reason: one of :data:`CAST_REASONS`.
    """

    name: str
    description: str = ""
    images: tuple[str, ...] = ()
    reason: str = "VISIBLE"


@dataclass(frozen=True)
class DialogueLine:
    """The sound under a shot for one speaker, cut to exactly the shot's range.

    :param path: absolute path of the cut WAV (silence where the speaker's strips do not cover the shot).
    :param duration_s: its length in seconds (the shot's length).
    :param speaker: the cast member speaking ("" when no character is named for it).
    :param strips: the sound strips it was cut from (for the sidecar and messages).
    :param fingerprint: what the cut is made of (files, offsets, volumes): folded into the settings hash, so
        a moved line marks the shot changed even though the cut keeps its name.
    """

    path: str
    duration_s: float
    speaker: str = ""
    strips: tuple[str, ...] = ()
    fingerprint: str = ""
