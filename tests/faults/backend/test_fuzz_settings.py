"""Any ShotSpec gives valid WanGP settings or the shot's error message, never an exception (fuzzed)."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from toolkit_support import SNAPSHOT, needs_snapshot, snapshot_catalog

from wangp_backend.guide_spec import GUIDE_MODES, KEYFRAME_MODES
from wangp_backend.spec import CAMERA_MODES, QUALITY_TIERS, CameraSample, ShotSpec
from wangp_backend.toolkit import build_settings, load_templates
from wangp_backend.validate import ValidationError, validate_settings

pytestmark = needs_snapshot

CATALOG = snapshot_catalog() if SNAPSHOT.is_file() else None
LIBRARY = load_templates()
MODEL_TYPES = sorted(m.model_type for m in CATALOG) if CATALOG else ["t2v_1.3B"]
MOVES = ("dolly_in", "pan_left", "orbit_right", "nonsense", "")

floats = st.floats(allow_nan=True, allow_infinity=True)
unit = st.floats(-1, 1, allow_nan=False)
vec = st.tuples(unit, unit, unit)
samples = st.lists(
    st.builds(CameraSample, frame=st.integers(-10**6, 10**6), location=st.tuples(floats, floats, floats), forward=vec,
              up=vec, right=vec, focal_length_mm=floats, sensor_width_mm=floats,
              subject_distance=st.none() | floats),
    max_size=6,
).map(tuple)
resolutions = st.one_of(
    st.just(""), st.text(max_size=20),
    st.builds("{}x{}".format, st.integers(0, 10**7), st.integers(0, 10**7)),
    st.sampled_from(["1x1", "16x16", "8000x8000", "832x480", "0x0", "-5x10", "x", "1x", "480X832 "]),
)
specs = st.builds(
    ShotSpec,
    shot_key=st.text(max_size=40),
    shot_name=st.text(max_size=300),
    prompt=st.one_of(st.text(max_size=200), st.text(min_size=2000, max_size=3000).map(lambda t: t * 8), st.just("")),
    negative_prompt=st.text(max_size=100),
    template=st.one_of(st.just(""), st.sampled_from(LIBRARY.names()), st.text(max_size=20)),
    quality=st.one_of(st.sampled_from(QUALITY_TIERS), st.just(""), st.text(max_size=10)),
    model_type=st.one_of(st.just(""), st.sampled_from(MODEL_TYPES), st.text(max_size=30)),
    fallback_model_types=st.lists(st.one_of(st.sampled_from(MODEL_TYPES), st.text(max_size=10)), max_size=3).map(tuple),
    frame_start=st.integers(-2**31, 2**31 - 1),
    frame_end=st.integers(-2**31, 2**31 - 1),
    scene_fps=st.one_of(floats, st.sampled_from([24.0, 25.0, 23.976, 0.0, -24.0, 1000.0, 1e-9])),
    resolution=resolutions,
    seed=st.integers(-2**63, 2**63),
    steps=st.integers(-2**31, 2**31 - 1),
    guidance=floats,
    camera_mode=st.one_of(st.sampled_from(CAMERA_MODES), st.text(max_size=8)),
    camera_movements=st.lists(st.sampled_from(MOVES), max_size=4).map(tuple),
    camera_samples=samples,
    start_image=st.sampled_from(["", "/nonexistent/start.png", "relative.png"]),
    end_image=st.sampled_from(["", "/nonexistent/end.png"]),
    guide=st.one_of(st.sampled_from(GUIDE_MODES), st.text(max_size=8)),
    guide_strength=floats,
    keyframes=st.one_of(st.sampled_from(KEYFRAME_MODES), st.text(max_size=8)),
)


EXAMPLES = 600
_tried: list[int] = []


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=specs, vram=st.sampled_from([0, 6, 12, 24, 80]), with_catalog=st.booleans())
def check_build_settings_never_raises(spec: ShotSpec, vram: float, with_catalog: bool) -> None:
    _tried.append(1)
    catalog = CATALOG if with_catalog else None
    built = build_settings(spec, catalog, LIBRARY, vram)
    assert all(isinstance(e, str) and e for e in built.errors)
    if built.errors or catalog is None:
        return
    # No error: the settings must pass the host's own validation (the last check before WanGP).
    try:
        validated = validate_settings(built.settings, catalog, random.Random(0))
    except ValidationError as exc:
        # What only the host can check (the prompt is empty, an input file is gone) is the shot's error too.
        assert str(exc).strip(), "an empty error message"
        return
    assert validated.width > 0 and validated.height > 0 and validated.frame_count > 0 and validated.fps > 0


def test_any_shot_spec_gives_settings_or_its_error(scenario) -> None:
    check_build_settings_never_raises()
    scenario(
        "any ShotSpec",
        injected=f"{len(_tried)} fuzzed specs: frames/fps/resolution/seed/steps out of range, NaN/inf, "
        "20k-char prompts, unknown templates, tiers and models",
        user_saw="valid settings, or the shot's error sentence",
        survived="build_settings never raised; error-free settings passed the host's validation",
        faults=len(_tried),
    )
