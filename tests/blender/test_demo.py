"""The headless demo, end to end: ``demo/run_demo.py --out <tmp>`` in its own process (it imports
bpy itself and installs the built extension), then the saved .blend opened in another fresh process
to check that the clips are on its timeline. Runs without WanGP, so the layout animatic makes the clips.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import bpy
import pytest
from conftest import FAKE_WANGP_ROOT, REPO, WANGP_SITE_PACKAGES

DEMO = os.path.join(REPO, "demo", "run_demo.py")
#: The demo's line of dialogue is a sound strip, which a Blender built without audio (the 4.2 wheel) cannot hold.
HAS_AUDIO = bool(getattr(bpy.app.build_options, "audaspace", True))
SHOTS = {"SH010_DollyIn": (1, 48), "SH020_Pan": (49, 84), "SH030_Static": (85, 144)}

INSPECT = """
import json, sys
import bpy
bpy.ops.wm.open_mainfile(filepath=sys.argv[1])
scene = bpy.context.scene
editor = scene.sequence_editor
strips = editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all
# 5.1 renamed the timing (the old names warn): the add-on's compat is not loaded in this process.
timing = (getattr(bpy.types, "Strip", None) or bpy.types.Sequence).bl_rna.properties
start, length = (("left_handle", "duration") if "left_handle" in timing
                 else ("frame_final_start", "frame_final_duration"))
found = []
for strip in strips:
    if strip.type == "MOVIE":
        found.append({"name": strip.name, "shot_id": strip.get("md_shot_id"), "channel": strip.channel,
                      "start": getattr(strip, start), "length": getattr(strip, length),
                      "file": bpy.path.abspath(strip.filepath), "fps": strip.fps})
