"""The first-run steps, as plain data so the order and the checks are tested without drawing:
find WanGP, check that it starts, pick a model this install has, generate a first shot."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    text: str
    done: bool
    operator: str
    button: str
    icon: str


def steps(
    configured: bool, session_state: str, mode: str, model_installed: bool, has_shot: bool, has_take: bool
) -> tuple[Step, ...]:
    """The four steps; each says what to do and carries the button that does it."""
    return (
        Step("Set the WanGP folder", configured, "movie_director.open_preferences", "Open Preferences",
             "PREFERENCES"),
        Step("Check that WanGP starts", session_state == "ready" and mode in ("in_process", "bridge"),
             "movie_director.start_session", "Start WanGP", "PLAY"),
        Step("Pick an installed model", model_installed, "movie_director.choose_available_model",
             "Use an Installed Model", "CHECKMARK"),
        Step("Generate a first shot", has_take,
             "movie_director.generate_shot" if has_shot else "movie_director.mark_shot",
             "Generate" if has_shot else "Mark Shot", "RENDER_ANIMATION" if has_shot else "ADD"),
    )


def current(all_steps: tuple[Step, ...]) -> Step | None:
    """The first step not done yet (None: the walkthrough is over)."""
    return next((step for step in all_steps if not step.done), None)
