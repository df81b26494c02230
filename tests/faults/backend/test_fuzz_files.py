"""Corrupt bytes never crash or hang a reader: bridge frames, the queue file, take sidecars, templates.

A broken file is skipped with a warning that names it, and is never deleted or overwritten.
"""

from __future__ import annotations

import io
import json
import logging
import os
import struct
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wangp_backend.batch.queue_file import QueueEntry, QueueFile
from wangp_backend.batch.sidecars import scan_takes
from wangp_backend.bridge import protocol
from wangp_backend.messages import from_wire
from wangp_backend.toolkit.templates import load_templates

FAST = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
#: What a crash, a disk error or a hand edit leaves in a JSON file.
corrupt_text = st.one_of(
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.text(max_size=200),
    json_values.map(json.dumps),
    st.integers(1, 200_000).map(lambda n: "[" * n),  # deeper than the JSON parser's recursion limit
    st.integers(1, 5000).map(lambda n: '{"entries": ' + "[" * n + "]" * n + "}"),
    st.sampled_from(["", "{", '{"entries": [{"shot_key": 1}]}', '{"entries": {}}', "null", "NaN", "1e999999",
                     '{"prompt_pattern": "{prompt}", "steps_hint": Infinity}', '{"estimates": {"x": NaN}}',
                     '{"prompt_pattern": "{prompt}", "guidance_hint": NaN}', '{"schema": "movie_director.take/1", '
                     '"file": "SH010_take001.mp4", "seed": "abc", "fps": [], "shot_key": {}}']),
)


def _frame(header: bytes, payload: bytes, declared_payload: int | None = None) -> bytes:
    size = len(payload) if declared_payload is None else declared_payload
    return struct.pack(">I", len(header)) + header + struct.pack(">I", size) + payload


frames = st.one_of(
    st.binary(max_size=300),
    st.builds(_frame, st.binary(max_size=100), st.binary(max_size=100)),
    st.builds(_frame, json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=64)),
    st.builds(lambda n, body: _frame(body, b"", n), st.integers(0, 2**32 - 1), st.binary(max_size=16)),
    st.builds(lambda n: struct.pack(">I", n), st.integers(0, 2**32 - 1)),
    st.builds(lambda kind, rest: _frame(json.dumps({"type": "message", "message": {"kind": kind, **rest}}).encode(),
                                        b"\x00" * 7), st.sampled_from(["preview", "progress", "take_ready", "nope"]),
              st.dictionaries(st.sampled_from(["job_id", "shot_key", "width", "height", "progress"]), json_values)),
)


class _Dribble(io.RawIOBase):
    """A pipe that returns at most a few bytes per read, like a busy OS pipe."""

    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._data[self._at : self._at + min(size, 3)]
        self._at += len(chunk)
        return chunk


_counts = {"frames": 0, "queue": 0, "sidecar": 0, "template": 0}


@FAST
@given(st.lists(frames, max_size=5).map(b"".join))
def check_the_frame_decoder(data: bytes) -> None:
    """Every read ends in a frame, a clean end, or ProtocolError; decoding a message only raises what the
    reader's boundary catches; the stream is never read past its end (no hang)."""
    _counts["frames"] += 1
    for stream in (io.BytesIO(data), _Dribble(data)):
        for _ in range(len(data) + 2):
            try:
                frame = protocol.read_frame(stream)
            except protocol.ProtocolError:
                break
            if frame is None:
                break
            header, payload = frame
            assert isinstance(header, dict) and isinstance(header["type"], str) and isinstance(payload, bytes)
            if header["type"] == protocol.MESSAGE and isinstance(header.get("message"), dict):
                try:
                    from_wire(header["message"], payload)
                except Exception as exc:  # noqa: BLE001 - the reader thread's boundary logs these and goes on
                    assert not isinstance(exc, (SystemExit, KeyboardInterrupt, RecursionError))
        else:
            raise AssertionError("the decoder kept returning frames from a finite stream")


def test_bridge_frames_truncated_oversized_random(scenario) -> None:
    check_the_frame_decoder()
    done = threading.Event()
    # An oversized header is refused before its bytes are read, so a lying length cannot make the reader wait.
    reader = threading.Thread(target=lambda: (pytest.raises(protocol.ProtocolError, protocol.read_frame,
                                                            io.BytesIO(struct.pack(">I", 2**32 - 1))), done.set()))
    reader.start()
    reader.join(5)
    assert done.is_set()
    scenario("bridge frames: truncated, oversized, random", injected=f"{_counts['frames']} fuzzed byte streams",
             user_saw="a corrupt frame stops the child with one log line", survived="no crash, no hang",
             faults=_counts["frames"])


def _assert_untouched(path: Path, text: str) -> None:
    assert path.read_bytes() == text.encode("utf-8", "surrogateescape"), f"{path} was changed"


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


