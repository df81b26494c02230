"""The scene batch: run order by model with continuity dependencies, skipping unchanged shots,
a queue that survives a crash (resume, recover), cancel and retry, and the summary."""

from __future__ import annotations

import json
import os
import types

import bpy


def _sidecar(take) -> dict:
    with open(take.sidecar_path, encoding="utf-8") as fh:
        return json.load(fh)


def _log() -> str:
    return bpy.data.texts["Movie Director Log"].as_string()


def _start(md) -> None:
    """What the button does (``invoke``: queue and return); headless, ops calls always run ``execute``."""
    queued = md.runtime.generate.queue_scene(bpy.context, bpy.context.scene, "", False)
    assert queued.order and not queued.problems


def _shots(make_shot, *specs):
    """``(name, start, end, model, continues)`` -> shot objects."""
    out = []
    for name, start, end, model, continues in specs:
        obj = make_shot(name, start, end, prompt=f"{name} a cube on a table")
        obj.movie_director.model_type = model
        if continues:
            obj.movie_director.start_image_source = "PREVIOUS_SHOT"
        out.append(obj)
    return out


def test_order_groups_models_and_a_continuity_chain_runs_end_to_end(md, fake_wangp, output_dir, make_shot, capsys):
    a, b, c, d = _shots(
        make_shot,
        ("SH010", 1, 16, "t2v_1.3B", False),
        ("SH020", 17, 32, "i2v", True),  # continues SH010
        ("SH030", 33, 48, "t2v_1.3B", False),
        ("SH040", 49, 64, "i2v", True),  # continues SH030
    )
    assert bpy.ops.movie_director.generate_scene(only_changed=False) == {"FINISHED"}

    scene_md = bpy.context.scene.movie_director
    # One load per model: both t2v shots, then both continuations (each after its previous shot).
    assert scene_md.batch_order == "SH010, SH030, SH020, SH040"
    out = capsys.readouterr().out
    assert "Queued 4 Shots | Skipped 0 Unchanged" in out and "Order: SH010, SH030, SH020, SH040" in out
    started = [_sidecar(o.movie_director.takes[0])["started_at"] for o in (a, c, b, d)]
    assert started == sorted(started)
    for later, earlier in ((b, a), (d, c)):
        inputs = _sidecar(later.movie_director.takes[0])["inputs"]
        assert inputs["start"]["source"] == "PREVIOUS_SHOT" and inputs["start"]["shot"] == earlier.name
        assert os.path.isfile(inputs["start"]["path"])
    assert scene_md.batch_summary == "Generated 4 | Failed 0 | Skipped 0"
    # A finished batch leaves no record to resume.
    assert md.runtime.batch_queue.ID_PROP not in bpy.context.scene


def test_only_changed_skips_unchanged_but_not_a_continuation_of_a_changed_shot(md, fake_wangp, output_dir, make_shot,
                                                                               capsys):
    a, b, c = _shots(
        make_shot,
        ("SH010", 1, 16, "t2v_1.3B", False),
        ("SH020", 17, 32, "i2v", True),
        ("SH030", 33, 48, "t2v_1.3B", False),
    )
    bpy.ops.movie_director.generate_scene(only_changed=True)
    capsys.readouterr()

    bpy.ops.movie_director.generate_scene(only_changed=True)
    assert "Queued 0 Shots | Skipped 3 Unchanged" in capsys.readouterr().out
    assert [len(o.movie_director.takes) for o in (a, b, c)] == [1, 1, 1]

    a.movie_director.prompt = "SH010 a blue cube"
    bpy.ops.movie_director.generate_scene(only_changed=True)
    # SH020 starts from SH010's new last frame, so it is generated again although its settings match.
    assert "Queued 2 Shots | Skipped 1 Unchanged" in capsys.readouterr().out
    assert [len(o.movie_director.takes) for o in (a, b, c)] == [2, 2, 1]
    assert bpy.context.scene.movie_director.batch_summary == "Generated 2 | Failed 0 | Skipped 1"


