"""Takes are moved (not copied) into the take folder, never overwrite anything, and get a sidecar."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
from pathlib import Path

import pytest

from wangp_backend.atomic import write_json_atomic
from wangp_backend.catalog import ModelCatalog
from wangp_backend.requests import JobRequest
from wangp_backend.takes import SIDECAR_SCHEMA, place_take, sidecar_path, sidecar_record
from wangp_backend.validate import validate_settings


def clip(folder: Path, name: str = "wangp_out.mp4", data: bytes = b"new clip") -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return str(path)


def test_the_clip_is_moved_under_the_take_name(tmp_path: Path) -> None:
    source = clip(tmp_path / "wangp")
    placed = place_take(source, str(tmp_path / "takes" / "SH010"), "SH010_take001")
    assert placed == str(tmp_path / "takes" / "SH010" / "SH010_take001.mp4")
    assert not os.path.exists(source)
    assert Path(placed).read_bytes() == b"new clip"


def test_an_existing_take_is_never_overwritten(tmp_path: Path) -> None:
    takes = tmp_path / "takes"
    clip(takes, "SH010_take001.mp4", b"old take")
    clip(takes, "SH010_take001_2.json", b"{}")  # a sidecar whose clip is gone still reserves its name
    placed = place_take(clip(tmp_path / "wangp"), str(takes), "SH010_take001")
    assert os.path.basename(placed) == "SH010_take001_3.mp4"
    assert (takes / "SH010_take001.mp4").read_bytes() == b"old take"
    assert Path(placed).read_bytes() == b"new clip"


def test_each_take_gets_the_next_free_name(tmp_path: Path) -> None:
    names = [os.path.basename(place_take(clip(tmp_path / "w", f"{i}.mp4"), str(tmp_path / "t"), "take"))
             for i in range(3)]
    assert names == ["take.mp4", "take_2.mp4", "take_3.mp4"]


@pytest.mark.parametrize("name", ["", "../escape", "sub/take", ".."])
def test_take_name_must_be_a_plain_file_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="take name must be a plain file name"):
        place_take(clip(tmp_path), str(tmp_path / "t"), name)


def test_take_folder_must_be_absolute(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="take folder must be an absolute path"):
        place_take(clip(tmp_path), "takes", "take")


def test_a_failed_move_leaves_no_placeholder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        place_take(str(tmp_path / "missing.mp4"), str(tmp_path / "t"), "take")
    assert os.listdir(tmp_path / "t") == []


def test_sidecar_is_written_atomically(tmp_path: Path) -> None:
    path = str(tmp_path / "take.json")
    write_json_atomic(path, {"a": 1})
    write_json_atomic(path, {"a": 2})
    assert json.loads(Path(path).read_text(encoding="utf-8")) == {"a": 2}
    assert os.listdir(tmp_path) == ["take.json"]
    assert sidecar_path("/x/take_2.mp4") == "/x/take_2.json"


def test_sidecar_record_holds_everything_to_remake_the_take(tmp_path: Path) -> None:
    catalog = ModelCatalog.from_records([{"model_type": "ltx2_22B_distilled", "fps": 24, "frames_minimum": 17,
                                          "frames_steps": 8, "frames_maximum": 481, "outputs": ["video", "audio"]}])
    request = JobRequest("SH010", {"model_type": "ltx2_22B_distilled", "prompt": "p", "seed": -1,
                                   "video_length": 40, "resolution": "1280x720"},
                         str(tmp_path), "SH010_take001", fallbacks=("t2v",), sidecar_extra={"shot_name": "Intro"})
    validated = validate_settings(request.settings, catalog, random.Random(3))
    record = sidecar_record(
        job_id="j1", request=request, validated=validated, wangp_version="12.60",
        filepath=str(tmp_path / "SH010_take001.mp4"), settings_hash="abc", submitted_at="t0", started_at="t1",
        finished_at="t2", duration_s=1.5, attempts=[("t2v", "CUDA out of memory"), ("ltx2_22B_distilled", "")],
    )
    assert record == {
        "shot_name": "Intro",
        "schema": SIDECAR_SCHEMA,
        "file": "SH010_take001.mp4",
        "job_id": "j1",
        "shot_key": "SH010",
        "settings": validated.settings,
        "settings_hash": "abc",
        "wangp_version": "12.60",
        "model_type": "ltx2_22B_distilled",
        "seed": validated.seed,
        "fps": 24.0,
        "frame_count": 41,
        "width": 1280,
        "height": 720,
        "has_audio": True,
        "submitted_at": "t0",
        "started_at": "t1",
        "finished_at": "t2",
        "duration_s": 1.5,
        "used_fallback": True,
        "primary_error": "CUDA out of memory",
        "attempts": [{"model_type": "t2v", "error": "CUDA out of memory"},
                     {"model_type": "ltx2_22B_distilled", "error": ""}],
    }
    assert validated.settings["seed"] == validated.seed >= 0
    json.dumps(record)  # JSON-safe as is


def test_a_failed_copy_across_drives_leaves_no_partial_take(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # WanGP's scratch folder (Blender's user folder) and the project are often on different drives.
    source = clip(tmp_path / "wangp")

    def cross_device(src: str, dst: str) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    def disk_full(src: str, dst: str) -> None:
        Path(dst).write_bytes(b"half a cl")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", cross_device)
    monkeypatch.setattr(shutil, "copyfile", disk_full)
    with pytest.raises(OSError, match="No space left"):
        place_take(source, str(tmp_path / "t"), "take")
    assert os.listdir(tmp_path / "t") == []
    assert Path(source).read_bytes() == b"new clip"
