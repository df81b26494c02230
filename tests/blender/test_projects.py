"""A project folder can be moved or shared: the add-on keeps its paths blend-relative (``//...``) inside
the .blend's folder, follows a Save As, and Recover Takes finds the takes of a scene made again."""

from __future__ import annotations

import json
import os
import shutil

import bpy
from strip_timing import content_duration, left_handle


def _save_project(folder) -> str:
    folder.mkdir(parents=True)
    blend = str(folder / "film.blend")
    bpy.ops.wm.save_as_mainfile(filepath=blend)
    return blend


def _shots(make_shot, *names_frames):
    out = []
    for name, start, end in names_frames:
        obj = make_shot(name, start, end, prompt=f"{name} a cube on a table")
        obj.movie_director.model_type = "t2v_1.3B"
        out.append(obj)
    return out


def _movie_strips(scene):
    editor = scene.sequence_editor
    strips = editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all
    return [s for s in strips if s.type in ("MOVIE", "SOUND")]


def _media_path(strip) -> str:
    return strip.sound.filepath if strip.type == "SOUND" else strip.filepath


def test_a_moved_project_folder_has_every_take_and_no_missing_media(md, fake_wangp, fresh_scene, make_shot,
                                                                     tmp_path, capsys):
    blend = _save_project(tmp_path / "project")
    fresh_scene.movie_director.output_dir = "//movie_director/"
    first, second = _shots(make_shot, ("SH010", 1, 16), ("SH020", 17, 32))
    assert bpy.ops.movie_director.generate_scene(only_changed=False) == {"FINISHED"}
    bpy.context.view_layer.objects.active = first
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}  # a second take of SH010
    for obj in (first, second):
        for take in obj.movie_director.takes:
            assert take.filepath.startswith(f"//movie_director/Scene/{obj.name}/{obj.name}_take")
            assert take.sidecar_path.startswith(f"//movie_director/Scene/{obj.name}/")
    assert len(first.movie_director.takes) == 2
    assert all(_media_path(s).startswith("//movie_director/") for s in _movie_strips(fresh_scene))
    bpy.ops.wm.save_mainfile()

    # The whole folder goes elsewhere: nothing may still resolve to the old place.
    moved = tmp_path / "shared" / "copy_of_project"
    shutil.move(os.path.dirname(blend), moved)
    bpy.ops.wm.open_mainfile(filepath=str(moved / "film.blend"))
    scene = bpy.context.scene
    strips = _movie_strips(scene)
    assert strips
    for strip in strips:
        path = bpy.path.abspath(_media_path(strip))
        assert os.path.isfile(path) and path.startswith(str(moved)), path

    shots = [o for o in scene.objects if o.movie_director.is_shot]
    assert sorted(o.name for o in shots) == ["SH010", "SH020"]
    for obj in shots:
        bpy.context.view_layer.objects.active = obj
        for index, take in enumerate(obj.movie_director.takes):
            clip = md.runtime.paths.resolved(take.filepath)
            assert clip.startswith(str(moved)) and os.path.isfile(clip)
            with open(md.runtime.paths.resolved(take.sidecar_path), encoding="utf-8") as fh:
                assert json.load(fh)["file"] == os.path.basename(clip)
            # Every take plays: its strip reads the whole clip (a missing file gives a 1-frame strip).
            assert bpy.ops.movie_director.set_active_take(index=index) == {"FINISHED"}
            strip = md.runtime.timeline.shot_strip(scene, md.runtime.keys.shot_key(scene, obj))
            # The clip's frames (4.2 counts them as they are, 4.5 on as retimed to real speed).
            assert take.frame_count > 1
            real_speed = take.frame_count * scene.render.fps / take.fps
            assert content_duration(strip) == take.frame_count or abs(content_duration(strip) - real_speed) <= 1
    capsys.readouterr()
    assert bpy.ops.movie_director.recover_takes() == {"FINISHED"}
    assert "Recovered 0 Take(s) | 0 of Deleted Shots" in capsys.readouterr().out


def test_takes_outside_the_blend_folder_stay_absolute(md, fake_wangp, fresh_scene, make_shot, tmp_path):
    _save_project(tmp_path / "project")
    outside = tmp_path / "renders"
    fresh_scene.movie_director.output_dir = str(outside)
    (obj,) = _shots(make_shot, ("SH010", 1, 16))
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    take = obj.movie_director.takes[0]
    assert take.filepath.startswith(str(outside)) and os.path.isfile(take.filepath)
    assert take.sidecar_path.startswith(str(outside))
    assert _media_path(_movie_strips(fresh_scene)[0]) == take.filepath


