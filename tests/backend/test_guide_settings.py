"""The layout as the source: guide letters, keys, sizes and frame counts per model family, refusals,
the guide target, keyframes, continuation and sliding windows (build_settings, no WanGP)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from toolkit_support import kinds, needs_snapshot, said, snapshot_catalog, snapshot_records

from wangp_backend.catalog import ModelCatalog
from wangp_backend.guide_spec import GuideMedia, GuideTarget, Keyframe
from wangp_backend.spec import ShotSpec
from wangp_backend.toolkit import build_settings
from wangp_backend.toolkit.guide_settings import resampled_count, scene_to_clip_frame

pytestmark = needs_snapshot

UNION = "https://huggingface.co/DeepBeepMeep/LTX-2/resolve/main/ltx-2.3-22b-ic-lora-union-control-ref0.5.safetensors"


@pytest.fixture(scope="module")
def catalog():
    return snapshot_catalog()


def shot(**values) -> ShotSpec:
    values.setdefault("camera_mode", "NONE")
    values.setdefault("scene_fps", 16.0)
    return ShotSpec(shot_key="shot-1", shot_name="Shot 1", prompt="a courier crosses the yard", **values)


def media(tmp_path, built, mode="DEPTH", keyframes=(), **overrides) -> GuideMedia:
    control = tmp_path / "control.mp4"
    control.write_bytes(b"mp4")
    frames = []
    for frame in keyframes:
        still = tmp_path / f"key_{frame}.png"
        still.write_bytes(b"png")
        frames.append(Keyframe(clip_frame=frame, path=str(still)))
    target = overrides.pop("target", built.guide_target)
    return GuideMedia(mode=mode, target=target, control_video=str(control) if mode != "NONE" else "",
                      keyframes=tuple(frames), content_hash="abc123", **overrides)


def guided(spec: ShotSpec, catalog, tmp_path, keyframes=()):
    """Build twice like the add-on: once for the target, once with the rendered guide."""
    first = build_settings(spec, catalog)
    assert first.guide_pending and not first.blocking_errors, first.errors
    rendered = media(tmp_path, first, spec.guide, keyframes)
    return build_settings(replace(spec, guide_media=rendered), catalog)


def test_vace_depth_asks_for_the_render_at_the_model_size_then_sends_it_raw(catalog, tmp_path):
    spec = shot(model_type="vace_14B", guide="DEPTH", guide_strength=0.8, frame_start=1, frame_end=81)
    first = build_settings(spec, catalog)
    assert first.guide_target == GuideTarget(width=832, height=480, fps=16.0, frame_count=81)
    assert said(first.errors) == [{"kind": "guide_pending", "width": 832, "height": 480, "frames": 81, "fps": 16.0}]

    built = guided(spec, catalog, tmp_path)
    assert built.errors == ()
    settings = built.settings
    assert settings["video_prompt_type"] == "V" and "U" not in settings["video_prompt_type"]
    assert settings["video_guide"] == str(tmp_path / "control.mp4")
    assert settings["control_net_weight"] == 0.8
    assert settings["video_length"] == 81 and settings["resolution"] == "832x480"
    assert "image_start" not in settings and "image_prompt_type" not in settings
    guide = built.sidecar_extra["guide"]
    assert guide["mode"] == "DEPTH" and guide["content_hash"] == "abc123" and guide["frames"] == 81
    assert (guide["width"], guide["height"], guide["fps"], guide["strength"]) == (832, 480, 16.0, 0.8)
    assert guide["control_video"] == str(tmp_path / "control.mp4")


def test_vace_keyframes_are_injected_frames(catalog, tmp_path):
    spec = shot(model_type="vace_1.3B", guide="DEPTH_POSE", keyframes="FIRST_LAST", frame_start=1, frame_end=81)
    built = guided(spec, catalog, tmp_path, keyframes=(0, 80))
    settings = built.settings
    assert settings["video_prompt_type"] == "VFI"
    assert settings["image_refs"] == [str(tmp_path / "key_0.png"), str(tmp_path / "key_80.png")]
    assert settings["frames_positions"] == "1 L"
    assert "image_start" not in settings


def test_camera_keys_land_on_the_model_frame_grid(catalog, tmp_path):
    spec = shot(model_type="vace_14B", guide="DEPTH", keyframes="CAMERA_KEYS", scene_fps=24.0,
                frame_start=101, frame_end=221)
    first = build_settings(spec, catalog)
    target = first.guide_target
    assert (target.fps, target.frame_count) == (16.0, 81)  # 121 frames at 24 fps = 5 s = 81 at 16 fps
    keys = [scene_to_clip_frame(f, spec, target) for f in (101, 161, 221)]
    assert keys == [0, 40, 80]
    built = build_settings(replace(spec, guide_media=media(tmp_path, first, "DEPTH", keys)), catalog)
    assert built.settings["frames_positions"] == "1 41 L"
    assert built.settings["video_prompt_type"] == "VFI"


def test_ltx2_depth_uses_raw_control_and_the_union_ic_lora_on_its_64_pixel_grid(catalog, tmp_path):
    spec = shot(model_type="ltx2_22B_distilled", guide="DEPTH", keyframes="FIRST", guide_strength=0.7,
                scene_fps=24.0, resolution="832x480", frame_start=1, frame_end=97)
    first = build_settings(spec, catalog)
    assert first.guide_target == GuideTarget(width=832, height=448, fps=24.0, frame_count=97)
    built = build_settings(replace(spec, guide_media=media(tmp_path, first, "DEPTH", (0,))), catalog)
    settings = built.settings
    assert built.errors == ()
    assert settings["resolution"] == "832x448"
    assert settings["video_prompt_type"] == "VG"
    assert settings["activated_loras"] == [UNION] and settings["loras_multipliers"] == "1"
    assert settings["denoising_strength"] == 0.7
    assert settings["image_prompt_type"] == "S" and settings["image_start"] == str(tmp_path / "key_0.png")
    assert (settings["video_length"] - 1) % 8 == 0
    assert any(n["kind"] == "resolution_floored" and n["block"] == 64 for n in said(built.notes))


@pytest.mark.parametrize(
    ("model_type", "letters", "key", "value"),
    [
        ("vace_14B", "DV", "control_net_weight", 0.6),
        ("ltx2_22B_distilled", "DVG", "denoising_strength", 0.6),
        ("i2v_2_2", "GUV", "denoising_strength", 0.7),  # Wan V2V: lower denoising stays closer
    ],
)
def test_animatic_is_sent_for_wangp_to_extract_from(catalog, tmp_path, model_type, letters, key, value):
    spec = shot(model_type=model_type, guide="ANIMATIC", guide_strength=0.6, frame_start=1, frame_end=49)
    built = guided(spec, catalog, tmp_path)
    assert built.errors == ()
    assert built.settings["video_prompt_type"] == letters
    assert built.settings[key] == value
    assert "activated_loras" not in built.settings  # DVG loads its IC-LoRA by itself


def test_i2v_keyframes_are_start_and_end_images(catalog, tmp_path):
    spec = shot(model_type="i2v_2_2", keyframes="FIRST_LAST", frame_start=1, frame_end=81)
    built = guided(spec, catalog, tmp_path, keyframes=(0, 80))
    settings = built.settings
    assert settings["image_prompt_type"] == "SE"
    assert settings["image_start"].endswith("key_0.png") and settings["image_end"].endswith("key_80.png")
    assert "video_prompt_type" not in settings


@pytest.mark.parametrize(
    ("model_type", "guide", "keyframes", "problem"),
    [
        ("t2v_1.3B", "DEPTH", "NONE", "cannot follow a depth guide"),
        ("i2v_2_2", "POSE", "NONE", "cannot follow a pose guide"),
        ("i2v", "NONE", "CAMERA_KEYS", "cannot take keyframes at the camera's keys"),
        ("t2v_1.3B", "NONE", "FIRST", "cannot take a first keyframe"),
    ],
)
def test_a_guide_the_model_cannot_take_is_refused_naming_models_that_can(catalog, model_type, guide, keyframes,
                                                                        problem):
    built = build_settings(shot(model_type=model_type, guide=guide, keyframes=keyframes), catalog)
    assert built.guide_target is None and not built.guide_pending
    (error,) = said(built.errors)
    assert (error["kind"], error["model"], error["problem"]) == ("guide_refused", model_type, problem)
    named = error["able"]
    assert named[0].startswith("vace_") or keyframes == "FIRST"
    assert "video_guide" not in built.settings


def test_refusal_names_only_downloaded_models_first(tmp_path):
    catalog = snapshot_catalog(available={"t2v_1.3B", "vace_1.3B"})
    (error,) = said(build_settings(shot(model_type="t2v_1.3B", guide="LINEART"), catalog).errors)
    assert error["kind"] == "guide_refused" and error["able"][0] == "vace_1.3B" and len(error["able"]) > 1


@pytest.mark.parametrize(("vram", "expected"), [(24, "vace_14B"), (12, "vace_14B_fusionix"), (6, "vace_1.3B")])
def test_quality_tiers_pick_a_guide_capable_model(catalog, vram, expected):
    built = build_settings(shot(guide="DEPTH"), catalog, vram_gb=vram)
    assert built.model_type == expected
    assert all(f.startswith("vace_") for f in built.fallbacks)


def test_a_tier_family_without_guided_models_takes_the_default_guided_family(catalog):
    from wangp_backend.toolkit import load_templates

    library = load_templates()
    assert library.get("dreamy").model_family == "hunyuan_1_5"
    built = build_settings(shot(guide="POSE", template="dreamy"), catalog, library, vram_gb=24)
    assert built.model_type == "vace_14B" and said(built.errors)[0]["kind"] == "guide_pending"


def test_ltx2_tier_picks_ltx2_for_a_guided_shot(catalog):
    assert build_settings(shot(guide="DEPTH", model_type=""), catalog, vram_gb=24).model_type == "vace_14B"
    from wangp_backend.toolkit import tiers

    model, _ = tiers.choose_model(catalog, "STANDARD", "ltx2", 24, "", lambda info: True, True)
    assert model == "ltx2_22B_distilled_1_1"


def test_live_catalog_letters_decide_for_newer_families(tmp_path):
    records = [dict(r) for r in snapshot_records() if r["model_type"] in ("minimax_h3_fl2va", "vace_1.3B")]
    for record in records:
        record["availability"] = {"status": "available"}
    plain = ModelCatalog.from_records(records)
    # The snapshot lists no letters: the table waits for a catalog that offers them.
    refused = said(build_settings(shot(model_type="minimax_h3_fl2va", guide="DEPTH"), plain).errors)[0]
    assert refused["problem"] == "cannot follow a depth guide"
    for record in records:
        if record["model_type"] == "minimax_h3_fl2va":
            record["setting_values"] = {"video_prompt_type": {"guide_preprocessing": {
                "choices": [{"label": "Transfer Depth", "value": "DV"}, {"label": "Transfer Pose", "value": "PV"}]}}}
    live = ModelCatalog.from_records(records)
    refused = said(build_settings(shot(model_type="minimax_h3_fl2va", guide="DEPTH"), live).errors)[0]
    assert (refused["kind"], refused["able"], refused["more"]) == ("guide_refused", ["vace_1.3B"], 0)
    spec = shot(model_type="minimax_h3_fl2va", guide="ANIMATIC", scene_fps=24.0, frame_start=1, frame_end=124)
    built = guided(spec, live, tmp_path)
    assert built.errors == () and built.settings["video_prompt_type"] == "DV"
    assert built.guide_target.frame_count in (107, 124)


def test_a_start_image_on_vace_becomes_an_injected_frame(catalog, tmp_path):
    start = tmp_path / "start.png"
    start.write_bytes(b"png")
    built = build_settings(shot(model_type="vace_14B", start_image=str(start)), catalog)
    assert built.errors == ()
    assert "image_start" not in built.settings and "image_prompt_type" not in built.settings
    assert built.settings["video_prompt_type"] == "FI"
    assert built.settings["image_refs"] == [str(start)] and built.settings["frames_positions"] == "1"


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"target": GuideTarget(832, 480, 24.0, 81)}, "guide_size_mismatch"),
        ({"mode": "POSE"}, "guide_mode_mismatch"),
        ({"control_video": "/nowhere/control.mp4"}, "control_video_missing"),
    ],
)
def test_a_guide_that_does_not_match_the_target_is_an_error(catalog, tmp_path, change, kind):
    spec = shot(model_type="vace_14B", guide="DEPTH", frame_start=1, frame_end=81)
    first = build_settings(spec, catalog)
    rendered = replace(media(tmp_path, first), **change)
    built = build_settings(replace(spec, guide_media=rendered), catalog)
    assert kind in kinds(built.errors), built.errors
    assert "video_guide" not in built.settings


def test_keyframes_must_sit_where_the_mode_says(catalog, tmp_path):
    spec = shot(model_type="vace_14B", guide="DEPTH", keyframes="FIRST_LAST", frame_start=1, frame_end=81)
    first = build_settings(spec, catalog)
    built = build_settings(replace(spec, guide_media=media(tmp_path, first, "DEPTH", (0, 40))), catalog)
    assert said(built.errors) == [
        {"kind": "keyframes_misplaced", "mode": "FIRST_LAST", "wanted": [0, 80], "found": [0, 40]}
    ]


def test_continuation_sends_the_tail_and_says_how_many_frames_to_trim(catalog, tmp_path):
    take = tmp_path / "SH010_take001.mp4"
    take.write_bytes(b"mp4")
    spec = shot(model_type="vace_14B", guide="DEPTH", frame_start=1, frame_end=81, continue_from=str(take))
    built = guided(spec, catalog, tmp_path)
    settings = built.settings
    assert settings["image_prompt_type"] == "V"
    assert settings["video_source"] == f"{take}|start_frame=-5"
    assert settings["sliding_window_overlap"] == 5
    assert settings["video_prompt_type"] == "VT"
    assert built.trim_head_frames == 5 and built.sidecar_extra["trim_head_frames"] == 5
    assert built.sidecar_extra["continue_from"] == str(take)


def test_continuation_trim_follows_the_previous_take_fps(catalog, tmp_path):
    take = tmp_path / "SH010_take001.mp4"
    take.write_bytes(b"mp4")
    (tmp_path / "SH010_take001.json").write_text(json.dumps({"fps": 16}))  # made by a Wan model
    spec = shot(model_type="ltx2_22B_distilled", scene_fps=25.0, frame_start=1, frame_end=97,
                continue_from=str(take))
    built = build_settings(spec, catalog)
    assert built.errors == ()
    assert built.settings["video_source"].endswith("|start_frame=-17")
    assert "video_prompt_type" not in built.settings  # no control: nothing to align
    assert built.settings["force_fps"] == "25"
    assert built.trim_head_frames == resampled_count(17, 16.0, 25.0) == 26


def test_continuation_refuses_a_start_image_and_models_that_cannot_continue(catalog, tmp_path):
    take = tmp_path / "take.mp4"
    take.write_bytes(b"mp4")
    start = tmp_path / "start.png"
    start.write_bytes(b"png")
    both = build_settings(shot(model_type="i2v", start_image=str(start), continue_from=str(take)), catalog)
    assert "continue_with_start_image" in kinds(both.errors)
    cannot = said(build_settings(shot(model_type="t2v_1.3B", continue_from=str(take)), catalog).errors)[0]
    assert (cannot["kind"], cannot["model"], cannot["problem"]) == (
        "guide_refused", "t2v_1.3B", "cannot continue a previous take")
    assert cannot["able"]
    missing = build_settings(shot(model_type="i2v", continue_from=str(tmp_path / "gone.mp4")), catalog)
    assert said(missing.errors) == [{"kind": "continue_missing", "path": str(tmp_path / "gone.mp4")}]


def test_a_long_guided_shot_uses_sliding_windows_over_the_whole_control(catalog, tmp_path):
    spec = shot(model_type="vace_14B", guide="DEPTH", frame_start=1, frame_end=161)
    built = guided(spec, catalog, tmp_path)
    assert built.settings["video_length"] == 161 and built.guide_target.frame_count == 161
    assert built.settings["sliding_window_size"] == 97 and built.settings["sliding_window_overlap"] == 5


def test_resampling_by_time_matches_wangp():
    assert resampled_count(121, 24.0, 16.0) == 81
    assert resampled_count(120, 24.0, 16.0) == 80
    assert resampled_count(17, 16.0, 16.0) == 17
    assert resampled_count(5, 24.0, 16.0) == 3


def test_unguided_shots_are_unchanged(catalog):
    built = build_settings(shot(model_type="t2v_1.3B"), catalog)
    assert built.guide_target is None and built.sidecar_extra == {} and built.trim_head_frames == 0
    assert not {"video_prompt_type", "video_guide", "video_source"} & set(built.settings)


def test_the_guide_content_hash_marks_a_moved_layout_as_changed(catalog, tmp_path):
    from wangp_backend.hashing import settings_hash

    spec = shot(model_type="vace_14B", guide="DEPTH", frame_start=1, frame_end=81)
    first = build_settings(spec, catalog)
    rendered = media(tmp_path, first)
    same = build_settings(replace(spec, guide_media=rendered), catalog)
    moved = build_settings(replace(spec, guide_media=replace(rendered, content_hash="def456")), catalog)
    assert same.settings == moved.settings
    assert same.settings_hash != moved.settings_hash
    assert same.settings_hash == build_settings(replace(spec, guide_media=rendered), catalog).settings_hash
    assert first.settings_hash == settings_hash(first.settings)  # nothing rendered yet: the settings alone


def test_before_any_catalog_the_table_alone_decides(tmp_path):
    vace = build_settings(shot(model_type="vace_14B_fusionix", guide="DEPTH", keyframes="FIRST"), None)
    assert vace.guide_pending and vace.blocking_errors == ()
    assert vace.guide_target == GuideTarget(832, 480, 16.0, 81)
    fun = build_settings(shot(model_type="vace_fun_14B_2_2", guide="POSE"), None)
    assert fun.guide_pending and fun.blocking_errors == ()
    ltx2 = build_settings(shot(model_type="ltx2_22B_distilled", guide="LINEART", scene_fps=24.0,
                               resolution="832x480"), None)
    assert (ltx2.guide_target.width, ltx2.guide_target.height) == (832, 448)
    assert build_settings(shot(guide="DEPTH"), None).model_type.startswith("vace_")
    assert said(build_settings(shot(model_type="t2v_1.3B", guide="DEPTH"), None).errors) == [{
        "kind": "guide_refused_no_catalog", "model": "t2v_1.3B", "problem": "cannot follow a depth guide",
        "families": ["VACE", "LTX-2"],
    }]
    assert said(build_settings(shot(model_type="i2v", guide="NONE", keyframes="CAMERA_KEYS"), None).errors) == [{
        "kind": "guide_refused_no_catalog", "model": "i2v", "problem": "cannot take keyframes at the camera's keys",
        "families": ["VACE"],
    }]
