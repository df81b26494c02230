"""Today's WanGP (17.x, same API since 12.60): its version and git commit in every sidecar and session state,
catalog-only model families (MiniMax H3) with WanGP's named presets, and sessions whose previews are None or
missing and whose event queues drop stale progress. The double's "17" profile behaves that way."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from host_helpers import Collector, request, wangp_sandbox
from toolkit_support import said

from wangp_backend import live_catalog, loader
from wangp_backend.catalog import ModelCatalog
from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.messages import Progress, TakeReady
from wangp_backend.requests import SessionConfig
from wangp_backend.toolkit import build_settings
from wangp_backend.translate import JobTranslator

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(autouse=True)
def _sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with wangp_sandbox(monkeypatch):
        yield


def _checkout(tmp_path: Path, fake_root: str) -> str:
    """A copy of the double laid out as a git checkout on branch main."""
    root = tmp_path / "Wan2GP"
    shutil.copytree(fake_root, root, ignore=shutil.ignore_patterns("__pycache__", "outputs", "settings", "ckpts"))
    (root / ".git" / "refs" / "heads").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".git" / "refs" / "heads" / "main").write_text(COMMIT + "\n")
    return str(root)


def test_commit_of_a_clone_a_packed_ref_a_detached_head_a_worktree_and_no_checkout(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (clone / ".git" / "packed-refs").write_text(f"# pack-refs\n{COMMIT} refs/heads/main\n")
    assert loader.wangp_commit(str(clone)) == COMMIT
    (clone / ".git" / "HEAD").write_text(COMMIT[::-1] + "\n")
    assert loader.wangp_commit(str(clone)) == COMMIT[::-1]
    worktree = tmp_path / "wt"
    worktree.mkdir()
    gitdir = clone / ".git" / "worktrees" / "wt"
    gitdir.mkdir(parents=True)
    (gitdir / "HEAD").write_text("ref: refs/heads/side\n")
    (gitdir / "commondir").write_text("../..\n")
    (clone / ".git" / "refs" / "heads").mkdir(parents=True)
    (clone / ".git" / "refs" / "heads" / "side").write_text(COMMIT + "\n")
    (worktree / ".git").write_text(f"gitdir: {gitdir}\n")
    assert loader.wangp_commit(str(worktree)) == COMMIT
    assert loader.wangp_commit(str(tmp_path / "not_a_checkout")) == ""


def test_the_17_profile_records_version_and_commit_and_tolerates_none_previews(
        fake_root: str, fake_config: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_config(profile="17", steps_cap=6, step_delay_s=0.02)
    # The copy serves the same catalog snapshot as the double it was copied from.
    monkeypatch.setenv("FAKE_WANGP_CATALOG", str(Path(fake_root).resolve().parents[1].parent / "shared" / "reference"
                                                  / "wangp-video-models.json"))
    host = SessionHost(SessionConfig(_checkout(tmp_path, fake_root), output_dir=str(tmp_path / "out")),
                       preview_max_fps=1000.0)
    host.start()
    ready = Collector(host)
    try:
        state = ready.wait_for("session_state", state="ready")
        assert (state.wangp_version, state.wangp_commit) == ("17.2", COMMIT)
        job_id = host.submit(request(tmp_path, num_inference_steps=6))
        take = ready.end_of(job_id)
        assert isinstance(take, TakeReady), take
        assert not ready.of("preview", job_id)  # every preview event carried None
        percents = [m.percent for m in ready.of("progress", job_id)]
        assert percents and max(percents) > 0  # a None preview never reset the bar
        sidecar = json.loads(Path(take.sidecar_path).read_text())
        assert (sidecar["wangp_version"], sidecar["wangp_commit"]) == ("17.2", COMMIT)
        # MiniMax H3 has no tier row: its preset and the catalog's rules are what the builder uses.
        h3 = ModelCatalog.from_records(state.models).get("minimax_h3_fl2va")
        assert h3.preset == "preset:minimax_h3/balanced.json"
        rules = (h3.fps, h3.frames_steps, h3.default_num_inference_steps, h3.default_guidance_scale)
        assert rules == (24.0, 17, 12, 1.5)
    finally:
        host.close(timeout=10)


def test_the_double_drops_stale_progress_events_in_the_17_profile(fake_root: str, fake_config: Callable[..., Any],
                                                                   tmp_path: Path) -> None:
    import sys

    fake_config(profile="17")
    sys.path.insert(0, fake_root)
    from shared.api import SessionStream

    stream = SessionStream()
    for i in range(5):
        stream.put("progress", i)
    stream.put("status", "x")
    stream.put("progress", 9)
    stream.close()
    assert [(e.kind, e.data) for e in stream.iter(timeout=0)] == [("status", "x"), ("progress", 9)]


def test_a_preview_of_none_or_without_progress_changes_nothing() -> None:
    translator = JobTranslator("job", "SH010", [], preview_max_side=64, preview_max_fps=1000.0, clock=lambda: 0.0)
    assert translator.handle(SimpleNamespace(kind="preview", data=None)) == []
    assert translator.handle(SimpleNamespace(kind="progress", data=None)) == []
    no_progress = SimpleNamespace(image=None, progress=None)
    assert translator.handle(SimpleNamespace(kind="preview", data=no_progress)) == []
    with_progress = SimpleNamespace(image=None, progress=40, phase="inference", status="", current_step=2,
                                    total_steps=5)
    [progress] = translator.handle(SimpleNamespace(kind="preview", data=with_progress))
    assert isinstance(progress, Progress) and progress.percent == 40


def test_presets_are_read_only_where_the_install_lists_them() -> None:
    class Session:
        def get_model_schema(self, model_type):
            return {"metadata": {"fps": 24, "frames_minimum": 107, "frames_steps": 17, "frames_maximum": 362}}

        def get_default_settings(self, model_type):
            return {"num_inference_steps": 30, "guidance_scale": 5}

        def get_model_settings(self, model_type, setting_id=None):
            entries = [{"id": "accelerator_profile:x.json", "type": "accelerator profile"},
                       {"id": "preset:h3/q.json", "type": "preset"}]
            if setting_id is None:
                return {"settings": entries}
            return {"content": {"num_inference_steps": 12}}

    fields = live_catalog._schema_fields(Session(), "minimax_h3_fl2va")
    assert fields["preset"] == "preset:h3/q.json" and fields["default_num_inference_steps"] == 12
    assert fields["default_guidance_scale"] == 5

    class Older(Session):
        get_model_settings = None

    assert "preset" not in live_catalog._schema_fields(Older(), "minimax_h3_fl2va")


def test_a_family_without_a_tier_row_is_built_from_the_catalog_and_says_so(fake_root: str) -> None:
    from wangp_backend.spec import ShotSpec

    record = {"model_type": "minimax_h3_fl2va", "name": "H3", "family": "minimax_h3", "family_label": "MiniMax H3",
              "fps": 24, "frames_minimum": 107, "frames_steps": 17, "frames_maximum": 362,
              "default_resolution": "832x480", "default_num_inference_steps": 12, "default_guidance_scale": 1.5,
              "outputs": ["video", "audio"], "availability": "available", "preset": "preset:minimax_h3/balanced.json"}
    spec = ShotSpec(shot_key="S|SH010", shot_name="SH010", prompt="a lighthouse at dusk", model_type="minimax_h3_fl2va",
                    frame_start=1, frame_end=120, scene_fps=24.0)
    built = build_settings(spec, ModelCatalog.from_records([record]))
    assert not built.errors, built.errors
    assert (built.settings["num_inference_steps"], built.settings["guidance_scale"]) == (12, 1.5)
    assert (built.settings["video_length"] - 107) % 17 == 0
    assert any(n["kind"] == "no_quality_tier" and n["preset"] == "preset:minimax_h3/balanced.json"
               for n in said(built.notes))
