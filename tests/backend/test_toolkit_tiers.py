"""Quality tiers: VRAM classes, the candidate order, availability, image needs, no catalog."""

from __future__ import annotations

import pytest
from toolkit_support import needs_snapshot, snapshot_catalog

from wangp_backend.spec import QUALITY_TIERS
from wangp_backend.toolkit import choose_model, vram_class
from wangp_backend.toolkit.tiers import VRAM_CLASSES, families, tier_plan

FAMILIES = ("wan", "wan2_2", "ltx2", "ltxv", "hunyuan", "hunyuan_1_5", "kandinsky5")


@pytest.mark.parametrize(
    ("vram", "expected"),
    [
        (0, "mid"),
        (-1, "mid"),
        (4, "light"),
        (7.9, "light"),
        (8, "mid"),
        (12, "mid"),
        (16, "mid"),
        (16.5, "large"),
        (80, "large"),
    ],
)
def test_vram_class(vram, expected):
    assert vram_class(vram) == expected


def test_table_covers_every_family_tier_and_class():
    assert set(FAMILIES) <= set(families())
    for family in FAMILIES:
        for quality in QUALITY_TIERS:
            for vram in (4, 12, 24):
                for image in (False, True):
                    plan = tier_plan(family, quality, vram, image=image)
                    assert plan.candidates, (family, quality, vram, image)
                    assert plan.frames_cap > 0 and "x" in plan.resolution


@needs_snapshot
def test_every_candidate_exists_in_the_catalog_snapshot():
    catalog = snapshot_catalog()
    for family in families():
        for quality in QUALITY_TIERS:
            for vram in (4, 12, 24):
                for image in (False, True):
                    for candidate in tier_plan(family, quality, vram, image=image).candidates:
                        info = catalog.get(candidate.model_type)
                        assert info is not None, candidate.model_type
                        assert info.family == family, candidate.model_type
                        if image:
                            assert info.accepts_image("start"), candidate.model_type


def test_bigger_cards_keep_the_smaller_classes_as_later_candidates():
    light = [c.model_type for c in tier_plan("wan", "STANDARD", 4).candidates]
    mid = [c.model_type for c in tier_plan("wan", "STANDARD", 12).candidates]
    large = [c.model_type for c in tier_plan("wan", "STANDARD", 24).candidates]
    assert mid[-len(light) :] == light
    assert large[-len(mid) :] == mid
    assert len(light) < len(mid) < len(large)
    assert VRAM_CLASSES == ("light", "mid", "large")


def test_unknown_family_or_tier_is_refused():
    with pytest.raises(ValueError, match="family 'sora'"):
        tier_plan("sora", "STANDARD")
    with pytest.raises(ValueError, match="tier 'ULTRA'"):
        choose_model(None, "ULTRA", "wan")
    with pytest.raises(ValueError, match="image role 'middle'"):
        choose_model(None, "STANDARD", "wan", needs_image="middle")


@needs_snapshot
@pytest.mark.parametrize(
    ("family", "vram", "expected"),
    [
        ("wan", 6, "t2v_1.3B"),
        ("wan", 12, "t2v_fusionix"),
        ("wan", 24, "t2v"),
        ("wan2_2", 6, "ti2v_2_2"),
        ("wan2_2", 24, "t2v_2_2"),
        ("ltx2", 6, "ltx2_22B_distilled_gguf_q4_k_m"),
        ("ltx2", 12, "ltx2_22B_distilled_gguf_q8_0"),
        ("ltx2", 24, "ltx2_22B_distilled_1_1"),
        ("hunyuan", 12, "hunyuan_t2v_fast"),
        ("kandinsky5", 24, "k5_pro_t2v"),
    ],
)
def test_tier_choice_by_vram_class(family, vram, expected):
    model_type, fallbacks = choose_model(snapshot_catalog(), "STANDARD", family, vram)
    assert model_type == expected
    assert expected not in fallbacks


@needs_snapshot
def test_light_cards_only_get_light_models():
    catalog = snapshot_catalog()
    for quality in QUALITY_TIERS:
        model_type, fallbacks = choose_model(catalog, quality, "wan", 6)
        assert all("1.3B" in t for t in (model_type, *fallbacks)), (quality, model_type, fallbacks)


@needs_snapshot
def test_first_available_candidate_wins_and_other_available_ones_follow_in_order():
    # Large STANDARD wan: t2v, t2v_fusionix, then mid (t2v_sf), then light (t2v_1.3B, t2v_nexus_1.3B).
    catalog = snapshot_catalog(available={"t2v_fusionix", "t2v_nexus_1.3B", "t2v_1.3B"})
    assert choose_model(catalog, "STANDARD", "wan", 24) == ("t2v_fusionix", ("t2v_1.3B", "t2v_nexus_1.3B"))


@needs_snapshot
def test_nothing_downloaded_picks_the_first_candidate_without_fallbacks():
    catalog = snapshot_catalog(available=())
    assert choose_model(catalog, "STANDARD", "wan", 24) == ("t2v", ())


def test_without_a_catalog_the_table_order_is_used():
    model_type, fallbacks = choose_model(None, "STANDARD", "wan", 24)
    assert model_type == "t2v"
    assert fallbacks == ("t2v_fusionix", "t2v_sf", "t2v_1.3B", "t2v_nexus_1.3B")


def test_default_family_is_wan():
    assert choose_model(None, "PREVIEW") == choose_model(None, "PREVIEW", "wan")


@needs_snapshot
def test_start_image_picks_image_models():
    catalog = snapshot_catalog()
    model_type, fallbacks = choose_model(catalog, "STANDARD", "wan", 24, needs_image="start")
    assert model_type == "i2v"
    assert all(catalog.get(t).accepts_image("start") for t in (model_type, *fallbacks))


@needs_snapshot
def test_end_image_skips_candidates_that_only_take_a_start_image():
    catalog = snapshot_catalog()
    # Mid Wan 2.2 image candidates: the Lightning i2v (start + end), then ti2v_2_2 (start only).
    assert choose_model(catalog, "STANDARD", "wan2_2", 12, needs_image="start")[1] == ("ti2v_2_2", "ti2v_2_2_fastwan")
    model_type, fallbacks = choose_model(catalog, "STANDARD", "wan2_2", 12, needs_image="start+end")
    assert (model_type, fallbacks) == ("i2v_2_2_Enhanced_Lightning_v2", ())


@needs_snapshot
def test_when_no_candidate_takes_the_image_the_first_known_one_is_returned():
    # Light Wan 2.2 only has ti2v_2_2 (start only): the builder then says which models could.
    assert choose_model(snapshot_catalog(), "STANDARD", "wan2_2", 6, needs_image="start+end")[0] == "ti2v_2_2"