sounds = [strip.sound.filepath for strip in strips if strip.type == "SOUND"]
print("INSPECT " + json.dumps({"fps": scene.render.fps, "strips": found, "sounds": sounds}))
"""


def _clean_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANGP_", "BLENDER_USER_"))}
    env["BLENDER_USER_RESOURCES"] = str(tmp_path / "inspect_user")
    return env


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_out")
    env = _clean_env(out)
    proc = subprocess.run([sys.executable, DEMO, "--out", str(out)], capture_output=True, text=True, env=env,
                          timeout=600, cwd=str(out))
    return out, proc


def test_demo_exits_cleanly_and_says_it_is_the_animatic(demo_run):
    out, proc = demo_run
    assert proc.returncode == 0, proc.stdout + proc.stderr + _log_tail(out)
    assert "layout animatic" in proc.stdout and "NOT AI" in proc.stdout
    assert os.path.isfile(out / "movie_director_demo.blend")


def _rows(stdout: str) -> dict[str, list[str]]:
    rows = {}
    for line in stdout.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells and cells[0] in SHOTS:
            rows[cells[0]] = cells
    assert set(rows) == set(SHOTS), stdout
    return rows


def test_summary_lists_three_shots_done(demo_run):
    _out, proc = demo_run
    rows = _rows(proc.stdout)
    for name, (start, end) in SHOTS.items():
        shot, frames, generator, status, take_file, strip = rows[name]
        assert frames == f"{start}-{end} ({end - start + 1})"
        assert generator.startswith("layout animatic") and status == "done"
        assert take_file.endswith(".mp4") and name in take_file
        assert strip == f"2/{start}/{end - start + 1}"
    assert "All shots done." in proc.stdout


def test_the_demo_approves_a_take_draws_the_contact_sheet_and_exports_the_cut(demo_run):
    import opentimelineio as otio

    out, proc = demo_run
    assert "Approved SH010_DollyIn take 1: the shot is locked" in proc.stdout
    assert "Post-processing skipped: it runs in WanGP" in proc.stdout  # the animatic has no post-processing
    sheet = out / "contact_sheet.png"
    assert sheet.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    timeline = otio.adapters.read_from_file(str(out / "cut.otio"))
    clips = {c.name: c for track in timeline.video_tracks() for c in track.find_clips()}
    assert set(clips) == {f"{name} take 1" for name in SHOTS}
    # The robot's line (a user sound strip) is in the cut's sound, where it was put.
    if HAS_AUDIO:  # a Blender without audio (the 4.2 wheel) makes no sound strip: the demo says so
        (line,) = [c for track in timeline.audio_tracks() for c in track.find_clips() if c.name == "Robot line"]
        assert round(line.range_in_parent().start_time.value) + 1 == 13
    for name, (start, end) in SHOTS.items():
        record = clips[f"{name} take 1"].range_in_parent()
        assert (round(record.start_time.value) + 1, round(record.duration.value)) == (start, end - start + 1)
    assert clips["SH010_DollyIn take 1"].metadata["movie_director"]["approved"] is True
    # The sheet's title names the open .blend: the result must be saved under its own name before the sheet is
    # drawn, not the hidden working file (".movie_director_demo.running.blend" was the title).
    log = (out / "blender_output.log").read_text(errors="replace")
    saved = re.search(r'Saved (as )?"movie_director_demo\.blend"', log)  # 4.2 says "Saved", later ones "Saved as"
    assert saved and "Contact sheet written" in log, _log_tail(out)
    assert saved.start() < log.index("Contact sheet written")


def test_clips_are_on_disk_and_on_the_saved_timeline(demo_run, tmp_path):
    out, _proc = demo_run
    clips = sorted(str(p) for p in out.rglob("*.mp4"))
    assert len(clips) == 3 and all(os.path.getsize(c) > 0 for c in clips)
    sidecars = [p for p in out.rglob("*.json") if json.loads(p.read_text()).get("schema") == "movie_director.take/1"]
    assert len(sidecars) == 3

    inspect = subprocess.run([sys.executable, "-c", INSPECT, str(out / "movie_director_demo.blend")],
                             capture_output=True, text=True, env=_clean_env(tmp_path), timeout=120)
    line = next((ln for ln in inspect.stdout.splitlines() if ln.startswith("INSPECT ")), "")
    assert line, inspect.stdout + inspect.stderr
    data = json.loads(line[len("INSPECT "):])
    assert data["fps"] == 24
    strips = {s["name"]: s for s in data["strips"]}
    assert set(strips) == set(SHOTS)
    for name, (start, end) in SHOTS.items():
        strip = strips[name]
        assert (strip["channel"], strip["start"], strip["length"], strip["fps"]) == (2, start, end - start + 1, 24)
        assert strip["file"] in clips and strip["shot_id"]
    # The demo's own media (the line of dialogue; the cast's reference image likewise) are blend-relative too, so
    # the folder can be moved (they were absolute paths). No sound strip only on a Blender without audio.
    for path in data["sounds"]:
        assert path.startswith("//demo_media/"), data


def test_the_demo_has_a_character_and_a_line_of_dialogue(md, demo_run):
    out, proc = demo_run
    if HAS_AUDIO:
        assert "Cast: Robot (reference robot_reference.png); a line of dialogue (robot_line.wav) under SH010_DollyIn" \
            in proc.stdout
    else:  # the 4.2 wheel has no audio: no line of dialogue, and the demo does not claim one
        assert "Cast: Robot (reference robot_reference.png)\n" in proc.stdout
    records = {}
    for path in out.rglob("*.json"):
        record = json.loads(path.read_text())
        if record.get("schema") == "movie_director.take/1":
            # The demo's folder can be moved: a sidecar names the files inside it relative to itself.
            assert record["blend_file"].startswith("../") and str(out) not in path.read_text()
            records[record["shot_name"]] = md.wangp_backend.review.read_sidecar(str(path))
    robot = records["SH010_DollyIn"]["cast"]
    assert [(m["name"], m["reason"]) for m in robot] == [("Robot", "VISIBLE")]
    assert robot[0]["images"] == [str(out / "demo_media" / "robot_reference.png")]


def _wangp_env(tmp_path) -> dict[str, str]:
    """The demo's environment against the WanGP test double, configured only through the WANGP_* variables."""
    env = _clean_env(tmp_path)
    config = tmp_path / "fake_wangp.json"
    config.write_text(json.dumps({"load_delay_s": 0.05, "step_delay_s": 0.01, "steps_cap": 3}))
    env.update(WANGP_ROOT=FAKE_WANGP_ROOT, WANGP_SITE_PACKAGES=WANGP_SITE_PACKAGES, FAKE_WANGP_CONFIG=str(config))
    return env


@pytest.fixture(scope="module")
def wangp_demo_run(tmp_path_factory):
    """One demo run against the WanGP test double, shared: each demo run costs a whole Blender session."""
    tmp_path = tmp_path_factory.mktemp("wangp_demo")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, DEMO, "--out", str(out)], capture_output=True, text=True,
                          env=_wangp_env(tmp_path), timeout=600)
    return out, proc


