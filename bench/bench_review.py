"""Main-thread costs of the review tools on a 500-shot scene (each shot with one take).

Run: ``.venv-bpy/bin/python bench/bench_review.py``. Prints figures; asserts nothing on time.
- the Contact Sheet click: gathering one plain row per shot and starting the worker thread (the drawing
  itself runs in WanGP's Python, see ``bench_contact_sheet.py``);
- Export Cut to OTIO, EDL and FCP XML: reading the sequencer and writing with OpenTimelineIO (all on the
  main thread, like the click).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

from _blender import add_shots, bpy, md, open_empty

SHOTS = 500


def _clip() -> str:
    """One real 16 fps clip (made by the test double's encoder in WanGP's stand-in environment)."""
    folder = tempfile.mkdtemp(prefix="md_bench_review_")
    path = os.path.join(folder, "clip.mp4")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from shared import fake_media; "
            "fake_media.write_video(sys.argv[2], 128, 96, 17, 16.0, (90, 120, 200))")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([os.path.join(repo, ".venv-wangp", "bin", "python"), "-c", code,
                    os.path.join(repo, "tests", "fake_wangp"), path], check=True)
    return path


def main() -> None:
    scene = open_empty()
    clip = _clip()
    shots = add_shots(scene, SHOTS)
    folder = os.path.dirname(clip)
    for i, camera in enumerate(shots):
        take_path = os.path.join(folder, f"{camera.name}_take001.mp4")
        shutil.copy(clip, take_path)
        take = camera.movie_director.takes.add()
        take.filepath, take.fps, take.frame_count, take.model_type, take.seed = take_path, 16.0, 17, "t2v_1.3B", i
        camera.movie_director.active_take_index = 0
        md.runtime.timeline.show_take(scene, camera, 0)
    scene.frame_end = SHOTS * 16

    os.environ.setdefault("WANGP_PYTHON", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                       ".venv-wangp", "bin", "python"))
    started = time.perf_counter()
    md.runtime.contact_sheet.start(scene, os.path.join(folder, "sheet.png"), md.runtime.contact_sheet.python())
    click = time.perf_counter() - started
    drawn = md.runtime.contact_sheet.wait()
    print("| what | figure |")
    print("|---|---|")
    print(f"| Contact Sheet click, {SHOTS} shots: main thread | {1000 * click:.1f} ms |")
    print(f"| the sheet drawn in the background (WanGP's Python), {SHOTS} shots | {drawn.seconds:.1f} s |")
    for fmt, ext in (("OTIO", "otio"), ("EDL", "edl"), ("FCP_XML", "xml")):
        started = time.perf_counter()
        bpy.ops.movie_director.export_cut(filepath=os.path.join(folder, f"cut.{ext}"), format=fmt)
        print(f"| Export Cut {fmt}, {SHOTS} clips: main thread | {time.perf_counter() - started:.2f} s |")
    shutil.rmtree(folder, ignore_errors=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
