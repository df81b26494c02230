"""build_settings: precedence (shot > template > tier > model), frames, images, errors, export."""

from __future__ import annotations

import json
import os

import pytest
from toolkit_support import camera_path, kinds, lerp, look_at, needs_snapshot, said, snapshot_catalog

from wangp_backend.hashing import settings_hash
from wangp_backend.spec import ShotSpec
from wangp_backend.toolkit import build_settings, export_settings_json, load_templates
from wangp_backend.toolkit.export import SETTINGS_VERSION

pytestmark = needs_snapshot


@pytest.fixture(scope="module")
def catalog():
    return snapshot_catalog()


@pytest.fixture(scope="module")
def library():
    return load_templates()


def shot(**values) -> ShotSpec:
    values.setdefault("camera_mode", "NONE")
    return ShotSpec(
        shot_key="shot-1", shot_name="Shot 1", prompt=values.pop("prompt", "a lighthouse at dusk"), **values
    )


def test_frames_follow_the_model_frame_grid_with_a_note(catalog):
    # 48 frames at 24 fps = 2 s = 32 frames at Wan's 16 fps; Wan takes 4n+1.
    built = build_settings(shot(model_type="t2v_1.3B", frame_start=1, frame_end=48), catalog)
    assert built.settings["video_length"] == 33
    assert {"kind": "frames_snapped", "requested": 32, "frames": 33, "model": "Wan2.1", "rule": "4n+1"} in said(
        built.notes)
    assert "clip_shorter" not in kinds(built.notes)


def test_long_shot_is_cut_to_the_longest_clip_then_the_tier_cap(catalog):
    built = build_settings(shot(model_type="t2v_1.3B", quality="PREVIEW", frame_start=1, frame_end=240), catalog)
    assert built.settings["video_length"] == 49
    notes = said(built.notes)
    assert {"kind": "frames_cut", "requested": 160, "frames": 97, "model": "Wan2.1"} in notes
    assert {"kind": "frames_capped", "frames": 97, "capped": 49, "quality": "PREVIEW"} in notes
    assert {"kind": "clip_shorter", "clip_s": 49 / 16, "shot_s": 10.0} in notes


def test_ltx2_takes_8n_plus_1_frames_at_24_fps(catalog):
    built = build_settings(shot(model_type="ltx2_distilled", frame_start=1, frame_end=100), catalog)
    assert built.settings["video_length"] == 97
    assert {"kind": "frames_snapped", "requested": 100, "frames": 97, "model": "LTX-2", "rule": "8n+1"} in said(
        built.notes)
    assert "force_fps" not in built.settings


def test_near_frame_rate_is_forced_to_the_scene_rate(catalog):
    built = build_settings(shot(model_type="ltx2_distilled", scene_fps=25.0, frame_start=1, frame_end=105), catalog)
    assert built.settings["force_fps"] == "25"
    assert built.settings["video_length"] == 105
    # Wan's 16 fps is too far from 24 to re-time without visibly speeding up the motion.
    assert "force_fps" not in build_settings(shot(model_type="t2v_1.3B"), catalog).settings


def test_resolution_precedence_shot_then_template_then_tier(catalog, library):
    tier = build_settings(shot(model_type="t2v_1.3B", quality="STANDARD"), catalog, library)
    assert tier.settings["resolution"] == "832x480"
    shaped = build_settings(shot(model_type="t2v_1.3B", template="establishing_shot"), catalog, library)
    assert shaped.settings["resolution"] == "976x416"
    assert {"kind": "resolution_reshaped", "after": "976x416", "aspect": "2.39:1", "quality": "STANDARD",
            "base": "832x480"} in said(shaped.notes)
    square = build_settings(shot(model_type="t2v_1.3B", template="product"), catalog, library)
    assert square.settings["resolution"] == "624x624"
    given = build_settings(shot(model_type="t2v_1.3B", template="product", resolution="1000x562"), catalog, library)
    assert given.settings["resolution"] == "1008x560"
    assert {"kind": "resolution_snapped", "before": "1000x562", "after": "1008x560"} in said(given.notes)


def test_bad_resolution_is_an_error(catalog):
    built = build_settings(shot(model_type="t2v_1.3B", resolution="huge"), catalog)
    assert said(built.errors) == [{"kind": "resolution_not_understood", "place": "shot", "text": "huge"}]


