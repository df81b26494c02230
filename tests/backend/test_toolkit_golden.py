"""Golden settings: a grid of template x tier x family x camera-language shots, built against the
WanGP 12.60 catalog snapshot, must give exactly the stored settings (``tests/backend/golden/*.json``).

A change to the toolkit that alters what WanGP receives shows up here as a diff. When the change
is intended, rewrite the files and review them like code::

    UPDATE_GOLDEN=1 .venv-wangp/bin/python -m pytest tests/backend -q -k toolkit_golden
"""

from __future__ import annotations

import json
import math
import os
import random
from pathlib import Path
from typing import Any

import pytest
from toolkit_support import camera_path, lerp, look_at, needs_snapshot, said, snapshot_catalog

from wangp_backend.spec import CameraSample, ShotSpec
from wangp_backend.toolkit import build_settings, load_templates, vec

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
SUBJECT = (0.0, 0.0, 1.6)


def _dolly_in() -> tuple[CameraSample, ...]:
    return camera_path(lambda f, t: look_at(f, lerp((0, -8, 1.6), (0, -5, 1.6), t), SUBJECT), count=73)


def _crane_up() -> tuple[CameraSample, ...]:
    return camera_path(lambda f, t: look_at(f, lerp((0, -30, 2), (0, -30, 12), t), SUBJECT, 24.0), count=121)


def _orbit_left() -> tuple[CameraSample, ...]:
    def around(t: float) -> vec.Vec3:
        angle = math.radians(-90 - 45 * t)
        return (4 * math.cos(angle), 4 * math.sin(angle), 1.6)

    return camera_path(lambda f, t: look_at(f, around(t), SUBJECT, 85.0), count=97)


def _handheld() -> tuple[CameraSample, ...]:
    rng = random.Random(11)

    def shaky(frame: int, _t: float) -> CameraSample:
        jitter = (rng.gauss(0, 0.01), rng.gauss(0, 0.01), rng.gauss(0, 0.01))
        return look_at(frame, vec.add((0, -3, 1.6), jitter), SUBJECT, 35.0)

    return camera_path(shaky, count=49)