def test_save_as_elsewhere_keeps_the_takes_where_they_are(md, fake_wangp, fresh_scene, make_shot, tmp_path):
    _save_project(tmp_path / "project")
    fresh_scene.movie_director.output_dir = "//movie_director/"
    (obj,) = _shots(make_shot, ("SH010", 1, 16))
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    clip = md.runtime.paths.resolved(obj.movie_director.takes[0].filepath)

    # Saved into another folder: the clips stayed behind, so their paths become absolute ...
    other = tmp_path / "other"
    other.mkdir()
    bpy.ops.wm.save_as_mainfile(filepath=str(other / "film_v2.blend"))
    take = obj.movie_director.takes[0]
    assert take.filepath == clip and os.path.isfile(take.sidecar_path)
    # ... and saved back next to them, relative again.
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "project" / "film_v3.blend"))
    assert take.filepath.startswith("//movie_director/") and md.runtime.paths.resolved(take.filepath) == clip


def test_the_queue_file_and_batch_record_keep_blend_relative_paths(md, fake_wangp, fresh_scene, make_shot,
                                                                   tmp_path, drive):
    blend = _save_project(tmp_path / "project")
    fresh_scene.movie_director.output_dir = "//movie_director/"
    fake_wangp(step_delay_s=0.2, steps_cap=20)
    _shots(make_shot, ("SH010", 1, 16), ("SH020", 17, 32))
    queued = md.runtime.generate.queue_scene(bpy.context, fresh_scene, "", False)
    assert queued.order
    md.runtime.batches.save_due(force=True)

    queue_path = os.path.join(os.path.dirname(blend), "movie_director", "movie_director_queue.json")
    with open(queue_path, encoding="utf-8") as fh:
        entries = json.load(fh)["entries"]
    assert len(entries) == 2
    for entry in entries:
        assert entry["blend_file"] == "//film.blend"
        assert entry["take_dir"].startswith("//movie_director/Scene/") and entry["request"]["take_dir"] == entry[
            "take_dir"]
    record = json.loads(fresh_scene[md.runtime.batch_queue.ID_PROP])["entries"]
    assert all(e["request"]["take_dir"].startswith("//movie_director/") for e in record if e["request"])
    # Read back, every path is absolute again (what a host needs).
    for entry in md.runtime.batch_queue.load(fresh_scene):
        if entry["request"]:
            assert entry["request"]["take_dir"].startswith(os.path.dirname(blend))
    # Sidecars and the queue file get the clips' permissions (the umask's), not a temporary file's 0600.
    bpy.ops.movie_director.cancel(scope="ALL")
    drive(lambda: md.runtime.jobs.count() == 0)
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(queue_path).st_mode & 0o777 == 0o666 & ~mask


def test_recover_takes_of_a_scene_made_again_by_shot_name(md, fake_wangp, fresh_scene, make_shot, tmp_path,
                                                         empty_blend, capsys):
    blend = _save_project(tmp_path / "project")
    fresh_scene.movie_director.output_dir = "//movie_director/"
    first, second = _shots(make_shot, ("SH010", 1, 16), ("SH020", 17, 32))
    assert bpy.ops.movie_director.generate_scene(only_changed=False) == {"FINISHED"}
    clips = {o.name: md.runtime.paths.resolved(o.movie_director.takes[0].filepath) for o in (first, second)}
    old_key = fresh_scene.movie_director.scene_key
    sidecar = md.runtime.paths.resolved(first.movie_director.takes[0].sidecar_path)
    assert os.stat(sidecar).st_mode & 0o777 == os.stat(clips["SH010"]).st_mode & 0o777

    # The scene is made again in a new file in the same folder: a new scene key, the same shot names.
    bpy.ops.wm.open_mainfile(filepath=empty_blend)
    bpy.ops.wm.save_as_mainfile(filepath=os.path.join(os.path.dirname(blend), "film_rebuilt.blend"))
    scene = bpy.context.scene
    scene.movie_director.output_dir = "//movie_director/"
    again = _shots(make_shot, ("SH010", 1, 16), ("SH020", 17, 32), ("SH030", 33, 48))
    assert md.runtime.keys.scene_key(scene) != old_key
    capsys.readouterr()

    assert bpy.ops.movie_director.recover_takes() == {"FINISHED"}
    out = capsys.readouterr().out
    assert "Matched by shot name (the scene was made again): SH010, SH020" in out
    assert "Recovered 2 Take(s) | 0 of Deleted Shots" in out
    for obj in again[:2]:
        takes = obj.movie_director.takes
        assert len(takes) == 1 and md.runtime.paths.resolved(takes[0].filepath) == clips[obj.name]
        strip = md.runtime.timeline.shot_strip(scene, md.runtime.keys.shot_key(scene, obj))
        assert strip is not None and left_handle(strip) == obj.movie_director.frame_start
    assert not again[2].movie_director.takes
    assert "Matched by name (takes of an earlier scene 'Scene'): SH010, SH020" in bpy.data.texts[
        "Movie Director Log"].as_string()

    bpy.ops.movie_director.recover_takes()
    assert "Recovered 0 Take(s)" in capsys.readouterr().out