def test_resume_after_blender_closed_mid_batch(md, fake_wangp, output_dir, make_shot, drive, tmp_path):
    fake_wangp(slow_step_delay_s=0.3)
    shots = _shots(
        make_shot,
        ("SH010", 1, 16, "t2v_1.3B", False),
        ("SH020", 17, 32, "t2v_1.3B", False),
        ("SH030", 33, 48, "t2v_1.3B", False),
    )
    for obj in shots:
        obj.movie_director.prompt += " [fake:slow]"
    scene = bpy.context.scene
    scene.movie_director.output_dir = output_dir
    names = [o.name for o in shots]
    _start(md)
    drive(lambda: shots[0].movie_director.generation_status == "in_progress")
    record = json.loads(scene[md.runtime.batch_queue.ID_PROP])["entries"]
    assert [e["shot_name"] for e in record] == names and all(e["request"] for e in record)
    queue_file = os.path.join(output_dir, "movie_director_queue.json")
    with open(queue_file, encoding="utf-8") as fh:
        assert [e["shot_name"] for e in json.load(fh)["entries"]] == names

    saved = str(tmp_path / "mid_batch.blend")
    bpy.ops.wm.save_as_mainfile(filepath=saved, copy=True)
    # Blender "crashes": the old session is gone and the file is opened again.
    md.runtime.lifecycle.stop(timeout=10.0)
    bpy.ops.wm.open_mainfile(filepath=saved)

    shots = [bpy.data.objects[n] for n in names]
    for obj in shots:
        shot = obj.movie_director
        assert shot.generation_status == "cancelled"
        assert shot.error_message == md.runtime.batch_queue.INTERRUPTED

    fake_wangp(slow_step_delay_s=0.01)
    assert bpy.ops.movie_director.resume_batch() == {"FINISHED"}
    for obj in shots:
        shot = obj.movie_director
        assert shot.generation_status == "done" and shot.error_message == ""
        paths = [t.filepath for t in shot.takes]
        assert len(paths) >= 1 and len(set(paths)) == len(paths)
        assert all(os.path.isfile(bpy.path.abspath(p)) for p in paths)  # blend-relative: the file is beside
    assert md.runtime.batch_queue.ID_PROP not in bpy.context.scene


def test_recover_takes_from_sidecars_without_duplicates(md, fake_wangp, output_dir, make_shot, capsys):
    keep, gone = _shots(make_shot, ("SH010", 1, 16, "t2v_1.3B", False), ("SH020", 17, 32, "t2v_1.3B", False))
    bpy.ops.movie_director.generate_scene(only_changed=False)
    clip = keep.movie_director.takes[0].filepath
    gone_clip = gone.movie_director.takes[0].filepath
    keep.movie_director.takes.clear()
    bpy.data.objects.remove(gone)
    capsys.readouterr()

    assert bpy.ops.movie_director.recover_takes() == {"FINISHED"}
    out = capsys.readouterr().out
    assert "Recovered 1 Take(s) | 1 of Deleted Shots" in out and gone_clip in out
    takes = keep.movie_director.takes
    assert [t.filepath for t in takes] == [clip] and takes[0].settings_hash and takes[0].fps > 0
    assert f"Take of a deleted shot, left on disk: SH020: {gone_clip}" in _log()
    assert os.path.isfile(gone_clip)

    bpy.ops.movie_director.recover_takes()
    assert "Recovered 0 Take(s)" in capsys.readouterr().out
    assert len(keep.movie_director.takes) == 1


def test_failed_shot_is_summarised_then_retried(md, fake_wangp, output_dir, make_shot, capsys):
    good, bad = _shots(make_shot, ("SH010", 1, 16, "t2v_1.3B", False), ("SH020", 17, 32, "t2v_1.3B", False))
    bad.movie_director.prompt = "a storm [fake:oom]"
    bpy.ops.movie_director.generate_scene(only_changed=False)
    scene_md = bpy.context.scene.movie_director
    assert scene_md.batch_summary == "Generated 1 | Failed 1 | Skipped 0"
    assert "Warning: Generated 1 | Failed 1 | Skipped 0" in capsys.readouterr().out
    assert "  SH020: " in _log().split("Batch of Scene finished")[-1]
    assert bad.movie_director.generation_status == "failed"

    bad.movie_director.prompt = "a calm sea"
    assert bpy.ops.movie_director.retry_failed() == {"FINISHED"}
    assert scene_md.batch_order == "SH020"
    assert scene_md.batch_summary == "Generated 1 | Failed 0 | Skipped 0"
    assert bad.movie_director.generation_status == "done" and len(good.movie_director.takes) == 1
    assert not bpy.ops.movie_director.retry_failed.poll()


def test_cancel_all_ends_the_batch_and_counts_cancelled(md, fake_wangp, output_dir, make_shot, drive):
    shots = _shots(make_shot, *[(f"SH0{n}0", n * 16 - 15, n * 16, "t2v_1.3B", False) for n in range(1, 4)])
    for obj in shots:
        obj.movie_director.prompt += " [fake:slow]"
    _start(md)
    scene_key = bpy.context.scene.movie_director.scene_key
    drive(lambda: shots[0].movie_director.generation_status == "in_progress")
    view = md.runtime.batches.view(scene_key)
    assert view.rows[0][:2] == ("SH010", "in_progress") and view.finished == 0

    assert bpy.ops.movie_director.cancel(scope="ALL") == {"FINISHED"}
    drive(lambda: not md.runtime.batches.active(scene_key))
    assert bpy.context.scene.movie_director.batch_summary == "Generated 0 | Failed 0 | Skipped 0 | Cancelled 3"
    assert all(o.movie_director.generation_status == "cancelled" for o in shots)


