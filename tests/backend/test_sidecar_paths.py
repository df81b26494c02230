"""Paths inside a take's sidecar: relative to the sidecar inside the project folder, absolute outside it,
never touching the user's words; every reader sees absolute paths of wherever the project now is."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from wangp_backend import sidecar_paths
from wangp_backend.batch import scan_takes
from wangp_backend.review import Review, read_sidecar, write_review
from wangp_backend.takes import write_sidecar


def _record(project: Path, outside: Path) -> dict:
    take_dir = project / "movie_director" / "Scene" / "SH020"
    previous = project / "movie_director" / "Scene" / "SH010" / "SH010_take002.mp4"
    return {
        "schema": "movie_director.take/1",
        "file": "SH020_take003.mp4",
        "blend_file": str(project / "film.blend"),
        "settings": {
            "prompt": "../not a path, the user's words",
            "image_start": str(take_dir / "inputs" / "SH020_take003_start.png"),
            "image_refs": [str(project / "cast" / "hero.png"), str(outside / "library" / "villain.png")],
            "video_source": f"{previous}|start_frame=-8",
        },
        "cast": [{"name": "../Hero", "description": "./tall", "images": [str(project / "cast" / "hero.png")]}],
        "parent_take": {"file": str(take_dir / "SH020_take001.mp4"), "sidecar": str(take_dir / "SH020_take001.json"),
                        "take": 1},
        "continue_from": str(previous),
        "notes": ["../a note"],
        "frame_start": 17,
    }


def test_paths_inside_the_project_are_stored_relative_to_the_sidecar(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "elsewhere"
    record = _record(project, outside)
    sidecar = str(project / "movie_director" / "Scene" / "SH020" / "SH020_take003.json")
    stored = sidecar_paths.store(record, sidecar)
    assert stored["blend_file"] == "../../../film.blend"
    assert stored["settings"]["image_start"] == "./inputs/SH020_take003_start.png"
    assert stored["settings"]["image_refs"] == ["../../../cast/hero.png", str(outside / "library" / "villain.png")]
    assert stored["settings"]["video_source"] == "../SH010/SH010_take002.mp4|start_frame=-8"
    assert stored["parent_take"] == {"file": "./SH020_take001.mp4", "sidecar": "./SH020_take001.json", "take": 1}
    assert stored["continue_from"] == "../SH010/SH010_take002.mp4"
    # The user's words and plain values are never paths.
    assert stored["settings"]["prompt"] == record["settings"]["prompt"]
    assert stored["cast"][0]["name"] == "../Hero" and stored["cast"][0]["description"] == "./tall"
    assert stored["notes"] == ["../a note"] and stored["frame_start"] == 17 and stored["file"] == "SH020_take003.mp4"
    assert sidecar_paths.resolve(stored, sidecar) == record
    assert sidecar_paths.store(stored, sidecar) == stored  # storing twice changes nothing


def test_a_take_folder_outside_the_project_keeps_every_path_absolute(tmp_path: Path) -> None:
    record = _record(tmp_path / "project", tmp_path / "elsewhere")
    # The takes do not move with the project: a path relative to them would break when the project moves.
    assert sidecar_paths.store(record, str(tmp_path / "renders" / "SH020" / "SH020_take003.json")) == record


def test_an_unsaved_blend_keeps_every_path_absolute(tmp_path: Path) -> None:
    record = {**_record(tmp_path / "project", tmp_path / "elsewhere"), "blend_file": ""}
    sidecar = str(tmp_path / "project" / "movie_director" / "SH020_take003.json")
    assert sidecar_paths.store(record, sidecar) == record


def test_a_moved_project_reads_its_sidecars_at_the_new_place(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "elsewhere"
    take_dir = project / "movie_director" / "Scene" / "SH020"
    take_dir.mkdir(parents=True)
    clip = take_dir / "SH020_take003.mp4"
    clip.write_bytes(b"clip")
    record = _record(project, outside)
    sidecar = write_sidecar(str(clip), record)
    with open(sidecar, encoding="utf-8") as fh:
        on_disk = json.load(fh)
    text = json.dumps(on_disk)
    assert str(project) not in text and str(outside) in text  # only the path outside the project stays absolute

    moved = tmp_path / "shared" / "copy"
    shutil.move(str(project), str(moved))
    sidecar = str(moved / "movie_director" / "Scene" / "SH020" / "SH020_take003.json")
    read = read_sidecar(sidecar)
    assert read == _record(moved, outside)
    (scanned,) = scan_takes(str(moved / "movie_director"))
    assert scanned["parent_take"]["file"] == str(moved / "movie_director" / "Scene" / "SH020" / "SH020_take001.mp4")

    # A review merged into the moved sidecar keeps it relative (read resolved, written stored again).
    write_review(sidecar, Review(approved=True, rating=4, note="../keep"))
    with open(sidecar, encoding="utf-8") as fh:
        again = json.load(fh)
    assert again["blend_file"] == "../../../film.blend" and again["review"]["note"] == "../keep"
    assert read_sidecar(sidecar)["settings"]["video_source"] == (
        f"{moved / 'movie_director' / 'Scene' / 'SH010' / 'SH010_take002.mp4'}|start_frame=-8")
    assert not os.path.exists(project)