def test_steps_and_guidance_precedence(catalog, library):
    spec_wins = build_settings(shot(model_type="t2v", template="product", steps=17, guidance=3.5), catalog, library)
    assert (spec_wins.settings["num_inference_steps"], spec_wins.settings["guidance_scale"]) == (17, 3.5)
    hint = build_settings(shot(model_type="t2v", template="product"), catalog, library)
    assert hint.settings["num_inference_steps"] == 40
    noir = build_settings(shot(model_type="t2v", template="noir"), catalog, library)
    assert noir.settings["guidance_scale"] == 6.0
    tier = build_settings(shot(model_type="t2v", quality="STANDARD"), catalog)
    assert (tier.settings["num_inference_steps"], tier.settings["guidance_scale"]) == (25, 5.0)
    model = build_settings(shot(model_type="t2v", quality="FINAL"), catalog)
    assert model.settings["num_inference_steps"] == 30


def test_few_step_models_keep_their_own_steps_and_guidance(catalog, library):
    built = build_settings(shot(model_type="t2v_sf", template="noir", quality="STANDARD"), catalog, library)
    assert (built.settings["num_inference_steps"], built.settings["guidance_scale"]) == (4, 1.0)
    assert {"kind": "template_guidance_unused", "guidance": 6.0, "model": "t2v_sf"} in said(built.notes)
    preview = build_settings(shot(template="dialogue", quality="PREVIEW"), catalog, library, vram_gb=6)
    assert preview.settings["num_inference_steps"] == 8


def test_tier_candidate_steps_override(catalog):
    built = build_settings(shot(quality="PREVIEW", start_image="/shots/a.png"), catalog, vram_gb=12)
    assert built.model_type == "i2v_fusionix"
    assert built.settings["num_inference_steps"] == 10


def test_prompt_wraps_template_and_appends_camera_wording(catalog, library):
    built = build_settings(
        shot(prompt="a detective lights a cigarette", template="noir", camera_mode="MANUAL"), catalog, library
    )
    noir = library.get("noir")
    assert built.settings["prompt"] == f"{noir.wrap('a detective lights a cigarette').rstrip('.')}. Dolly in."
    assert built.camera_wording == "dolly in"
    assert {"kind": "template_applied", "name": "noir"} in said(built.notes)


def test_shot_moves_replace_the_templates(catalog, library):
    built = build_settings(
        shot(template="noir", camera_mode="MANUAL", camera_movements=("slow_pan_left", "tilt_up")), catalog, library
    )
    assert built.camera_wording == "slow pan left, tilt up"
    assert built.settings["prompt"].endswith("Slow pan left, tilt up.")


def test_camera_mode_none_and_derived(catalog):
    assert build_settings(shot(camera_movements=("pan_left",)), catalog).camera_wording == ""
    samples = camera_path(lambda f, t: look_at(f, lerp((0, -8, 1.6), (0, -5, 1.6), t), (0, 0, 1.6)))
    derived = build_settings(shot(camera_mode="DERIVED", camera_samples=samples), catalog)
    assert derived.camera_wording == "wide shot to medium shot, slow dolly in"
    assert derived.settings["prompt"] == "a lighthouse at dusk. Wide shot to medium shot, slow dolly in."
    empty = build_settings(shot(camera_mode="DERIVED"), catalog)
    assert empty.camera_wording == "" and "camera_no_samples" in kinds(empty.notes)


def test_camera_errors(catalog):
    (move,) = said(build_settings(shot(camera_mode="MANUAL", camera_movements=("barrel_roll",)), catalog).errors)
    assert (move["kind"], move["move"]) == ("camera_move_unknown", "barrel_roll")
    (mode,) = said(build_settings(shot(camera_mode="ORBITAL"), catalog).errors)
    assert (mode["kind"], mode["mode"]) == ("camera_mode_unknown", "ORBITAL")


def test_negative_prompts_merge_shot_first_without_duplicates(catalog, library):
    built = build_settings(shot(template="noir", negative_prompt="Blurry, lens flare"), catalog, library)
    terms = built.settings["negative_prompt"].split(", ")
    assert terms[:2] == ["Blurry", "lens flare"]
    assert "blurry" not in terms and "color" in terms