#: name -> (ShotSpec fields, VRAM GB, models available: None = all)
CASES: dict[str, tuple[dict[str, Any], float, frozenset[str] | None]] = {
    "noir_standard_wan_mid_manual": (dict(template="noir", camera_mode="MANUAL"), 12, None),
    "noir_preview_wan_light_manual": (dict(template="noir", quality="PREVIEW", camera_mode="MANUAL"), 6, None),
    "establishing_final_wan_large_derived_crane": (
        dict(template="establishing_shot", quality="FINAL", camera_mode="DERIVED", camera_samples=_crane_up(),
             frame_end=121),
        24, None,
    ),
    "action_standard_ltx2_mid_manual_speed": (
        dict(template="action", camera_mode="MANUAL", camera_movements=("fast_truck_right", "handheld")), 12, None,
    ),
    "action_final_ltx2_large_long_shot": (
        dict(template="action", quality="FINAL", camera_mode="MANUAL", frame_end=600), 24, None,
    ),
    "dialogue_preview_ltx2_light_static": (dict(template="dialogue", quality="PREVIEW", camera_mode="MANUAL"), 6, None),
    "dreamy_standard_hunyuan15_mid_derived_orbit": (
        dict(template="dreamy", camera_mode="DERIVED", camera_samples=_orbit_left()), 12, None,
    ),
    "product_final_wan22_large_manual_orbit": (
        dict(template="product", quality="FINAL", camera_mode="MANUAL", seed=1234), 24, None,
    ),
    "documentary_standard_wan_light_derived_handheld": (
        dict(template="documentary", camera_mode="DERIVED", camera_samples=_handheld(), frame_end=49), 6, None,
    ),
    "character_focus_standard_wan22_mid_start_image": (
        dict(template="character_focus", camera_mode="DERIVED", camera_samples=_dolly_in(), frame_end=73,
             start_image="/project/frames/hero_start.png"),
        12, None,
    ),
    "alias_hunyuan_fast_preview_no_camera": (
        dict(model_type="hunyuan_fast", quality="PREVIEW", camera_mode="NONE"), 12, None,
    ),
    "explicit_k5_pro_final_manual_zoom": (
        dict(model_type="k5_pro_t2v", quality="FINAL", camera_mode="MANUAL", camera_movements=("slow_zoom_in",)),
        24, None,
    ),
    "alias_ltxv_standard_scene_30fps": (
        dict(model_type="ltxv_13B_distilled", scene_fps=30.0, frame_end=90, camera_mode="MANUAL",
             camera_movements=("pan_left", "tilt_down")),
        12, None,
    ),
    "ltx2_scene_25fps_forced": (
        dict(model_type="ltx2_distilled", scene_fps=25.0, frame_end=125, camera_mode="NONE"), 12, None,
    ),
    "error_start_image_on_text_only_model": (
        dict(model_type="t2v_1.3B", start_image="/project/frames/a.png", camera_mode="NONE"), 6,
        frozenset({"t2v_1.3B", "i2v", "ltx2_distilled"}),
    ),
    "error_end_image_on_start_only_model": (
        dict(model_type="i2v", start_image="/project/frames/a.png", end_image="/project/frames/b.png",
             camera_mode="NONE"),
        24, None,
    ),
    "ltx2_start_and_end_images": (
        dict(template="action", start_image="/project/frames/a.png", end_image="/project/frames/b.png",
             camera_mode="MANUAL", camera_movements=("dolly_out",)),
        12, None,
    ),
    "explicit_everything_snapped_resolution": (
        dict(model_type="t2v", resolution="1000x562", steps=22, guidance=4.5, seed=42, negative_prompt="text, logo",
             camera_mode="MANUAL", camera_movements=("crane_down",), fallback_model_types=("t2v_1.3B",)),
        24, None,
    ),
    "partly_downloaded_wan_standard_large": (
        dict(camera_mode="NONE"), 24, frozenset({"t2v_fusionix", "t2v_1.3B"}),
    ),
    "error_unknown_template": (dict(template="vaporwave", camera_mode="NONE"), 12, None),
}  # fmt: skip


def _built(name: str) -> dict[str, Any]:
    fields, vram, available = CASES[name]
    spec = ShotSpec(shot_key=name, shot_name=name, prompt="a lone figure crosses a rain-soaked street", **fields)
    built = build_settings(spec, snapshot_catalog(available=available), load_templates(), vram_gb=vram)
    return {
        "model_type": built.model_type,
        "fallbacks": list(built.fallbacks),
        "camera_wording": built.camera_wording,
        "settings": built.settings,
        "settings_hash": built.settings_hash,
        # Which notes and errors, by kind and facts: their words are pinned once, in test_wording.py.
        "notes": said(built.notes),
        "errors": said(built.errors),
    }


@needs_snapshot
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_settings(name: str):
    actual = _built(name)
    path = GOLDEN_DIR / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.is_file(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected


def test_no_stale_golden_files():
    stale = sorted(p.stem for p in GOLDEN_DIR.glob("*.json") if p.stem not in CASES)
    assert stale == [], f"golden files without a case: {stale}"


def test_grid_spans_templates_tiers_families_and_camera_modes():
    fields = [f for f, _, _ in CASES.values()]
    templates = {
        "noir",
        "establishing_shot",
        "action",
        "dialogue",
        "dreamy",
        "product",
        "documentary",
        "character_focus",
    }
    assert {f.get("template") for f in fields} >= templates
    assert {f.get("quality", "STANDARD") for f in fields} == {"PREVIEW", "STANDARD", "FINAL"}
    assert {f.get("camera_mode") for f in fields} == {"NONE", "MANUAL", "DERIVED"}
    assert {vram for _, vram, _ in CASES.values()} == {6, 12, 24}
