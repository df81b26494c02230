"""WanGP fails at each phase of a job (in Blender and, with MD_TEST_HOST_MODE=BRIDGE, in a bridge process):
the shot shows one sentence, nothing half-made stays in the output folder, and the next Generate works."""

from __future__ import annotations

import os
import sys

import bpy
import pytest
from scoreboard import partial_files, takes_on_disk

#: (marker, phase, the words the shot's error must contain; "" = it succeeds)
FAILURES = [
    ("oom_loading", "WanGP loading", "out of memory"),
    ("oom", "denoising", "out of memory"),
    ("runtime", "before denoising", "same device"),
    ("decode_error", "decoding", "VAE decode failed"),
    ("no_output", "moving the clip (file gone)", "could not be put into the take folder"),
    ("empty_output", "moving the clip (file empty)", "empty"),
    ("elsewhere", "output in an unexpected folder", ""),
]


def _generate() -> str:
    """Generate the active shot as a script does; returns the operator's error report ("" if it finished)."""
    try:
        bpy.ops.movie_director.generate_shot()
    except RuntimeError as exc:  # execute() reports the failure as an ERROR, which bpy.ops raises
        return str(exc)
    return ""


def _forget_wangp() -> None:
    """A fresh Blender: WanGP is imported again at the next start (in-process, one runtime per process)."""
    api = sys.modules.get("shared.api")
    if api is not None and hasattr(api, "_reset_for_tests"):
        api._reset_for_tests()
    for name in list(sys.modules):
        if name in ("shared", "wgp") or name.startswith("shared."):
            del sys.modules[name]


def _takes(obj) -> list[str]:
    return [os.path.realpath(t.filepath) for t in obj.movie_director.takes]


@pytest.mark.parametrize(("marker", "phase", "words"), FAILURES, ids=[f[0] for f in FAILURES])
def test_wangp_fails_at_a_phase(md, fake_wangp, output_dir, make_shot, scenario, marker, phase, words):
    obj = make_shot("SH010", 1, 16, prompt=f"a red cube [fake:{marker}]")
    report = _generate()
    shot = obj.movie_director
    if words:
        assert shot.error_message in report
        assert shot.generation_status == "failed", (shot.generation_status, shot.error_message)
        assert words.lower() in shot.error_message.lower(), shot.error_message
        assert "Traceback" not in shot.error_message and "\n" not in shot.error_message.strip()
        assert _takes(obj) == []
    else:
        assert shot.generation_status == "done" and len(_takes(obj)) == 1
    saw = shot.error_message or f"take {len(shot.takes)} on the timeline"
    # The session survives: the same shot, without the fault, gives exactly one new take.
    shot.prompt = "a red cube"
    assert _generate() == ""
    assert shot.generation_status == "done", shot.error_message
    on_disk = takes_on_disk(output_dir)
    attached = sorted(_takes(obj))
    assert sorted(sum(on_disk.values(), [])) == attached  # every take on disk is on the shot, once
    assert len(attached) == (1 if words else 2)
    partial = partial_files(output_dir)
    assert partial == []
    scenario(f"WanGP fails: {marker}", injected=f"{marker} at {phase}", user_saw=saw,
             survived=f"the session; the retry's take ({len(attached)} take(s), all attached)",
             takes_lost=len(sum(on_disk.values(), [])) - len(attached), partial_files=len(partial))


def test_wangp_fails_to_start(md, fake_wangp, output_dir, make_shot, scenario):
    fake_wangp(init_error="No module named 'torch'")
    md.runtime.lifecycle.stop(timeout=10.0)
    _forget_wangp()
    obj = make_shot("SH010", 1, 16)
    report = _generate()
    shot = obj.movie_director
    assert "torch" in report
    assert shot.generation_status == "failed", shot.generation_status
    assert "torch" in shot.error_message and "Traceback" not in shot.error_message
    saw = shot.error_message
    md.runtime.lifecycle.stop(timeout=10.0)
    fake_wangp(init_error="")
    _forget_wangp()
    assert _generate() == ""
    assert shot.generation_status == "done", shot.error_message
    assert len(shot.takes) == 1 and partial_files(output_dir) == []
    scenario("WanGP fails: init raises", injected="ImportError while WanGP starts", user_saw=saw,
             survived="Blender; the next start generated the take")
