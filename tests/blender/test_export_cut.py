"""Export Cut: what the sequencer shows, written with OpenTimelineIO as OTIO, EDL and FCP XML, read back.

The scene holds a trimmed Wan take (16 fps, conformed to the 24 fps scene), an LTX-2 take with sound, a
shot without a take (a marked gap), a user's own trimmed movie strip, a colour strip, a user's sound
strip and a muted strip (left out). Every export is read back with OpenTimelineIO and each clip's
record range is checked against its strip; the EDL is also checked line by line against CMX 3600.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import bpy
import opentimelineio as otio
import pytest
from conftest import FAKE_WANGP_ROOT, WANGP_PYTHON
from strip_timing import duration, left_handle, right_handle, set_timing

RATE = 24


def _strips(scene):
    editor = scene.sequence_editor
    return list(editor.strips if hasattr(editor, "strips") else editor.sequences)


@pytest.fixture
def cut_scene(md, fake_wangp, output_dir, make_shot, tmp_path):
    scene = bpy.context.scene
    scene.frame_start, scene.frame_end = 1, 96
    wan = make_shot("SH010", 1, 24)
    wan.movie_director.model_type = "t2v_1.3B"
    bpy.ops.movie_director.generate_shot()
    bpy.ops.movie_director.approve_take()
    ltx = make_shot("SH020", 25, 48, prompt="a blue ball rolls")
    ltx.movie_director.model_type = "ltx2_22B_distilled"
    bpy.ops.movie_director.generate_shot()
    make_shot("SH030", 49, 72)  # never generated: a gap with a marker

    editor = scene.sequence_editor
    strips = editor.strips if hasattr(editor, "strips") else editor.sequences
    user_media = tmp_path / "user_media"
    user_media.mkdir()
    user_clip = str(user_media / "plate.mp4")
    shutil.copy(ltx.movie_director.takes[0].filepath, user_clip)
    plate = strips.new_movie(name="Plate", filepath=user_clip, channel=5, frame_start=70)
    set_timing(plate, left_offset=4)  # the user trimmed its head: frames 74..
    md.compat.new_effect(editor, "Slate", "COLOR", 6, 1, 11)
    muted = strips.new_movie(name="Muted", filepath=user_clip, channel=7, frame_start=1)
    muted.mute = True
    if md.compat.HAS_AUDIO:
        strips.new_sound(name="Music", filepath=user_clip, channel=8, frame_start=80)
    return scene


def _expected(scene):
    """name -> (record start, record duration) of every visible strip, cut to the scene range."""
    out = {}
    for strip in _strips(scene):
        if strip.mute:
            continue
        start, end = max(left_handle(strip), scene.frame_start), min(right_handle(strip), scene.frame_end + 1)
        name = strip.name
        if strip.get("md_shot_key"):
            name = f"{strip.name.removesuffix(' Audio')} take {strip['md_take'] + 1}"
            name = name if strip.type == "MOVIE" else f"{name}#sound"
        out[name] = (start, end - start)
    return out


def _visible_pictures(scene):
    for strip in _strips(scene):
        if strip.mute or strip.type == "SOUND":
            continue
        name = f"{strip.name} take {strip['md_take'] + 1}" if strip.get("md_shot_key") else strip.name
        yield name, strip


def _clip_key(clip) -> str:
    meta = clip.metadata.get("movie_director", {})
    is_sound = isinstance(clip.parent(), otio.schema.Track) and clip.parent().kind == otio.schema.TrackKind.Audio
    return f"{clip.name}#sound" if is_sound and meta.get("shot") else clip.name


def _record(clip, timeline) -> tuple[int, int]:
    in_parent = clip.range_in_parent()
    start = timeline.global_start_time.value + in_parent.start_time.rescaled_to(RATE).value
    return round(start), round(in_parent.duration.rescaled_to(RATE).value)


def test_otio_export_holds_every_visible_strip_with_its_real_source_range_and_metadata(md, cut_scene, tmp_path):
    out = tmp_path / "export" / "cut.otio"
    assert bpy.ops.movie_director.export_cut(filepath=str(out), format="OTIO") == {"FINISHED"}
    timeline = otio.adapters.read_from_file(str(out))
    assert timeline.global_start_time == otio.opentime.RationalTime(1, RATE)
    clips = {_clip_key(c): c for c in timeline.find_clips()}
    expected = _expected(cut_scene)
    assert set(clips) == set(expected)
    assert "Muted" not in clips
    for name, clip in clips.items():
        assert _record(clip, timeline) == expected[name], name

    wan = clips["SH010 take 1"]
    meta = wan.metadata["movie_director"]
    shot = bpy.data.objects["SH010"].movie_director
    take = shot.takes[0]
    assert meta["shot"] == "SH010" and meta["take"] == 1 and meta["model"] == "t2v_1.3B"
    assert meta["seed"] == take.seed and meta["approved"] is True
    assert meta["prompt"].startswith("a red cube on a table")
    assert meta["sidecar"] == take.sidecar_path
    # 24 scene frames of the Wan clip conformed on the host to 24 fps: 24 media frames from its first.
    assert meta["media_rate"] == 24.0 and meta["source_first_frame"] == 0
    assert abs(meta["source_frame_count"] - 24) <= 1
    assert not wan.effects
    # Media paths are relative to the export file and lead to the clip.
    url = wan.media_reference.target_url
    assert not os.path.isabs(url) and os.path.samefile(out.parent / url, take.filepath)

    plate = clips["Plate"]
    assert plate.source_range.start_time.rescaled_to(RATE).value == pytest.approx(4)  # the trimmed head
    assert plate.metadata["movie_director"]["source_first_frame"] == pytest.approx(4)
    assert os.path.samefile(out.parent / plate.media_reference.target_url, tmp_path / "user_media" / "plate.mp4")
    assert isinstance(clips["Slate"].media_reference, otio.schema.GeneratorReference)

    [gap] = [g for t in timeline.video_tracks() for g in t if isinstance(g, otio.schema.Gap) and g.markers]
    assert gap.markers[0].name == "SH030: no take yet"
    assert _record(gap, timeline) == (49, 24)
    assert [m.name for m in timeline.tracks.markers] == ["SH030: no take yet"]


def test_a_clip_played_faster_than_real_speed_carries_a_time_warp(md, cut_scene, tmp_path):
    # A 16 fps clip (Wan's own rate) put on the timeline by hand, not retimed: a 24 fps scene plays it 1.5
    # times too fast. (Takes themselves arrive conformed to the scene's rate.)
    editor = cut_scene.sequence_editor
    strips = editor.strips if hasattr(editor, "strips") else editor.sequences
    clip = str(tmp_path / "wan16.mp4")
    shared = os.path.join(FAKE_WANGP_ROOT, "shared")
    subprocess.run([WANGP_PYTHON, "-c", f"import sys; sys.path.insert(0, {shared!r}); import fake_media; "
                    f"fake_media.write_video({clip!r}, 64, 48, 17, 16, (90, 40, 200))"], check=True)
    fast = strips.new_movie(name="Fast", filepath=clip, channel=9, frame_start=75)
    out = tmp_path / "cut.otio"
    bpy.ops.movie_director.export_cut(filepath=str(out), format="OTIO")
    clips = {c.name: c for c in otio.adapters.read_from_file(str(out)).find_clips()}
    [warp] = clips["Fast"].effects
    assert isinstance(warp, otio.schema.LinearTimeWarp) and warp.time_scalar == pytest.approx(1.5)
    assert clips["Fast"].metadata["movie_director"]["source_frame_count"] == duration(fast)
    assert not clips["SH010 take 1"].effects  # conformed to 24 fps on the host: no speed change


def _edl_events(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if re.match(r"^\d{3}\s", line)]


def _frames(tc: str) -> int:
    h, m, s, f = (int(x) for x in tc.split(":"))
    return ((h * 60 + m) * 60 + s) * RATE + f


def test_edl_export_follows_cmx_3600_and_matches_what_plays(md, cut_scene, tmp_path):
    out = tmp_path / "cut.edl"
    assert bpy.ops.movie_director.export_cut(filepath=str(out), format="EDL") == {"FINISHED"}
    text = out.read_text()
    lines = text.splitlines()
    assert lines[0].startswith("TITLE: ") and len(lines[0]) <= 70
    events = _edl_events(text)
    assert events
    previous_out = 0
    for number, event in enumerate(events, start=1):
        # event number, reel (<= 8 characters), track, transition, source in/out, record in/out
        assert event[0] == f"{number:03d}"
        assert len(event[1]) <= 8 and event[2] in ("V", "A", "A2", "AA", "B", "AA/V")
        assert event[3] == "C"
        timecodes = event[4:8]
        assert all(re.fullmatch(r"\d{2}:\d{2}:\d{2}:\d{2}", tc) for tc in timecodes)
        src_in, src_out, rec_in, rec_out = (_frames(tc) for tc in timecodes)
        assert src_out - src_in == rec_out - rec_in > 0
        if event[2] == "V":
            assert rec_in >= previous_out  # picture events never overlap
            previous_out = rec_out
    for line in lines[1:]:
        assert len(line) <= 256  # CMX 3600 line length

    # The events are the picture as it plays: per frame, the top visible picture strip.
    top: dict[int, str] = {}
    for name, strip in _visible_pictures(cut_scene):
        for frame in range(max(left_handle(strip), cut_scene.frame_start),
                           min(right_handle(strip), cut_scene.frame_end + 1)):
            if frame not in top or strip.channel > top[frame][1]:
                top[frame] = (name, strip.channel)
    runs = []
    for frame in sorted(top):
        if runs and runs[-1][0] == top[frame][0] and runs[-1][2] == frame:
            runs[-1][2] = frame + 1
        else:
            runs.append([top[frame][0], frame, frame + 1])
    timeline = otio.adapters.read_from_file(str(out), rate=RATE)
    read = [(c.name, cut_scene.frame_start + round(c.range_in_parent().start_time.value),
             cut_scene.frame_start + round(c.range_in_parent().end_time_exclusive().value))
            for c in timeline.find_clips()]
    assert read == [tuple(run) for run in runs]


def test_fcp_xml_export_reads_back_with_each_clip_where_its_strip_is(md, cut_scene, tmp_path):
    out = tmp_path / "cut.xml"
    assert bpy.ops.movie_director.export_cut(filepath=str(out), format="FCP_XML") == {"FINISHED"}
    timeline = otio.adapters.read_from_file(str(out))
    expected = _expected(cut_scene)
    found = {}
    for track in timeline.tracks:
        for clip in track.find_clips():
            sound = f"{clip.name}#sound"
            key = sound if track.kind == otio.schema.TrackKind.Audio and sound in expected else clip.name
            found[key] = clip.range_in_parent()
    for name, (start, length) in expected.items():
        assert name in found, name
        got = found[name]
        assert round(got.start_time.rescaled_to(RATE).value) + cut_scene.frame_start == start, name
        assert round(got.duration.rescaled_to(RATE).value) == length, name


def test_export_refuses_an_empty_sequencer_and_a_folder(md, fresh_scene, tmp_path):
    with pytest.raises(RuntimeError, match="shows nothing"):
        bpy.ops.movie_director.export_cut(filepath=str(tmp_path / "cut.otio"), format="OTIO")
    with pytest.raises(RuntimeError, match="is a folder"):
        bpy.ops.movie_director.export_cut(filepath=str(tmp_path), format="EDL")
    assert not list(tmp_path.iterdir())
