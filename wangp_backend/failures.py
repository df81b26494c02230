"""Classify a WanGP failure into one of :data:`messages.ERROR_CLASSES` and say what to do in one line.

WanGP reports failures as free text with a coarse ``stage``; the user needs to know which of a few
fixes applies (go online, free memory, fix the shot, read the log), so the text is matched here.
"""

from __future__ import annotations

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

HINTS: dict[str, str] = {
    "offline_or_missing_weights": (
        "The model's weights are not on this computer: allow online access to download them "
        "(Blender Preferences > System > Network), or pick a model whose files are available."
    ),
    "out_of_memory": (
        "Not enough GPU memory: lower the resolution or the frame count, pick a smaller model, "
        "or start WanGP with a lower-VRAM profile (--profile 4 or 5)."
    ),
    "validation": "Fix the shot's settings and generate again.",
    "runtime": "WanGP failed while generating; Open Log shows the details.",
    "environment": "WanGP could not be started; fix the WanGP settings in the add-on preferences and start it again.",
}


def classify(message: str, stage: str = "") -> str:
    """The error class of a failure with ``message`` reported at ``stage``."""
    text = message.lower()
    if any(marker in text for marker in _OOM_MARKERS):
        return "out_of_memory"
    if any(marker in text for marker in _OFFLINE_MARKERS):
        return "offline_or_missing_weights"
    if stage == "validation":
        return "validation"
    if stage == "environment":
        return "environment"
    return "runtime"


def hint_for(error_class: str) -> str:
    return HINTS.get(error_class, HINTS["runtime"])


def one_line(text: object, limit: int = 300) -> str:
    """The first non-empty line of ``text``, shortened: messages are shown in one line of the UI."""
    for line in str(text).splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""
