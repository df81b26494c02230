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
    facts: dict[str, Any]

    def __new__(cls, text: str, kind: str = "", facts: dict[str, Any] | None = None) -> Said:
        said = super().__new__(cls, text)
        said.kind = kind
        said.facts = dict(facts or {})
        return said

    def __reduce__(self) -> tuple[Any, ...]:
        return Said, (str(self), self.kind, self.facts)


def kind_of(sentence: str) -> str:
    """The sentence's kind ("" for a plain string made elsewhere)."""
    return getattr(sentence, "kind", "")


def _sentence(words: Callable[..., str]) -> Callable[..., Said]:
    """Make ``words`` return a :class:`Said` named after it, with its arguments as the facts."""
    names = tuple(inspect.signature(words).parameters)

    @functools.wraps(words)
    def said(*args: Any, **kwargs: Any) -> Said:
        return Said(words(*args, **kwargs), words.__name__, {**dict(zip(names, args, strict=False)), **kwargs})

    SENTENCES[words.__name__] = said
    return said


# --- sizes and frame counts (the builder and the host's validation say the same) ---------------------------


@_sentence
def resolution_snapped(before: str, after: str) -> str:
    return f"Resolution {before} -> {after} (sides are multiples of 16)"


@_sentence
def frames_snapped(requested: int | str, frames: int, model: str, rule: str) -> str:
    return f"Frames {requested!r} -> {frames} ({model} needs {rule})"


@_sentence
def frames_cut(requested: int | str, frames: int, model: str) -> str:
    return f"Frames {requested!r} -> {frames} (the longest {model} clip)"


@_sentence
def resolution_floored(before: str, after: str, model: str, block: int) -> str:
    return (f"Resolution {before} -> {after} ({model} works in blocks of {block} pixels; the guide is rendered "
            "at that size)")