def test_cancelling_a_shot_cancels_its_waiting_continuation(md, fake_wangp, output_dir, make_shot, drive):
    a, b, c = _shots(
        make_shot,
        ("SH010", 1, 16, "t2v_1.3B", False),
        ("SH020", 17, 32, "i2v", True),
        ("SH030", 33, 48, "t2v_1.3B", False),
    )
    a.movie_director.prompt += " [fake:slow]"
    _start(md)
    scene_key = bpy.context.scene.movie_director.scene_key
    drive(lambda: a.movie_director.generation_status == "in_progress")
    assert [row[1] for row in md.runtime.batches.view(scene_key).rows] == ["in_progress", "queued", "waiting"]

    bpy.context.view_layer.objects.active = a
    bpy.ops.movie_director.cancel(scope="SHOT")
    drive(lambda: not md.runtime.batches.active(scene_key))
    assert b.movie_director.generation_status == "cancelled"
    assert "previous shot SH010 was cancelled" in b.movie_director.error_message
    assert c.movie_director.generation_status == "done"
    assert bpy.context.scene.movie_director.batch_summary == "Generated 1 | Failed 0 | Skipped 0 | Cancelled 2"


def test_stop_session_mid_batch_leaves_no_job_behind(md, fake_wangp, output_dir, make_shot, drive):
    a, b, c = _shots(
        make_shot,
        ("SH010", 1, 16, "t2v_1.3B", False),
        ("SH020", 17, 32, "i2v", True),  # waits for SH010
        ("SH030", 33, 48, "i2v", False),  # runs after SH020: waits too
    )
    a.movie_director.prompt += " [fake:slow]"
    _start(md)
    scene_key = bpy.context.scene.movie_director.scene_key
    drive(lambda: a.movie_director.generation_status == "in_progress")
    assert [row[1] for row in md.runtime.batches.view(scene_key).rows] == ["in_progress", "waiting", "waiting"]

    assert bpy.ops.movie_director.stop_session() == {"FINISHED"}

    # Nothing was queued behind the stopped session, to be run by whatever session starts next.
    assert md.runtime.jobs.count() == 0
    assert not md.runtime.batches.active(scene_key)
    assert [o.movie_director.generation_status for o in (a, b, c)] == ["cancelled"] * 3


def test_opening_another_file_while_the_session_loads_keeps_the_batch_to_resume(md, fake_wangp, output_dir, make_shot,
                                                                              empty_blend, tmp_path):
    fake_wangp(init_delay_s=0.5)
    md.runtime.session.forget_state()
    _shots(
        make_shot,
        ("SH010", 1, 16, "t2v_1.3B", False),
        ("SH020", 17, 32, "i2v", True),  # waits for SH010
        ("SH030", 33, 48, "i2v", False),
    )
    saved = str(tmp_path / "before_batch.blend")
    bpy.ops.wm.save_as_mainfile(filepath=saved)
    _start(md)
    scene_key = bpy.context.scene.movie_director.scene_key
    assert [row[1] for row in md.runtime.batches.view(scene_key).rows] == ["queued", "waiting", "waiting"]

    bpy.ops.wm.open_mainfile(filepath=empty_blend)

    # Closing the file queued nothing more (no input image made, no job for the next session to run)...
    assert md.runtime.jobs.count() == 0
    # ...and the whole batch is still there to resume when the file is opened again.
    bpy.ops.wm.open_mainfile(filepath=saved)
    assert [i.shot_name for i in md.runtime.batch_queue.resume_items(bpy.context.scene)] == ["SH010", "SH020", "SH030"]


def test_reopening_the_file_mid_batch_resumes_no_job_that_still_runs(md, fake_wangp, output_dir, make_shot, drive,
                                                                    tmp_path):
    shots = _shots(make_shot, ("SH010", 1, 16, "t2v_1.3B", False), ("SH020", 17, 32, "t2v_1.3B", False))
    for obj in shots:
        obj.movie_director.prompt += " [fake:slow]"
    path = str(tmp_path / "reopened.blend")
    _start(md)
    drive(lambda: shots[0].movie_director.generation_status == "in_progress")
    bpy.ops.wm.save_as_mainfile(filepath=path)

    bpy.ops.wm.open_mainfile(filepath=path)  # File > Revert: both jobs still run in this session

    scene = bpy.context.scene
    assert md.runtime.jobs.count() == 2
    assert md.runtime.batch_queue.resume_items(scene) == []
    assert all(bpy.data.objects[n].movie_director.error_message != md.runtime.batch_queue.INTERRUPTED
               for n in ("SH010", "SH020"))
    drive(lambda: md.runtime.jobs.count() == 0, timeout=60)
    assert bpy.ops.movie_director.recover_takes() == {"FINISHED"}
    assert [len(bpy.data.objects[n].movie_director.takes) for n in ("SH010", "SH020")] == [1, 1]


