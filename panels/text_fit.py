"""Fit sidebar text to the sidebar's real width: Blender cuts a label that is too long in its middle
("Set the WanGP fo...ences") instead of wrapping it, so long sentences are split into several labels.

Widths are in pixels at UI scale 1 (the region's pixel width divided by the UI scale), measured with
Blender's own UI font through ``blf`` at the widget font size of the user's theme style. The chrome
figures are Blender's UI metrics at scale 1 (one widget unit = 20 px): the category tab column, the
panel's margins and a box's padding; they are rounded up so a line never reaches the edge.
"""

from __future__ import annotations

import bpy

#: Region width assumed when there is none (headless drawing): Blender's narrowest usual sidebar.
DEFAULT_REGION_WIDTH = 220
#: Category tab column (one widget unit) + the panel's outer margins and inner padding (the scroll bar
#: overlaps the panels and takes no width).
REGION_CHROME = 20 + 2 * 4 + 2 * 8
#: What a box takes from the width inside it (its padding on both sides).
BOX_PADDING = 2 * 6
#: An icon in front of a label, and the label's own text insets.
ICON_WIDTH = 20
TEXT_INSET = 2 * 5
#: Characters per pixel for builds where ``blf`` cannot measure (an average of Blender's UI font).
FALLBACK_CHAR_WIDTH = 6.6
#: Blender's default widget font size in points (the theme may change it).
DEFAULT_POINTS = 11.0


def ui_scale(context: bpy.types.Context) -> float:
    """Pixels per UI unit pixel: the effective scale (``system.ui_scale`` is 0 headless)."""
    prefs = getattr(context, "preferences", None) or bpy.context.preferences
    return float(prefs.system.ui_scale or prefs.view.ui_scale or 1.0)


def widget_points(context: bpy.types.Context) -> float:
    prefs = getattr(context, "preferences", None) or bpy.context.preferences
    styles = prefs.ui_styles
    return float(styles[0].widget.points) if len(styles) else DEFAULT_POINTS


def region_width(context: bpy.types.Context) -> float:
    """The sidebar's width in pixels at UI scale 1."""
    region = getattr(context, "region", None)
    if region is None or not region.width:
        return float(DEFAULT_REGION_WIDTH)
    return region.width / ui_scale(context)


def panel_width(context: bpy.types.Context) -> float:
    """The width a panel's layout gets (pixels at UI scale 1)."""
    return max(60.0, region_width(context) - REGION_CHROME)


def text_width(text: str, points: float = DEFAULT_POINTS) -> float:
    """The width of ``text`` in Blender's UI font at ``points`` (pixels at UI scale 1)."""
    try:
        import blf

        blf.size(0, points)
        return float(blf.dimensions(0, text)[0])
    except (ImportError, RuntimeError, ValueError):
        return len(text) * FALLBACK_CHAR_WIDTH * points / DEFAULT_POINTS


def wrap(text: str, width: float, points: float = DEFAULT_POINTS) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels, broken between words (a word longer than a
    line, such as a path, is broken between characters)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, points) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while text_width(line, points) > width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and text_width(line[:cut], points) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines or [""]


class Fit:
    """What a panel's draw needs to wrap text: its width and the font size, read once per draw."""

    def __init__(self, context: bpy.types.Context) -> None:
        self.width = panel_width(context)
        self.points = widget_points(context)

    def columns(self, labels: list[str], most: int) -> int:
        """How many equal columns (up to ``most``) fit the widest of ``labels`` on one button each."""
        widest = max((text_width(label, self.points) for label in labels), default=0.0)
        for count in range(most, 1, -1):
            if self.width / count - TEXT_INSET >= widest:
                return count
        return 1

    def lines(self, text: str, share: float = 1.0, boxes: int = 0, icon: bool = False) -> list[str]:
        """``text`` wrapped for a label in ``share`` of the panel's width, inside ``boxes`` nested boxes."""
        room = self.width * share - boxes * BOX_PADDING - TEXT_INSET - (ICON_WIDTH if icon else 0)
        return wrap(text, max(room, 40.0), self.points)