def test_with_wangp_configured_the_demo_uses_it(wangp_demo_run):
    """The same demo against the WanGP test double, configured only through the WANGP_* variables."""
    out, proc = wangp_demo_run
    assert proc.returncode == 0, proc.stdout + proc.stderr + _log_tail(out)
    assert f"Generator: WanGP from {FAKE_WANGP_ROOT}" in proc.stdout and "animatic" not in proc.stdout
    rows = _rows(proc.stdout)
    for name, (start, end) in SHOTS.items():
        _shot, _frames, generator, status, take_file, strip = rows[name]
        assert generator.startswith("WanGP ") and status == "done" and take_file.endswith(".mp4")
        # Wan's 16 fps clips play at real speed in the 24 fps scene, trimmed to their shots, all on one channel.
        assert strip == f"2/{start}/{end - start + 1}"
    # Three generated takes, and the demo's one post-processed take (which names its parent).
    sidecars = [json.loads(p.read_text()) for p in out.rglob("*.json")]
    takes = [s for s in sidecars if s.get("schema") == "movie_director.take/1"]
    assert len([t for t in takes if "parent_take" not in t]) == 3
    [post] = [t for t in takes if "parent_take" in t]
    assert post["shot_name"] == "SH020_Pan" and post["postprocess"]["spatial_upsampling"] == "lanczos1.5"
    # The guided shots' control videos and stills sit beside their takes, in guides/ folders.
    assert len([p for p in out.rglob("*.mp4") if "guides" not in p.parts]) == 4
    guides = sorted(p.name for p in out.rglob("*.mp4") if "guides" in p.parts)
    assert guides == ["control.mp4", "timeline.mp4"], "SH010's depth+pose guide, and its copy at the scene's rate"
    assert len(list(out.rglob("guides/*/key_0000.png"))) == 1, "SH020's first keyframe"
    assert "Post-processed SH020_Pan take 1 into take 2" in proc.stdout
    assert (out / "cut.otio").is_file() and (out / "contact_sheet.png").is_file()


def test_a_failed_shot_makes_the_demo_exit_non_zero(tmp_path):
    env = _clean_env(tmp_path)
    config = tmp_path / "fake_wangp.json"
    config.write_text(json.dumps({"load_delay_s": 0.05, "step_delay_s": 0.01, "steps_cap": 3,
                                  "fail_models": {"t2v_1.3B": "oom", "ltx2_22B_distilled": "oom", "i2v": "oom"}}))
    env.update(WANGP_ROOT=FAKE_WANGP_ROOT, WANGP_SITE_PACKAGES=WANGP_SITE_PACKAGES, FAKE_WANGP_CONFIG=str(config))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, DEMO, "--out", str(out)], capture_output=True, text=True, env=env,
                          timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr + _log_tail(out)
    rows = _rows(proc.stdout)
    assert all(cells[3] == "failed" for cells in rows.values())
    assert "SH010_DollyIn: CUDA out of memory" in proc.stdout and "FAILED" in proc.stdout


def _log_tail(out) -> str:
    log = out / "blender_output.log"
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def test_a_failed_run_never_replaces_a_good_blend(wangp_demo_run, tmp_path):
    good_out, good = wangp_demo_run
    assert good.returncode == 0, good.stdout + good.stderr + _log_tail(good_out)
    # A copy of the good result (the demo's folder can be moved: its paths are relative), so the shared run's
    # folder stays as the other tests read it.
    out = tmp_path / "out"
    shutil.copytree(good_out, out)
    env = _wangp_env(tmp_path)
    result = out / "movie_director_demo.blend"
    before = result.read_bytes()

    # Then a run against a folder that is not WanGP: every shot fails, and says why.
    not_wangp = tmp_path / "not_wangp"
    not_wangp.mkdir()
    env.update(WANGP_ROOT=str(not_wangp))
    bad = subprocess.run([sys.executable, DEMO, "--out", str(out)], capture_output=True, text=True, env=env,
                         timeout=600)
    assert bad.returncode == 1, bad.stdout + bad.stderr + _log_tail(out)
    assert "(AI video)" not in bad.stdout and f"WANGP_ROOT={not_wangp} is not a WanGP install" in bad.stdout
    rows = _rows(bad.stdout)
    assert all(cells[3] == "failed" for cells in rows.values()), bad.stdout
    assert f"SH010_DollyIn: Not a WanGP install: {not_wangp} has no wgp.py." in bad.stdout
    assert result.read_bytes() == before
    assert (out / "movie_director_demo_failed.blend").is_file()
    assert f"The earlier result {result} is kept as it was." in bad.stdout
    assert sorted(p.name for p in out.glob("*.blend")) == ["movie_director_demo.blend",
                                                            "movie_director_demo_failed.blend"]
