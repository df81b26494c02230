"""Preview images: converted for Blender (bottom-up float RGBA), size-capped and rate-limited per job."""

from __future__ import annotations

from collections import deque
from types import SimpleNamespace

import numpy as np
from PIL import Image

from wangp_backend.messages import Preview, Progress
from wangp_backend.preview import PreviewThrottle, to_rgba_bottom_up
from wangp_backend.translate import JobTranslator


def marked_image(width: int, height: int) -> Image.Image:
    """Grey, with a red top-left pixel and a blue bottom-left pixel."""
    image = Image.new("RGB", (width, height), (128, 128, 128))
    image.putpixel((0, 0), (255, 0, 0))
    image.putpixel((0, height - 1), (0, 0, 255))
    return image


def test_pixels_are_float_rgba_rows_bottom_up() -> None:
    width, height, pixels = to_rgba_bottom_up(marked_image(8, 4), max_side=832)
    assert (width, height) == (8, 4)
    assert pixels.dtype == np.float32 and pixels.shape == (8 * 4 * 4,)
    rows = pixels.reshape(height, width, 4)
    # Blender's first row is the image's bottom row.
    assert rows[0, 0].tolist() == [0.0, 0.0, 1.0, 1.0]
    assert rows[height - 1, 0].tolist() == [1.0, 0.0, 0.0, 1.0]
    assert np.allclose(rows[1, 1], [128 / 255, 128 / 255, 128 / 255, 1.0])


def test_long_side_is_capped_keeping_the_aspect() -> None:
    width, height, pixels = to_rgba_bottom_up(Image.new("RGB", (1664, 960)), max_side=832)
    assert (width, height) == (832, 480)
    assert pixels.size == 832 * 480 * 4
    assert to_rgba_bottom_up(Image.new("RGB", (480, 1664)), max_side=416)[:2] == (120, 416)


def test_small_images_are_not_enlarged() -> None:
    assert to_rgba_bottom_up(Image.new("RGB", (320, 192)), max_side=832)[:2] == (320, 192)


def test_grey_and_rgba_images_are_converted() -> None:
    assert to_rgba_bottom_up(Image.new("L", (4, 4), 255), 832)[2].min() == 1.0
    _, _, pixels = to_rgba_bottom_up(Image.new("RGBA", (2, 2), (255, 0, 0, 255)), 832)
    assert pixels.reshape(-1, 4)[0].tolist() == [1.0, 0.0, 0.0, 1.0]


def test_throttle_sends_at_most_one_per_interval_and_keeps_the_newest() -> None:
    throttle = PreviewThrottle(max_fps=4.0)
    assert throttle.offer("a", now=0.0) == "a"
    assert throttle.offer("b", now=0.1) is None
    assert throttle.offer("c", now=0.2) is None
    assert throttle.due(now=0.24) is None
    assert throttle.due(now=0.25) == "c"  # b was replaced by the newer c
    assert throttle.due(now=0.3) is None
    assert throttle.offer("d", now=0.6) == "d"


def test_throttle_flush_delivers_the_held_image_at_job_end() -> None:
    throttle = PreviewThrottle(max_fps=1.0)
    throttle.offer("first", now=0.0)
    throttle.offer("last", now=0.1)
    assert throttle.flush(now=0.2) == "last"
    assert throttle.flush(now=0.3) is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def preview_event(image: Image.Image, step: int) -> SimpleNamespace:
    data = SimpleNamespace(image=image, phase="inference", status=f"Denoising {step}/8", progress=20 + step * 5,
                           current_step=step, total_steps=8)
    return SimpleNamespace(kind="preview", data=data)


def test_translator_rate_limits_previews_and_never_loses_the_last() -> None:
    clock = Clock()
    translator = JobTranslator("j1", "SH010", deque(), preview_max_side=832, preview_max_fps=4.0, clock=clock)
    images = [Image.new("RGB", (16, 16), (step * 20, 0, 0)) for step in range(8)]
    sent: list[Preview] = []
    progress: list[Progress] = []
    for step, image in enumerate(images):
        clock.now = step * 0.05  # 20 previews per second from WanGP
        for message in translator.handle(preview_event(image, step)) + translator.tick():
            (sent if isinstance(message, Preview) else progress).append(message)
    assert len(progress) == 8 and progress[-1].percent == 55 and progress[-1].current_step == 7
    assert len(sent) == 2  # t=0.0 and t=0.25
    clock.now = 0.4
    last = translator.finish()
    assert len(last) == 1 and isinstance(last[0], Preview)
    red = last[0].pixels.reshape(16, 16, 4)[0, 0, 0]
    assert np.isclose(red, 140 / 255)  # the image of the last step
    assert translator.finish() == []


def test_translator_held_preview_is_sent_when_the_interval_allows() -> None:
    clock = Clock()
    translator = JobTranslator("j1", "SH010", deque(), preview_max_fps=2.0, clock=clock)
    assert len([m for m in translator.handle(preview_event(Image.new("RGB", (4, 4)), 1)) if m.kind == "preview"]) == 1
    clock.now = 0.1
    assert [m.kind for m in translator.handle(preview_event(Image.new("RGB", (4, 4)), 2))] == ["progress"]
    assert translator.tick() == []
    clock.now = 0.5
    assert [m.kind for m in translator.tick()] == ["preview"]


def test_translator_caps_preview_size() -> None:
    translator = JobTranslator("j1", "SH010", deque(), preview_max_side=100, clock=Clock())
    (preview,) = [m for m in translator.handle(preview_event(Image.new("RGB", (400, 200)), 1)) if m.kind == "preview"]
    assert (preview.width, preview.height) == (100, 50)
