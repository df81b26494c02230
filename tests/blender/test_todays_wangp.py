"""The add-on against today's WanGP: the double's "17" profile (version 17.2, previews as None, stale progress
dropped, named presets, MiniMax H3 with no tier row), in Blender and (MD_TEST_HOST_MODE=BRIDGE) in a bridge."""

from __future__ import annotations

import json

import bpy
import pytest


def _sidecar(take) -> dict:
    with open(take.sidecar_path, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture
def wangp17(md, fake_wangp, output_dir):
    fake_wangp(profile="17", available=["t2v_1.3B", "minimax_h3_fl2va"])
    return fake_wangp


def test_a_take_of_wangp_17_records_its_version_and_the_panel_shows_it(md, wangp17, make_shot):
    obj = make_shot("SH010", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    take = obj.movie_director.takes[0]
    record = _sidecar(take)
    assert record["wangp_version"] == "17.2"
    assert "wangp_commit" not in record  # the double's folder is no git checkout
    view = md.runtime.session.view()
    assert view.wangp_version == "17.2"
    assert obj.movie_director.preview_image is None  # every preview event carried None: nothing to show
    assert obj.movie_director.generation_progress == 100


def test_a_session_that_sends_no_previews_still_makes_takes(md, fake_wangp, output_dir, make_shot):
    fake_wangp(previews=False)
    obj = make_shot("SH010", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    assert len(obj.movie_director.takes) == 1 and obj.movie_director.generation_status == "done"


def test_minimax_h3_has_no_tier_row_and_runs_on_the_catalogs_rules_and_preset(md, wangp17, make_shot):
    obj = make_shot("SH010", 1, 120, resolution="")
    obj.movie_director.model_type = "minimax_h3_fl2va"
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    take = obj.movie_director.takes[0]
    record = _sidecar(take)
    assert take.fps == 24.0 and record["fps"] == 24.0
    assert (record["frame_count"] - 107) % 17 == 0  # MiniMax H3's own frame grid
    assert record["settings"]["num_inference_steps"] == 12  # from WanGP's named preset
    assert any("from the catalog" in note for note in record["notes"])
    rules = md.panels.model_menu.catalog_rules(md.runtime.session.catalog(), "minimax_h3_fl2va")
    assert "from the catalog" in rules and "24 fps" in rules
    assert md.panels.model_menu.catalog_rules(md.runtime.session.catalog(), "t2v_1.3B") == ""
