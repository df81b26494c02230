"""Draw the sidebar layouts recorded by tests/blender/test_sidebar_layout.py as PNG pictures, roughly
in Blender's dark theme, so a reader sees the UI without Blender.

    bash tools/sidebar_pictures.sh      # runs both steps below
    MD_SIDEBAR_DUMP=/tmp/sidebar .venv-bpy/bin/python -m pytest tests/blender/test_sidebar_layout.py
    .venv-wangp/bin/python tools/sidebar_pictures.py /tmp/sidebar docs/sidebar

Geometry and cut texts come from the recording (Blender's own font metrics, see
tests/blender/sidebar_model.py); this only paints boxes and text with Pillow. Icons are drawn as
small marks (a check, a warning sign, a dot), not Blender's icon set.
"""

from __future__ import annotations

import json
import os
import sys

from PIL import Image, ImageDraw, ImageFont

SCALE = 2
TABS = 20
THEME = {
    "region": (48, 48, 48),
    "tabs": (35, 35, 35),
    "tab": (61, 61, 61),
    "header": (61, 61, 61),
    "subheader": (56, 56, 56),
    "panel": (56, 56, 56),
    "box": (48, 48, 48),
    "box_line": (76, 76, 76),
    "button": (84, 84, 84),
    "button_line": (36, 36, 36),
    "field": (29, 29, 29),
    "menu": (40, 40, 40),
    "on": (71, 114, 179),
    "list": (40, 40, 40),
    "highlight": (60, 80, 110),
    "text": (224, 224, 224),
    "dim": (140, 140, 140),
    "alert": (255, 96, 96),
    "fold": (230, 80, 60),
}
ICON_COLOURS = {
    "ERROR": (240, 170, 40),
    "CHECKMARK": (120, 200, 110),
    "CHECKBOX_HLT": (120, 200, 110),
    "CANCEL": (230, 90, 90),
    "INFO": (120, 160, 230),
}


def font(size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size * SCALE)


FONT = font(11)
SMALL = font(9)


def box(draw: ImageDraw.ImageDraw, el: dict, fill, outline=None, radius: float = 3) -> None:
    x, y, w, h = (v * SCALE for v in (el["x"], el["y"], el["w"], el["h"]))
    draw.rounded_rectangle((x + SCALE, y + SCALE, x + w - SCALE, y + h - SCALE), radius * SCALE, fill=fill,
                           outline=outline)


def colour(el: dict, base=THEME["text"]):
    c = THEME["alert"] if el.get("alert") else base
    if el.get("inactive") or el.get("disabled"):
        c = tuple(int(v * 0.55 + 48 * 0.45) for v in c)
    return c