def test_seed_as_given_and_hash_of_exactly_the_settings(catalog):
    random_seed = build_settings(shot(seed=-1), catalog)
    assert random_seed.settings["seed"] == -1
    assert random_seed.settings_hash == settings_hash(random_seed.settings)
    fixed = build_settings(shot(seed=1234), catalog)
    assert fixed.settings["seed"] == 1234 and fixed.settings_hash != random_seed.settings_hash


def test_same_spec_same_settings(catalog, library):
    spec = shot(template="action", camera_mode="MANUAL", start_image="/shots/a.png", seed=7)
    first, second = build_settings(spec, catalog, library), build_settings(spec, catalog, library)
    assert first == second
    assert json.dumps(first.settings, sort_keys=True) == json.dumps(second.settings, sort_keys=True)


def test_template_defaults_to_the_builtin_library_and_unknown_is_an_error(catalog):
    assert {"kind": "template_applied", "name": "noir"} in said(build_settings(shot(template="noir"), catalog).notes)
    missing = said(build_settings(shot(template="vaporwave"), catalog).errors)[0]
    assert (missing["kind"], missing["name"], missing["available"][0]) == ("template_missing", "vaporwave", "action")


def test_template_family_picks_the_tier_model(catalog, library):
    built = build_settings(shot(template="action", quality="STANDARD"), catalog, library, vram_gb=24)
    assert built.model_type == "ltx2_22B_distilled_1_1"
    assert built.fallbacks == (
        "ltx2_22B_distilled",
        "ltx2_22B_distilled_gguf_q8_0",
        "ltx2_22B_distilled_gguf_q6_k",
        "ltx2_distilled",
        "ltx2_22B_distilled_gguf_q4_k_m",
        "ltx2_distilled_gguf_q4_k_m",
    )
    assert any(n["kind"] == "tier_choice" and (n["quality"], n["family"], n["vram"]) == ("STANDARD", "LTX-2", "large")
               for n in said(built.notes))


def test_a_model_still_to_download_is_said_and_gets_no_fallbacks():
    built = build_settings(shot(quality="STANDARD"), snapshot_catalog(available=()), vram_gb=12)
    assert (built.model_type, built.fallbacks) == ("t2v_fusionix", ())
    assert {"kind": "model_not_downloaded", "model": "t2v_fusionix"} in said(built.notes)


def test_family_of_a_model_without_a_catalog_comes_from_the_tier_table():
    built = build_settings(shot(model_type="ltx2_distilled", quality="PREVIEW", frame_end=480), None)
    assert built.settings["video_length"] == 121
    assert {"kind": "frames_capped", "frames": 481, "capped": 121, "quality": "PREVIEW"} in said(built.notes)


def test_explicit_model_aliases_are_resolved(catalog):
    fast = build_settings(shot(model_type="hunyuan_fast"), catalog)
    assert fast.model_type == fast.settings["model_type"] == "hunyuan_t2v_fast"
    assert {"kind": "model_renamed", "old": "hunyuan_fast", "new": "hunyuan_t2v_fast"} in said(fast.notes)
    assert build_settings(shot(model_type="ltxv_13B_distilled"), catalog).model_type == "ltxv_distilled"
    assert build_settings(shot(model_type="ltxv_13B_distilled"), None).model_type == "ltxv_distilled"


def test_unknown_model_is_an_error_with_suggestions(catalog):
    built = build_settings(shot(model_type="t2v_1.3"), catalog)
    unknown = said(built.errors)[0]
    assert (unknown["kind"], unknown["model"], unknown["close"][0]) == ("model_unknown", "t2v_1.3", "t2v_1.3B")


def test_shot_fallbacks_come_first_then_the_tiers(catalog):
    built = build_settings(
        shot(model_type="t2v", quality="STANDARD", fallback_model_types=("hunyuan_fast", "nope", "t2v")),
        catalog,
        vram_gb=24,
    )
    assert built.fallbacks == ("hunyuan_t2v_fast", "t2v_fusionix", "t2v_sf", "t2v_1.3B", "t2v_nexus_1.3B")
    assert {"kind": "fallback_skipped", "model": "nope"} in said(built.notes)


