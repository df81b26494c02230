"""The WanGP test double follows a guide the way WanGP 12.60 does: validation, silent drops, time
resampling, grey padding, injected frames and continuation (so the add-on's tests can trust it)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest
from bar_video import BAR, bar_x, read_mp4
from PIL import Image

W, H = 128, 96
VACE = {"model_type": "vace_1.3B", "prompt": "a courier crosses the yard", "resolution": f"{W}x{H}",
        "video_length": 33, "num_inference_steps": 2, "seed": 5}


@pytest.fixture
def api(fake_root: str, fake_config: Callable[..., dict]) -> Any:
    if fake_root not in sys.path:
        sys.path.insert(0, fake_root)
    import shared.api

    return shared.api


@pytest.fixture
def session(api: Any, fake_root: str, tmp_path: Path) -> Any:
    return api.init(root=fake_root, output_dir=tmp_path / "out", console_output=False)


def bar_frames(count: int, width: int = W, height: int = H, step: int = 1) -> np.ndarray:
    """Frame i: black with a white bar at x = i * step, so a frame says which control frame it follows."""
    frames = np.zeros((count, height, width, 3), dtype=np.uint8)
    for i in range(count):
        x = min(width - BAR, i * step)
        frames[i, :, x:x + BAR] = 255
    return frames


def write_mp4(path: Path, frames: np.ndarray, fps: float) -> str:
    writer = imageio_ffmpeg.write_frames(str(path), (frames.shape[2], frames.shape[1]), fps=fps, codec="libx264",
                                         pix_fmt_out="yuv420p", macro_block_size=2, ffmpeg_log_level="error",
                                         output_params=["-crf", "1"])
    writer.send(None)
    for frame in frames:
        writer.send(frame.tobytes())
    writer.close()
    return str(path)


def write_png(path: Path, seed: int) -> str:
    """A smooth random still (it survives H.264's 4:2:0 chroma) that no generated frame resembles."""
    coarse = np.random.default_rng(seed).integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    Image.fromarray(coarse).resize((W, H), Image.BICUBIC).save(path)
    return str(path)


def run(session: Any, **settings: Any) -> tuple[Any, np.ndarray]:
    """The result and the exact output frames ``(F, H, W, 3)`` (``return_media``)."""
    result = session.run_task({**VACE, **settings, "_api": {"return_media": True}})
    if not result.success:
        return result, np.zeros((0,))
    (artifact,) = result.artifacts
    return result, artifact.video_tensor_uint8.transpose(1, 2, 3, 0)




def test_vace_raw_control_is_followed_frame_by_frame(session: Any, tmp_path: Path) -> None:
    control = write_mp4(tmp_path / "depth.mp4", bar_frames(33, step=3), 16)
    result, frames = run(session, video_prompt_type="V", video_guide=control, control_net_weight=1.0)
    assert result.success, result.errors
    assert len(frames) == 33
    assert [bar_x(f) for f in frames[::8]] == [0, 24, 48, 72, 96]
    # Followed, not copied: the clip keeps its own colour between the bars.
    assert frames[10, :, 100:].mean() > 20
    on_disk = read_mp4(result.generated_files[0])
    assert on_disk.shape == (33, H, W, 3) and bar_x(on_disk[16]) == 48


def test_uv_copies_the_control_into_the_clip(session: Any, tmp_path: Path) -> None:
    control = bar_frames(33, step=3)
    path = write_mp4(tmp_path / "depth.mp4", control, 16)
    _, copied = run(session, video_prompt_type="UV", video_guide=path)
    _, followed = run(session, video_prompt_type="V", video_guide=path)
    assert np.abs(copied.astype(int) - control).mean() < 3
    assert np.abs(followed.astype(int) - control).mean() > 20


def test_the_control_is_resampled_by_time_to_the_model_fps(session: Any, tmp_path: Path) -> None:
    # 49 frames at 24 fps last 2 s: 33 frames at 16 fps, each the next control frame at or after its time.
    control = write_mp4(tmp_path / "depth.mp4", bar_frames(49, step=2), 24)
    _, frames = run(session, video_prompt_type="V", video_guide=control)
    picked = [0, 2, 3, 5, 6, 8]  # ceil(k * 1.5)
    assert [bar_x(frames[k]) for k in range(6)] == [2 * i for i in picked]
    assert bar_x(frames[32]) == 2 * 48


def test_a_short_control_is_padded_with_grey_on_vace(session: Any, tmp_path: Path, api: Any) -> None:
    from shared import fake_media

    control = write_mp4(tmp_path / "depth.mp4", bar_frames(17, step=3), 16)
    result, frames = run(session, video_prompt_type="V", video_guide=control)
    assert result.success and len(frames) == 33
    free = fake_media.frame(W, H, fake_media.clip_colour(VACE["prompt"], VACE["seed"]), 30, 33)
    assert np.array_equal(frames[30], free)  # generated freely, no control
    assert bar_x(frames[8]) == 24


def test_injected_frames_are_exact_at_their_positions(session: Any, tmp_path: Path) -> None:
    control = write_mp4(tmp_path / "depth.mp4", bar_frames(33, step=3), 16)
    first, middle = write_png(tmp_path / "first.png", 1), write_png(tmp_path / "mid.png", 2)
    last = write_png(tmp_path / "last.png", 3)
    result, frames = run(session, video_prompt_type="VFI", video_guide=control, image_refs=[first, middle, last],
                         frames_positions="1 17 L")
    assert result.success, result.errors
    for index, path in ((0, first), (16, middle), (32, last)):
        assert np.array_equal(frames[index], np.asarray(Image.open(path).convert("RGB")))
    assert bar_x(frames[8]) == 24
    on_disk = read_mp4(result.generated_files[0])
    assert np.abs(on_disk[16].astype(int) - np.asarray(Image.open(middle))).mean() < 5  # colour-space rounding


def test_start_and_end_images_are_exact_on_i2v(session: Any, tmp_path: Path) -> None:
    start, end = write_png(tmp_path / "start.png", 4), write_png(tmp_path / "end.png", 5)
    result, frames = run(session, model_type="i2v", image_prompt_type="SE", image_start=start, image_end=end)
    assert result.success, result.errors
    assert np.array_equal(frames[0], np.asarray(Image.open(start)))
    assert np.array_equal(frames[-1], np.asarray(Image.open(end)))


def test_a_start_image_sent_to_vace_is_dropped_without_an_error(session: Any, tmp_path: Path) -> None:
    start = write_png(tmp_path / "start.png", 6)
    result, frames = run(session, image_prompt_type="S", image_start=start)
    assert result.success and result.errors == []
    assert not np.array_equal(frames[0], np.asarray(Image.open(start)))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"video_prompt_type": "V"}, "You must provide a Control Video"),
        ({"video_prompt_type": "FI", "frames_positions": "1"}, "You must provide at least one Refererence Image"),
        ({"video_prompt_type": "VA", "video_guide": "CONTROL"}, "You must provide a Video Mask"),
        ({"video_prompt_type": "FI", "image_refs": ["REF"], "frames_positions": "40"},
         "Invalid frame position '40' in frames_positions: use 1 to 33 or L"),
        ({"video_prompt_type": "FI", "image_refs": ["REF"], "frames_positions": "0"},
         "Invalid frame position '0'"),
    ],
)
def test_wangp_validation_errors(session: Any, tmp_path: Path, settings: dict, message: str) -> None:
    control = write_mp4(tmp_path / "depth.mp4", bar_frames(33), 16)
    ref = write_png(tmp_path / "ref.png", 7)
    values = {k: (control if v == "CONTROL" else [ref] if v == ["REF"] else v) for k, v in settings.items()}
    result = session.run_task({**VACE, **values})
    assert not result.success
    (error,) = result.errors
    assert error.stage == "validation" and error.message.startswith(message)


