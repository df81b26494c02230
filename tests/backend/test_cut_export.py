"""The cut writer (plain data -> OpenTimelineIO) and the bundled wheels the extension declares."""

from __future__ import annotations

import importlib.util
import os

import opentimelineio as otio
import pytest

from editorial import otio_export
from editorial.cut import AUDIO, VIDEO, Cut, CutClip, CutGap

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Loaded from its file: the host tests check WanGP's place in sys.path, so it is left alone.
_spec = importlib.util.spec_from_file_location("md_tools_ext", os.path.join(REPO, "tools", "ext.py"))
ext = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ext)


def _cut(tmp_path) -> Cut:
    media = str(tmp_path / "takes" / "SH010_take001.mp4")
    clips = (
        # 16 media frames of a 16 fps clip over 24 scene frames: real speed.
        CutClip("SH010 take 1", 2, VIDEO, 1, 24, media, 16.0, 0, 16, 17, metadata={"seed": 3}),
        # 48 media frames over 24 scene frames of a 24 fps clip: twice as fast.
        CutClip("Fast", 3, VIDEO, 10, 24, media, 24.0, 6, 48, 100),
        CutClip("Music", 4, AUDIO, 1, 48, str(tmp_path / "music.wav"), 24.0, 0, 48, 48),
    )
    return Cut("Scene", 24.0, 1, 72, clips, (CutGap(2, 49, 24, "SH030: no take yet"),), {2: "Movie Director"})


def test_otio_timeline_places_clips_gaps_and_markers_in_scene_frames(tmp_path):
    timeline = otio_export.write(_cut(tmp_path), str(tmp_path / "cut.otio"), "OTIO")
    back = otio.adapters.read_from_file(str(tmp_path / "cut.otio"))
    assert [t.name for t in back.tracks] == ["Movie Director", "Channel 3", "Channel 4 (sound)"]
    wan = next(c for c in back.find_clips() if c.name == "SH010 take 1")
    assert wan.range_in_parent() == otio.opentime.TimeRange(otio.opentime.RationalTime(0, 24),
                                                            otio.opentime.RationalTime(24, 24))
    assert wan.media_reference.target_url == "takes/SH010_take001.mp4"
    assert not wan.effects and wan.metadata["movie_director"]["seed"] == 3
    fast = next(c for c in back.find_clips() if c.name == "Fast")
    assert fast.effects[0].time_scalar == pytest.approx(2.0)
    assert fast.source_range.start_time.value == 6
    filler, gap = back.tracks[0][1], back.tracks[0][2]
    assert isinstance(filler, otio.schema.Gap) and not filler.markers
    assert isinstance(gap, otio.schema.Gap) and gap.markers[0].name == "SH030: no take yet"
    assert gap.range_in_parent().start_time.value == 48  # scene frame 49, the cut starts at frame 1
    assert len(timeline.tracks) == 3


def test_edl_holds_one_picture_track_and_an_unknown_format_is_refused(tmp_path):
    timeline = otio_export.write(_cut(tmp_path), str(tmp_path / "cut.edl"), "EDL")
    assert [t.kind for t in timeline.tracks] == [otio.schema.TrackKind.Video]
    with pytest.raises(ValueError, match="Unknown cut format 'AAF'"):
        otio_export.write(_cut(tmp_path), str(tmp_path / "cut.aaf"), "AAF")
    assert sorted(os.listdir(tmp_path)) == ["cut.edl"]  # no temporary file left


def test_media_on_another_drive_gets_a_file_url(monkeypatch):
    def no_relative(path, start):
        raise ValueError("path is on mount 'D:', start on mount 'C:'")

    monkeypatch.setattr(otio_export.os.path, "relpath", no_relative)
    assert otio_export.media_url("/media/clip.mp4", "/export").startswith("file:///")


def test_the_manifest_bundles_opentimelineio_for_every_platform_and_python():
    wheels = [os.path.basename(w) for w in ext.manifest_wheels()]
    otio_wheels = [w for w in wheels if w.startswith("opentimelineio-")]
    for python in ("cp311", "cp313"):
        for platform in ("manylinux", "win_amd64", "macosx_11_0_arm64"):
            assert any(f"-{python}-" in w and platform in w for w in otio_wheels), (python, platform)
    assert {"otio_cmx3600_adapter-1.0.0-py3-none-any.whl", "otio_fcp_adapter-1.0.0-py3-none-any.whl"} <= set(wheels)
    args = ext.pip_download_args("opentimelineio-0.18.1-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.whl")
    assert args == ["opentimelineio==0.18.1", "--only-binary=:all:", "--no-deps", "--platform", "manylinux2014_x86_64",
                    "--python-version", "3.13"]
    assert ext.pip_download_args("otio_fcp_adapter-1.0.0-py3-none-any.whl")[0] == "otio-fcp-adapter==1.0.0"


def test_the_cut_gets_a_normal_files_permissions(tmp_path):
    """The cut is the user's file: readable as any file they write (umask), not mkstemp's private 0600."""
    old = os.umask(0o022)
    try:
        otio_export.write(_cut(tmp_path), str(tmp_path / "cut.otio"), "OTIO")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "cut.otio").st_mode & 0o777 == 0o644
