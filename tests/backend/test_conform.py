"""Conforming a clip to the timeline's frame rate on the host: same duration, repeated frames, audio kept."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
from host_helpers import Collector, request, wangp_sandbox

from wangp_backend import conform
from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.messages import TakeReady
from wangp_backend.requests import SessionConfig


def _load_fake_media():
    """The test double's own encoder, loaded from its file (without putting the double on ``sys.path``)."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fake_wangp", "shared",
                        "fake_media.py")
    spec = importlib.util.spec_from_file_location("md_test_fake_media", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fake_media = _load_fake_media()


def _probe(path: str) -> tuple[int, float, bool]:
    """(frames, seconds, has an audio stream) of a clip."""
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(path)
    info = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", path],
                          capture_output=True, text=True, check=False).stderr
    return frames, seconds, "Audio:" in info


def test_a_16_fps_clip_becomes_24_fps_at_the_same_speed(tmp_path: Path) -> None:
    clip = str(tmp_path / "take.mp4")
    fake_media.write_video(clip, 64, 48, 33, 16, (90, 40, 200), with_audio=True)
    frames, seconds, _ = _probe(clip)

    done = conform.conform(clip, 16.0, 24.0)

    new_frames, new_seconds, audio = _probe(clip)
    assert frames == 33 and abs(new_frames - 33 * 1.5) <= 1
    assert done == conform.Conformed(16.0, 24.0, new_frames)
    assert abs(new_seconds - seconds) < 0.1 and audio
    assert os.listdir(tmp_path) == ["take.mp4"]


def test_a_broken_clip_is_left_as_it_was(tmp_path: Path) -> None:
    clip = tmp_path / "take.mp4"
    clip.write_bytes(b"not a video")
    with pytest.raises(conform.ConformError, match="ffmpeg failed"):
        conform.conform(str(clip), 16.0, 24.0)
    assert clip.read_bytes() == b"not a video" and os.listdir(tmp_path) == ["take.mp4"]


def test_without_ffmpeg_it_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    monkeypatch.setattr(conform.shutil, "which", lambda _name: None)
    with pytest.raises(conform.ConformError, match="no ffmpeg found"):
        conform.find_ffmpeg()


def test_rates_are_exact() -> None:
    assert conform._rate(23.976023976) == "24000/1001" and conform._rate(25.0) == "25/1"
    assert not conform.needs_conform(24.0, 24.0) and not conform.needs_conform(16.0, 0.0)
    assert conform.needs_conform(16.0, 24.0)


@pytest.fixture
def ready(fake_root: str, fake_config: Callable[..., Any], tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Collector]:
    with wangp_sandbox(monkeypatch):
        host = SessionHost(SessionConfig(fake_root, output_dir=str(tmp_path / "wangp_out")))
        host.start()
        collector = Collector(host)
        collector.wait_for("session_state", state="ready")
        yield collector
        host.close(timeout=10)


def test_the_host_files_a_conformed_take(ready: Collector, tmp_path: Path) -> None:
    job_id = ready.host.submit(dataclasses.replace(request(tmp_path, video_length=33), play_fps=24.0))
    take = ready.end_of(job_id)
    assert isinstance(take, TakeReady), take
    frames, _, _ = _probe(take.filepath)
    assert take.fps == 24.0 and take.frame_count == frames and abs(frames - 33 * 1.5) <= 1
    with open(take.sidecar_path, encoding="utf-8") as fh:
        sidecar = json.load(fh)
    assert sidecar["conformed"] == {"from_fps": 16.0, "from_frames": 33, "to_fps": 24.0}
    assert sidecar["settings"]["video_length"] == 33  # what WanGP was asked for is unchanged
    assert any(m.text.startswith("Conformed 16 -> 24 fps") for m in ready.of("log", job_id))


def test_a_clip_at_the_timeline_rate_is_left_alone(ready: Collector, tmp_path: Path) -> None:
    job_id = ready.host.submit(dataclasses.replace(request(tmp_path, video_length=33), play_fps=16.0))
    take = ready.end_of(job_id)
    assert isinstance(take, TakeReady) and take.fps == 16.0 and take.frame_count == 33
    assert not any(m.text.startswith("Conformed") for m in ready.of("log", job_id))