@FAST
@given(text=corrupt_text)
def check_the_queue_file(tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture,
                         text: str) -> None:
    _counts["queue"] += 1
    folder = tmp_path_factory.mktemp("queue")
    queue = QueueFile.in_folder(str(folder))
    _write(Path(queue.path), text)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        entries = queue.load()
        for entry in entries:
            entry.job_request() if _request_complete(entry) else None
        queue.load_estimator()
    if not entries and text.strip() not in ("", "{}"):
        readable = _is_plain_queue_document(text)
        if not readable:
            assert any(queue.path in r.getMessage() for r in caplog.records), "no warning names the file"
    # A change to a queue whose file is broken keeps the broken file beside the new one.
    entry = QueueEntry(shot_key="k", shot_name="SH", scene_key="s", blend_file="b", job_id="1", status="queued",
                       settings_hash="h", take_dir=str(folder), take_name="SH_take001")
    queue.upsert(entry)
    assert [e.identity for e in queue.load() if e.identity == entry.identity] == [entry.identity]
    if _loses_something(text):
        kept = [p for p in folder.iterdir() if p.name.startswith("movie_director_queue.broken")]
        assert len(kept) == 1, sorted(p.name for p in folder.iterdir())
        _assert_untouched(kept[0], text)


def _request_complete(entry: QueueEntry) -> bool:
    return all(key in entry.request for key in ("shot_key", "settings", "take_dir", "take_name"))


def _loses_something(text: str) -> bool:
    """Whether rewriting this file would drop something the queue could not read."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return True
    entries = document.get("entries", []) if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return True
    for raw in entries:
        try:
            QueueEntry.from_dict(raw)
        except (TypeError, ValueError):
            return True
    return False


def _is_plain_queue_document(text: str) -> bool:
    """A file the queue reads as a whole object (its entries may still be skipped one by one)."""
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def test_queue_file_corrupt_json(scenario, tmp_path_factory, caplog) -> None:
    check_the_queue_file(tmp_path_factory, caplog)
    scenario("queue file: corrupt JSON", injected=f"{_counts['queue']} corrupt queue files",
             user_saw="a warning naming the file", survived="the broken file kept beside the new queue",
             faults=_counts["queue"])


@FAST
@given(text=corrupt_text)
def check_sidecars(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    _counts["sidecar"] += 1
    folder = tmp_path_factory.mktemp("takes") / "Scene" / "SH010"
    folder.mkdir(parents=True)
    (folder / "SH010_take001.mp4").write_bytes(b"clip")
    sidecar = folder / "SH010_take001.json"
    _write(sidecar, text)
    good = folder / "SH010_take002.json"
    (folder / "SH010_take002.mp4").write_bytes(b"clip")
    good.write_text(json.dumps({"schema": "movie_director.take/1", "shot_key": "k", "file": "SH010_take002.mp4"}))
    takes = scan_takes(str(folder.parent.parent))
    assert str(good) in [t["sidecar_path"] for t in takes]
    _assert_untouched(sidecar, text)
    assert (folder / "SH010_take001.mp4").read_bytes() == b"clip"


def test_take_sidecars_corrupt_json(scenario, tmp_path_factory) -> None:
    check_sidecars(tmp_path_factory)
    scenario("take sidecars: corrupt JSON", injected=f"{_counts['sidecar']} corrupt sidecars beside a good one",
             user_saw="Recover Takes lists the good take", survived="the good take; the broken file and its clip "
             "untouched", faults=_counts["sidecar"])


@FAST
@given(text=corrupt_text)
def check_templates(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    _counts["template"] += 1
    folder = tmp_path_factory.mktemp("templates")
    broken = folder / "broken.json"
    _write(broken, text)
    library = load_templates(str(folder))
    assert "noir" in library.names()  # the built-in ones still load
    if "broken" not in library.names():
        assert any(str(broken) in warning for warning in library.warnings), library.warnings
    _assert_untouched(broken, text)


def test_templates_corrupt_json(scenario, tmp_path_factory) -> None:
    check_templates(tmp_path_factory)
    scenario("user templates: corrupt JSON", injected=f"{_counts['template']} corrupt template files",
             user_saw="a warning naming the file", survived="every other template; the file untouched",
             faults=_counts["template"])


def test_no_temporary_files_left_by_a_failed_queue_write(tmp_path) -> None:
    queue = QueueFile.in_folder(str(tmp_path))
    entry = QueueEntry(shot_key="k", shot_name="SH", scene_key="s", blend_file="b", job_id="1", status="queued",
                       settings_hash="h", take_dir=str(tmp_path), take_name="t", request={"x": float("nan")})
    with pytest.raises(ValueError):
        queue.upsert(entry)
    assert os.listdir(tmp_path) == []
