"""A guided shot end to end without Blender: build_settings gives the target, a synthetic control
video is rendered at it, the SessionHost runs it on the WanGP test double, and the take follows the
layout; then a second shot continues the first take and its prepended frames are exactly the trim."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest
from bar_video import BAR, bar_x, read_mp4
from host_helpers import Collector, wangp_sandbox
from PIL import Image

from wangp_backend.guide_spec import GuideMedia, GuideTarget, Keyframe
from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.messages import TakeReady
from wangp_backend.requests import JobRequest, SessionConfig
from wangp_backend.spec import ShotSpec
from wangp_backend.toolkit import build_settings


@pytest.fixture(autouse=True)
def _sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with wangp_sandbox(monkeypatch):
        yield


@pytest.fixture
def ready(fake_root: str, fake_config: Callable[..., Any], tmp_path: Path) -> Iterator[Collector]:
    fake_config(available=["vace_1.3B", "t2v_1.3B"])
    host = SessionHost(SessionConfig(fake_root, output_dir=str(tmp_path / "wangp_out")), preview_max_fps=1000.0)
    host.start()
    collector = Collector(host)
    collector.wait_for("session_state", state="ready")
    yield collector
    host.close(timeout=10)


def render_control(path: Path, target: GuideTarget, step: int, reverse: bool = False) -> str:
    """The stand-in for Blender's depth render: a white bar walking across black, one place per frame."""
    writer = imageio_ffmpeg.write_frames(str(path), (target.width, target.height), fps=target.fps, codec="libx264",
                                         pix_fmt_out="yuv420p", macro_block_size=2, ffmpeg_log_level="error",
                                         output_params=["-crf", "1"])
    writer.send(None)
    for i in range(target.frame_count):
        frame = np.zeros((target.height, target.width, 3), dtype=np.uint8)
        x = bar_place(i, target, step, reverse)
        frame[:, x:x + BAR] = 255
        writer.send(frame.tobytes())
    writer.close()
    return str(path)


def bar_place(i: int, target: GuideTarget, step: int, reverse: bool) -> int:
    x = min(target.width - BAR, i * step)
    return target.width - BAR - x if reverse else x




def generate(ready: Collector, spec: ShotSpec, tmp_path: Path, name: str, step: int,
             reverse: bool = False) -> tuple[Any, TakeReady]:
    catalog = ready.host.catalog
    first = build_settings(spec, catalog)
    assert first.guide_pending and not first.blocking_errors, first.errors
    target = first.guide_target
    control = render_control(tmp_path / f"{name}_depth.mp4", target, step, reverse)
    keyframes = ()
    if spec.keyframes == "FIRST":
        still = tmp_path / f"{name}_key.png"
        coarse = np.random.default_rng(3).integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
        Image.fromarray(coarse).resize((target.width, target.height), Image.BICUBIC).save(still)
        keyframes = (Keyframe(clip_frame=0, path=str(still)),)
    media = GuideMedia(mode=spec.guide, target=target, control_video=control, keyframes=keyframes,
                       content_hash=f"hash-{name}")
    built = build_settings(replace(spec, guide_media=media), catalog)
    assert built.errors == (), built.errors
    request = JobRequest(spec.shot_key, dict(built.settings), str(tmp_path / "takes"), f"{name}_take001",
                         sidecar_extra=dict(built.sidecar_extra))
    take = ready.end_of(ready.host.submit(request))
    assert isinstance(take, TakeReady), take
    return built, take


def shot(**values: Any) -> ShotSpec:
    return ShotSpec(shot_key=values.pop("key", "SH010"), shot_name="SH010", prompt="a courier crosses the yard",
                    model_type="vace_1.3B", camera_mode="NONE", scene_fps=16.0, resolution="128x96",
                    frame_start=1, frame_end=33, **values)


def test_a_guided_shot_follows_its_layout_and_a_continued_shot_trims_exactly(ready: Collector,
                                                                              tmp_path: Path) -> None:
    built, take = generate(ready, shot(guide="DEPTH", keyframes="FIRST"), tmp_path, "SH010", step=3)
    target = built.guide_target
    assert (target.width, target.height, target.fps, target.frame_count) == (128, 96, 16.0, 33)
    assert built.settings["video_prompt_type"] == "VFI" and built.settings["frames_positions"] == "1"
    frames = read_mp4(take.filepath)
    assert len(frames) == take.frame_count == 33
    assert [bar_x(frames[i]) for i in (4, 12, 20, 28)] == [bar_place(i, target, 3, False) for i in (4, 12, 20, 28)]
    key = np.asarray(Image.open(tmp_path / "SH010_key.png").convert("RGB"))
    assert np.abs(frames[0].astype(int) - key).mean() < 5
    sidecar = json.loads(Path(take.sidecar_path).read_text())
    guide = sidecar["guide"]
    assert (guide["mode"], guide["content_hash"], guide["frames"], guide["fps"]) == ("DEPTH", "hash-SH010", 33, 16.0)
    assert guide["control_video"] == str(tmp_path / "SH010_depth.mp4")
    assert guide["keyframe_files"][0]["frame"] == 0

    follow = shot(key="SH020", guide="DEPTH", continue_from=take.filepath)
    built2, take2 = generate(ready, follow, tmp_path, "SH020", step=3, reverse=True)
    assert built2.settings["video_prompt_type"] == "VT"
    assert built2.settings["video_source"] == f"{take.filepath}|start_frame=-5"
    trim = built2.trim_head_frames
    assert trim == 5
    frames2 = read_mp4(take2.filepath)
    assert len(frames2) == trim + 32
    # The prepended frames are the previous take's tail, exactly the count to trim...
    assert [bar_x(f) for f in frames2[:trim]] == [bar_x(f) for f in frames[-trim:]]
    # ...and what follows is the new shot, following its own control from its second frame on.
    target2 = built2.guide_target
    assert [bar_x(frames2[trim + i - 1]) for i in (4, 16, 30)] == [bar_place(i, target2, 3, True) for i in (4, 16, 30)]
    assert json.loads(Path(take2.sidecar_path).read_text())["trim_head_frames"] == 5
