"""The one-click fix offered in a failed shot's error box, chosen from the failure's ``error_class``.

Plain logic, so the choice is tested without drawing anything. The failure's text is never searched: the code that
knew the cause chose the class, and whether the shot's model is the problem is read from the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..wangp_backend.states import ErrorClass


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


_BY_CLASS = {
    ErrorClass.ENVIRONMENT: OPEN_PREFERENCES,
    ErrorClass.OFFLINE_OR_MISSING_WEIGHTS: CHOOSE_MODEL,
    ErrorClass.OUT_OF_MEMORY: RETRY_PREVIEW,
}


def fix_for_failure(error_class: str, model_problem: bool, quality: str) -> Fix | None:
    """The fix for a failure, or None when only the hint can help.

    ``model_problem`` says the shot's model is unknown or not downloaded here, or cannot take the shot's images;
    ``quality`` is the shot's tier, used to retry a runtime failure as it was.
    """
    try:
        kind = ErrorClass(error_class)
    except ValueError:
        return None  # no class (a failure from before classes were kept): only the hint can help
    if kind is ErrorClass.VALIDATION:
        return CHOOSE_MODEL if model_problem else None
    if kind is ErrorClass.RUNTIME:
        # A crash mid-job is often transient (a driver hiccup, a file in use): retrying as-is is the fix.
        return Fix("movie_director.generate_shot", "Try Again", "FILE_REFRESH", (("quality", quality),))
    return _BY_CLASS.get(kind)
