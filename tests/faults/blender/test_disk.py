"""The disk fails: a read-only output folder, a full file system, the folder deleted mid-batch, a path too long.

Read-only and full file systems are small tmpfs mounts under the test's temp folder (root only; the
mount is always undone). Nothing half-made may stay in the output folder, and once the disk is fine
again the same shot generates its take.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator

import bpy
import pytest
from scoreboard import partial_files, takes_on_disk


@contextlib.contextmanager
def tmpfs(path: str, options: str) -> Iterator[str]:
    os.makedirs(path, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); the disk faults need root")
    try:
        yield path
    finally:
        if subprocess.run(["umount", path], capture_output=True).returncode:
            subprocess.run(["umount", "-l", path], check=True)


def _generate() -> str:
    try:
        bpy.ops.movie_director.generate_shot()
    except RuntimeError as exc:
        return str(exc)
    return ""


def test_output_folder_read_only(md, fake_wangp, fresh_scene, tmp_path, make_shot, scenario):
    mount = str(tmp_path / "ro")
    with tmpfs(mount, "ro,size=1m"):
        fresh_scene.movie_director.output_dir = os.path.join(mount, "takes")
        obj = make_shot("SH010", 1, 16)
        report = _generate()
        assert "not writable" in report and mount in report, report
        assert obj.movie_director.generation_status != "in_progress" and len(obj.movie_director.takes) == 0
        assert os.listdir(mount) == []
    scenario("disk: output folder read-only", injected="a read-only file system as the output folder",
             user_saw=report.replace("Error: ", ""), survived="nothing written; Generate refused before WanGP ran")


def test_full_file_system_then_space_again(md, fake_wangp, fresh_scene, tmp_path, make_shot, scenario):
    mount = str(tmp_path / "full")
    with tmpfs(mount, "size=256k"):
        output = os.path.join(mount, "takes")
        fresh_scene.movie_director.output_dir = output
        obj = make_shot("SH010", 1, 16)
        shot = obj.movie_director
        filler = os.path.join(mount, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)  # every byte of the file system: the clip cannot fit
        with contextlib.suppress(OSError):
            while os.write(fd, b"\0" * 4096):
                pass
        os.close(fd)
        report = _generate()
        assert shot.generation_status == "failed" and len(shot.takes) == 0
        assert "No space left" in shot.error_message or "not writable" in report, (report, shot.error_message)
        left = partial_files(output) if os.path.isdir(output) else []
        assert left == []
        saw = shot.error_message or report
        os.remove(filler)
        assert _generate() == ""
        assert shot.generation_status == "done" and len(shot.takes) == 1
        on_disk = takes_on_disk(output)
        assert sum(on_disk.values(), []) == [os.path.realpath(shot.takes[0].filepath)]
        assert partial_files(output) == []
    scenario("disk: file system full", injected="a full tmpfs as the output folder, then space freed",
             user_saw=saw, survived="no partial clip; WanGP's clip kept where it was; the retry's take",
             partial_files=len(left))


def test_output_folder_deleted_mid_batch(md, fake_wangp, output_dir, make_shot, drive, scenario):
    fake_wangp(step_delay_s=0.05)
    shots = [make_shot(f"SH0{i}0", 1 + 16 * i, 16 + 16 * i) for i in range(1, 4)]
    queued = md.runtime.generate.queue_scene(bpy.context, bpy.context.scene, "", False)
    assert queued.order and not queued.problems
    drive(lambda: len(shots[0].movie_director.takes) == 1, timeout=60)
    shutil.rmtree(output_dir)  # the user (or a sync tool) deletes the whole output folder
    drive(lambda: all(o.movie_director.generation_status in ("done", "failed") for o in shots), timeout=60)
    statuses = [o.movie_director.generation_status for o in shots]
    assert statuses[1:] == ["done", "done"], [(o.movie_director.error_message) for o in shots]
    on_disk = takes_on_disk(output_dir)
    later = [os.path.realpath(o.movie_director.takes[0].filepath) for o in shots[1:]]
    assert sorted(sum(on_disk.values(), [])) == sorted(later)
    assert partial_files(output_dir) == []
    scenario("disk: output folder deleted mid-batch", injected="rm -rf of the output folder after the first take",
             user_saw="the later shots' takes; the first take's strip points at the deleted file",
             survived="the batch went on; 2 of 2 later takes filed, queue file written again")


def test_output_path_too_long(md, fake_wangp, fresh_scene, tmp_path, make_shot, scenario):
    too_long = os.path.join(str(tmp_path), *(["d" * 200] * 25))  # 5000+ characters: past PATH_MAX (4096)
    fresh_scene.movie_director.output_dir = too_long
    obj = make_shot("SH010", 1, 16)
    report = _generate()
    shot = obj.movie_director
    assert report, "a Generate into an impossible folder must not report success"
    assert "too long" in report.lower(), report
    assert len(shot.takes) == 0 and "Traceback" not in report
    assert not any(name.startswith("d") for name in os.listdir(tmp_path))  # no folder made
    scenario("disk: output path too long", injected=f"an output folder of {len(too_long)} characters",
             user_saw=report.replace("Error: ", "")[:160], survived="nothing created; Generate refused")
