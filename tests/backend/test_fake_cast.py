"""The WanGP test double checks references and audio like WanGP 12.60 and shows both reached the model:
a reference tints the clip, the voice's length decides an audio-driven clip's frame count and is muxed in."""

from __future__ import annotations

import subprocess
import sys
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

W, H = 128, 96
BASE = {"prompt": "a courier crosses the yard", "resolution": f"{W}x{H}", "num_inference_steps": 2, "seed": 5}


@pytest.fixture
def session(fake_root: str, fake_config: Callable[..., dict], tmp_path: Path) -> Any:
    if fake_root not in sys.path:
        sys.path.insert(0, fake_root)
    import shared.api

    return shared.api.init(root=fake_root, output_dir=tmp_path / "out", console_output=False)


def flat_png(path: Path, colour: tuple[int, int, int]) -> str:
    Image.new("RGB", (32, 32), colour).save(path)
    return str(path)


def tone(path: Path, seconds: float) -> str:
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(16000)
        t = np.arange(int(16000 * seconds)) / 16000
        fh.writeframes((np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes())
    return str(path)


def run(session: Any, **settings: Any) -> tuple[Any, np.ndarray]:
    result = session.run_task({**BASE, **settings, "_api": {"return_media": True}})
    if not result.success:
        return result, np.zeros((0,))
    (artifact,) = result.artifacts
    return result, artifact.video_tensor_uint8.transpose(1, 2, 3, 0)


def mean_colour(frames: np.ndarray) -> np.ndarray:
    return frames[:, :, : W // 2].reshape(-1, 3).mean(axis=0)


def test_a_reference_tints_the_clip_toward_it(session: Any, tmp_path: Path) -> None:
    _plain_result, plain = run(session, model_type="phantom_14B", video_length=17, video_prompt_type="")
    red = flat_png(tmp_path / "red.png", (250, 10, 10))
    result, tinted = run(session, model_type="phantom_14B", video_length=17, video_prompt_type="I", image_refs=[red])
    assert result.success, result.errors
    assert mean_colour(tinted)[0] - mean_colour(tinted)[2] > mean_colour(plain)[0] - mean_colour(plain)[2] + 40


def test_positioned_frames_do_not_tint_only_the_refs_after_them(session: Any, tmp_path: Path) -> None:
    key = flat_png(tmp_path / "key.png", (10, 10, 250))
    red = flat_png(tmp_path / "red.png", (250, 10, 10))
    result, frames = run(session, model_type="vace_1.3B", video_length=17, video_prompt_type="FI",
                         image_refs=[key, red], frames_positions="1")
    assert result.success, result.errors
    assert frames[0, 5, 5, 2] > 200  # the injected keyframe, exact
    assert mean_colour(frames[1:])[0] > mean_colour(frames[1:])[2]  # the rest tinted by the red ref


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"model_type": "fantasy"}, "You must provide an Audio Source"),
        ({"model_type": "multitalk", "audio_prompt_type": "PAB", "audio_guide": "VOICE"},
         "You must provide a second Audio Source"),
        ({"model_type": "standin", "video_prompt_type": "I", "image_refs": ["RED", "RED"]},
         "Only one Image Reference (a person) is supported for the moment by this model"),
        ({"model_type": "hunyuan_avatar", "audio_guide": "VOICE"}, "You must provide an Image Reference"),
        ({"model_type": "phantom_14B", "video_prompt_type": "I"}, "You must provide at least one Refererence Image"),
    ],
)
def test_wangp_validation_of_refs_and_audio(session: Any, tmp_path: Path, settings: dict, message: str) -> None:
    red, voice = flat_png(tmp_path / "red.png", (250, 10, 10)), tone(tmp_path / "v.wav", 1.0)
    filled = {k: ([red if x == "RED" else x for x in v] if isinstance(v, list) else voice if v == "VOICE" else v)
              for k, v in settings.items()}
    result, _frames = run(session, video_length=17, **filled)
    assert not result.success and message in " ".join(str(e) for e in result.errors)


def test_audio_without_the_letter_is_dropped_on_a_model_without_audio(session: Any, tmp_path: Path) -> None:
    result, frames = run(session, model_type="t2v", video_length=17, audio_prompt_type="A",
                         audio_guide=tone(tmp_path / "v.wav", 0.3))
    assert result.success and len(frames) == 17


def test_the_voice_decides_the_frame_count_and_is_muxed_into_the_clip(session: Any, tmp_path: Path) -> None:
    face = flat_png(tmp_path / "face.png", (200, 150, 120))
    voice = tone(tmp_path / "v.wav", 1.0)  # fantasy runs at 23 fps: 23 frames, held by 4n+1 = 25
    result, frames = run(session, model_type="fantasy", video_length=81, audio_guide=voice, image_start=face)
    assert result.success, result.errors
    assert len(frames) == 25
    path = result.generated_files[0]
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-i", path], capture_output=True, text=True)
    assert "Audio:" in probe.stderr
