"""The queue file: a round trip, atomic rewrites, and what it does with damaged content."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from wangp_backend.batch import (
    QUEUE_FILE_NAME,
    DurationEstimator,
    QueueEntry,
    QueueFile,
    request_to_plain,
)
from wangp_backend.requests import JobRequest


def make_request(shot_key: str = "sh010") -> JobRequest:
    return JobRequest(
        shot_key=shot_key,
        settings={"model_type": "t2v_1.3B", "prompt": "a fox", "video_length": 81, "seed": -1},
        take_dir="/projects/film/takes/SH010",
        take_name="SH010_take003",
        fallbacks=("ltxv_distilled",),
        sidecar_extra={"shot_name": "SH010", "inputs": ("start.png",)},
    )


def make_entry(shot_key: str = "sh010", job_id: str = "job-1", status: str = "queued", **changes) -> QueueEntry:
    entry = QueueEntry(
        shot_key=shot_key,
        shot_name=shot_key.upper(),
        scene_key="Scene",
        blend_file="/projects/film/film.blend",
        job_id=job_id,
        status=status,
        settings_hash="abc123",
        take_dir="/projects/film/takes/SH010",
        take_name="SH010_take003",
        submitted_at="2026-11-21T20:00:00+00:00",
        request=request_to_plain(make_request(shot_key)),
    )
    return dataclasses.replace(entry, **changes)


@pytest.fixture
def queue(tmp_path: Path) -> QueueFile:
    return QueueFile.in_folder(str(tmp_path))


def leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name != QUEUE_FILE_NAME)


def test_round_trip(queue: QueueFile, tmp_path: Path):
    entries = [make_entry("sh010", "job-1"), make_entry("sh020", "job-2", status="in_progress")]
    queue.save(entries)
    assert queue.path == str(tmp_path / QUEUE_FILE_NAME)
    assert QueueFile(queue.path).load() == entries
    assert json.loads(Path(queue.path).read_text(encoding="utf-8"))["schema"] == "movie_director.queue/1"


def test_request_survives_as_plain_data(queue: QueueFile):
    queue.save([make_entry()])
    (loaded,) = queue.load()
    assert loaded.job_request() == dataclasses.replace(
        make_request(), sidecar_extra={"shot_name": "SH010", "inputs": ["start.png"]}
    )
    assert loaded.job_request().fallbacks == ("ltxv_distilled",)


def test_missing_file_is_an_empty_queue(queue: QueueFile):
    assert queue.load() == []


def test_upsert_replaces_the_same_job_and_adds_others(queue: QueueFile):
    queue.upsert(make_entry("sh010", "job-1"))
    queue.upsert(make_entry("sh020", "job-2"))
    queue.upsert(make_entry("sh010", "job-1", status="in_progress"))
    # A new session numbers its jobs again: the same id for another shot is another entry.
    queue.upsert(make_entry("sh030", "job-1"))
    assert [(e.shot_key, e.job_id, e.status) for e in queue.load()] == [
        ("sh010", "job-1", "in_progress"),
        ("sh020", "job-2", "queued"),
        ("sh030", "job-1", "queued"),
    ]


def test_remove_by_shot_key_or_job_id(queue: QueueFile):
    queue.save([make_entry("sh010", "job-1"), make_entry("sh020", "job-2"), make_entry("sh030", "job-3")])
    assert queue.remove("sh020") == 1
    assert queue.remove("job-3") == 1
    assert queue.remove("nothing") == 0
    assert [e.shot_key for e in queue.load()] == ["sh010"]


def test_remove_within_a_scene(queue: QueueFile):
    queue.save([make_entry("sh010", "job-1"), make_entry("sh010", "job-2", scene_key="Scene.001")])
    assert queue.remove("sh010", scene_key="Scene.001") == 1
    assert [(e.scene_key, e.job_id) for e in queue.load()] == [("Scene", "job-1")]


def test_clear_keeps_the_estimates(queue: QueueFile):
    estimator = DurationEstimator()
    estimator.record("t2v_1.3B", 90.0, 81)
    queue.save_estimator(estimator)
    queue.save([make_entry()])
    queue.clear()
    assert queue.load() == []
    assert queue.load_estimator().to_dict() == estimator.to_dict()


def test_entries_and_estimates_do_not_overwrite_each_other(queue: QueueFile):
    queue.upsert(make_entry())
    estimator = DurationEstimator()
    estimator.record("t2v_1.3B", 90.0, 81)
    queue.save_estimator(estimator)
    assert queue.load() == [make_entry()]
    assert queue.load_estimator().estimate("t2v_1.3B", 81) == pytest.approx(90.0)


def test_failed_save_leaves_the_old_file_whole(queue: QueueFile, tmp_path: Path):
    queue.save([make_entry()])
    before = Path(queue.path).read_bytes()
    unserialisable = make_entry("sh020", "job-2", request={"settings": {"image": object()}})
    with pytest.raises(TypeError):
        queue.upsert(unserialisable)
    assert Path(queue.path).read_bytes() == before
    assert leftovers(tmp_path) == []


def test_failure_after_writing_removes_the_temporary_file(
    queue: QueueFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    queue.save([make_entry()])
    before = Path(queue.path).read_bytes()

    def disk_gone(src: str, dst: str) -> None:
        assert Path(src).read_text(encoding="utf-8").startswith("{")  # the new content was written
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", disk_gone)
    with pytest.raises(OSError):
        queue.upsert(make_entry("sh020", "job-2"))
    monkeypatch.undo()
    assert Path(queue.path).read_bytes() == before
    assert leftovers(tmp_path) == []


def test_corrupt_file_reads_as_empty_and_is_replaced(queue: QueueFile):
    Path(queue.path).write_text('{"entries": [', encoding="utf-8")
    assert queue.load() == []
    queue.upsert(make_entry())
    assert queue.load() == [make_entry()]


def test_unreadable_entries_are_left_out(queue: QueueFile):
    good = make_entry().to_dict()
    document = {
        "schema": "movie_director.queue/1",
        "entries": [
            good,
            {**good, "status": "done"},
            {"shot_key": "sh020"},
            {**good, "job_id": 7},
            "junk",
            {**good, "future_field": 1},
        ],
    }
    Path(queue.path).write_text(json.dumps(document), encoding="utf-8")
    assert queue.load() == [make_entry(), make_entry()]


def test_entry_status_is_checked():
    with pytest.raises(ValueError, match="in_progress"):
        make_entry(status="done")


def test_submitted_at_defaults_to_now_in_iso_form():
    entry = QueueEntry("sh010", "SH010", "Scene", "/f.blend", "job-1", "queued", "abc", "/t", "SH010_take001")
    assert entry.submitted_at[:2] == "20" and entry.submitted_at.endswith("+00:00")
