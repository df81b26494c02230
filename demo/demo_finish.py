"""The demo's finishing steps: approve a take, post-process another with WanGP, draw the contact sheet and
export the cut, each through the operator a user clicks."""

from __future__ import annotations

import os
from collections.abc import Callable

import bpy

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CUT_NAME = "cut.otio"
SHEET_NAME = "contact_sheet.png"
#: WanGP's post-processing that needs no model weights: Lanczos x1.5 and a light, seeded film grain.
POSTPROCESS = {"spatial_upsampling": "lanczos1.5", "film_grain_intensity": 0.08, "seed": 1}


def _on(camera: bpy.types.Object, operator: Callable[..., set[str]], **kwargs) -> set[str]:
    bpy.context.view_layer.objects.active = camera
    with bpy.context.temp_override(active_object=camera, object=camera, selected_objects=[camera]):
        return operator(**kwargs)


def _run(what: str, say: Callable[[str], None], step: Callable[[], set[str]]) -> bool:
    try:
        ok = step() == {"FINISHED"}
    except RuntimeError as exc:  # the operator reported an error: say it, go on with the other steps
        say(f"{what}: {str(exc).strip()}")
        return False
    if not ok:
        say(f"{what}: cancelled")
    return ok


def review(cameras: list[bpy.types.Object], say: Callable[[str], None]) -> bool:
    """Approve the first shot's take; post-process the second's with WanGP (not the animatic, not the farm)."""
    first, second = cameras[0], cameras[1]
    ok = _run("Approve", say, lambda: _on(first, bpy.ops.movie_director.approve_take))
    if ok:
        say(f"Approved {first.name} take {first.movie_director.active_take_index + 1}: the shot is locked")
    if not os.environ.get("WANGP_ROOT") or os.environ.get("WANGP_HOST_MODE") == "FARM":
        say("Post-processing skipped: it runs in WanGP (set WANGP_ROOT), not in the layout animatic or on the farm")
        return ok
    parent = second.movie_director.active_take_index + 1
    if _run("Post-process", say, lambda: _on(second, bpy.ops.movie_director.postprocess_take, **POSTPROCESS)):
        shot = second.movie_director
        say(f"Post-processed {second.name} take {parent} into take {shot.active_take_index + 1} "
            f"(lanczos1.5, film grain 0.08): {os.path.basename(shot.takes[shot.active_take_index].filepath)}")
        return ok
    return False


def deliver(out_dir: str, say: Callable[[str], None]) -> bool:
    """The contact sheet (drawn in WanGP's Python, else the repository's stand-in environment) and the cut."""
    stand_in = os.path.join(REPO, ".venv-wangp", "bin", "python")
    if not (os.environ.get("WANGP_SITE_PACKAGES") or os.environ.get("WANGP_PYTHON")) and os.path.isfile(stand_in):
        # Any Python with Pillow and imageio-ffmpeg draws it; without WanGP the demo uses the test environment's.
        os.environ["WANGP_PYTHON"] = stand_in
    sheet, cut = os.path.join(out_dir, SHEET_NAME), os.path.join(out_dir, CUT_NAME)
    ok = _run("Contact sheet", say, lambda: bpy.ops.movie_director.contact_sheet(filepath=sheet))
    if ok:
        say(f"Contact sheet: {sheet}")
    if _run("Export cut", say, lambda: bpy.ops.movie_director.export_cut(filepath=cut, format="OTIO")):
        say(f"Cut (OpenTimelineIO): {cut}")
        return ok
    return False
