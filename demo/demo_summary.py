"""The demo's per-shot summary: what each shot produced and where it sits on the timeline."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import bpy

COLUMNS = ("shot", "frames", "generator / model", "status", "take file", "strip ch/start/len")
ANIMATIC_MODEL = "layout_animatic"


@dataclass(frozen=True)
class ShotRow:
    shot: str
    frames: str
    generator: str
    status: str
    take_file: str
    strip: str
    ok: bool
    #: why the shot failed, with the hint (printed under the table: it is too long for a cell)
    error: str = ""

    def cells(self) -> tuple[str, ...]:
        return self.shot, self.frames, self.generator, self.status, self.take_file, self.strip


def _generator(model_type: str, worker: str = "") -> str:
    if model_type == ANIMATIC_MODEL:
        return "layout animatic (Blender render, not AI)"
    on = f" on {worker}" if worker else ""
    return f"WanGP {model_type}{on}" if model_type else "-"


def _worker(sidecar: str) -> str:
    """The farm worker that made the take (farm mode records it in the sidecar), else ""."""
    try:
        with open(sidecar, encoding="utf-8") as fh:
            return str(json.load(fh).get("worker", ""))
    except (OSError, ValueError):
        return ""


def shot_rows(scene: bpy.types.Scene, strips: list[Any], out_dir: str, compat: Any) -> list[ShotRow]:
    """One row per shot of ``scene``, in timeline order; ``strips`` are the scene's sequencer strips, read
    through the add-on's ``compat`` (the strip timing names of the running Blender)."""
    shots = sorted((o for o in scene.objects if o.movie_director.is_shot), key=lambda o: o.movie_director.frame_start)
    rows = []
    for obj in shots:
        shot = obj.movie_director
        take = shot.takes[shot.active_take_index] if 0 <= shot.active_take_index < len(shot.takes) else None
        clip = bpy.path.abspath(take.filepath) if take else ""
        strip = next((s for s in strips if s.get("md_shot_id") == shot.shot_id and s.type == "MOVIE"
                      and not s.get("md_guide")), None)
        rows.append(ShotRow(
            shot=obj.name,
            frames=f"{shot.frame_start}-{shot.frame_end} ({shot.frame_end - shot.frame_start + 1})",
            generator=_generator(take.model_type if take else "",
                                 _worker(bpy.path.abspath(take.sidecar_path)) if take else ""),
            status=shot.generation_status,
            take_file=os.path.relpath(clip, out_dir) if clip else "-",
            strip=f"{strip.channel}/{compat.left_handle(strip)}/{compat.duration(strip)}" if strip else "-",
            ok=shot.generation_status == "done" and bool(clip) and os.path.isfile(clip) and strip is not None,
            error=f"{shot.error_message} {shot.error_hint}".strip(),
        ))
    return rows


def table(rows: list[ShotRow]) -> str:
    """A plain-text table with a header line, aligned columns and no trailing spaces."""
    lines = [COLUMNS, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    rendered = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
                for line in lines]
    rendered.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(rendered)
