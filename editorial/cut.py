"""What the sequencer shows, as plain values: tracks of clips and marked gaps, in scene frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VIDEO, AUDIO = "video", "audio"


@dataclass(frozen=True)
class CutClip:
    """One visible strip, cut to what plays.

    :param channel: the sequencer channel; ``kind`` splits a channel holding pictures and sound.
    :param record_start: first scene frame it plays at; ``record_duration`` frames (scene rate).
    :param media_path: absolute path of its media, "" for generated pictures (colour, text, scene strips).
    :param media_rate: frames per second of the media (a 16 fps Wan clip keeps 16 here).
    :param source_first: first media frame used (after trims); ``source_count`` media frames are used.
    :param media_frames: the whole media's length in media frames (0 when unknown).
    :param generator: the strip type for a clip without media ("COLOR", "TEXT", "SCENE"...), else "".
    :param metadata: plain values kept with the clip where the format can hold them.
    """

    name: str
    channel: int
    kind: str
    record_start: int
    record_duration: int
    media_path: str = ""
    media_rate: float = 0.0
    source_first: float = 0.0
    source_count: float = 0.0
    media_frames: float = 0.0
    generator: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def speed(self, rate: float) -> float:
        """Media seconds per record second at scene ``rate`` (1.0: real speed, whatever the two frame rates)."""
        if not self.media_rate or not self.record_duration:
            return 1.0
        return (self.source_count / self.media_rate) / (self.record_duration / rate)


@dataclass(frozen=True)
class CutGap:
    """Frames of a track with nothing on them on purpose: a shot without a take, marked with ``note``."""

    channel: int
    record_start: int
    record_duration: int
    note: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Cut:
    """The scene's cut: frames ``start``..``start + duration - 1`` at ``rate`` fps."""

    name: str
    rate: float
    start: int
    duration: int
    clips: tuple[CutClip, ...]
    gaps: tuple[CutGap, ...] = ()
    channel_names: dict[int, str] = field(default_factory=dict)
    #: strips left out, one line each (effects that only combine other strips)
    left_out: tuple[str, ...] = ()
