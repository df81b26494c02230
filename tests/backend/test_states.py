"""The enums of states and error classes: today's strings exactly, and checked where messages are made."""

from __future__ import annotations

import json

import pytest

from wangp_backend.failures import HINTS, classify
from wangp_backend.messages import Failed, SessionState, from_wire, to_wire
from wangp_backend.outcome import Outcome
from wangp_backend.states import AttemptResult, ErrorClass, JobOutcome, SessionStatus, ShotStatus


def test_values_are_the_strings_files_already_hold():
    # .blend files (the shot's EnumProperty), sidecars, queue files and the bridge's JSON hold these strings.
    assert [s.value for s in ShotStatus] == ["idle", "queued", "in_progress", "done", "failed", "cancelled"]
    assert [s.value for s in SessionStatus] == ["stopped", "starting", "ready", "failed", "closing"]
    assert [o.value for o in JobOutcome] == ["done", "failed", "cancelled", "skipped"]
    assert [r.value for r in AttemptResult] == ["success", "cancelled", "failed"]
    assert [c.value for c in ErrorClass] == [
        "offline_or_missing_weights", "out_of_memory", "validation", "runtime", "environment", "guide"]
    assert ErrorClass.RUNTIME == "runtime" and str(ErrorClass.RUNTIME) == f"{ErrorClass.RUNTIME}" == "runtime"
    assert json.dumps({"status": ShotStatus.IN_PROGRESS}) == '{"status": "in_progress"}'


def test_a_failure_of_no_known_class_is_refused_where_it_is_made():
    with pytest.raises(ValueError, match="'model'"):
        Failed("j", "s", stage="validation", message="Unknown model", error_class="model")
    failed = Failed("j", "s", stage="validation", message="Unknown model", error_class="validation")
    assert failed.error_class is ErrorClass.VALIDATION


def test_an_attempt_outcome_is_one_of_three_and_its_class_is_checked():
    with pytest.raises(ValueError, match="'succeeded'"):
        Outcome("succeeded")
    with pytest.raises(ValueError):
        Outcome("failed", stage="generation", error_class="model")
    assert Outcome("failed", stage="generation", error_class="runtime").retryable
    assert Outcome("success").kind is AttemptResult.SUCCESS and Outcome("success").error_class == ""


def test_a_session_state_outside_the_life_cycle_is_refused():
    with pytest.raises(ValueError, match="'running'"):
        SessionState("running")
    assert SessionState("ready").state is SessionStatus.READY


def test_classes_cross_the_bridge_as_plain_strings_and_come_back_checked():
    header, payload = to_wire(Failed("j", "s", stage="generation", message="m", error_class="out_of_memory"))
    assert json.loads(json.dumps(header))["error_class"] == "out_of_memory"
    back = from_wire(json.loads(json.dumps(header)), payload)
    assert back.error_class is ErrorClass.OUT_OF_MEMORY
    header["error_class"] = "something_new"
    with pytest.raises(ValueError):
        from_wire(header, payload)


def test_classify_answers_with_a_class_that_has_a_hint():
    for message, stage in (("CUDA out of memory", ""), ("missing weights", ""), ("bad", "validation"),
                           ("no", "environment"), ("crash", "generation")):
        assert classify(message, stage) in HINTS


def test_parse_keeps_a_known_class_and_defaults_the_rest():
    assert ErrorClass.parse("guide", ErrorClass.RUNTIME) is ErrorClass.GUIDE
    assert ErrorClass.parse(None, ErrorClass.RUNTIME) is ErrorClass.RUNTIME
