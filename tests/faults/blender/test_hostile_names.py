"""Hostile shot, scene and folder names: every file lands inside the output folder, portable and distinct."""

from __future__ import annotations

import os

import bpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoreboard import assert_inside

HOSTILE_SHOTS = ["CON", "nul.", "COM1 ", "../../escape", "/abs/olute", "カット１", "שוט ראשון", "🎬🎥", "🎞",
                 "x" * 300, "trail. . ."]
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


def _relative_units(root: str, path: str) -> int:
    return len(os.path.relpath(path, root).encode("utf-16-le")) // 2


def _files_under(root: str) -> list[str]:
    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names]


def test_a_batch_of_hostile_names_lands_inside_the_output_folder(md, fake_wangp, fresh_scene, tmp_path, make_shot,
                                                                  scenario):
    fresh_scene.name = "Séquence 🎬 ../01"
    # The folder itself is given with "..": it is the user's choice and is honoured, resolved.
    root = os.path.realpath(tmp_path / "takes")
    fresh_scene.movie_director.output_dir = str(tmp_path / "elsewhere" / ".." / "takes")
    shots = [make_shot(name, 1 + 8 * i, 8 + 8 * i, prompt=f"shot {i}") for i, name in enumerate(HOSTILE_SHOTS)]
    assert bpy.ops.movie_director.generate_scene(only_changed=False) == {"FINISHED"}

    assert [len(obj.movie_director.takes) for obj in shots] == [1] * len(shots)
    clips = [obj.movie_director.takes[0].filepath for obj in shots]
    folders = {os.path.dirname(clip) for clip in clips}
    assert len(folders) == len(shots)  # no two shots share a folder (and a take numbering)
    for path in _files_under(root):
        assert_inside(root, path)
        assert _relative_units(root, path) < 260, path
        for part in os.path.relpath(path, root).split(os.sep):
            assert part.split(".", 1)[0].rstrip(" ").upper() not in WINDOWS_DEVICES, path
            assert not part.endswith((".", " ")), path
    for clip in clips:
        assert_inside(root, clip) and os.path.getsize(clip) > 0
    assert not os.path.exists(tmp_path / "escape") and not os.path.exists("/abs")
    # The log names every shot readably (a cursor counted in characters used to split their UTF-8 bytes).
    log_text = bpy.data.texts["Movie Director Log"].as_string()
    assert all(f"{obj.name}: take 1 ready" in log_text for obj in shots)
    readable = [os.path.basename(os.path.dirname(c)) for c in clips]
    assert readable[5].startswith("カット１") and readable[6].startswith("שוט_ראשון") and readable[0].startswith("CON_")
    scenario(
        "hostile names in a real batch",
        injected=f"{len(shots)} shots named CON, nul., COM1, ../../escape, /abs, カット１, שוט ראשון, emoji, "
        "300 chars; scene 'Séquence 🎬 ../01'; output folder with ..",
        user_saw=f"{len(shots)} takes, folders such as {readable[0]}, {readable[6]}, {readable[7]}",
        survived=f"{len(clips)} takes in {len(folders)} distinct folders inside the output folder, "
        f"longest path {max(_relative_units(root, p) for p in _files_under(root))} chars",
        faults=len(shots),
    )


_tried: list[int] = []


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(shot_name=st.text(min_size=1, max_size=300), scene_name=st.text(min_size=1, max_size=300))
def check_paths(md, root: str, camera: bpy.types.Object, shot_name: str, scene_name: str) -> None:
    _tried.append(1)
    scene = bpy.context.scene
    scene.name, camera.name = scene_name, shot_name
    folder = md.runtime.paths.take_dir(bpy.context, scene, camera)
    stem = md.runtime.paths.next_take_name(folder, camera)
    path = os.path.join(folder, stem + "_2.json")
    assert_inside(root, path)
    assert _relative_units(root, path) < 260
    assert os.path.relpath(folder, root).count(os.sep) == 1  # exactly <scene>/<shot>


@pytest.mark.skipif(bpy.app.version[:2] == (4, 5), reason="hypothesis's @given leaves the bpy 4.5 module hanging at "
                    "exit (a bare @given test does too); the names are fuzzed without Blender in the backend part")
def test_any_blender_name_gives_a_path_inside_the_output_folder(md, fresh_scene, tmp_path, scenario):
    root = os.path.realpath(tmp_path / "takes")
    fresh_scene.movie_director.output_dir = root
    camera = bpy.data.objects.new("cam", bpy.data.cameras.new("cam"))
    fresh_scene.collection.objects.link(camera)
    check_paths(md, root, camera)
    scenario("any shot/scene name (fuzzed in Blender)", injected=f"{len(_tried)} random names up to 300 chars",
             user_saw="a take folder <scene>/<shot>", survived="every path inside the output folder, under 260 chars",
             faults=len(_tried))
