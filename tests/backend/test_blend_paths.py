"""Blend-relative paths (``//...``): stored relative inside the .blend's folder, absolute outside it,
resolved back to the same absolute path; and JSON files written with a normal file's permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wangp_backend.atomic import write_json_atomic
from wangp_backend.batch.queue_file import request_to_plain
from wangp_backend.blend_paths import BlendFolder
from wangp_backend.requests import JobRequest
from wangp_backend.takes import write_sidecar


def test_inside_the_blend_folder_is_relative_and_resolves_back(tmp_path: Path) -> None:
    folder = BlendFolder(str(tmp_path / "film.blend"))
    clip = str(tmp_path / "movie_director" / "Scene" / "SH010" / "SH010_take001.mp4")
    assert folder.store(clip) == "//movie_director/Scene/SH010/SH010_take001.mp4"
    assert folder.resolve(folder.store(clip)) == clip
    assert folder.store(folder.store(clip)) == folder.store(clip)  # storing twice changes nothing
    assert folder.store(str(tmp_path)) == "//"
    assert folder.store("") == "" and folder.resolve("") == ""


def test_outside_the_blend_folder_stays_absolute(tmp_path: Path) -> None:
    folder = BlendFolder(str(tmp_path / "project" / "film.blend"))
    for outside in (tmp_path / "renders" / "a.mp4", tmp_path / "projectile" / "a.mp4", tmp_path / "a.mp4"):
        assert folder.store(str(outside)) == str(outside)
        assert folder.resolve(str(outside)) == str(outside)


def test_a_moved_folder_resolves_into_its_new_place(tmp_path: Path) -> None:
    stored = BlendFolder(str(tmp_path / "old" / "film.blend")).store(str(tmp_path / "old" / "takes" / "a.mp4"))
    moved = BlendFolder(str(tmp_path / "new" / "film.blend"))
    assert moved.resolve(stored) == str(tmp_path / "new" / "takes" / "a.mp4")


def test_an_unsaved_file_keeps_paths_absolute_and_cannot_resolve_relative_ones(tmp_path: Path) -> None:
    folder = BlendFolder("")
    assert folder.store(str(tmp_path / "a.mp4")) == str(tmp_path / "a.mp4")
    with pytest.raises(ValueError, match="not saved"):
        folder.resolve("//a.mp4")


def test_a_request_round_trips_with_its_take_folder_and_input_images(tmp_path: Path) -> None:
    folder = BlendFolder(str(tmp_path / "film.blend"))
    take_dir = str(tmp_path / "md" / "Scene" / "SH010")
    start = os.path.join(take_dir, "inputs", "SH010_take001_start.png")
    request = JobRequest(
        "k/s", {"model_type": "i2v", "prompt": "// not a path", "image_start": start}, take_dir, "SH010_take001",
        sidecar_extra={"inputs": {"start": {"source": "RENDER", "path": start}}, "shot_name": "SH010"},
    )
    plain = request_to_plain(request)
    stored = folder.store_request(plain)
    assert stored["take_dir"] == "//md/Scene/SH010"
    assert stored["settings"]["image_start"] == "//md/Scene/SH010/inputs/SH010_take001_start.png"
    assert stored["sidecar_extra"]["inputs"]["start"]["path"] == stored["settings"]["image_start"]
    assert stored["settings"]["prompt"] == "// not a path"
    assert folder.resolve_request(stored) == plain
    assert plain["take_dir"] == take_dir  # the input is never changed in place


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_json_files_get_a_normal_files_permissions(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        write_json_atomic(str(tmp_path / "queue.json"), {"a": 1})
        sidecar = write_sidecar(str(tmp_path / "SH010_take001.mp4"), {"b": 2})
        with open(tmp_path / "clip.mp4", "wb"):
            pass
    finally:
        os.umask(old)
    expected = 0o666 & ~umask
    assert (tmp_path / "clip.mp4").stat().st_mode & 0o777 == expected
    assert (tmp_path / "queue.json").stat().st_mode & 0o777 == expected
    assert os.stat(sidecar).st_mode & 0o777 == expected
    assert sorted(os.listdir(tmp_path)) == ["SH010_take001.json", "clip.mp4", "queue.json"]
