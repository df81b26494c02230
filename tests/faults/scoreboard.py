"""The faults tier's scoreboard: every scenario records what was injected, what the user saw and what survived.

A test calls the ``scenario`` fixture once per scenario it runs; after the test the row gets its
outcome (a failed assertion marks every row of that test failed). At the end of the session the rows
go to ``$MD_FAULTS_RESULTS/<part>.json`` (default ``build/faults/``), and ``tools/faults_table.py``
turns the parts into the README's table. Counts are the test's own measurements, never constants:
``takes_lost`` and ``partial_files`` come from scanning the output folder after the fault.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS_DIR = os.environ.get("MD_FAULTS_RESULTS", os.path.join(REPO, "build", "faults"))


@dataclass
class Row:
    scenario: str
    injected: str
    user_saw: str
    survived: str
    faults: int = 1
    takes_lost: int = 0
    partial_files: int = 0
    test: str = ""
    passed: bool = False


_ROWS: list[Row] = []


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Callable[..., Row]:
    """``scenario(name, injected=..., user_saw=..., survived=..., faults=1, takes_lost=0, partial_files=0)``."""
    rows: list[Row] = []
    request.node.md_fault_rows = rows

    def record(name: str, **values: Any) -> Row:
        row = Row(scenario=name, test=request.node.nodeid, **values)
        rows.append(row)
        _ROWS.append(row)
        return row

    return record


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report = outcome.get_result()
    rows = getattr(item, "md_fault_rows", None)
    if rows is None or report.when not in ("call", "teardown"):
        return
    if report.when == "call":
        for row in rows:
            row.passed = report.passed
    elif report.failed:
        for row in rows:
            row.passed = False


def write_results(part: str) -> str:
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, f"{part}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump([asdict(row) for row in _ROWS], fh, indent=1, ensure_ascii=False)
    return path


def assert_inside(root: str, path: str) -> None:
    """``path`` is under ``root`` once both are resolved (no ``..`` or link escapes)."""
    root_real, path_real = os.path.realpath(root), os.path.realpath(path)
    assert os.path.commonpath([root_real, path_real]) == root_real, f"{path} escaped {root}"


#: Clip extensions a take can have.
CLIPS = (".mp4", ".mkv", ".webm", ".mov")


def partial_files(root: str) -> list[str]:
    """What a fault must never leave under the output folder: temporary or empty files, a clip without its
    sidecar (neither a take nor the user's file), a sidecar without its clip."""
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            stem, ext = os.path.splitext(path)
            if name.startswith(".") or name.endswith((".tmp", ".part")) or os.path.getsize(path) == 0:
                found.append(path)
            elif ext.lower() in CLIPS and not os.path.isfile(stem + ".json"):
                found.append(path)
            elif ext == ".json" and name != "movie_director_queue.json" and not name.startswith(
                    "movie_director_queue.broken") and not any(os.path.isfile(stem + c) for c in CLIPS):
                found.append(path)
    return found


def takes_on_disk(root: str) -> dict[str, list[str]]:
    """``{shot_key: [clip paths]}`` of every take sidecar under ``root`` whose clip exists."""
    found: dict[str, list[str]] = {}
    for folder, _dirs, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith(".json") or name.startswith("movie_director_queue"):
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, encoding="utf-8") as fh:
                    record = json.load(fh)
            except (OSError, ValueError):
                continue
            clip = os.path.join(folder, str(record.get("file", "")))
            if record.get("schema") == "movie_director.take/1" and os.path.isfile(clip):
                found.setdefault(str(record.get("shot_key")), []).append(os.path.realpath(clip))
    return found
