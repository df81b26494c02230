"""WanGP previews of odd sizes and modes (1x1, 8000x8000, RGBA, L, 16-bit, float, CMYK, palette, none): each
becomes a bounded RGBA preview on the host thread or is skipped with a warning, never an exception."""

from __future__ import annotations

import time
from collections import deque
from types import SimpleNamespace

import pytest
from PIL import Image

from wangp_backend.messages import Preview
from wangp_backend.translate import JobTranslator

IMAGES = {"none": None, "1x1": ("RGB", (1, 1)), "8000x8000": ("RGB", (8000, 8000)), "1x9000": ("L", (1, 9000)),
          "RGBA": ("RGBA", (640, 360)), "L": ("L", (640, 360)), "I;16 8000x8000": ("I;16", (8000, 8000)),
          "F": ("F", (640, 360)), "CMYK": ("CMYK", (640, 360)), "P": ("P", (640, 360)), "La": ("La", (64, 64))}


@pytest.mark.parametrize("name", list(IMAGES))
def test_odd_previews_are_converted_or_skipped(name, caplog, scenario):
    spec = IMAGES[name]
    image = None if spec is None else Image.new(*spec)
    translator = JobTranslator("j", "k", deque(maxlen=5), preview_max_side=512, preview_max_fps=1000.0,
                               clock=time.monotonic)
    data = SimpleNamespace(image=image, phase="Denoising", status="", progress=50, current_step=1, total_steps=2)
    started = time.perf_counter()
    out = translator.handle(SimpleNamespace(kind="preview", data=data)) + translator.finish()
    host_ms = (time.perf_counter() - started) * 1000
    previews = [msg for msg in out if isinstance(msg, Preview)]
    for msg in previews:
        assert 0 < max(msg.width, msg.height) <= 512 and msg.pixels.size == msg.width * msg.height * 4
    assert out[0].kind == "progress"  # the progress of the event always gets through
    if image is not None and not previews:
        assert any("preview image skipped" in r.getMessage() for r in caplog.records)
    scenario(f"preview {name}", injected=f"a WanGP preview: {name}",
             user_saw="the preview, at most 512 px" if previews else "the progress, no preview",
             survived=f"converted on the host thread in {host_ms:.1f} ms" if previews else
             "skipped with a warning (no crash)")
