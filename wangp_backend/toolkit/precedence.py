"""Who wins when several places say something about a shot: declared once, here.

The shot's own value first, then its template's, then the quality tier's, then the model's own default.
A builder step names what each place says (``first(shot=..., template=..., tier=..., model=...)``); a
place that says nothing passes an empty value (``None``, ``""``, ``0``, ``()``) and the next one decides.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: The places, strongest first.
ORDER = ("shot", "template", "tier", "model")


def said_by(shot: Any = None, template: Any = None, tier: Any = None, model: Any = None) -> Iterator[tuple[str, Any]]:
    """``(place, value)`` of every place that says something, strongest first."""
    for place, value in zip(ORDER, (shot, template, tier, model), strict=True):
        if value:
            yield place, value


def first(shot: Any = None, template: Any = None, tier: Any = None, model: Any = None) -> Any:
    """The strongest value said, or ``None`` when no place says anything (:data:`ORDER`; a plain loop, as
    the builder asks this several times per shot)."""
    for value in (shot, template, tier, model):
        if value:
            return value
    return None
