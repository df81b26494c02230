"""Decode an mp4 in the WanGP stand-in environment (imageio-ffmpeg: Blender's Python has no decoder)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile

import numpy as np
from conftest import WANGP_PYTHON

_SCRIPT = """
import json, sys, imageio_ffmpeg, numpy as np
reader = imageio_ffmpeg.read_frames(sys.argv[1])
meta = reader.__next__()
width, height = meta["size"]
frames = np.stack([np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader])
np.save(sys.argv[2], frames)
print(json.dumps({"fps": meta["fps"], "width": width, "height": height}))
"""


def read_video(path: str) -> tuple[np.ndarray, dict]:
    """``(frames, meta)``: frames as ``(n, h, w, 3)`` uint8 top-down, meta with fps, width, height."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "frames.npy")
        done = subprocess.run([WANGP_PYTHON, "-c", _SCRIPT, path, out], check=True, capture_output=True, text=True)
        return np.load(out), json.loads(done.stdout.strip().splitlines()[-1])
