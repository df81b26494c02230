"""Settings are checked and normalised against the catalog before WanGP sees them."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from toolkit_support import said

from wangp_backend.catalog import ModelCatalog
from wangp_backend.validate import SEED_MAX, ValidationError, validate_settings

WAN = {"model_type": "t2v_1.3B", "fps": 16, "frames_minimum": 5, "frames_steps": 4, "frames_maximum": 97,
       "default_resolution": "832x480", "default_video_length": 81}
LTX2 = {"model_type": "ltx2_22B_distilled", "fps": 24, "frames_minimum": 17, "frames_steps": 8,
        "frames_maximum": 481, "outputs": ["video", "audio"], "default_resolution": "1280x720",
        "default_video_length": 241}
HUNYUAN = {"model_type": "hunyuan_t2v_fast", "fps": 24, "frames_minimum": 5, "frames_steps": 4, "frames_maximum": 97}
CATALOG = ModelCatalog.from_records([WAN, LTX2, HUNYUAN, {**WAN, "model_type": "t2v_2_2"}])


def validate(**settings: Any):
    base = {"model_type": "t2v_1.3B", "prompt": "a boat", "seed": 7}
    return validate_settings({**base, **settings}, CATALOG, random.Random(1))


def reason(**settings: Any) -> dict[str, Any]:
    """Which sentence the refusal says, by kind and facts (``test_wording.py`` pins the words)."""
    with pytest.raises(ValidationError) as info:
        validate(**settings)
    return said(info.value.args)[0]


def test_valid_settings_pass_unchanged() -> None:
    v = validate(video_length=81, resolution="832x480")
    assert v.settings == {"model_type": "t2v_1.3B", "prompt": "a boat", "seed": 7, "video_length": 81,
                          "resolution": "832x480"}
    assert (v.seed, v.frame_count, v.width, v.height, v.fps, v.notes) == (7, 81, 832, 480, 16.0, ())


def test_the_request_is_not_modified() -> None:
    settings = {"model_type": "t2v_1.3B", "prompt": "x", "video_length": 80, "image_refs": []}
    validate_settings(settings, CATALOG, random.Random(1))
    assert settings == {"model_type": "t2v_1.3B", "prompt": "x", "video_length": 80, "image_refs": []}


def test_unknown_model_lists_close_matches() -> None:
    assert reason(model_type="t2v_1.3") == {
        "kind": "model_not_in_catalog", "model": "t2v_1.3", "close": ["t2v_1.3B", "t2v_2_2"]
    }


def test_unknown_model_without_close_matches() -> None:
    assert reason(model_type="zzzzzz") == {"kind": "model_not_in_catalog", "model": "zzzzzz", "close": []}


def test_missing_model() -> None:
    assert reason(model_type="") == {"kind": "no_model_set"}


def test_alias_is_resolved_and_reported() -> None:
    v = validate(model_type="hunyuan_fast")
    assert v.settings["model_type"] == "hunyuan_t2v_fast"
    assert said(v.notes) == [{"kind": "model_renamed", "old": "hunyuan_fast", "new": "hunyuan_t2v_fast"}]


@pytest.mark.parametrize("prompt", ["", "   ", None])
def test_empty_prompt(prompt: Any) -> None:
    assert reason(prompt=prompt) == {"kind": "prompt_empty"}


def test_frame_count_is_normalised_and_reported() -> None:
    v = validate(video_length=80)
    assert v.settings["video_length"] == v.frame_count == 81
    assert said(v.notes) == [
        {"kind": "frames_snapped", "requested": 80, "frames": 81, "model": "t2v_1.3B", "rule": "4n+1"}
    ]


def test_frame_count_is_normalised_per_model() -> None:
    v = validate(model_type="ltx2_22B_distilled", video_length=100)
    assert v.frame_count == 97
    assert validate(video_length=500).frame_count == 97


def test_frame_count_in_seconds_uses_force_fps() -> None:
    v = validate(video_length="2s", force_fps="24")
    assert (v.fps, v.frame_count) == (24.0, 49)


def test_bad_frame_count() -> None:
    assert reason(video_length="many") == {"kind": "video_length_bad", "shown": "'many'"}


def test_missing_frame_count_uses_the_model_default_without_adding_it() -> None:
    v = validate()
    assert v.frame_count == 81 and "video_length" not in v.settings


def test_resolution_is_rounded_to_multiples_of_16_and_reported() -> None:
    v = validate(resolution="830x470")
    assert (v.settings["resolution"], v.width, v.height) == ("832x464", 832, 464)
    assert said(v.notes) == [{"kind": "resolution_snapped", "before": "830x470", "after": "832x464"}]
    assert validate(resolution="5x7").settings["resolution"] == "16x16"


def test_bad_resolution() -> None:
    assert reason(resolution="wide") == {"kind": "resolution_bad", "shown": "'wide'"}


def test_missing_resolution_uses_the_model_default() -> None:
    v = validate(model_type="ltx2_22B_distilled")
    assert (v.width, v.height) == (1280, 720) and "resolution" not in v.settings


def test_fps_follows_the_model_unless_forced() -> None:
    assert validate(model_type="ltx2_22B_distilled").fps == 24.0
    assert validate(force_fps="").fps == 16.0
    assert validate(force_fps="auto").fps == 16.0
    assert validate(force_fps=30).fps == 30.0


def test_relative_input_path_is_rejected() -> None:
    assert reason(image_start="shots/start.png") == {
        "kind": "media_not_absolute", "key": "image_start", "path": "shots/start.png"
    }


def test_missing_input_file_is_rejected(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.png")
    assert reason(image_end=missing) == {"kind": "media_missing", "key": "image_end", "path": missing}
    assert reason(image_refs=[missing]) == {"kind": "media_missing", "key": "image_refs", "path": missing}
    assert reason(video_guide=f"{missing}|start_frame=0,end_frame=9") == {
        "kind": "media_missing", "key": "video_guide", "path": missing
    }


def test_existing_input_files_pass(tmp_path: Path) -> None:
    image = tmp_path / "start.png"
    image.write_bytes(b"png")
    v = validate(image_start=str(image), image_refs=[str(image)], image_end=None, video_guide="")
    assert v.settings["image_start"] == str(image)


def test_random_seed_is_chosen_before_submitting() -> None:
    for raw in (-1, None):
        v = validate(seed=raw)
        assert 0 <= v.seed <= SEED_MAX and v.settings["seed"] == v.seed
        assert said(v.notes) == [{"kind": "random_seed", "seed": v.seed}]
    no_seed = validate_settings({"model_type": "t2v_1.3B", "prompt": "a boat"}, CATALOG, random.Random(1))
    assert no_seed.settings["seed"] == no_seed.seed >= 0


def test_bad_seed() -> None:
    assert reason(seed="lucky") == {"kind": "seed_bad", "shown": "'lucky'"}
    assert reason(seed=1.5) == {"kind": "seed_bad", "shown": "1.5"}
