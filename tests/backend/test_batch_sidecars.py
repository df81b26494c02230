"""Change detection against a take's sidecar, and finding takes on disk after a crash."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from wangp_backend.batch import TAKE_SCHEMA, is_unchanged, scan_takes


def write_take(
    folder: Path,
    stem: str,
    *,
    shot_key: str = "sh010",
    settings_hash: str = "abc123",
    clip_ext: str | None = ".mp4",
    name_clip: bool = True,
) -> Path:
    """A take as the session host leaves it: ``<stem>.json`` and (unless ``clip_ext`` is None) the clip."""
    folder.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {
        "schema": TAKE_SCHEMA,
        "shot_key": shot_key,
        "settings_hash": settings_hash,
        "model_type": "t2v_1.3B",
        "seed": 42,
        "settings": {"prompt": "a fox", "seed": 42},
    }
    if name_clip:
        record["file"] = stem + (clip_ext or ".mp4")
    if clip_ext is not None:
        (folder / (stem + clip_ext)).write_bytes(b"\x00\x00\x00\x18ftypmp42")
    sidecar = folder / f"{stem}.json"
    sidecar.write_text(json.dumps(record), encoding="utf-8")
    return sidecar


def test_unchanged_when_the_hash_matches_and_the_clip_is_there(tmp_path: Path):
    sidecar = write_take(tmp_path, "SH010_take001")
    assert is_unchanged("abc123", str(sidecar))


def test_changed_when_the_hash_differs(tmp_path: Path):
    sidecar = write_take(tmp_path, "SH010_take001")
    assert not is_unchanged("def456", str(sidecar))


def test_changed_when_the_sidecar_is_missing(tmp_path: Path):
    assert not is_unchanged("abc123", str(tmp_path / "nope.json"))
    assert not is_unchanged("abc123", "")


def test_changed_when_the_sidecar_is_corrupt(tmp_path: Path):
    sidecar = tmp_path / "SH010_take001.json"
    sidecar.write_text('{"settings_hash": "abc123", ', encoding="utf-8")
    assert not is_unchanged("abc123", str(sidecar))
    sidecar.write_text('["abc123"]', encoding="utf-8")
    assert not is_unchanged("abc123", str(sidecar))
    sidecar.write_bytes(b"\xff\xfe\x00garbage")
    assert not is_unchanged("abc123", str(sidecar))


def test_changed_when_the_clip_was_deleted(tmp_path: Path):
    sidecar = write_take(tmp_path, "SH010_take001")
    os.remove(tmp_path / "SH010_take001.mp4")
    assert not is_unchanged("abc123", str(sidecar))


def test_empty_current_hash_is_never_unchanged(tmp_path: Path):
    sidecar = write_take(tmp_path, "SH010_take001", settings_hash="")
    assert not is_unchanged("", str(sidecar))


def test_scan_finds_takes_with_their_clips(tmp_path: Path):
    first = write_take(tmp_path / "shots" / "SH010", "SH010_take001", shot_key="sh010")
    second = write_take(tmp_path / "shots" / "SH020", "SH020_take001", shot_key="sh020", clip_ext=".webm")
    takes = scan_takes(str(tmp_path))
    assert [take["sidecar_path"] for take in takes] == [str(first), str(second)]
    assert [take["shot_key"] for take in takes] == ["sh010", "sh020"]
    assert takes[1]["clip_path"] == str(tmp_path / "shots" / "SH020" / "SH020_take001.webm")
    assert takes[0]["settings_hash"] == "abc123"
    assert takes[0]["seed"] == 42


def test_scan_finds_the_clip_by_stem_when_the_sidecar_does_not_name_it(tmp_path: Path):
    write_take(tmp_path, "SH030_take002", clip_ext=".mkv", name_clip=False)
    takes = scan_takes(str(tmp_path))
    assert [take["clip_path"] for take in takes] == [str(tmp_path / "SH030_take002.mkv")]


def test_scan_ignores_sidecars_without_clip_and_other_json(tmp_path: Path):
    kept = write_take(tmp_path, "SH010_take001")
    write_take(tmp_path, "SH010_take002", clip_ext=None)  # the clip never arrived
    write_take(tmp_path, "SH010_take003", clip_ext=None, name_clip=False)
    (tmp_path / "movie_director_queue.json").write_text('{"schema": "movie_director.queue/1"}', encoding="utf-8")
    (tmp_path / "wangp_settings.json").write_text('{"prompt": "a fox", "file": "SH010_take001.mp4"}', "utf-8")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "SH010_take001.txt").write_text("notes", encoding="utf-8")
    assert [take["sidecar_path"] for take in scan_takes(str(tmp_path))] == [str(kept)]


def test_scan_of_a_missing_folder_finds_nothing(tmp_path: Path):
    assert scan_takes(str(tmp_path / "never_created")) == []
