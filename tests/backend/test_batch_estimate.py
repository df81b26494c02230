"""Duration estimates from measured jobs, and their survival through plain data."""

from __future__ import annotations

import json
import math

import pytest

from wangp_backend.batch import DurationEstimator
from wangp_backend.batch.estimate import WINDOW


def test_nothing_measured_means_no_estimate():
    estimator = DurationEstimator()
    assert estimator.estimate("t2v_1.3B", 81) is None
    assert estimator.eta([("t2v_1.3B", 81)]) is None


def test_estimate_scales_with_frames_per_model():
    estimator = DurationEstimator()
    assert estimator.record("t2v_1.3B", 60.0, 30)
    assert estimator.record("t2v_1.3B", 100.0, 70)
    assert estimator.record("ltxv_distilled", 10.0, 100)
    assert estimator.estimate("t2v_1.3B", 50) == pytest.approx(80.0)  # 160 s / 100 frames
    assert estimator.estimate("ltxv_distilled", 50) == pytest.approx(5.0)
    assert estimator.estimate("hunyuan_t2v", 50) is None


def test_eta_sums_and_guesses_unmeasured_models_from_the_average():
    estimator = DurationEstimator()
    estimator.record("a", 100.0, 50)  # 2 s per frame
    estimator.record("b", 50.0, 50)  # 1 s per frame
    remaining = [("a", 10), ("b", 10), ("never_run", 20)]
    assert estimator.eta(remaining) == pytest.approx(20.0 + 10.0 + 1.5 * 20)
    assert estimator.eta([]) == 0.0


@pytest.mark.parametrize("seconds, frames", [(0.0, 81), (-3.0, 81), (10.0, 0), (math.nan, 81), (True, 81)])
def test_unmeasured_jobs_teach_nothing(seconds, frames):
    estimator = DurationEstimator()
    assert not estimator.record("a", seconds, frames)
    assert estimator.estimate("a", 10) is None


def test_only_recent_jobs_count():
    estimator = DurationEstimator()
    for _ in range(WINDOW):
        estimator.record("a", 1000.0, 10)
    for _ in range(WINDOW):
        estimator.record("a", 10.0, 10)
    assert estimator.estimate("a", 10) == pytest.approx(10.0)


def test_round_trip_through_json():
    estimator = DurationEstimator()
    estimator.record("a", 42.5, 81)
    estimator.record("b", 7.0, 17)
    restored = DurationEstimator.from_dict(json.loads(json.dumps(estimator.to_dict())))
    assert restored.to_dict() == estimator.to_dict()
    assert restored.estimate("a", 81) == pytest.approx(42.5)


def test_from_dict_leaves_out_what_it_cannot_read():
    data = {"version": 1, "models": {"a": [[10.0, 5], ["x", 5], [1.0], "junk"], "b": "junk"}}
    restored = DurationEstimator.from_dict(data)
    assert restored.to_dict() == {"version": 1, "models": {"a": [[10.0, 5]]}}
    assert DurationEstimator.from_dict({}).eta([("a", 1)]) is None
