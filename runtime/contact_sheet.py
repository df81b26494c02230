"""The contact sheet producer: the main thread gathers rows (plain values), a worker thread runs the
drawing script in WanGP's Python environment, and the pump picks up the result.

Start / busy / poll is the whole surface; only ``rows`` and ``poll`` touch Blender data.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

import bpy

from .. import preferences
from ..wangp_backend import contact_sheet as sheet
from ..wangp_backend.bridge.python_env import find_python
from . import keys, log, paths, shot_index

SCRIPT = sheet.__file__
#: A sheet of hundreds of shots decodes hundreds of clips; past this something is wrong.
TIMEOUT_S = 1800.0


class SheetError(Exception):
    """The sheet cannot be made; the message says what to fix."""


@dataclass(frozen=True)
class Result:
    scene_key: str
    out: str
    ok: bool
    message: str
    seconds: float


_lock = threading.Lock()
_thread: threading.Thread | None = None
_result: Result | None = None


def python(context: bpy.types.Context | None = None) -> str:
    """WanGP's interpreter (it has Pillow and imageio-ffmpeg), or raise SheetError."""
    setup = preferences.wangp_setup(context)
    found = setup.python or (find_python(setup.site_packages) if setup.site_packages else None)
    if not found or not os.path.isfile(found):
        raise SheetError("The contact sheet is drawn in WanGP's Python environment (Pillow, imageio-ffmpeg): "
                         "set WanGP Packages in the add-on's preferences")
    return found


def rows(scene: bpy.types.Scene) -> list[sheet.SheetRow]:
    """One row per shot in timeline order, with its active take (or none)."""
    out = []
    for obj in shot_index.timeline_shots(scene):
        shot = obj.movie_director
        index = shot.active_take_index
        if not 0 <= index < len(shot.takes):
            out.append(sheet.SheetRow(shot=obj.name))
            continue
        take = shot.takes[index]
        out.append(sheet.SheetRow(
            shot=obj.name, clip=bpy.path.abspath(take.filepath), take_number=paths.number_of(take.filepath, index),
            take_count=len(shot.takes), model_type=take.model_type, seed=take.seed, approved=take.approved,
            rating=take.rating, frame_count=take.frame_count,
        ))
    return out


def busy() -> bool:
    return _thread is not None


def start(scene: bpy.types.Scene, out: str, python_exe: str) -> None:
    """Make the sheet of ``scene`` into ``out`` in the background; :func:`poll` applies the result."""
    global _thread
    if _thread is not None:
        raise SheetError("A contact sheet is being made already: wait for it")
    title = f"{os.path.basename(bpy.data.filepath) or 'untitled'} | {scene.name} | {time.strftime('%Y-%m-%d %H:%M')}"
    spec_rows = rows(scene)
    if not spec_rows:
        raise SheetError(f"{scene.name} has no shots: use Mark Shot on its cameras")
    scene_key = keys.scene_key(scene)
    scene.movie_director.contact_sheet_status = "Drawing the contact sheet..."
    _thread = threading.Thread(target=_work, args=(scene_key, title, spec_rows, out, python_exe),
                               name="movie_director_contact_sheet", daemon=True)
    _thread.start()


def _work(scene_key: str, title: str, spec_rows: list[sheet.SheetRow], out: str, python_exe: str) -> None:
    global _result
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="md_sheet_") as folder:
        spec = os.path.join(folder, "sheet.json")
        sheet.write_spec(spec, title, out, spec_rows)
        try:
            done = subprocess.run([python_exe, "-E", SCRIPT, spec], capture_output=True, text=True,
                                  timeout=TIMEOUT_S, check=False)
            ok = done.returncode == 0
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            message = "; ".join(lines if ok else lines[-1:]) or ("" if ok else f"exit code {done.returncode}")
        except (OSError, subprocess.TimeoutExpired) as exc:
            ok, message = False, str(exc)
    with _lock:
        _result = Result(scene_key, out, ok, message, time.monotonic() - started)


def poll() -> Result | None:
    """Main thread: apply a finished sheet to its scene (path, status, log); returns it once."""
    global _thread, _result
    with _lock:
        result, _result = _result, None
    if result is None:
        return None
    if _thread is not None:
        _thread.join()
        _thread = None
    scene = keys.find_scene(result.scene_key)
    if result.ok:
        status = f"Contact sheet ready ({result.seconds:.1f} s)"
        log.write(f"Contact sheet written: {result.out}" + (f" ({result.message})" if result.message else ""))
    else:
        status = f"The contact sheet could not be made: {result.message}"
        log.write(status)
    if scene is not None:
        scene.movie_director.contact_sheet_status = status
        if result.ok:
            scene.movie_director.contact_sheet_path = result.out
    return result


def wait(timeout: float = TIMEOUT_S) -> Result | None:
    """Block until the sheet is done (scripts and ``execute``)."""
    deadline = time.monotonic() + timeout
    while _thread is not None and time.monotonic() < deadline:
        result = poll()
        if result is not None:
            return result
        time.sleep(0.02)
    return poll()
