"""The shot's soundtrack: the user's sound strips under its range, cut to exactly that range per speaker.

Reading the strips (which ones, where their sound lies in the source files) is plain-value planning on
the main thread. The cut files are written by a worker thread (Blender's audaspace decodes whatever the
sequencer plays; the result is a 16 kHz mono WAV with silence where the speaker does not talk), and the
job is handed to WanGP once its cuts are on disk (``runtime.submit`` asks :func:`waiting`). The user's
strips are only read; a take's own sound (tagged ``md_shot_key``) is never taken for dialogue.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass

import bpy
import numpy as np

from .. import compat
from ..wangp_backend.cast_spec import DialogueLine
from . import paths, timeline

#: WanGP's talking models resample to 16 kHz mono (wav2vec); cutting there keeps the files small.
RATE = 16000


class SoundtrackError(Exception):
    """The sound under a shot cannot be cut; the message says what to fix."""


@dataclass(frozen=True)
class Piece:
    """Part of one strip's sound inside the shot: ``length_s`` seconds of ``source`` from ``source_start_s``,
    placed ``at_s`` seconds after the shot's first frame."""

    source: str
    source_start_s: float
    length_s: float
    at_s: float
    volume: float
    strip: str


@dataclass(frozen=True)
class Cut:
    path: str
    duration_s: float
    speaker: str
    pieces: tuple[Piece, ...]

    def line(self) -> DialogueLine:
        # The source by its place in the project (``//...``): a moved project's line is the same line.
        made_of = [(paths.stored(p.source), round(p.source_start_s, 4), round(p.length_s, 4), round(p.at_s, 4),
                    round(p.volume, 4), _mtime(p.source)) for p in self.pieces]
        return DialogueLine(path=self.path, duration_s=self.duration_s, speaker=self.speaker,
                            strips=tuple(dict.fromkeys(p.strip for p in self.pieces)),
                            fingerprint=hashlib.sha256(json.dumps(made_of).encode()).hexdigest()[:16])


def _mtime(path: str) -> float:
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0


def _speaker(strip, cast) -> str:
    for character in cast:
        if character.voice_channel and strip.channel == character.voice_channel:
            return character.name
    name = strip.name.lower()
    return next((c.name for c in cast if c.name.lower() in name), "")


#: Within :func:`one_read_of_voices`, each scene's voice strips, read once (a Generate Scene click plans every shot:
#: reading a 1,000-strip edit per shot cost 0.3 s for 500 shots).
_voices_read: dict[int, list] | None = None


@contextlib.contextmanager
def one_read_of_voices() -> Iterator[None]:
    """Plan many shots' cuts from one read of the edit's sound strips (nothing may change them meanwhile)."""
    global _voices_read
    outer = _voices_read
    _voices_read = {} if outer is None else outer
    try:
        yield
    finally:
        _voices_read = outer


def _voices(scene: bpy.types.Scene, editor) -> list:
    """The sound strips that may hold dialogue: unmuted, with a sound, not one of our takes."""
    if _voices_read is not None and scene.as_pointer() in _voices_read:
        return _voices_read[scene.as_pointer()]
    voices = [strip for strip in compat.strips(editor)
              if strip.type == "SOUND" and not strip.mute and not strip.get("md_shot_key") and strip.sound is not None]
    if _voices_read is not None:
        _voices_read[scene.as_pointer()] = voices
    return voices


