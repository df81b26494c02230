"""Reviewing takes: approval locks a shot against batches, variations in one click, the A/B key, rating
and note kept in the sidecar, and the contact sheet (drawn in WanGP's environment, off the main thread)."""

from __future__ import annotations

import json
import os

import bpy
import pytest


def _strips(scene):
    editor = scene.sequence_editor
    if editor is None:
        return []
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


def _sidecar(take) -> dict:
    with open(take.sidecar_path, encoding="utf-8") as fh:
        return json.load(fh)


def _log_text() -> str:
    text = bpy.data.texts.get("Movie Director Log")
    return text.as_string() if text else ""


@pytest.fixture
def wan_shot(md, fake_wangp, output_dir, make_shot):
    obj = make_shot("SH010", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    return obj


def test_an_approved_take_locks_the_shot_against_every_batch_until_unlocked(md, wan_shot, make_shot):
    other = make_shot("SH020", 25, 48)
    other.movie_director.model_type = "t2v_1.3B"
    bpy.context.view_layer.objects.active = wan_shot
    bpy.ops.movie_director.generate_shot()
    shot = wan_shot.movie_director
    assert bpy.ops.movie_director.approve_take() == {"FINISHED"}
    assert shot.takes[0].approved
    assert _sidecar(shot.takes[0])["review"] == {"approved": True, "rating": 0, "note": ""}

    # Not even "only changed" off regenerates it; the other shot is generated.
    assert bpy.ops.movie_director.generate_scene(only_changed=False) == {"FINISHED"}
    assert len(shot.takes) == 1
    assert len(other.movie_director.takes) == 1
    assert "1 Locked" in _log_text()
    assert bpy.context.scene.movie_director.batch_skipped == 1
    # Generating the shot itself is refused with the reason.
    bpy.context.view_layer.objects.active = wan_shot
    with pytest.raises(RuntimeError, match="SH010 is locked: take 1 is approved"):
        bpy.ops.movie_director.generate_shot()
    assert len(shot.takes) == 1

    assert bpy.ops.movie_director.unlock_shot() == {"FINISHED"}
    assert not shot.takes[0].approved
    assert _sidecar(shot.takes[0])["review"]["approved"] is False
    assert not bpy.ops.movie_director.unlock_shot.poll()
    bpy.ops.movie_director.generate_scene(only_changed=False)
    assert len(shot.takes) == 2


def test_approving_another_take_moves_the_approval(md, wan_shot):
    bpy.ops.movie_director.generate_shot(variations=2)
    shot = wan_shot.movie_director
    bpy.ops.movie_director.set_active_take(index=0)
    bpy.ops.movie_director.approve_take()
    bpy.ops.movie_director.set_active_take(index=1)
    bpy.ops.movie_director.approve_take()
    assert [t.approved for t in shot.takes] == [False, True]
    assert [_sidecar(t)["review"]["approved"] for t in shot.takes] == [False, True]


def test_variations_queue_takes_with_different_seeds_and_load_the_model_once(md, wan_shot):
    shot = wan_shot.movie_director
    assert bpy.ops.movie_director.generate_shot(variations=3) == {"FINISHED"}
    assert len(shot.takes) == 3
    seeds = [t.seed for t in shot.takes]
    assert len(set(seeds)) == 3
    assert [_sidecar(t)["seed"] for t in shot.takes] == seeds
    assert len({t.filepath for t in shot.takes}) == 3
    # WanGP prints a "Loading Model" line per weight file it loads: two files, loaded once for three takes.
    assert _log_text().count("Loading Model 'ckpts/t2v_1.3b") == 1


def test_variations_of_a_shot_with_a_fixed_seed_count_up_from_it(md, wan_shot):
    wan_shot.movie_director.seed = 41
    bpy.ops.movie_director.generate_shot(variations=2)
    assert [t.seed for t in wan_shot.movie_director.takes] == [41, 42]


def test_the_ab_key_switches_the_timeline_between_two_takes(md, wan_shot):
    shot = wan_shot.movie_director
    bpy.ops.movie_director.generate_shot(variations=3)
    scene = bpy.context.scene
    assert shot.active_take_index == 2
    [strip] = _strips(scene)
    assert strip["md_take"] == 2
    bpy.ops.movie_director.set_active_take(index=0)  # A = take 1, B = take 3 (shown before)
    assert bpy.ops.movie_director.compare_takes() == {"FINISHED"}
    [strip] = _strips(scene)
    assert (shot.active_take_index, strip["md_take"], strip.filepath) == (2, 2, shot.takes[2].filepath)
    bpy.ops.movie_director.compare_takes()
    [strip] = _strips(scene)
    assert (shot.active_take_index, strip["md_take"]) == (0, 0)
    assert shot.compare_take_index == 2


def test_the_ab_key_is_bound_in_the_sequencer_and_the_3d_view(md):
    keyconfig = bpy.context.window_manager.keyconfigs.addon
    if keyconfig is None:
        pytest.skip("this Blender has no add-on key configuration")
    for name in ("Sequencer", "3D View"):
        items = [i for i in keyconfig.keymaps[name].keymap_items if i.idname == "movie_director.compare_takes"]
        assert [(i.type, i.value) for i in items] == [("F7", "PRESS")]


def test_compare_needs_two_takes(md, wan_shot):
    bpy.ops.movie_director.generate_shot()
    assert not bpy.ops.movie_director.compare_takes.poll()
    with pytest.raises(RuntimeError, match="fewer than two takes"):
        bpy.ops.movie_director.compare_takes()


def test_rating_and_note_are_kept_in_the_sidecar_and_recovered_from_it(md, wan_shot):
    bpy.ops.movie_director.generate_shot()
    take = wan_shot.movie_director.takes[0]
    take.rating = 4
    take.note = "good light, late camera"
    record = _sidecar(take)
    assert record["review"] == {"approved": False, "rating": 4, "note": "good light, late camera"}
    assert record["settings"]["model_type"] == "t2v_1.3B"  # the rest of the record is intact
    folder = os.path.dirname(take.sidecar_path)
    assert not [f for f in os.listdir(folder) if f.endswith(".tmp")]

    wan_shot.movie_director.takes.clear()
    wan_shot.movie_director.active_take_index = -1
    assert bpy.ops.movie_director.recover_takes() == {"FINISHED"}
    [recovered] = wan_shot.movie_director.takes
    assert (recovered.rating, recovered.note, recovered.approved) == (4, "good light, late camera", False)


def test_contact_sheet_has_a_row_per_shot_with_three_frames(md, wan_shot, make_shot, tmp_path):
    make_shot("SH020", 25, 48)  # no take: an empty row
    bpy.context.view_layer.objects.active = wan_shot
    bpy.ops.movie_director.generate_shot()
    bpy.ops.movie_director.approve_take()
    out = str(tmp_path / "sheet.png")
    assert bpy.ops.movie_director.contact_sheet(filepath=out) == {"FINISHED"}
    scene = bpy.context.scene
    assert scene.movie_director.contact_sheet_path == out
    sheet = md.wangp_backend.contact_sheet
    image = bpy.data.images.load(out)
    width, height = image.size
    assert width == sheet.LABEL_W + 3 * (sheet.THUMB_W + sheet.PAD) + sheet.PAD
    assert height == sheet.HEADER_H + 2 * (sheet.THUMB_H + sheet.PAD) + sheet.PAD
    pixels = list(image.pixels)

    def pixel(x: int, y_from_top: int) -> tuple[float, ...]:
        i = ((height - 1 - y_from_top) * width + x) * 4  # Blender's rows run bottom-up
        return tuple(round(v, 2) for v in pixels[i:i + 3])

    empty = tuple(round(v / 255, 2) for v in sheet.EMPTY)
    for column in range(3):
        centre_x = sheet.LABEL_W + sheet.PAD + column * (sheet.THUMB_W + sheet.PAD) + sheet.THUMB_W // 2
        first_row = pixel(centre_x, sheet.HEADER_H + sheet.THUMB_H // 2)
        second_row = pixel(centre_x, sheet.HEADER_H + sheet.THUMB_H + sheet.PAD + sheet.THUMB_H // 2)
        assert first_row != empty  # a frame of the take
        assert second_row == empty  # SH020 has no take
    bpy.data.images.remove(image)


def test_contact_sheet_without_wangps_environment_says_what_to_set(md, output_dir, make_shot, monkeypatch):
    monkeypatch.delenv("WANGP_SITE_PACKAGES", raising=False)
    monkeypatch.delenv("WANGP_PYTHON", raising=False)
    make_shot("SH010", 1, 24)
    with pytest.raises(RuntimeError, match="set WanGP Packages"):
        bpy.ops.movie_director.contact_sheet()


def test_takes_are_named_by_their_file_number_when_an_earlier_take_was_deleted(md, wan_shot, capsys):
    """The user sees take003 on disk: every message, panel line, sheet and export says "take 3", not its place."""
    scene = bpy.context.scene
    assert bpy.ops.movie_director.generate_shot(variations=3) == {"FINISHED"}
    shot = wan_shot.movie_director
    shot.takes.remove(0)  # take 1 deleted: takes 2 and 3 remain, in places 1 and 2
    numbers = [md.runtime.paths.number_of(t.filepath, i) for i, t in enumerate(shot.takes)]
    assert numbers == [2, 3]
    assert bpy.ops.movie_director.set_active_take(index=1) == {"FINISHED"}
    capsys.readouterr()

    assert bpy.ops.movie_director.approve_take() == {"FINISHED"}
    assert "SH010: take 3 approved; the shot is locked" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="SH010 is locked: take 3 is approved"):
        bpy.ops.movie_director.generate_shot()
    (row,) = md.runtime.contact_sheet.rows(scene)
    assert (row.take_number, row.take_count) == (3, 2)
    assert ("take 3 (2 takes)", md.wangp_backend.contact_sheet.DIM) in md.wangp_backend.contact_sheet.row_lines(row)
    (clip,) = [c for c in md.runtime.cut_reader.read_cut(scene).clips if c.metadata]
    assert clip.metadata["take"] == 3 and clip.name == "SH010 take 3"

    assert bpy.ops.movie_director.unlock_shot() == {"FINISHED"}
    capsys.readouterr()
    assert bpy.ops.movie_director.postprocess_take(spatial_upsampling="lanczos1.5") == {"FINISHED"}
    assert "SH010: take 4 post-processed" in capsys.readouterr().out
    assert _sidecar(shot.takes[2])["parent_take"]["take"] == 3
    assert "SH010: take 4 ready: " in _log_text()
