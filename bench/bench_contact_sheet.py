"""The contact sheet's cost: drawing it in WanGP's environment (a child process, off Blender's main thread).

Run: ``.venv-wangp/bin/python bench/bench_contact_sheet.py [SHOTS]`` (Pillow and imageio-ffmpeg, like
WanGP's environment). Writes SHOTS clips of 81 frames at 832x480 (Wan's default) with the test double's
encoder, then times the sheet script end to end as the add-on runs it (``python contact_sheet.py SPEC``).
Blender's main thread only gathers one plain row per shot and starts a thread; it never waits.
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, "tests", "fake_wangp"))

from shared import fake_media  # noqa: E402

from wangp_backend import contact_sheet  # noqa: E402


def main() -> None:
    shots = int(sys.argv[1]) if len(sys.argv) > 1 else 24
    with tempfile.TemporaryDirectory(prefix="md_bench_sheet_") as folder:
        rows = []
        for i in range(shots):
            clip = os.path.join(folder, f"SH{i:03d}.mp4")
            fake_media.write_video(clip, 832, 480, 81, 16.0, (40 + i * 7 % 200, 90, 160))
            rows.append(contact_sheet.SheetRow(f"SH{i:03d}", clip, 1, 1, "t2v_1.3B", i, i % 3 == 0, 0, 81))
        spec, out = os.path.join(folder, "spec.json"), os.path.join(folder, "sheet.png")
        contact_sheet.write_spec(spec, "bench", out, rows)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-E", contact_sheet.__file__, spec], check=True)
        total = time.perf_counter() - started
        size = os.path.getsize(out)
    print("| what | figure |")
    print("|---|---|")
    print(f"| contact sheet, {shots} shots of 81 frames at 832x480, child process end to end | {total:.2f} s |")
    print(f"| per shot (3 frames decoded and scaled by ffmpeg, drawn with Pillow) | {1000 * total / shots:.0f} ms |")
    print(f"| PNG size | {size / 1024:.0f} KiB |")


if __name__ == "__main__":
    main()
