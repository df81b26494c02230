"""The settings side of guided shots: building 500 guided shots (target pass, then with the rendered guide).

Run: ``.venv-wangp/bin/python bench/bench_guide_settings.py`` (any Python 3.11; no bpy, no WanGP). Needs the
catalog snapshot ``../shared/reference/wangp-video-models.json``. The builder runs once per shot before
the guide renders and once after, on the session side of a batch; this prints what that costs.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "backend"))

from toolkit_support import snapshot_catalog  # noqa: E402

from wangp_backend.guide_spec import GuideMedia, Keyframe  # noqa: E402
from wangp_backend.spec import ShotSpec  # noqa: E402
from wangp_backend.toolkit import build_settings  # noqa: E402

SHOTS = 500
MODES = (("vace_14B", "DEPTH", "FIRST"), ("ltx2_22B_distilled", "DEPTH_POSE", "FIRST_LAST"),
         ("i2v_2_2", "ANIMATIC", "NONE"), ("", "POSE", "CAMERA_KEYS"))


def main() -> None:
    catalog = snapshot_catalog()
    with tempfile.TemporaryDirectory() as folder:
        control = os.path.join(folder, "control.mp4")
        still = os.path.join(folder, "key.png")
        for path in (control, still):
            with open(path, "wb") as fh:
                fh.write(b"x")
        rows = []
        for model_type, guide, keyframes in MODES:
            specs = [
                ShotSpec(shot_key=f"s{i}", shot_name=f"SH{i:04d}", prompt="a courier crosses the yard",
                         model_type=model_type, guide=guide, keyframes=keyframes, camera_mode="NONE",
                         frame_start=1 + 100 * i, frame_end=100 + 100 * i)
                for i in range(SHOTS)
            ]
            first_times, second_times = [], []
            for spec in specs:
                start = time.perf_counter()
                first = build_settings(spec, catalog, vram_gb=24)
                first_times.append(time.perf_counter() - start)
                target = first.guide_target
                last = target.frame_count - 1
                frames = {"FIRST": (0,), "FIRST_LAST": (0, last), "CAMERA_KEYS": (0, last // 2), "NONE": ()}
                media = GuideMedia(mode=guide, target=target, control_video=control, content_hash="h",
                                   keyframes=tuple(Keyframe(f, still) for f in frames[keyframes]))
                start = time.perf_counter()
                built = build_settings(replace(spec, guide_media=media), catalog, vram_gb=24)
                second_times.append(time.perf_counter() - start)
                assert not built.errors, built.errors
            label = f"{built.model_type} {guide} + {keyframes}"
            both = sorted(first_times + second_times)
            rows.append((label, statistics.median(first_times) * 1e3, statistics.median(second_times) * 1e3,
                         both[int(len(both) * 0.99)] * 1e3, sum(both)))
    print(f"build_settings for {SHOTS} guided shots, 100 frames each at 24 fps (per build: median, p99; both passes)")
    print(f"{'shot kind':<46} {'target pass':>12} {'with guide':>12} {'p99':>10} {'total':>8}")
    for label, first_ms, second_ms, p99_ms, total in rows:
        print(f"{label:<46} {first_ms:>9.3f} ms {second_ms:>9.3f} ms {p99_ms:>7.3f} ms {total:>6.2f} s")


if __name__ == "__main__":
    main()
