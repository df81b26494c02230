"""The double's late post-processing: real Lanczos and film grain on the pixels, RIFE simulated by blending,
WanGP's validation messages; and the add-on's own checks and choices made before asking WanGP."""

from __future__ import annotations

import importlib.util
import os

import imageio_ffmpeg
import numpy as np
import pytest
from conftest import FAKE_ROOT

from wangp_backend import postprocess


def _load(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fake_media = _load("md_fake_media_pp", str(FAKE_ROOT / "shared" / "fake_media.py"))
fake_post = _load("md_fake_post", str(FAKE_ROOT / "shared" / "fake_postprocess.py"))


def _frames(path: str) -> tuple[list[np.ndarray], float]:
    return fake_post._read(path)


@pytest.fixture
def clip(tmp_path) -> str:
    path = str(tmp_path / "take.mp4")
    fake_media.write_video(path, 64, 48, 9, 16.0, (120, 120, 120), with_audio=True)
    return path


def _run(clip: str, out: str, **choices) -> None:
    settings = fake_post.build_settings(clip, **choices)
    assert fake_post.validate(settings) == ""
    assert fake_post.run(settings, lambda *a: None, out, lambda: False)


def test_lanczos_really_scales_and_rife_fills_in_frames(clip, tmp_path):
    out = str(tmp_path / "big.mp4")
    _run(clip, out, spatial_upsampling="lanczos2", temporal_upsampling="rife2")
    frames, fps = _frames(out)
    assert frames[0].shape == (96, 128, 3) and fps == 32.0 and len(frames) == 17
    assert "Audio:" in __import__("subprocess").run([imageio_ffmpeg.get_ffmpeg_exe(), "-i", out], capture_output=True,
                                                    text=True).stderr  # the sound is kept


def test_film_grain_is_seeded_noise_on_the_pixels(clip, tmp_path):
    a, b, c = (str(tmp_path / f"{n}.mp4") for n in "abc")
    _run(clip, a, film_grain_intensity=0.2, seed=5)
    _run(clip, b, film_grain_intensity=0.2, seed=5)
    _run(clip, c, film_grain_intensity=0.2, seed=6)
    source, _ = _frames(clip)
    fa, fb, fc = (_frames(p)[0] for p in (a, b, c))
    assert np.array_equal(fa[3], fb[3]) and not np.array_equal(fa[3], fc[3])
    assert np.abs(fa[3].astype(int) - source[3].astype(int)).std() > 5  # visible grain


def test_wangps_validation_messages(clip, tmp_path):
    assert fake_post.validate(fake_post.build_settings(clip)) == "You must choose at least one Post Processing Method"
    gone = fake_post.build_settings(str(tmp_path / "gone.mp4"), film_grain_intensity=0.1)
    assert fake_post.validate(gone) == "Selected video or image file is missing"
    settings = fake_post.build_settings(clip, spatial_upsampling="lanczos2", seed=3, model_type="t2v")
    assert settings["mode"] == "edit_postprocessing" and "model_type" not in settings and settings["seed"] == 3


def test_the_add_on_checks_and_choices(clip, tmp_path):
    assert postprocess.rife_for_fps(16.0, 24.0) == "rife2"
    assert postprocess.rife_for_fps(5.0, 24.0) == "rife4"
    assert postprocess.rife_for_fps(24.0, 24.0) == ""
    assert postprocess.problem({"video_source": clip}) == postprocess.NOTHING_CHOSEN
    assert postprocess.problem({"video_source": str(tmp_path / "x.mp4"), "film_grain_intensity": 1}).startswith(
        postprocess.SOURCE_MISSING)
    assert "Unknown spatial" in postprocess.problem({"video_source": clip, "spatial_upsampling": "lanczos3"})
    media = postprocess.predicted(postprocess.Media(16.0, 17, 128, 96),
                                  {"spatial_upsampling": "lanczos1.5", "temporal_upsampling": "rife2"})
    assert media == postprocess.Media(32.0, 33, 192, 144)
    assert postprocess.probe(clip) == postprocess.Media(16.0, 9, 64, 48)
    assert os.path.isfile(clip)
