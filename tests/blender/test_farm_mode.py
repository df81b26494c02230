"""Farm mode in Blender: Run WanGP set to Farm sends a scene's shots to a farm, which runs several at once.

The farm here is the real HTTP front and dispatcher on threads with scripted workers
(``tests/backend/farm_fakes.py``; the Ray tier runs the real thing). Everything else is unchanged:
takes, sidecars (which name the worker), strips and the batch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import bpy
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WANGP_PYTHON = os.environ.get("MD_TEST_WANGP_PYTHON", os.path.join(REPO, ".venv-wangp", "bin", "python"))
for _path in (REPO, os.path.join(REPO, "tests", "backend")):
    if _path not in sys.path:
        sys.path.append(_path)

from farm_fakes import TOKEN, ThreadFarm  # noqa: E402


@pytest.fixture
def farm(md, tmp_path, monkeypatch):
    clip = str(tmp_path / "clip.mp4")
    subprocess.run([WANGP_PYTHON, "-c", (
        "import sys; sys.path.insert(0, sys.argv[2]); from shared.fake_media import write_video; "
        "write_video(sys.argv[1], 128, 96, 33, 16.0, (120, 80, 60))"), clip,
        os.path.join(REPO, "tests", "fake_wangp")], check=True)
    f = ThreadFarm(str(tmp_path / "farm"), {"gpu-a": 24.0, "gpu-b": 24.0}, clip=clip)
    monkeypatch.setenv("WANGP_HOST_MODE", "FARM")
    monkeypatch.setenv("MD_FARM_URL", f.url)
    monkeypatch.setenv("MD_FARM_TOKEN", TOKEN)
    yield f
    md.runtime.lifecycle.stop(timeout=10.0)
    # The farm's catalog (one fake model) must not stand in for WanGP's in the tests that follow.
    md.runtime.session.forget_state()
    f.close()


def test_a_scene_batch_runs_on_the_farm_in_parallel(md, farm, output_dir, make_shot, drive):
    shots = [make_shot(f"SH0{n}0", 1 + 16 * n, 16 + 16 * n, prompt=f"[farm:slow] shot {n}") for n in range(3)]
    queued = md.runtime.generate.queue_scene(bpy.context, bpy.context.scene, "", False)
    assert len(queued.order) == 3 and not queued.problems
    assert md.runtime.session.view().mode == "farm"
    running = lambda: [o for o in shots if o.movie_director.generation_status == "in_progress"]  # noqa: E731
    drive(lambda: len(running()) == 2)  # two workers, two shots at once
    view = md.runtime.session.view()
    drive(lambda: len([w for w in md.runtime.session.view().farm.workers if w[3]]) == 2)
    assert {w[3] for w in md.runtime.session.view().farm.workers} <= {o.name for o in shots}
    assert view.farm.url == farm.url
    farm.port.release.set()
    scene_key = md.runtime.keys.scene_key(bpy.context.scene)
    assert md.runtime.generate.wait_for_batch(scene_key, timeout=30)
    workers = set()
    for obj in shots:
        shot = obj.movie_director
        assert shot.generation_status == "done" and len(shot.takes) == 1, (obj.name, shot.error_message)
        with open(bpy.path.abspath(shot.takes[0].sidecar_path), encoding="utf-8") as fh:
            sidecar = json.load(fh)
        workers.add(sidecar["worker"])
        assert os.path.isfile(bpy.path.abspath(shot.takes[0].filepath)) and sidecar["farm"]["url"] == farm.url
    assert workers == {"gpu-a", "gpu-b"}
    assert bpy.context.scene.movie_director.batch_done == 3
    strips = md.compat.strips(bpy.context.scene.sequence_editor) if bpy.context.scene.sequence_editor else []
    assert len([s for s in strips if s.type == "MOVIE"]) == 3


def test_farm_mode_without_a_url_is_one_clear_sentence(md, fresh_scene, output_dir, make_shot, monkeypatch):
    monkeypatch.setenv("WANGP_HOST_MODE", "FARM")
    monkeypatch.delenv("MD_FARM_URL", raising=False)
    make_shot("SH010")
    with pytest.raises(RuntimeError, match="no Farm URL is set"):
        bpy.ops.movie_director.generate_shot()


def test_blender_crashing_mid_batch_resumes_on_the_farm_without_running_a_shot_twice(
        md, farm, output_dir, make_shot, drive, tmp_path):
    shots = [make_shot(f"SH0{n}0", 1 + 16 * n, 16 + 16 * n, prompt=f"[farm:slow] shot {n}") for n in range(3)]
    names = [o.name for o in shots]
    md.runtime.generate.queue_scene(bpy.context, bpy.context.scene, "", False)
    drive(lambda: len([o for o in shots if o.movie_director.generation_status == "in_progress"]) == 2)
    saved = str(tmp_path / "mid_batch.blend")
    bpy.ops.wm.save_as_mainfile(filepath=saved, copy=True)
    # Blender crashes: its farm host dies without a word (no close, so nothing is cancelled on the farm).
    dead = md.runtime.session.get_host()
    dead._stop.set()
    dead._commands.put(("close", ""))
    md.runtime.session._host = None
    md.runtime.jobs.clear()
    md.runtime.pump.forget()
    farm.port.release.set()  # meanwhile the farm finishes what it was running
    drive(lambda: sum(j.state == "done" for j in farm.dispatcher.jobs.values()) == 2)
    bpy.ops.wm.open_mainfile(filepath=saved)
    shots = [bpy.data.objects[n] for n in names]
    assert all(o.movie_director.error_message == md.runtime.batch_queue.INTERRUPTED for o in shots)

    assert bpy.ops.movie_director.resume_batch() == {"FINISHED"}
    for obj in shots:
        shot = obj.movie_director
        assert shot.generation_status == "done" and len(shot.takes) == 1, (obj.name, shot.error_message)
        folder = os.path.dirname(bpy.path.abspath(shot.takes[0].filepath))
        assert len([n for n in os.listdir(folder) if n.endswith(".mp4")]) == 1
    runs = [job for _worker, job in farm.port.runs]
    assert len(runs) == len(set(runs)) == 3, "no shot ran twice on the farm"
