"""The one writer of shot state on a real shot: its transitions, and the values it refuses."""

from __future__ import annotations

import bpy
import pytest


def test_the_status_property_offers_exactly_the_enum(md):
    items = bpy.types.Object.bl_rna.properties["movie_director"].fixed_type.bl_rna.properties["generation_status"]
    assert [i.identifier for i in items.enum_items] == [s.value for s in md.wangp_backend.states.ShotStatus]


def test_a_shot_with_two_jobs_stays_busy_until_the_last_one_ends(md, make_shot):
    state = md.runtime.shot_state
    shot = make_shot().movie_director
    shot.error_message = "the last failure"
    state.job_queued(shot, session_ready=False)
    assert (shot.generation_status, shot.generation_phase, shot.queued_jobs, shot.error_message) == (
        "queued", "Waiting for the session", 1, "")
    state.started(shot, "job-1", "t2v", attempt=0)
    state.job_queued(shot, session_ready=True)  # a second click while the first job runs
    assert (shot.generation_status, shot.generation_phase, shot.queued_jobs) == ("in_progress", "Starting t2v", 2)

    state.take_landed(shot)
    state.settled(shot, waiting=1, running=False, outcome="done")
    assert (shot.generation_status, shot.queued_jobs, shot.job_id) == ("queued", 1, "job-1")
    state.settled(shot, waiting=0, running=False, outcome="skipped")
    assert (shot.generation_status, shot.queued_jobs, shot.job_id) == ("done", 0, "")


def test_a_name_outside_the_enums_is_refused_before_anything_is_written(md, make_shot):
    state = md.runtime.shot_state
    shot = make_shot().movie_director
    with pytest.raises(ValueError):
        state.failed(shot, "Unknown model", "model", "")
    with pytest.raises(ValueError):
        state.settled(shot, waiting=0, running=False, outcome="finished")
    assert (shot.generation_status, shot.error_message, shot.generation_phase) == ("idle", "", "")


def test_an_interrupted_shot_is_done_once_its_take_is_recovered(md, make_shot):
    state = md.runtime.shot_state
    shot = make_shot().movie_director
    state.interrupted(shot)
    assert shot.generation_status == "cancelled" and state.was_interrupted(shot)
    assert shot.error_message == md.runtime.batch_queue.INTERRUPTED
    state.recovered(shot)
    assert (shot.generation_status, shot.generation_phase, shot.error_message) == ("done", "Recovered", "")
