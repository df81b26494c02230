"""Cancel: a running job, a queued one, one still waiting for the session, and everything."""

from __future__ import annotations

import bpy
import pytest


def _select(obj):
    bpy.context.view_layer.objects.active = obj


@pytest.fixture
def slow_shot(md, fake_wangp, output_dir, make_shot):
    fake_wangp(steps_cap=8)
    obj = make_shot("Slow", 1, 24, prompt="a slow pan [fake:slow]")
    obj.movie_director.model_type = "t2v_1.3B"
    return obj


def test_cancel_the_running_job_of_the_shot(md, slow_shot, drive):
    shot = slow_shot.movie_director
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, slow_shot)
    drive(lambda: shot.generation_status == "in_progress" and shot.generation_step > 0)

    assert bpy.ops.movie_director.cancel(scope="SHOT") == {"FINISHED"}
    drive(lambda: shot.generation_status == "cancelled")

    assert not shot.takes
    assert shot.queued_jobs == 0
    assert md.runtime.jobs.count() == 0


def test_cancel_a_queued_job_keeps_the_running_one(md, slow_shot, make_shot, drive):
    other = make_shot("Quick", 25, 48)
    other.movie_director.model_type = "t2v_1.3B"
    scene = bpy.context.scene
    md.runtime.generate.queue_shot(bpy.context, scene, slow_shot)
    md.runtime.generate.queue_shot(bpy.context, scene, other)
    drive(lambda: slow_shot.movie_director.generation_status == "in_progress")
    assert other.movie_director.generation_status == "queued"

    _select(other)
    bpy.ops.movie_director.cancel(scope="SHOT")
    drive(lambda: other.movie_director.generation_status == "cancelled")
    assert slow_shot.movie_director.generation_status == "in_progress"

    drive(lambda: slow_shot.movie_director.generation_status == "done", timeout=60)
    assert len(slow_shot.movie_director.takes) == 1 and not other.movie_director.takes


def test_cancel_while_the_session_still_loads(md, fake_wangp, output_dir, make_shot, drive):
    fake_wangp(init_delay_s=0.5)
    md.runtime.session.forget_state()
    obj = make_shot("Early", 1, 24)
    obj.movie_director.model_type = "t2v_1.3B"
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, obj)
    assert obj.movie_director.generation_phase == "Waiting for the session"
    assert len(md.runtime.jobs.pending()) == 1

    bpy.ops.movie_director.cancel(scope="SHOT")

    assert obj.movie_director.generation_status == "cancelled"
    drive(lambda: md.runtime.session.view().state == "ready")
    md.pump()
    assert md.runtime.jobs.count() == 0 and not obj.movie_director.takes


def test_cancel_all(md, slow_shot, make_shot, drive):
    other = make_shot("Quick", 25, 48)
    other.movie_director.model_type = "t2v_1.3B"
    scene = bpy.context.scene
    md.runtime.generate.queue_shot(bpy.context, scene, slow_shot)
    md.runtime.generate.queue_shot(bpy.context, scene, other)
    drive(lambda: slow_shot.movie_director.generation_status == "in_progress")

    bpy.ops.movie_director.cancel(scope="ALL")
    drive(lambda: md.runtime.jobs.count() == 0)

    assert slow_shot.movie_director.generation_status == "cancelled"
    assert other.movie_director.generation_status == "cancelled"


def test_nothing_to_cancel(md, output_dir, make_shot):
    make_shot("Idle", 1, 24)
    assert not bpy.ops.movie_director.cancel.poll()
    with pytest.raises(RuntimeError, match="Nothing is queued or generating"):
        bpy.ops.movie_director.cancel(scope="ALL")


def test_stop_session_cancels_what_runs(md, slow_shot, drive):
    shot = slow_shot.movie_director
    md.runtime.generate.queue_shot(bpy.context, bpy.context.scene, slow_shot)
    drive(lambda: shot.generation_status == "in_progress")

    assert bpy.ops.movie_director.stop_session() == {"FINISHED"}

    assert shot.generation_status == "cancelled"
    assert md.runtime.session.get_host() is None
    assert md.runtime.session.view().state == "stopped"
    assert md.runtime.jobs.count() == 0
