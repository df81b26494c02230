"""A take's review in its sidecar (merged atomically, the rest kept) and the contact sheet drawing."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest
from conftest import FAKE_ROOT
from PIL import Image

from wangp_backend import contact_sheet
from wangp_backend.review import Review, review_of, update_sidecar, write_review


def _load(name: str, path: str):
    """A module loaded from its file, leaving ``sys.path`` alone (the host tests check WanGP's place in it)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fake_media = _load("md_test_fake_media", str(FAKE_ROOT / "shared" / "fake_media.py"))  # the double's mp4 writer


def test_write_review_merges_into_the_sidecar_and_keeps_everything_else(tmp_path):
    path = tmp_path / "SH010_take001.json"
    path.write_text(json.dumps({"seed": 7, "settings": {"prompt": "p"}}))
    write_review(str(path), Review(approved=True, rating=9, note="nice"))
    data = json.loads(path.read_text())
    assert data == {"seed": 7, "settings": {"prompt": "p"}, "review": {"approved": True, "rating": 5, "note": "nice"}}
    assert os.listdir(tmp_path) == ["SH010_take001.json"]  # no temporary file left


def test_a_missing_or_foreign_sidecar_is_an_error_and_nothing_is_written(tmp_path):
    with pytest.raises(OSError):
        update_sidecar(str(tmp_path / "gone.json"), {"review": {}})
    foreign = tmp_path / "list.json"
    foreign.write_text("[1, 2]")
    with pytest.raises(ValueError, match="does not hold a take's record"):
        update_sidecar(str(foreign), {"review": {}})
    assert foreign.read_text() == "[1, 2]"


@pytest.mark.parametrize(("raw", "expected"), [
    (None, Review()),
    ({"approved": 1, "rating": "3", "note": 5}, Review(True, 3, "5")),
    ({"rating": "many"}, Review()),
    ({"rating": -2}, Review()),
])
def test_review_of_reads_odd_records_leniently(raw, expected):
    assert review_of({"review": raw} if raw is not None else {}) == expected


def test_frame_indices_are_first_middle_last():
    assert contact_sheet.frame_indices(33) == (0, 16, 32)
    assert contact_sheet.frame_indices(1) == (0, 0, 0)


def test_the_sheet_shows_three_frames_of_each_take_and_blank_cells_for_a_shot_without_one(tmp_path):
    clip = str(tmp_path / "a.mp4")
    fake_media.write_video(clip, 160, 96, 17, 16.0, (200, 40, 40))
    out = str(tmp_path / "sheet.png")
    rows = [contact_sheet.SheetRow("SH010", clip, 1, 2, "t2v_1.3B", 5, True, 3, 17),
            contact_sheet.SheetRow("SH020"),
            contact_sheet.SheetRow("SH030", str(tmp_path / "missing.mp4"), 1, 1, "m", 1)]
    problems = contact_sheet.render("title", rows, out)
    assert len(problems) == 1 and "SH030" in problems[0]
    image = Image.open(out).convert("RGB")
    row_h = contact_sheet.THUMB_H + contact_sheet.PAD
    assert image.size[1] == contact_sheet.HEADER_H + 3 * row_h + contact_sheet.PAD
    for column in range(3):
        left = contact_sheet.LABEL_W + contact_sheet.PAD + column * (contact_sheet.THUMB_W + contact_sheet.PAD)
        line = [image.getpixel((left + x, contact_sheet.HEADER_H + 70)) for x in range(contact_sheet.THUMB_W)]
        assert sum(1 for r, g, _b in line if r > 150 and g < 90) > contact_sheet.THUMB_W // 2  # the clip's colour
        assert image.getpixel((left + 20, contact_sheet.HEADER_H + row_h + 40)) == contact_sheet.EMPTY
