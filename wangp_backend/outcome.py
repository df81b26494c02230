"""Decide what a finished WanGP job means for us: a take, a cancellation or a failure (and whether to retry).

WanGP's ``GenerationResult`` is ambiguous around cancellation (a job cancelled while its model loads
reports the loading error *and* the cancellation, with ``result.cancelled`` False), so the rule
lives here, in one pure function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .failures import classify, one_line
from .states import AttemptResult, ErrorClass

#: WanGP stages after which another model may succeed where this one failed.
RETRYABLE_STAGES = ("generation", "runtime")


@dataclass(frozen=True)
class Outcome:
    kind: AttemptResult
    files: tuple[str, ...] = ()
    stage: str = ""
    message: str = ""
    #: "" unless it failed
    error_class: ErrorClass | str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", AttemptResult(self.kind))
        if self.error_class:
            object.__setattr__(self, "error_class", ErrorClass(self.error_class))

    @property
    def retryable(self) -> bool:
        return (self.kind is AttemptResult.FAILED and self.stage in RETRYABLE_STAGES
                and self.error_class != ErrorClass.VALIDATION)


def judge(result: Any, cancel_requested: bool) -> Outcome:
    """The outcome of a job from its ``GenerationResult`` (``None`` if it never delivered one)."""
    if result is None:
        return _failed("runtime", "WanGP ended the job without a result.")
    errors = list(getattr(result, "errors", None) or [])
    success = bool(getattr(result, "success", False))
    if cancel_requested and not success:
        # We asked for it: whatever else went wrong while it stopped (a model load cut short) is noise.
        return Outcome("cancelled")
    if errors and all(_is_cancel(error) for error in errors):
        return Outcome("cancelled")
    if success:
        files = tuple(str(path) for path in getattr(result, "generated_files", None) or ())
        if files:
            return Outcome("success", files=files)
        return _failed("generation", "WanGP finished the job but wrote no video file.")
    for error in errors:
        if not _is_cancel(error):
            return _failed(str(getattr(error, "stage", None) or "runtime"), one_line(getattr(error, "message", error)))
    return _failed("generation", "WanGP did not complete the job.")


def _failed(stage: str, message: str) -> Outcome:
    return Outcome("failed", stage=stage, message=message or "WanGP failed without a message.",
                   error_class=classify(message, stage))


def _is_cancel(error: Any) -> bool:
    flag = getattr(error, "cancelled", None)
    if isinstance(flag, bool):
        return flag
    return str(getattr(error, "stage", "") or "").lower() == "cancelled"
