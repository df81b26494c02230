"""Scripted and headless use: ``wait=False`` queues and returns at once (the script drives ``pump()``),
a waiting ``execute()`` writes progress lines to stderr, and logs name takes by their file number."""

from __future__ import annotations

import os
import re

import bpy

LINE = re.compile(r"^\[movie_director +(\d+\.\d) s\] (\w+): (\w+), ([^,]+), step (\d+/\d+|-), (\d+) %")


def _shot(make_shot, name, start, end):
    obj = make_shot(name, start, end, prompt=f"{name} a cube on a table")
    obj.movie_director.model_type = "t2v_1.3B"
    return obj


def test_generate_shot_without_waiting_returns_at_once_and_the_script_pumps(md, fake_wangp, output_dir, make_shot,
                                                                           drive, capfd):
    fake_wangp(steps_cap=10, step_delay_s=0.1)
    obj = _shot(make_shot, "SH010", 1, 16)

    assert bpy.ops.movie_director.generate_shot(wait=False) == {"FINISHED"}
    shot = obj.movie_director
    # Returned before the job could end (ten steps of 0.1 s): queued, nothing on disk or timeline yet.
    assert shot.generation_status in ("queued", "in_progress") and not shot.takes
    assert md.runtime.jobs.count() == 1
    assert "[movie_director" not in capfd.readouterr().err  # only a waiting execute() writes progress

    drive(lambda: md.pump() is None and shot.generation_status == "done", timeout=60)
    assert len(shot.takes) == 1 and os.path.isfile(shot.takes[0].filepath)
    assert md.runtime.timeline.shot_strip(bpy.context.scene, md.runtime.keys.shot_key(bpy.context.scene, obj))


def test_generate_scene_without_waiting_queues_the_batch_for_the_script(md, fake_wangp, output_dir, make_shot,
                                                                       drive, capsys):
    fake_wangp(steps_cap=6, step_delay_s=0.05)
    shots = [_shot(make_shot, "SH010", 1, 16), _shot(make_shot, "SH020", 17, 32)]
    scene = bpy.context.scene

    assert bpy.ops.movie_director.generate_scene(only_changed=False, wait=False) == {"FINISHED"}
    assert "Queued 2 Shots | Skipped 0 Unchanged" in capsys.readouterr().out
    key = md.runtime.keys.scene_key(scene)
    assert md.runtime.batches.active(key)
    assert not any(o.movie_director.takes for o in shots)

    drive(lambda: not md.runtime.batches.active(key) and md.runtime.jobs.count() == 0, timeout=60)
    md.pump()
    assert all(o.movie_director.generation_status == "done" and len(o.movie_director.takes) == 1 for o in shots)
    assert scene.movie_director.batch_summary == "Generated 2 | Failed 0 | Skipped 0"


def test_a_waiting_execute_writes_progress_lines_to_stderr(md, fake_wangp, output_dir, make_shot, capfd):
    fake_wangp(steps_cap=10, step_delay_s=0.05)
    _shot(make_shot, "SH010", 1, 16)
    _shot(make_shot, "SH020", 17, 32)

    assert bpy.ops.movie_director.generate_scene(only_changed=False) == {"FINISHED"}

    err = capfd.readouterr().err
    lines = [m for m in (LINE.match(x) for x in err.splitlines()) if m]
    for name in ("SH010", "SH020"):
        mine = [m for m in lines if m.group(2) == name]
        assert mine, lines
        percents = [int(m.group(6)) for m in mine]
        # A line at least every 10 %: never more than one 10 % band between two lines (checks are 0.2 s apart,
        # so a fast job may skip bands, but each line says where it is), and the last says done at 100 %.
        assert percents == sorted(percents) and percents[-1] == 100 and len(set(percents)) >= 2
        assert (mine[-1].group(3), mine[-1].group(4)) == ("done", "Done")
        assert any(m.group(3) == "in_progress" and m.group(5) != "-" for m in mine)
        elapsed = [float(m.group(1)) for m in mine]
        assert elapsed == sorted(elapsed)


def test_a_failed_shot_says_why_on_stderr(md, fake_wangp, output_dir, make_shot, capfd):
    obj = _shot(make_shot, "SH010", 1, 16)
    obj.movie_director.prompt = "a storm [fake:oom]"
    try:
        bpy.ops.movie_director.generate_shot()
    except RuntimeError:
        pass  # the operator reports the failure as an ERROR
    err = capfd.readouterr().err
    assert re.search(r"\] SH010: failed, Failed, step [^,]+, \d+ %: .*out of memory", err, re.IGNORECASE), err


def test_log_lines_name_a_take_by_its_file_number(md, fake_wangp, output_dir, make_shot, capsys):
    obj = _shot(make_shot, "SH010", 1, 16)
    bpy.ops.movie_director.generate_shot()
    bpy.ops.movie_director.generate_shot()
    obj.movie_director.takes.remove(0)  # the list now holds take 2 only; the next file is take 3
    capsys.readouterr()

    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    takes = obj.movie_director.takes
    assert len(takes) == 2 and takes[1].filepath.endswith("SH010_take003.mp4")
    assert f"SH010: take 3 ready: {takes[1].filepath}" in capsys.readouterr().out
    log = bpy.data.texts["Movie Director Log"].as_string()
    assert "SH010: take 3 ready: " in log and "SH010: take 2 ready: " in log