def _record(md, take) -> dict:
    return md.wangp_backend.review.read_sidecar(md.runtime.paths.resolved(take.sidecar_path))


def _sidecar_text(md, take) -> str:
    with open(md.runtime.paths.resolved(take.sidecar_path), encoding="utf-8") as fh:
        return fh.read()


def test_a_moved_project_post_processes_recovers_and_makes_again_from_the_new_place(
        md, fake_wangp, fresh_scene, make_shot, tmp_path, capsys):
    """Every path a sidecar names (the .blend, a start image, the previous shot's take, a post-processed
    take's parent) follows the folder: nothing reads the old place, an unchanged shot stays unchanged."""
    blend = _save_project(tmp_path / "project")
    project = os.path.dirname(blend)
    fresh_scene.movie_director.output_dir = "//movie_director/"
    board = bpy.data.images.new("Board", 16, 16)
    board.filepath_raw, board.file_format = os.path.join(project, "boards", "sh020.png"), "PNG"
    os.makedirs(os.path.dirname(board.filepath_raw))
    board.save()
    first, second, third = _shots(make_shot, ("SH010", 1, 16), ("SH020", 17, 32), ("SH030", 33, 48))
    for obj in (second, third):
        obj.movie_director.model_type = "i2v"
    second.movie_director.start_image_source = "FILE"
    second.movie_director.start_image = "//boards/sh020.png"
    third.movie_director.start_image_source = "PREVIOUS_SHOT"
    assert bpy.ops.movie_director.generate_scene(only_changed=False) == {"FINISHED"}
    for obj in (first, second, third):
        assert project not in _sidecar_text(md, obj.movie_director.takes[0]), obj.name
    bpy.ops.wm.save_mainfile()

    moved = str(tmp_path / "shared" / "copy_of_project")
    shutil.move(project, moved)
    bpy.ops.wm.open_mainfile(filepath=os.path.join(moved, "film.blend"))
    scene = bpy.context.scene
    first, second, third = (scene.objects[name] for name in ("SH010", "SH020", "SH030"))
    record = _record(md, second.movie_director.takes[0])
    assert record["blend_file"] == os.path.join(moved, "film.blend")
    assert record["inputs"]["start"]["path"] == os.path.join(moved, "boards", "sh020.png")
    record = _record(md, third.movie_director.takes[0])
    assert record["inputs"]["start"]["path"].startswith(os.path.join(moved, "movie_director", "Scene", "SH030"))

    # Made again: nothing changed in the shots, so nothing is generated (the hashes do not hold the old place).
    capsys.readouterr()
    assert bpy.ops.movie_director.generate_scene(only_changed=True) == {"FINISHED"}
    assert "Skipped 3 Unchanged" in capsys.readouterr().out
    assert all(len(o.movie_director.takes) == 1 for o in (first, second, third))

    # Post-processed at the new place: the parent is the moved take, recorded relative to the new take.
    bpy.context.view_layer.objects.active = first
    assert bpy.ops.movie_director.postprocess_take(spatial_upsampling="lanczos1.5") == {"FINISHED"}
    shot = first.movie_director
    parent, child = shot.takes[0], shot.takes[1]
    assert child.parent_take == parent.filepath and child.parent_take.startswith("//movie_director/")
    text = _sidecar_text(md, child)
    assert project not in text and moved not in text
    record = _record(md, child)
    assert record["parent_take"]["file"] == md.runtime.paths.resolved(parent.filepath)
    assert record["parent_take"]["sidecar"] == md.runtime.paths.resolved(parent.sidecar_path)
    assert record["settings"]["video_source"] == md.runtime.paths.resolved(parent.filepath)

    # A new take of the continued shot starts from the moved previous take.
    bpy.context.view_layer.objects.active = third
    third.movie_director.seed = 5
    assert bpy.ops.movie_director.generate_shot() == {"FINISHED"}
    record = _record(md, third.movie_director.takes[1])
    assert record["inputs"]["start"]["path"].startswith(moved)

    # Recovered in another copy of the file: the takes come back with their parent, at the new place.
    for obj in (first, second, third):
        obj.movie_director.takes.clear()
    capsys.readouterr()
    assert bpy.ops.movie_director.recover_takes() == {"FINISHED"}
    assert "Recovered 5 Take(s)" in capsys.readouterr().out
    recovered = [t for t in first.movie_director.takes if t.parent_take]
    assert len(recovered) == 1 and recovered[0].parent_take.startswith("//movie_director/Scene/SH010/")
    assert os.path.isfile(md.runtime.paths.resolved(recovered[0].parent_take))
    assert not os.path.exists(project)