def test_a_model_without_control_inputs_ignores_the_control(session: Any, tmp_path: Path) -> None:
    control = write_mp4(tmp_path / "depth.mp4", bar_frames(33, step=3), 16)
    result, frames = run(session, model_type="t2v_1.3B", video_prompt_type="V", video_guide=control)
    assert result.success
    assert bar_x(frames[16]) != 48


def test_ltx2_raw_control_needs_the_ic_lora_to_be_followed(session: Any, tmp_path: Path) -> None:
    control = bar_frames(33, step=3)
    path = write_mp4(tmp_path / "depth.mp4", control, 24)
    ltx2 = {"model_type": "ltx2_22B_distilled", "video_length": 33, "video_prompt_type": "VG", "video_guide": path}
    _, copied = run(session, **ltx2)
    _, followed = run(session, **ltx2, activated_loras=["ltx-2.3-22b-ic-lora-union-control-ref0.5.safetensors"],
                      denoising_strength=0.9)
    assert np.abs(copied.astype(int) - control).mean() < 3
    assert np.abs(followed.astype(int) - control).mean() > 10 and bar_x(followed[16]) == 48


def test_continuation_puts_the_resampled_source_first_then_the_new_frames(session: Any, tmp_path: Path) -> None:
    previous = bar_frames(33, step=3)
    take = write_mp4(tmp_path / "take.mp4", previous, 16)
    control = write_mp4(tmp_path / "depth.mp4", bar_frames(33, step=2)[::-1].copy(), 16)
    result, frames = run(session, image_prompt_type="V", video_source=f"{take}|start_frame=-5",
                         video_prompt_type="VT", video_guide=control, sliding_window_overlap=5)
    assert result.success, result.errors
    assert len(frames) == 5 + 32
    assert [bar_x(f) for f in frames[:5]] == [3 * i for i in range(28, 33)]
    # With T, control frame k drives window frame k; window frame 0 is the source's last frame.
    assert bar_x(frames[5]) == 2 * (32 - 1)


