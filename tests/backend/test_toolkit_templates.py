"""Shot templates: the built-in set, user overrides, and broken files that must not stop the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wangp_backend.spec import QUALITY_TIERS
from wangp_backend.toolkit import Template, TemplateLibrary, load_templates
from wangp_backend.toolkit.camera_moves import MOVE_IDS
from wangp_backend.toolkit.templates import BUILTIN_DIR
from wangp_backend.toolkit.tiers import families

REQUIRED = ("character_focus", "establishing_shot", "action", "dialogue", "dreamy", "noir", "documentary", "product")


def _write(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _valid(template_id: str, **more: object) -> dict:
    return {"id": template_id, "label": template_id.title(), "prompt_pattern": "Look: {prompt}.", **more}


def test_builtin_templates_are_complete_and_clean():
    library = load_templates()
    assert library.warnings == []
    assert set(REQUIRED) <= set(library.names())
    assert library.names() == sorted(library.names())
    for name in REQUIRED:
        template = library.get(name)
        assert isinstance(template, Template)
        raw = json.loads((BUILTIN_DIR / f"{name}.json").read_text(encoding="utf-8"))
        # Every field is spelled out in the shipped files, so they document the format.
        assert set(raw) == set(Template.__dataclass_fields__)
        assert template.prompt_pattern.count("{prompt}") == 1
        assert template.label and template.description and template.negative_prompt
        assert template.model_family in families()
        assert template.tier in ("", *QUALITY_TIERS)
        assert template.aspect_ratio > 0
        assert set(template.camera_movements) <= set(MOVE_IDS)


def test_builtin_dir_is_the_extensions_templates_folder():
    assert BUILTIN_DIR == Path(__file__).resolve().parents[2] / "templates"


def test_pattern_wraps_the_users_prompt():
    noir = load_templates().get("noir")
    wrapped = noir.wrap("  a detective lights a cigarette ")
    assert "a detective lights a cigarette" in wrapped
    assert "{prompt}" not in wrapped
    assert wrapped.startswith(noir.prompt_pattern.split("{prompt}")[0])


def test_prompt_with_braces_is_inserted_verbatim():
    template = load_templates().get("dreamy")
    assert "{weird} {0}" in template.wrap("{weird} {0}")


def test_user_template_is_added_and_overrides_a_builtin_with_the_same_id(tmp_path):
    _write(tmp_path, "noir.json", _valid("noir", label="My Noir", aspect="2.39:1"))
    _write(tmp_path, "western.json", _valid("western", model_family="wan", camera_movements=["truck_left"]))
    library = load_templates(str(tmp_path))
    assert library.warnings == []
    assert library.get("noir").label == "My Noir"
    assert library.get("noir").aspect == "2.39:1"
    assert library.get("western").camera_movements == ("truck_left",)
    assert set(REQUIRED) <= set(library.names())


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("broken.json", '{"id": "broken", "prompt_pattern": "x {prompt}",', "not valid JSON"),
        ("list.json", "[1, 2]", "expected a JSON object"),
        ("noslot.json", _valid("noslot", prompt_pattern="no slot here"), "{prompt} exactly once"),
        ("twice.json", _valid("twice", prompt_pattern="{prompt} and {prompt}"), "{prompt} exactly once"),
        ("family.json", _valid("family", model_family="sora"), "model_family 'sora'"),
        ("tier.json", _valid("tier", tier="ULTRA"), "tier 'ULTRA'"),
        ("aspect.json", _valid("aspect", aspect="wide"), "aspect 'wide'"),
        ("res.json", _valid("res", resolution="big"), "resolution 'big'"),
        ("moves.json", _valid("moves", camera_movements=["barrel_roll"]), "barrel_roll"),
        ("steps.json", _valid("steps", steps_hint=-3), "steps_hint"),
        ("typo.json", _valid("typo", negative="blurry"), "unknown field(s) negative"),
        ("renamed.json", _valid("other"), "does not match the file name"),
    ],
)
def test_broken_user_template_is_skipped_with_a_warning_naming_file_and_problem(tmp_path, name, content, problem):
    path = _write(tmp_path, name, content)
    _write(tmp_path, "good.json", _valid("good"))
    library = load_templates(str(tmp_path))
    assert library.get(path.stem) is None
    assert library.get("good") is not None
    assert len(library.warnings) == 1
    assert str(path) in library.warnings[0]
    assert problem in library.warnings[0]


def test_missing_user_folder_is_a_warning_not_a_failure(tmp_path):
    library = load_templates(str(tmp_path / "nowhere"))
    assert "nowhere" in library.warnings[0]
    assert "noir" in library.names()


def test_empty_library():
    library = TemplateLibrary()
    assert library.names() == [] and library.get("noir") is None and len(library) == 0
