"""Draw a contact sheet: one row per shot with the first, middle and last frame of its active take.

Runs as a script in WanGP's Python environment (``python contact_sheet.py SPEC.json``), which has
Pillow and imageio-ffmpeg: Blender has neither, and decoding clips and drawing text there would hold
its main thread. Frames come out of ffmpeg already scaled, three per clip in one decode pass.
Only the standard library is imported at module level so the Blender side can build the spec from
the same module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Any

THUMB_W, THUMB_H = 256, 144
LABEL_W = 300
PAD = 8
HEADER_H = 36
BACKGROUND = (24, 24, 24)
EMPTY = (60, 60, 60)
TEXT = (235, 235, 235)
DIM = (160, 160, 160)
APPROVED = (110, 210, 110)


@dataclass(frozen=True)
class SheetRow:
    """One shot. ``clip`` is empty for a shot without a take; ``frame_count`` 0 means "count them"."""

    shot: str
    clip: str = ""
    take_number: int = 0
    take_count: int = 0
    model_type: str = ""
    seed: int = 0
    approved: bool = False
    rating: int = 0
    frame_count: int = 0


def write_spec(path: str, title: str, out: str, rows: list[SheetRow]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"title": title, "out": out, "rows": [asdict(row) for row in rows]}, fh)


def frame_indices(frame_count: int) -> tuple[int, int, int]:
    last = max(0, frame_count - 1)
    return 0, last // 2, last


def extract_frames(clip: str, frame_count: int) -> list[bytes]:
    """The first, middle and last frame of ``clip`` as RGB bytes of ``THUMB_W x THUMB_H`` (letterboxed)."""
    import imageio_ffmpeg

    if frame_count <= 0:
        frame_count = imageio_ffmpeg.count_frames_and_secs(clip)[0]
    wanted = sorted(set(frame_indices(frame_count)))
    select = "+".join(f"eq(n\\,{n})" for n in wanted)
    scale = (f"scale={THUMB_W}:{THUMB_H}:force_original_aspect_ratio=decrease,"
             f"pad={THUMB_W}:{THUMB_H}:(ow-iw)/2:(oh-ih)/2")
    head = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", clip, "-vf", f"select='{select}',{scale}"]
    tail = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    # Keep the selected frames as they are: "-fps_mode" since ffmpeg 5.1, "-vsync" (removed in 8) before.
    done = subprocess.run([*head, "-fps_mode", "passthrough", *tail], capture_output=True, check=False)
    if done.returncode != 0 and b"fps_mode" in done.stderr:
        done = subprocess.run([*head, "-vsync", "0", *tail], capture_output=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"ffmpeg exit code {done.returncode}")
    size = THUMB_W * THUMB_H * 3
    frames = [done.stdout[i:i + size] for i in range(0, len(done.stdout) - size + 1, size)]
    by_index = dict(zip(wanted, frames, strict=False))  # a short clip gives fewer
    return [by_index.get(n, b"") for n in frame_indices(frame_count)]


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow before 10.1 has one bitmap size
        return ImageFont.load_default()


def row_lines(row: SheetRow) -> list[tuple[str, tuple[int, int, int]]]:
    if not row.clip:
        return [(row.shot, TEXT), ("no take yet", DIM)]
    lines = [
        (row.shot, TEXT),
        # The file's number (a deleted take leaves a gap): "take 3 of 2" would read as an error.
        (f"take {row.take_number} ({row.take_count} {'take' if row.take_count == 1 else 'takes'})", DIM),
        (f"model {row.model_type}", DIM),
        (f"seed {row.seed}", DIM),
        ("APPROVED (locked)" if row.approved else "not approved", APPROVED if row.approved else DIM),
    ]
    if row.rating:
        lines.append((f"rating {row.rating}/5", DIM))
    return lines


def render(title: str, rows: list[SheetRow], out: str) -> list[str]:
    """Draw the sheet into the PNG ``out``; returns one line per clip that could not be read."""
    from PIL import Image, ImageDraw

    width = LABEL_W + 3 * (THUMB_W + PAD) + PAD
    row_h = THUMB_H + PAD
    sheet = Image.new("RGB", (width, HEADER_H + max(1, len(rows)) * row_h + PAD), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    big, small = _font(18), _font(14)
    draw.text((PAD, PAD), title, fill=TEXT, font=big)
    problems: list[str] = []
    for r, row in enumerate(rows):
        top = HEADER_H + r * row_h
        y = top + 4
        for i, (text, colour) in enumerate(row_lines(row)):
            draw.text((PAD, y), text, fill=colour, font=big if i == 0 else small)
            y += 24 if i == 0 else 18
        frames: list[bytes] = [b"", b"", b""]
        if row.clip:
            try:
                frames = extract_frames(row.clip, row.frame_count)
            except (OSError, RuntimeError) as exc:
                problems.append(f"{row.shot}: {row.clip} could not be read ({exc})")
        for i, data in enumerate(frames):
            left = LABEL_W + PAD + i * (THUMB_W + PAD)
            if data:
                sheet.paste(Image.frombytes("RGB", (THUMB_W, THUMB_H), data), (left, top))
            else:
                draw.rectangle((left, top, left + THUMB_W - 1, top + THUMB_H - 1), fill=EMPTY)
    folder = os.path.dirname(os.path.abspath(out))
    os.makedirs(folder, exist_ok=True)
    tmp = out + ".tmp.png"
    sheet.save(tmp, "PNG")
    os.replace(tmp, out)  # a viewer never opens a half-written sheet
    return problems


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    rows = [SheetRow(**row) for row in spec["rows"]]
    problems = render(spec["title"], rows, spec["out"])
    for line in problems:
        sys.stderr.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