def test_start_and_end_images_set_paths_and_flags(catalog):
    built = build_settings(
        shot(model_type="ltx2_distilled", start_image="/shots/a.png", end_image="/shots/b.png"), catalog
    )
    assert built.errors == ()
    assert (built.settings["image_start"], built.settings["image_end"]) == ("/shots/a.png", "/shots/b.png")
    assert built.settings["image_prompt_type"] == "SE"
    start_only = build_settings(shot(model_type="ti2v_2_2", start_image="/shots/a.png"), catalog)
    assert start_only.settings["image_prompt_type"] == "S" and "image_end" not in start_only.settings


def test_start_image_on_a_text_only_model_names_models_that_can(catalog):
    partly = snapshot_catalog(available={"t2v_1.3B", "i2v", "ltx2_distilled"})
    built = build_settings(shot(model_type="t2v_1.3B", start_image="/shots/a.png"), partly)
    # Available ones first, then the shot model's own family, then by name.
    assert said(built.errors) == [{
        "kind": "image_refused", "model": "t2v_1.3B", "role": "start",
        "able": ["i2v", "ltx2_distilled", "fantasy", "flf2v_720p", "fun_inp", "fun_inp_1.3B"], "more": 71,
    }]


def test_end_image_on_a_start_only_model_names_models_that_can(catalog):
    spec = shot(model_type="ti2v_2_2", start_image="/shots/a.png", end_image="/shots/b.png")
    built = build_settings(spec, catalog)
    # Same family (Wan 2.2) first, then by name; all are available here.
    assert said(built.errors) == [{
        "kind": "image_refused", "model": "ti2v_2_2", "role": "end",
        "able": ["i2v_2_2", "i2v_2_2_Enhanced_Lightning_v2", "flf2v_720p", "fun_inp", "fun_inp_1.3B", "i2v"],
        "more": 26,
    }]


def test_end_image_without_start_image_is_an_error(catalog):
    built = build_settings(shot(model_type="ltx2_distilled", end_image="/shots/b.png"), catalog)
    assert kinds(built.errors) == ["end_image_alone"]


def test_no_model_can_take_the_image(catalog):
    from wangp_backend.catalog import ModelCatalog

    text_only = ModelCatalog([catalog.get("t2v_1.3B"), catalog.get("t2v")])
    built = build_settings(shot(model_type="t2v", start_image="/shots/a.png"), text_only)
    assert said(built.errors) == [{"kind": "image_refused", "model": "t2v", "role": "start", "able": [], "more": 0}]


def test_without_a_catalog_the_builder_still_works(library):
    built = build_settings(shot(template="dreamy", quality="PREVIEW", frame_end=48), None, library)
    assert built.errors == ()
    assert built.model_type == "hunyuan_1_5_480_t2v_lightx2v"
    assert built.settings["video_length"] == 49
    assert "num_inference_steps" not in built.settings and "guidance_scale" not in built.settings
    assert "no_catalog" in kinds(built.notes)


def test_template_tier_applies_only_to_a_shot_without_quality(catalog, library):
    product = library.get("product")
    assert product.tier == "FINAL"
    def tier_of(built) -> str:
        return next(n["quality"] for n in said(built.notes) if n["kind"] == "tier_choice")

    assert tier_of(build_settings(shot(template="product", quality=""), catalog, library)) == "FINAL"
    assert tier_of(build_settings(shot(template="product", quality="PREVIEW"), catalog)) == "PREVIEW"


def test_unknown_quality_is_an_error(catalog):
    unknown = said(build_settings(shot(quality="ULTRA"), catalog).errors)[0]
    assert (unknown["kind"], unknown["quality"]) == ("quality_unknown", "ULTRA")


def test_export_is_a_wangp_settings_file_with_absolute_media_paths(catalog, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    built = build_settings(shot(model_type="ltx2_distilled", start_image="shots/a.png", end_image="/x/b.png"), catalog)
    data = json.loads(export_settings_json(built))
    assert data["image_start"] == os.path.join(str(tmp_path), "shots", "a.png")
    assert data["image_end"] == "/x/b.png"
    assert data["settings_version"] == SETTINGS_VERSION
    assert {k: v for k, v in data.items() if k not in ("image_start", "settings_version")} == {
        k: v for k, v in built.settings.items() if k != "image_start"
    }


def test_export_leaves_out_private_api_options(catalog):
    built = build_settings(shot(model_type="t2v_1.3B"), catalog)
    built.settings["_api"] = {"return_media": True}
    assert "_api" not in json.loads(export_settings_json(built))
