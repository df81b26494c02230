"""The one-click fix offered in a failed shot's error box, chosen from the failure's ``error_class``.

Plain logic, so the choice is tested without drawing anything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fix:
    """An operator button that addresses a failure: ``properties`` are set on the button."""

    operator: str
    text: str
    icon: str
    properties: tuple[tuple[str, object], ...] = ()


OPEN_PREFERENCES = Fix("movie_director.open_preferences", "Open Preferences", "PREFERENCES")
CHOOSE_MODEL = Fix("movie_director.choose_available_model", "Use an Available Model", "CHECKMARK")
RETRY_PREVIEW = Fix(
    "movie_director.generate_shot", "Generate Again at Preview Quality", "FILE_REFRESH", (("quality", "PREVIEW"),)
)


def fix_for_failure(error_class: str, model_problem: bool, quality: str) -> Fix | None:
    """The fix for a failure, or None when only the hint can help.

    ``model_problem`` says the shot's model is unknown or not downloaded (or the message is about the
    model); ``quality`` is the shot's tier, used to retry a runtime failure as it was.
    """
    if error_class == "environment":
        return OPEN_PREFERENCES
    if error_class == "offline_or_missing_weights":
        return CHOOSE_MODEL
    if error_class == "validation":
        return CHOOSE_MODEL if model_problem else None
    if error_class == "out_of_memory":
        return RETRY_PREVIEW
    if error_class == "runtime":
        # A crash mid-job is often transient (a driver hiccup, a file in use): retrying as-is is the fix.
        return Fix("movie_director.generate_shot", "Try Again", "FILE_REFRESH", (("quality", quality),))
    return None