def test_continuation_resamples_the_source_tail(session: Any, tmp_path: Path) -> None:
    take = write_mp4(tmp_path / "take.mp4", bar_frames(48, step=2), 24)
    result, frames = run(session, image_prompt_type="V", video_source=f"{take}|start_frame=-5")
    assert result.success
    assert len(frames) == 3 + 32  # 5 frames at 24 fps are 3 at 16 fps
    assert [bar_x(f) for f in frames[:3]] == [2 * 43, 2 * 45, 2 * 46]


def test_sliding_windows_lift_the_one_window_maximum(session: Any, tmp_path: Path) -> None:
    control = write_mp4(tmp_path / "depth.mp4", bar_frames(121, step=1), 16)
    result, frames = run(session, video_length=121, sliding_window_size=97, video_prompt_type="V",
                         video_guide=control)
    assert result.success and len(frames) == 121
    assert bar_x(frames[110]) == 110


def test_the_live_catalog_carries_the_offered_letters_to_the_builder(session: Any) -> None:
    from wangp_backend.catalog import ModelCatalog
    from wangp_backend.live_catalog import read_catalog
    from wangp_backend.spec import ShotSpec
    from wangp_backend.toolkit import build_settings

    catalog = ModelCatalog.from_records(read_catalog(session))
    vace, h3 = catalog.get("vace_1.3B"), catalog.get("minimax_h3_fl2va")
    assert "V" in vace.guide_choices and "UV" in vace.guide_choices and "FI" in vace.ref_choices
    assert set(h3.guide_choices) == {"PV", "DV"}

    def build(model_type: str, guide: str) -> Any:
        spec = ShotSpec(shot_key="k", shot_name="k", prompt="p", model_type=model_type, guide=guide,
                        camera_mode="NONE", scene_fps=24.0, frame_start=1, frame_end=124)
        return build_settings(spec, catalog)

    # H3 here offers only WanGP's own extraction: a rendered depth is refused, the animatic is not.
    refused = build("minimax_h3_fl2va", "DEPTH").errors[0]
    assert (refused.kind, refused.facts["model"], refused.facts["problem"]) == (
        "guide_refused", "minimax_h3_fl2va", "cannot follow a depth guide")
    assert build("minimax_h3_fl2va", "ANIMATIC").guide_pending
    assert build("vace_1.3B", "DEPTH").guide_pending