def test_resume_clicked_while_wangp_loads_returns_at_once(md, fake_wangp, output_dir, make_shot, drive, tmp_path):
    shots = _shots(make_shot, ("SH010", 1, 16, "t2v_1.3B", False), ("SH020", 17, 32, "t2v_1.3B", False))
    for obj in shots:
        obj.movie_director.prompt += " [fake:slow]"
    _start(md)
    drive(lambda: shots[0].movie_director.generation_status == "in_progress")
    saved = str(tmp_path / "mid_batch.blend")
    bpy.ops.wm.save_as_mainfile(filepath=saved, copy=True)
    md.runtime.lifecycle.stop(timeout=10.0)
    bpy.ops.wm.open_mainfile(filepath=saved)
    shots = [bpy.data.objects[n] for n in ("SH010", "SH020")]
    fake_wangp(init_delay_s=0.5)
    reports = []
    operator = types.SimpleNamespace(report=lambda kinds, text: reports.append(text))

    # What the button's invoke() runs (headless bpy only ever calls execute(), which waits).
    scene_key = md.operators.resume_batch.MOVIE_DIRECTOR_OT_resume_batch.start_batch(operator, bpy.context)

    assert scene_key, reports
    assert md.runtime.session.view().state == "starting"  # Blender did not freeze until WanGP loaded
    assert [o.movie_director.generation_status for o in shots] == ["queued", "queued"]
    drive(lambda: not md.runtime.batches.active(scene_key), timeout=60)
    assert [o.movie_director.generation_status for o in shots] == ["done", "done"]
    assert md.runtime.batch_queue.ID_PROP not in bpy.context.scene


def test_renaming_a_waiting_continuation_shot_mid_batch_still_ends_the_batch(md, fake_wangp, output_dir, make_shot,
                                                                             drive):
    a, b = _shots(
        make_shot,
        ("SH010", 1, 16, "t2v_1.3B", False),
        ("SH020", 17, 32, "i2v", True),  # waits for SH010's take
    )
    a.movie_director.prompt += " [fake:slow]"
    _start(md)
    scene_key = bpy.context.scene.movie_director.scene_key
    drive(lambda: a.movie_director.generation_status == "in_progress")
    assert [row[1] for row in md.runtime.batches.view(scene_key).rows] == ["in_progress", "waiting"]

    b.name = "SH020_renamed"  # the batch follows the shot by its key, not by its name

    drive(lambda: not md.runtime.batches.active(scene_key))
    assert md.runtime.batches.view(scene_key).rows[1][0] == "SH020_renamed"
    assert [o.movie_director.generation_status for o in (a, b)] == ["done", "done"]
    assert bpy.context.scene.movie_director.batch_summary == "Generated 2 | Failed 0 | Skipped 0"
    # The batch is over, so the next Generate Scene starts (it refuses while one runs).
    assert bpy.ops.movie_director.generate_scene(only_changed=True) == {"FINISHED"}


def test_a_resumed_batch_follows_a_shot_renamed_after_the_crash_and_while_it_waits(md, fake_wangp, output_dir,
                                                                                   make_shot, drive, tmp_path):
    fake_wangp(slow_step_delay_s=0.3)
    a, b = _shots(make_shot, ("SH010", 1, 16, "t2v_1.3B", False), ("SH020", 17, 32, "i2v", True))
    a.movie_director.prompt += " [fake:slow]"
    _start(md)
    drive(lambda: a.movie_director.generation_status == "in_progress")
    saved = str(tmp_path / "mid_batch.blend")
    bpy.ops.wm.save_as_mainfile(filepath=saved, copy=True)
    md.runtime.lifecycle.stop(timeout=10.0)  # Blender "crashes"
    bpy.ops.wm.open_mainfile(filepath=saved)
    a, b = bpy.data.objects["SH010"], bpy.data.objects["SH020"]
    b.name = "SH020_after_crash"  # the queue file and the .blend's record know it by key
    fake_wangp(slow_step_delay_s=0.05)
    operator = types.SimpleNamespace(report=lambda kinds, text: None)

    scene_key = md.operators.resume_batch.MOVIE_DIRECTOR_OT_resume_batch.start_batch(operator, bpy.context)
    assert [row[:2] for row in md.runtime.batches.view(scene_key).rows] == [
        ("SH010", "queued"), ("SH020_after_crash", "waiting")]
    b.name = "SH020_renamed_again"

    drive(lambda: not md.runtime.batches.active(scene_key))
    assert [o.movie_director.generation_status for o in (a, b)] == ["done", "done"]
    assert md.runtime.batches.view(scene_key).rows[1][0] == "SH020_renamed_again"
