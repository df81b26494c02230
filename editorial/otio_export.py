"""Write a :class:`~editorial.cut.Cut` with OpenTimelineIO: its own JSON, CMX 3600 EDL or FCP 7 XML.

Every time is in the scene's frame rate, which is what editors conform to: a 16 fps Wan clip placed at
real speed in a 24 fps scene is 1.5 record frames per media frame, not a speed change. A clip that
plays faster or slower than real speed carries a ``LinearTimeWarp``. The exact media frames used
are also kept in the clip's metadata (``movie_director``), for the formats that hold metadata.
"""

from __future__ import annotations

import os
import pathlib
import uuid
from collections.abc import Iterable

import opentimelineio as otio

from .cut import AUDIO, VIDEO, Cut, CutClip, CutGap

#: format -> (OpenTimelineIO adapter, file extension)
FORMATS = {"OTIO": ("otio_json", ".otio"), "EDL": ("cmx_3600", ".edl"), "FCP_XML": ("fcp_xml", ".xml")}
METADATA_KEY = "movie_director"
#: FCP 7 generators standing for Blender's generated strips (a slug for scene and meta strips).
_FCP_GENERATORS = {
    "COLOR": {"name": "Color", "effectid": "Color", "effectcategory": "Matte", "effecttype": "generator",
              "mediatype": "video"},
    "TEXT": {"name": "Text", "effectid": "Text", "effectcategory": "Text", "effecttype": "generator",
             "mediatype": "video"},
    "": {"name": "Slug", "effectid": "slug", "effectcategory": "Matte", "effecttype": "generator",
         "mediatype": "video"},
}


def media_url(path: str, export_dir: str) -> str:
    """The media's path relative to the export file's folder when it can be (same drive), else a file URL."""
    try:
        return pathlib.PurePath(os.path.relpath(path, export_dir)).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return pathlib.Path(path).as_uri()


def _rt(frames: float, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, rate)


def _range(start: float, duration: float, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start, rate), _rt(duration, rate))


def _clip(clip: CutClip, rate: float, export_dir: str) -> otio.schema.Clip:
    first = clip.source_first * rate / clip.media_rate if clip.media_rate else clip.source_first
    if clip.media_path:
        available = _range(0, clip.media_frames * rate / clip.media_rate, rate) if clip.media_frames else None
        reference = otio.schema.ExternalReference(target_url=media_url(clip.media_path, export_dir),
                                                  available_range=available)
    else:
        # FCP XML needs a length for generated pictures too: as long as the strip's content used.
        reference = otio.schema.GeneratorReference(name=clip.name, generator_kind=clip.generator.lower(),
                                                   available_range=_range(0, first + clip.record_duration, rate))
        reference.metadata["fcp_xml"] = _FCP_GENERATORS.get(clip.generator, _FCP_GENERATORS[""])
    item = otio.schema.Clip(name=clip.name, media_reference=reference,
                            source_range=_range(first, clip.record_duration, rate))
    item.metadata[METADATA_KEY] = {
        **clip.metadata,
        "channel": clip.channel,
        "media_rate": clip.media_rate,
        "source_first_frame": clip.source_first,
        "source_frame_count": clip.source_count,
    }
    speed = clip.speed(rate)
    # Blender rounds a retimed strip to whole frames: within a frame over the clip it is real speed.
    if abs(speed - 1.0) * clip.record_duration >= 1.0:
        item.effects.append(otio.schema.LinearTimeWarp(name="Speed", time_scalar=speed))
    return item


def _gap(gap: CutGap, rate: float) -> otio.schema.Gap:
    item = otio.schema.Gap(source_range=_range(0, gap.record_duration, rate))
    item.metadata[METADATA_KEY] = dict(gap.metadata)
    item.markers.append(otio.schema.Marker(name=gap.note, marked_range=_range(0, 1, rate),
                                           color=otio.schema.MarkerColor.RED))
    return item


def _track(cut: Cut, channel: int, kind: str, items: Iterable[CutClip | CutGap], export_dir: str) -> otio.schema.Track:
    name = cut.channel_names.get(channel) or f"Channel {channel}"
    track = otio.schema.Track(name=name if kind == VIDEO else f"{name} (sound)",
                              kind=otio.schema.TrackKind.Video if kind == VIDEO else otio.schema.TrackKind.Audio)
    cursor = cut.start
    for item in sorted(items, key=lambda i: i.record_start):
        if item.record_start > cursor:
            track.append(otio.schema.Gap(source_range=_range(0, item.record_start - cursor, cut.rate)))
        track.append(_clip(item, cut.rate, export_dir) if isinstance(item, CutClip) else _gap(item, cut.rate))
        cursor = item.record_start + item.record_duration
    return track


def build_timeline(cut: Cut, export_dir: str) -> otio.schema.Timeline:
    """The cut as an OpenTimelineIO timeline: one track per channel and kind, bottom to top, pictures first."""
    timeline = otio.schema.Timeline(name=cut.name, global_start_time=_rt(cut.start, cut.rate))
    groups: dict[tuple[str, int], list[CutClip | CutGap]] = {}
    for clip in cut.clips:
        groups.setdefault((clip.kind, clip.channel), []).append(clip)
    for gap in cut.gaps:
        groups.setdefault((VIDEO, gap.channel), []).append(gap)
    for kind in (VIDEO, AUDIO):
        for (group_kind, channel), items in sorted(groups.items(), key=lambda kv: kv[0][1]):
            if group_kind == kind:
                timeline.tracks.append(_track(cut, channel, kind, items, export_dir))
    for gap in cut.gaps:
        timeline.tracks.markers.append(otio.schema.Marker(
            name=gap.note, marked_range=_range(gap.record_start - cut.start, gap.record_duration, cut.rate),
            color=otio.schema.MarkerColor.RED, metadata={METADATA_KEY: dict(gap.metadata)},
        ))
    return timeline


def _single_picture_track(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """A CMX 3600 EDL has one picture track: the picture tracks flattened as they play (top wins).

    The EDL adapter writes the picture track's events only (and refuses more than two sound tracks),
    so sound stays in the OTIO and FCP XML exports.
    """
    flat = otio.schema.Timeline(name=timeline.name, global_start_time=timeline.global_start_time)
    video = [t.clone() for t in timeline.video_tracks()]
    if video:
        track = otio.algorithms.flatten_stack(video)
        track.name = "Picture"
        flat.tracks.append(track)
    return flat


def write(cut: Cut, filepath: str, fmt: str) -> otio.schema.Timeline:
    """Write ``cut`` to ``filepath`` in ``fmt`` (a key of :data:`FORMATS`) in one step; returns what was written.

    Raises ``ValueError`` for an unknown format and OpenTimelineIO's errors for what a format cannot hold.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown cut format {fmt!r}: use one of {', '.join(FORMATS)}")
    adapter, _ext = FORMATS[fmt]
    folder = os.path.dirname(os.path.abspath(filepath))
    timeline = build_timeline(cut, folder)
    if fmt == "EDL":
        timeline = _single_picture_track(timeline)
    os.makedirs(folder, exist_ok=True)
    # A fresh name of our own made with 0o666 (the umask decides, as for any file the user writes): a
    # mkstemp file is 0600 and the rename would keep that, so another user's editor could not read the cut.
    tmp = os.path.join(folder, f".cut.{uuid.uuid4().hex}{FORMATS[fmt][1]}")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        otio.adapters.write_to_file(timeline, tmp, adapter_name=adapter)
        os.replace(tmp, filepath)  # an editor never opens a half-written cut
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return timeline
