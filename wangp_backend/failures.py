"""Classify a WanGP failure into an :class:`~.states.ErrorClass` and say what to do in one line.

WanGP reports failures as free text with a coarse ``stage``; the user needs to know which of a few
fixes applies (go online, free memory, fix the shot, read the log), so the text is matched here.
"""

from __future__ import annotations

from .states import ErrorClass

_OFFLINE_MARKERS = (
    "locate the file on the hub",
    "cannot find the requested files in the local cache",
    "localentrynotfounderror",
    "hf_hub_offline",
    "offline mode is enabled",
    "outgoing traffic has been disabled",
    "missing weights",
    "model weights are missing",
)
_OOM_MARKERS = ("out of memory", "outofmemoryerror", "cuda error: out of memory")

HINTS: dict[ErrorClass, str] = {
    ErrorClass.OFFLINE_OR_MISSING_WEIGHTS: (
        "The model's weights are not on this computer: allow online access to download them "
        "(Blender Preferences > System > Network), or pick a model whose files are available."
    ),
    ErrorClass.OUT_OF_MEMORY: (
        "Not enough GPU memory: lower the resolution or the frame count, pick a smaller model, "
        "or start WanGP with a lower-VRAM profile (--profile 4 or 5)."
    ),
    ErrorClass.VALIDATION: "Fix the shot's settings and generate again.",
    ErrorClass.RUNTIME: "WanGP failed while generating; Open Log shows the details.",
    ErrorClass.ENVIRONMENT: (
        "WanGP could not be started; fix the WanGP settings in the add-on preferences and start it again."
    ),
}


def classify(message: str, stage: str = "") -> ErrorClass:
    """The error class of a failure with ``message`` reported at ``stage``."""
    text = message.lower()
    if any(marker in text for marker in _OOM_MARKERS):
        return ErrorClass.OUT_OF_MEMORY
    if any(marker in text for marker in _OFFLINE_MARKERS):
        return ErrorClass.OFFLINE_OR_MISSING_WEIGHTS
    if stage == "validation":
        return ErrorClass.VALIDATION
    if stage == "environment":
        return ErrorClass.ENVIRONMENT
    return ErrorClass.RUNTIME


def hint_for(error_class: str) -> str:
    return HINTS.get(ErrorClass.parse(error_class, ErrorClass.RUNTIME), HINTS[ErrorClass.RUNTIME])


def one_line(text: object, limit: int = 300) -> str:
    """The first non-empty line of ``text``, shortened: messages are shown in one line of the UI."""
    for line in str(text).splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""
