"""What Blender and the farm say to each other over HTTP, in plain data (both sides import this).

Standard library and numpy only: Blender's Python has both, WanGP's environment too. The farm's job id
is derived from the shot and the take (:func:`job_id_for`), so submitting the same take twice, or again
after Blender restarted, names the same farm job: every submit is idempotent.
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

API = "/v1"
#: A settings value naming an uploaded input: ``farm-blob:<sha256>/<file name>``.
BLOB_PREFIX = "farm-blob:"
#: Previews travel small: WanGP's preview is downscaled to this side on the worker.
PREVIEW_MAX_SIDE = 320
#: Job states on the farm; ``done``, ``failed`` and ``cancelled`` are final.
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
FINAL_STATES = frozenset({"done", "failed", "cancelled"})
CHUNK = 1 << 20


def job_id_for(shot_key: str, take_dir: str, take_name: str) -> str:
    """The farm job id of one take of one shot (the same on every submit of it)."""
    digest = hashlib.sha256(f"{shot_key}\n{take_dir}\n{take_name}".encode()).hexdigest()
    return f"farm-{digest[:20]}"


def file_digest(path: str) -> tuple[int, str]:
    """``(size, sha256 hex)`` of a file, read in chunks."""
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()


def _walk(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_walk(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, fn) for k, v in value.items()}
    return value


def media_files(settings: dict[str, Any]) -> list[str]:
    """The input files a job's settings name (absolute paths of files on this machine), each once."""
    found: list[str] = []

    def note(text: str) -> str:
        if os.path.isabs(text) and text not in found and os.path.isfile(text):
            found.append(text)
        return text

    _walk(settings, note)
    return found


def rewrite_paths(settings: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """``settings`` with every string found in ``mapping`` replaced (inputs to blobs, or blobs back)."""
    return _walk(settings, lambda text: mapping.get(text, text))


def blob_ref(sha: str, path: str) -> str:
    return f"{BLOB_PREFIX}{sha}/{os.path.basename(path)}"


def blob_refs(settings: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """``(ref, sha256, file name)`` of every uploaded input a farm job's settings name."""
    seen: list[str] = []

    def note(text: str) -> str:
        if text.startswith(BLOB_PREFIX) and text not in seen:
            seen.append(text)
        return text

    _walk(settings, note)
    for ref in seen:
        sha, _, name = ref[len(BLOB_PREFIX):].partition("/")
        yield ref, sha, name


@dataclass(frozen=True)
class PathMap:
    """A studio's shared storage: ``local`` prefix here is ``remote`` on the farm; such files are not uploaded."""

    pairs: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> PathMap:
        """``"/mnt/proj=/srv/proj; D:/shots=/srv/shots"``; raises ``ValueError`` naming a bad pair."""
        pairs = []
        for part in filter(None, (p.strip() for p in text.split(";"))):
            local, sep, remote = part.partition("=")
            if not sep or not local.strip() or not remote.strip():
                raise ValueError(f"a path mapping must read local=remote, got {part!r}")
            pairs.append((local.strip().rstrip("/\\"), remote.strip().rstrip("/\\")))
        return cls(tuple(pairs))

    def to_farm(self, path: str) -> str | None:
        for local, remote in self.pairs:
            if path == local or path.startswith(local + "/") or path.startswith(local + "\\"):
                return remote + path[len(local):].replace("\\", "/")
        return None


def encode_preview(pixels: np.ndarray, width: int, height: int, max_side: int = PREVIEW_MAX_SIDE) -> dict[str, Any]:
    """A preview (float RGBA, rows bottom-up) as small plain data: downscaled 8-bit RGBA, zlib, base64."""
    image = np.asarray(pixels, dtype=np.float32).reshape(height, width, 4)
    stride = max(1, -(-max(width, height) // max_side))
    small = np.clip(image[::stride, ::stride] * 255.0 + 0.5, 0, 255).astype(np.uint8)
    h, w = small.shape[:2]
    data = base64.b64encode(zlib.compress(np.ascontiguousarray(small).tobytes(), 6)).decode("ascii")
    return {"width": w, "height": h, "data": data}


def decode_preview(preview: dict[str, Any]) -> tuple[int, int, np.ndarray]:
    """Inverse of :func:`encode_preview`: ``(width, height, flat float32 RGBA bottom-up)``."""
    width, height = int(preview["width"]), int(preview["height"])
    raw = zlib.decompress(base64.b64decode(preview["data"]))
    pixels = np.frombuffer(raw, dtype=np.uint8).astype(np.float32) / 255.0
    if pixels.size != width * height * 4:
        raise ValueError(f"a preview of {width}x{height} came with {pixels.size} values")
    return width, height, pixels