def fitted(text: str, room: float) -> str:
    """Blender's middle cut ("Set the WanGP fo...ences") for a text wider than ``room``."""
    if FONT.getlength(text) <= room * SCALE:
        return text
    keep = len(text)
    while keep > 2 and FONT.getlength(text[: keep // 2] + "..." + text[len(text) - keep // 2:]) > room * SCALE:
        keep -= 1
    return text[: keep // 2] + "..." + text[len(text) - keep // 2:]


def icon(draw: ImageDraw.ImageDraw, name: str, x: float, y: float) -> float:
    """A mark for ``name`` at (x, y) (top-left of a 20 px cell); returns the width it took."""
    if not name or name == "NONE":
        return 0
    if name == "BLANK1":
        return 20
    cx, cy = (x + 10) * SCALE, (y + 10) * SCALE
    r = 5 * SCALE
    c = ICON_COLOURS.get(name, (170, 170, 170))
    if name in ("CHECKBOX_HLT", "CHECKBOX_DEHLT"):
        draw.rounded_rectangle((cx - r, cy - r, cx + r, cy + r), 2 * SCALE, fill=THEME["field"], outline=(90, 90, 90))
        if name == "CHECKBOX_HLT":
            draw.line((cx - r + 3 * SCALE, cy, cx - 1 * SCALE, cy + 3 * SCALE, cx + r - 2 * SCALE, cy - 3 * SCALE),
                      fill=c, width=2 * SCALE)
    elif name == "ERROR":
        draw.polygon(((cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)), fill=c)
    elif name == "CHECKMARK":
        draw.line((cx - r, cy, cx - 1 * SCALE, cy + r - SCALE, cx + r, cy - r), fill=c, width=2 * SCALE)
    elif name in ("RADIOBUT_ON", "RADIOBUT_OFF"):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(150, 150, 150), width=SCALE)
        if name == "RADIOBUT_ON":
            draw.ellipse((cx - r / 2, cy - r / 2, cx + r / 2, cy + r / 2), fill=THEME["text"])
    else:
        draw.ellipse((cx - r * 0.7, cy - r * 0.7, cx + r * 0.7, cy + r * 0.7), fill=c)
    return 20


def text_at(draw, x: float, y: float, text: str, fill, anchor: str = "lm", fnt=None) -> None:
    draw.text((x * SCALE, (y + 10) * SCALE), text, fill=fill, font=fnt or FONT, anchor=anchor)


def paint(el: dict, draw: ImageDraw.ImageDraw) -> None:
    kind = el["kind"]
    x, y, w = el["x"], el["y"], el["w"]
    if kind == "header":
        fill = THEME["subheader"] if el["depth"] else THEME["header"]
        draw.rectangle((x * SCALE, y * SCALE, (x + w) * SCALE, (y + el["h"]) * SCALE - SCALE), fill=fill)
        tx = x + 8 + (8 if el["depth"] else 0)
        open_ = el["value"] == "open"
        ax, ay = (tx + 4) * SCALE, (y + 12) * SCALE
        arrow = ((ax - 4 * SCALE, ay - 2 * SCALE), (ax + 4 * SCALE, ay - 2 * SCALE), (ax, ay + 3 * SCALE)) if open_ \
            else ((ax - 2 * SCALE, ay - 4 * SCALE), (ax + 3 * SCALE, ay), (ax - 2 * SCALE, ay + 4 * SCALE))
        draw.polygon(arrow, fill=THEME["dim"])
        text_at(draw, tx + 14, y + 2, el["text"], THEME["text"])
        return
    if kind == "box":
        box(draw, el, THEME["box"], THEME["box_line"])
        return
    if kind == "list":
        box(draw, el, THEME["list"], THEME["box_line"])
        return
    if kind == "highlight":
        box(draw, el, THEME["highlight"])
        return
    if kind == "image":
        box(draw, el, (70, 84, 100))
        text_at(draw, x + w / 2, y + el["h"] / 2 - 10, "live preview", THEME["text"], "mm")
        return
    if kind == "progress":
        box(draw, el, THEME["field"])
        filled = dict(el, w=max(6.0, el["w"] * float(el["value"] or 0)))
        box(draw, filled, THEME["on"])
        text_at(draw, x + w / 2, y, fitted(el["text"], el["room"]), THEME["text"], "mm")
        return
    if kind in ("button", "toggle", "menu"):
        on = kind == "toggle" and el["value"] == "on"
        if el.get("emboss", True):
            fill = THEME["on"] if on else THEME["menu"] if kind == "menu" else THEME["button"]
            box(draw, el, fill, THEME["button_line"])
        text = fitted(el["text"], el["room"])
        ix = x + 4
        if kind == "menu":
            ix += icon(draw, el["icon"], ix, y)
            text_at(draw, ix + 2, y, text, colour(el))
            return
        tw = FONT.getlength(text) / SCALE + (20 if el["icon"] not in ("", "NONE") else 0)
        start = x + (w - tw) / 2 if el.get("emboss", True) else x + 4
        start += icon(draw, el["icon"], start, y)
        text_at(draw, start, y, text, colour(el))
        return
    if kind == "label":
        text = fitted(el["text"], el["room"])
        if el.get("right"):
            text_at(draw, x + w - 4, y, text, colour(el, THEME["dim"]), "rm")
            return
        ix = x + 2 + icon(draw, el["icon"], x + 2, y)
        text_at(draw, ix + 3, y, text, colour(el))
        return
    if kind == "checkbox":
        cx = x + 2
        mark = {"kind": "box", "x": cx + 3, "y": y + 3, "w": 14, "h": 14}
        box(draw, mark, THEME["on"] if el["value"] == "on" else THEME["field"], (90, 90, 90))
        if el["label"] and el["room"]:
            text_at(draw, x - 6, y, fitted(el["label"], el["room"] - 10), colour(el, THEME["dim"]), "rm")
        elif el["text"]:
            text_at(draw, cx + 22, y, fitted(el["text"], el["room"] - 20), colour(el))
        return
    if kind == "field":
        box(draw, el, THEME["field"])
        if el["room"] and el["label"]:  # a split property: its label, right-aligned, on the left
            text_at(draw, x - 6, y, fitted(el["label"], el["room"] - 10), colour(el, THEME["dim"]), "rm")
        value = el["value"] or el.get("placeholder", "")
        fill = colour(el) if el["value"] else THEME["dim"]
        text_at(draw, x + 6, y, fitted(value, w - 12), fill)
        return
    raise ValueError(f"cannot paint {kind}")


def render(layout: dict, out_path: str) -> None:
    width = layout["width"]
    height = max(layout["height"] + 12, layout["visible_height"] + 24)
    image = Image.new("RGB", (width * SCALE, int(height * SCALE)), THEME["region"])
    draw = ImageDraw.Draw(image)
    content = width - TABS
    draw.rectangle(((content) * SCALE, 0, width * SCALE, height * SCALE), fill=THEME["tabs"])
    tab = Image.new("RGBA", (120 * SCALE, 18 * SCALE), THEME["tab"] + (255,))
    ImageDraw.Draw(tab).text((60 * SCALE, 9 * SCALE), "Movie Director", font=SMALL, fill=THEME["text"], anchor="mm")
    image.paste(tab.rotate(90, expand=True), ((content + 1) * SCALE, 8 * SCALE))
    # Panels span the region width left of the tabs, with 4 px margins (the layout starts 8 px in).
    for el in layout["elements"]:
        if el["kind"] == "header":
            el = dict(el, x=4, w=content - 8)
        paint(el, draw)
    fold = layout["visible_height"] * SCALE
    for start in range(0, width * SCALE, 12 * SCALE):
        draw.line((start, fold, start + 7 * SCALE, fold), fill=THEME["fold"], width=SCALE)
    text_at(draw, 6, layout["visible_height"] + 1, "fold: 700 px visible at 1920x1080", THEME["fold"], fnt=SMALL)
    # A 128-colour palette keeps the anti-aliased text and makes the committed files a third as big.
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=128).save(out_path, optimize=True)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    source, target = argv[1], argv[2]
    os.makedirs(target, exist_ok=True)
    # The Sequencer draws the same panels for the clicked clip's shot (the test asserts it): the
    # 3D View's pictures stand for both.
    names = sorted(n for n in os.listdir(source) if n.endswith("_view3d.json"))
    for name in names:
        with open(os.path.join(source, name), encoding="utf-8") as fh:
            layout = json.load(fh)
        render(layout, os.path.join(target, name[:-5] + ".png"))
    print(f"{len(names)} pictures in {target}")
    return 0 if names else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
