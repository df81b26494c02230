"""Shot templates: a look (prompt wording, negative prompt, aspect, preferred model) a director reuses.

Templates are JSON files, one per template, named ``<id>.json``. The built-in ones ship in the
extension's ``templates/`` folder; a user folder can add more or override a built-in one by using
the same id. A broken file never stops the others from loading: it is skipped and
:attr:`TemplateLibrary.warnings` says which file and what is wrong, for the UI to show.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .. import grid
from ..logs import get_logger
from ..spec import QUALITY_TIERS
from . import tiers
from .camera_moves import MOVE_IDS

log = get_logger("toolkit")

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "templates"
PROMPT_SLOT = "{prompt}"

_ASPECT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Template:
    id: str
    label: str
    description: str
    #: wraps the user's prompt: must contain ``{prompt}`` exactly once
    prompt_pattern: str
    negative_prompt: str = ""
    #: preferred model family ("wan", "ltx2", ...), "" for the project default
    model_family: str = ""
    #: preferred quality tier, "" for none: applying the template sets it on the shot; the settings
    #: builder falls back on it only for a shot without a quality
    tier: str = ""
    aspect: str = "16:9"
    #: "" to derive from the tier's pixel budget and the aspect, else "WxH"
    resolution: str = ""
    steps_hint: int = 0
    guidance_hint: float = 0.0
    camera_movements: tuple[str, ...] = ()
    #: the shot's cast decides the model: a shot with a character reference gets a reference-capable one
    cast_references: bool = False

    def wrap(self, prompt: str) -> str:
        """The user's prompt inside the template's wording."""
        return self.prompt_pattern.replace(PROMPT_SLOT, prompt.strip())

    @property
    def aspect_ratio(self) -> float:
        return parse_aspect(self.aspect)


class TemplateLibrary:
    """The templates found on disk, by id, plus what went wrong reading the others."""

    def __init__(
        self,
        templates: Mapping[str, Template] | None = None,
        warnings: list[str] | None = None,
        paths: Mapping[str, str] | None = None,
    ) -> None:
        self._templates = dict(templates or {})
        self.warnings: list[str] = list(warnings or [])
        #: id -> the file the template was read from
        self._paths = dict(paths or {})
        self._user = {name for name, path in self._paths.items() if Path(path).resolve().parent != BUILTIN_DIR}

    def path(self, name: str) -> str:
        return self._paths.get(name, "")

    def user_made(self, name: str) -> bool:
        """Read from the user's folder (not built in): the user may remove it. Decided when loading,
        so menus ask without touching the disk."""
        return name in self._user

    def names(self) -> list[str]:
        return sorted(self._templates)

    def get(self, name: str) -> Template | None:
        return self._templates.get(name)

    def __len__(self) -> int:
        return len(self._templates)


def load_templates(user_dir: str = "") -> TemplateLibrary:
    """Built-in templates, then the user's ``*.json`` from ``user_dir`` (same id overrides)."""
    templates: dict[str, Template] = {}
    paths: dict[str, str] = {}
    warnings: list[str] = []
    folders = [BUILTIN_DIR] + ([Path(user_dir)] if user_dir else [])
    for folder in folders:
        if not folder.is_dir():
            warnings.append(f"{folder}: template folder not found")
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                template = read_template(path)
            except (OSError, ValueError) as exc:
                warnings.append(f"{path}: {exc}")
                continue
            templates[template.id] = template
            paths[template.id] = str(path)
    for warning in warnings:
        log.warning("Template skipped: %s", warning)
    return TemplateLibrary(templates, warnings, paths)


def read_template(path: Path) -> Template:
    """One template file; raises ``ValueError`` saying what is wrong (JSON errors included)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from exc
    except RecursionError as exc:
        raise ValueError("not valid JSON (nested too deeply)") from exc
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return template_from_dict(data, path.stem)


def template_from_dict(data: Mapping[str, Any], file_id: str) -> Template:
    known = {f.name for f in fields(Template)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    template_id = _text(data, "id", file_id)
    if template_id != file_id:
        raise ValueError(f"id '{template_id}' does not match the file name '{file_id}.json'")
    pattern = _text(data, "prompt_pattern", "")
    if pattern.count(PROMPT_SLOT) != 1:
        raise ValueError(f"prompt_pattern must contain {PROMPT_SLOT} exactly once")
    family = _text(data, "model_family", "")
    if family and family not in tiers.families():
        raise ValueError(f"model_family '{family}' is not one of {', '.join(tiers.families())}")
    tier = _text(data, "tier", "")
    if tier and tier not in QUALITY_TIERS:
        raise ValueError(f"tier '{tier}' is not one of {', '.join(QUALITY_TIERS)}")
    aspect = _text(data, "aspect", "16:9")
    parse_aspect(aspect)
    resolution = _text(data, "resolution", "")
    if resolution:
        parse_resolution(resolution)
    moves = data.get("camera_movements", [])
    if not isinstance(moves, list) or not all(isinstance(m, str) for m in moves):
        raise ValueError("camera_movements must be a list of move ids")
    bad_moves = [m for m in moves if m not in MOVE_IDS]
    if bad_moves:
        raise ValueError(f"unknown camera move(s) {', '.join(bad_moves)}")
    return Template(
        id=template_id,
        label=_text(data, "label", template_id.replace("_", " ").title()),
        description=_text(data, "description", ""),
        prompt_pattern=pattern,
        negative_prompt=_text(data, "negative_prompt", ""),
        model_family=family,
        tier=tier,
        aspect=aspect,
        resolution=resolution,
        steps_hint=_number(data, "steps_hint", int),
        guidance_hint=_number(data, "guidance_hint", float),
        camera_movements=tuple(moves),
        cast_references=_flag(data, "cast_references"),
    )


def _flag(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    return value


def parse_aspect(aspect: str) -> float:
    """Width / height of ``"16:9"`` or ``"2.39:1"``; raises ``ValueError`` otherwise."""
    match = _ASPECT.match(aspect)
    if not match or float(match.group(2)) == 0 or float(match.group(1)) == 0:
        raise ValueError(f"aspect '{aspect}' is not like '16:9' or '2.39:1'")
    return float(match.group(1)) / float(match.group(2))


def parse_resolution(resolution: str) -> tuple[int, int]:
    """``(width, height)`` of ``"832x480"``; raises ``ValueError`` otherwise."""
    size = grid.parse_resolution(resolution)
    if size is None or 0 in size:
        raise ValueError(f"resolution '{resolution}' is not like '832x480'")
    return size


def _text(data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


def _number(data: Mapping[str, Any], key: str, kind: type) -> Any:
    value = data.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{key} must be a number >= 0")
    if kind is int and value != int(value):
        raise ValueError(f"{key} must be a whole number")
    return kind(value)