def plan_cuts(
    scene: bpy.types.Scene, shot_obj: bpy.types.Object, input_dir: str, stem: str, speakers: list[str]
) -> tuple[Cut, ...]:
    """One cut per speaker of the sound strips under the shot (named speakers in ``speakers`` order, then the
    unnamed voices together). Raises SoundtrackError for a strip whose file is missing."""
    editor = scene.sequence_editor
    if editor is None:
        return ()
    shot = shot_obj.movie_director
    fps = timeline.scene_fps(scene)
    start, end = shot.frame_start, shot.frame_end + 1
    duration = (end - start) / fps
    by_speaker: dict[str, list[Piece]] = {}
    for strip in _voices(scene, editor):
        a, b = max(start, compat.left_handle(strip)), min(end, compat.right_handle(strip))
        if b <= a:
            continue
        source = os.path.abspath(bpy.path.abspath(strip.sound.filepath))
        if not os.path.isfile(source):
            raise SoundtrackError(f"The sound strip {strip.name} plays a file that does not exist: {source}")
        offset = float(getattr(strip, "sound_offset", 0.0) or 0.0)
        piece = Piece(source=source, source_start_s=(a - compat.content_start(strip)) / fps + offset,
                      length_s=(b - a) / fps, at_s=(a - start) / fps, volume=float(strip.volume), strip=strip.name)
        by_speaker.setdefault(_speaker(strip, scene.movie_director.cast), []).append(piece)
    order = [name for name in speakers if name in by_speaker]
    order += sorted(name for name in by_speaker if name and name not in order)
    order += [""] if "" in by_speaker else []
    cuts = []
    for index, name in enumerate(order):
        safe = "".join(ch if ch.isalnum() else "_" for ch in name) or "voice"
        path = os.path.join(input_dir, f"{stem}_dialogue_{index + 1}_{safe}.wav")
        cuts.append(Cut(path=path, duration_s=duration, speaker=name, pieces=tuple(by_speaker[name])))
    return tuple(cuts)


def write_cut(cut: Cut) -> None:
    """Decode each piece (audaspace), mix them at their places into ``duration_s`` of 16 kHz mono, write a WAV."""
    import aud

    total = round(cut.duration_s * RATE)
    mix = np.zeros(total, dtype=np.float64)
    for piece in cut.pieces:
        sound = aud.Sound(piece.source)
        rate = float(sound.specs[0])
        data = np.asarray(sound.limit(piece.source_start_s, piece.source_start_s + piece.length_s).data(),
                          dtype=np.float64)
        if data.ndim == 2:
            data = data.mean(axis=1)
        count = round(piece.length_s * RATE)
        if not len(data) or not count:
            continue
        # Linear resampling to 16 kHz: enough for speech, and no dependency beyond numpy.
        samples = np.interp(np.arange(count) * rate / RATE, np.arange(len(data)), data, right=0.0)
        first = round(piece.at_s * RATE)
        last = min(total, first + count)
        mix[first:last] += samples[: last - first] * piece.volume
    pcm = (np.clip(mix, -1.0, 1.0) * 32767).astype("<i2")
    os.makedirs(os.path.dirname(cut.path), exist_ok=True)
    partial = cut.path + ".part"
    with wave.open(partial, "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(RATE)
        fh.writeframes(pcm.tobytes())
    os.replace(partial, cut.path)


_lock = threading.Lock()
#: cut path -> "" while being written, "ok" when on disk, else the error sentence
_state: dict[str, str] = {}


def start(cuts: tuple[Cut, ...]) -> None:
    """Write ``cuts`` on a worker thread (the click returns at once)."""
    if not cuts:
        return
    with _lock:
        for cut in cuts:
            _state[cut.path] = ""

    def work() -> None:
        for cut in cuts:
            try:
                write_cut(cut)
                result = "ok"
            except (OSError, RuntimeError, ValueError, wave.Error) as exc:
                result = f"Could not cut the sound under the shot from {cut.pieces[0].strip}: {exc}"
            with _lock:
                _state[cut.path] = result

    threading.Thread(target=work, name="movie-director-dialogue-cut", daemon=True).start()


def waiting(paths: tuple[str, ...]) -> bool:
    with _lock:
        return any(_state.get(path) == "" for path in paths)


def problem(paths: tuple[str, ...]) -> str:
    """The first failed cut's sentence ("" when all are written or were never cut here)."""
    with _lock:
        return next((_state[p] for p in paths if _state.get(p) not in (None, "", "ok")), "")


def forget(paths: tuple[str, ...]) -> None:
    with _lock:
        for path in paths:
            _state.pop(path, None)


def discard_unsent(paths: tuple[str, ...], settings: dict) -> None:
    """Remove the cuts the built settings do not send (a model without audio input, a refused shot):
    a dialogue file nobody uses would be an orphan in the take folder."""
    sent = {settings.get("audio_guide"), settings.get("audio_guide2")}
    for path in paths:
        if path not in sent and os.path.isfile(path):
            os.remove(path)
