"""The sidebar as Blender would lay it out, rebuilt from recorded ``draw()`` calls (no real UILayout
exists headless; see notes/bpy-headless.md §2j).

``Layout`` records every call as a tree and checks it as it happens (``prop`` names a real RNA
property, ``operator`` a registered operator and every property set on its button exists, icons
exist). ``draw_sidebar`` draws every panel of one editor's "Movie Director" tab in Blender's order
(registration order, sub-panels after their parent's content, ``DEFAULT_CLOSED`` panels as a header
only, ``poll`` honoured) and ``place`` lays the tree out with this model of Blender's UI metrics at
UI scale 1:

- one widget unit ``U`` = 20 px: every button, label, field and progress bar is one unit high (times
  its layout's ``scale_y``); a ``template_list`` of ``rows`` is ``rows + 0.5`` units; a
  ``template_icon`` of ``scale`` is ``scale`` units; a separator is 0.4 units;
- a non-aligned column leaves 2 px between items, an aligned one none; a row shares its width equally
  between its items, except icon-only buttons (one unit); ``split(factor)`` gives its first column
  ``factor`` of the width; a box pads 6 px on every side; ``grid_flow`` fills ``columns`` columns;
- under ``use_property_split`` a property's label takes 40 % and its value 60 %;
- a panel header is 24 px, a panel pads its content by 8 px above and below, panels are 4 px apart
  and the region starts 4 px down; the layout width is the region width minus
  ``text_fit.REGION_CHROME`` (the tab column, margins and scroll bar);
- text is measured with ``blf`` in Blender's UI font at the widget size (11 pt); a label's text gets
  its width minus ``text_fit.TEXT_INSET`` and, with an icon, ``text_fit.ICON_WIDTH`` less: longer
  text is what Blender cuts with "...".

The Blender Layout workspace at 1920x1080 shows about 700 px of the sidebar (``VISIBLE_HEIGHT``).

A check of the model: applied to the sidebar as it was before the redesign (commit 157ec2c), it puts
Generate at 828 px and finds 7-16 cut texts at 280 px and 20-29 at 220 px (idle, failed and done
shots), where the issue's own reconstruction found 800-930 px, 4-16 and 21-35.
"""

from __future__ import annotations

import math
import types
from dataclasses import dataclass, field

import bpy

UI_FUNCTIONS = bpy.types.UILayout.bl_rna.functions
ICONS = frozenset(UI_FUNCTIONS["label"].parameters["icon"].enum_items.keys())
CONTAINERS = frozenset({"row", "column", "box", "split", "grid_flow", "column_flow"})
#: Calls that draw one item (the rest, like ``icon()``, only answer).
ITEMS = frozenset({
    "label", "prop", "prop_enum", "operator", "menu", "progress", "template_list", "template_icon",
    "template_ID", "separator", "operator_menu_enum",
})

U = 20
GAP_Y = 2
BOX_PAD = 6
HEADER = 24
PANEL_PAD = 8
PANEL_GAP = 4
REGION_TOP = 4
SPLIT_FACTOR = 0.4
VISIBLE_HEIGHT = 700
#: Sidebar widths the tests use: Blender's narrowest usual sidebar and a default-looking one.
WIDTHS = (220, 280)


def op_rna(idname: str):
    """The operator's RNA type; KeyError when no such operator is registered."""
    module, name = idname.split(".")
    return getattr(getattr(bpy.ops, module), name).get_rna_type()


class OpButton:
    """What ``layout.operator()`` returns: only the operator's own properties can be set on it."""

    def __init__(self, idname: str, text: str) -> None:
        object.__setattr__(self, "idname", idname)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "values", {})

    def __setattr__(self, name: str, value) -> None:
        assert name in op_rna(self.idname).properties, f"{self.idname} has no property {name!r}"
        self.values[name] = value


@dataclass
class Node:
    """One recorded call: a container with children, or an item."""

    kind: str
    args: tuple = ()
    kw: dict = field(default_factory=dict)
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)
    button: OpButton | None = None


class Layout:
    """A recording stand-in for ``UILayout``; every call lands in the shared ``log`` and the tree."""

    def __init__(self, log: list, icon_id: int = 0, path: str = "layout", node: Node | None = None) -> None:
        object.__setattr__(self, "log", log)
        object.__setattr__(self, "icon_id", icon_id)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "node", node or Node("column"))

    def __setattr__(self, name: str, value) -> None:
        assert name in bpy.types.UILayout.bl_rna.properties, f"UILayout has no attribute {name!r}"
        object.__setattr__(self, name, value)
        self.node.attrs[name] = value

    def __getattr__(self, name: str):
        def call(*args, **kw):
            self.log.append((self.path, name, args, kw))
            # The real UILayout raises TypeError on an unknown keyword: catch that here too.
            assert name in UI_FUNCTIONS, f"UILayout has no {name}()"
            assert set(kw) <= set(UI_FUNCTIONS[name].parameters.keys()), f"{name}() has no parameter in {kw}"
            icon = kw.get("icon")
            assert icon is None or icon in ICONS, f"unknown icon {icon!r}"
            node = Node(name, args, kw)
            if name in CONTAINERS or name in ITEMS:
                self.node.children.append(node)
            if name in CONTAINERS:
                return Layout(self.log, self.icon_id, f"{self.path}.{name}", node)
            if name in ("prop", "prop_enum", "template_ID"):
                data, prop = args[0], args[1]
                assert prop in data.bl_rna.properties, f"{data.bl_rna.identifier} has no property {prop!r}"
                if name == "prop_enum":
                    assert args[2] in data.bl_rna.properties[prop].enum_items.keys(), args[2]
            if name == "operator":
                op_rna(args[0])
                button = OpButton(args[0], kw.get("text", ""))
                node.button = button
                self.log.append((self.path, "button", (button,), {}))
                return button
            if name == "operator_menu_enum":
                assert args[1] in op_rna(args[0]).properties
            if name == "menu":
                assert isinstance(getattr(bpy.types, args[0], None), type), f"menu {args[0]} not registered"
            if name == "template_list":
                assert hasattr(bpy.types, args[0]), f"UI list {args[0]} not registered"
                assert args[3] in args[2].bl_rna.properties and args[5] in args[4].bl_rna.properties
            if name == "icon":
                return self.icon_id
            return None

        return call


class Context:
    """``bpy.context`` as one editor's sidebar sees it: its space type and its region's size."""

    def __init__(self, space_type: str, width: int, height: int = VISIBLE_HEIGHT) -> None:
        self.space_data = types.SimpleNamespace(type=space_type)
        self.region = types.SimpleNamespace(width=width, height=height)

    def __getattr__(self, name: str):
        return getattr(bpy.context, name)


SPACE_TYPES = {"view3d": "VIEW_3D", "sequencer": "SEQUENCE_EDITOR"}


@dataclass
class Panel:
    label: str
    idname: str
    closed: bool
    sub: bool
    root: Node | None
    header: Node | None = None


def draw_panel(cls, context, icon_id: int = 0) -> tuple[Node, list]:
    log: list = []
    layout = Layout(log, icon_id)
    cls.draw(types.SimpleNamespace(layout=layout), context)
    return layout.node, log


def draw_sidebar(
    md, space: str, width: int, icon_id: int = 0, open_all: bool = False
) -> tuple[list[Panel], Context]:
    """Every Movie Director panel of ``space`` ("view3d" or "sequencer") as Blender would show it
    (``open_all``: with the panels closed by default opened, as a user may)."""
    context = Context(SPACE_TYPES[space], width)
    classes = [c for c in md.panels.classes if getattr(c, "bl_space_type", "") == SPACE_TYPES[space]]
    panels: list[Panel] = []

    def visit(cls, sub: bool) -> None:
        if hasattr(cls, "poll") and not cls.poll(context):
            return
        closed = not open_all and "DEFAULT_CLOSED" in getattr(cls, "bl_options", set())
        header = None
        if hasattr(cls, "draw_header"):
            log: list = []
            header_layout = Layout(log, icon_id, node=Node("row"))
            cls.draw_header(types.SimpleNamespace(layout=header_layout), context)
            header = header_layout.node
        root = None if closed else draw_panel(cls, context, icon_id)[0]
        panels.append(Panel(cls.bl_label, cls.bl_idname, closed, sub, root, header))
        if not closed:
            for child in classes:
                if getattr(child, "bl_parent_id", "") == cls.bl_idname:
                    visit(child, True)

    for cls in classes:
        if not getattr(cls, "bl_parent_id", ""):
            visit(cls, False)
    return panels, context


# --- placing ---------------------------------------------------------------------------------------


@dataclass
class Element:
    """One drawn thing with its box in the region (pixels at UI scale 1, y down from the top)."""

    kind: str
    x: float
    y: float
    w: float
    h: float
    text: str = ""
    icon: str = ""
    label: str = ""  # a split property's label
    value: str = ""
    idname: str = ""
    alert: bool = False
    inactive: bool = False
    disabled: bool = False
    emboss: bool = True
    depth: int = 0
    room: float = 0.0  # width the text gets
    text_width: float = 0.0
    placeholder: str = ""
    right: bool = False  # right-aligned (``alignment = "RIGHT"``)

    @property
    def cut(self) -> bool:
        return bool(self.text) and self.text_width > self.room + 0.5

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["cut"] = self.cut
        return d


class Placer:
    def __init__(self, md, context) -> None:
        self.md = md
        self.context = context
        self.points = md.panels.text_fit.widget_points(context)
        self.elements: list[Element] = []

    def measure(self, text: str) -> float:
        return self.md.panels.text_fit.text_width(text, self.points)

    def text_room(self, w: float, icon: str) -> float:
        fit = self.md.panels.text_fit
        return w - fit.TEXT_INSET - (fit.ICON_WIDTH if icon and icon != "NONE" else 0)

    def add(self, kind, x, y, w, h, state, text="", icon="", **extra) -> Element:
        el = Element(
            kind, x, y, w, h, text=text, icon=icon or "", alert=state["alert"], inactive=not state["active"],
            disabled=not state["enabled"], depth=state["depth"], **extra,
        )
        if text:
            el.room = self.text_room(w, icon)
            el.text_width = self.measure(text)
        self.elements.append(el)
        return el

    # containers ----------------------------------------------------------------------------------

    def place(self, node: Node, x: float, y: float, w: float, state: dict) -> float:
        """Lay ``node`` out at (x, y) in width ``w``; returns its height."""
        state = dict(state)
        for key in ("alert", "use_property_split", "alignment"):
            if key in node.attrs:
                state[key] = node.attrs[key]
        if node.attrs.get("active") is False:
            state["active"] = False
        if node.attrs.get("enabled") is False:
            state["enabled"] = False
        if "scale_y" in node.attrs:
            state["scale_y"] = state["scale_y"] * node.attrs["scale_y"]
        kind = node.kind
        if kind in ITEMS:
            return self.item(node, x, y, w, state)
        state["container"] = kind
        align = node.kw.get("align", False)
        if kind == "box":
            state["depth"] += 1
            inner = self.stack(node.children, x + BOX_PAD, y + BOX_PAD, w - 2 * BOX_PAD, state, False)
            h = inner + 2 * BOX_PAD
            self.elements.insert(0, Element("box", x, y, w, h, depth=state["depth"]))
            return h
        if kind in ("column", "column_flow"):
            return self.stack(node.children, x, y, w, state, align)
        if kind == "row":
            return self.side_by_side(node.children, x, y, w, state, None)
        if kind == "split":
            factor = node.kw.get("factor", 0.5) or 0.5
            return self.side_by_side(node.children, x, y, w, state, factor)
        if kind == "grid_flow":
            columns = max(1, node.kw.get("columns", 1) or 1)
            cw = w / columns
            h = 0.0
            for start in range(0, len(node.children), columns):
                row_h = 0.0
                for i, child in enumerate(node.children[start:start + columns]):
                    row_h = max(row_h, self.place(child, x + i * cw, y + h, cw, state))
                h += row_h
            return h
        raise AssertionError(f"no layout rule for {kind}")

    def stack(self, children, x, y, w, state, align) -> float:
        h = 0.0
        for i, child in enumerate(children):
            if i and not align:
                h += GAP_Y
            h += self.place(child, x, y + h, w, state)
        return h

    def side_by_side(self, children, x, y, w, state, factor) -> float:
        if not children:
            return 0.0
        if factor is not None:
            first = w * factor
            rest = (w - first) / max(1, len(children) - 1)
            widths = [first] + [rest] * (len(children) - 1)
        else:
            fixed = [U if self.icon_only(c) else None for c in children]
            free = w - sum(f for f in fixed if f)
            n_free = sum(1 for f in fixed if f is None)
            widths = [f if f else free / max(1, n_free) for f in fixed]
        h, cx = 0.0, x
        for child, cw in zip(children, widths, strict=True):
            h = max(h, self.place(child, cx, y, cw, state))
            cx += cw
        return h

    @staticmethod
    def icon_only(node: Node) -> bool:
        return node.kind in ("operator", "label", "prop", "menu") and node.kw.get("text", None) == "" and bool(
            node.kw.get("icon")
        )

    # items ---------------------------------------------------------------------------------------

    def item(self, node: Node, x, y, w, state) -> float:
        kind, kw, args = node.kind, node.kw, node.args
        unit = U * state["scale_y"]
        if kind == "separator":
            return 0.4 * U * (kw.get("factor", 1.0) or 1.0)
        if kind == "label":
            self.add("label", x, y, w, unit, state, kw.get("text", ""), kw.get("icon", ""),
                     right=state.get("alignment") == "RIGHT")
            return unit
        if kind == "progress":
            self.add("progress", x, y, w, unit, state, kw.get("text", ""), value=str(kw.get("factor", 0.0)))
            return unit
        if kind == "template_icon":
            h = U * kw.get("scale", 1.0)
            self.add("image", x, y, min(w, h * 16 / 9), h, state)
            return h
        if kind == "template_list":
            rows = kw.get("rows", 5)
            self.template_list(node, x, y, w, rows, state)
            return (rows + 0.5) * U
        if kind in ("operator", "operator_menu_enum"):
            text = kw.get("text")
            if text is None:
                text = op_rna(args[0]).name if kind == "operator" else args[1]
            disabled = not self.polls(args[0])
            st = dict(state, enabled=state["enabled"] and not disabled)
            self.add("button", x, y, w, unit, st, text, kw.get("icon", ""), idname=args[0],
                     emboss=kw.get("emboss", True))
            return unit
        if kind == "menu":
            self.add("menu", x, y, w, unit, state, kw.get("text", ""), kw.get("icon", ""), idname=args[0])
            return unit
        if kind in ("prop", "prop_enum", "template_ID"):
            return self.prop(node, x, y, w, unit, state)
        raise AssertionError(f"no layout rule for {kind}")

    def polls(self, idname: str) -> bool:
        module, name = idname.split(".")
        if module != "movie_director":
            return True
        cls = getattr(bpy.types, f"MOVIE_DIRECTOR_OT_{name}", None)
        return cls is None or not hasattr(cls, "poll") or bool(cls.poll(self.context))

    def prop(self, node: Node, x, y, w, unit, state) -> float:
        data, name = node.args[0], node.args[1]
        rna = data.bl_rna.properties[name]
        label = node.kw.get("text", rna.name)
        if node.kind == "prop_enum":
            item = rna.enum_items[node.args[2]]
            on = node.args[2] in getattr(data, name)
            self.add("toggle", x, y, w, unit, state, item.name, value="on" if on else "off")
            return unit
        value = getattr(data, name) if node.kind == "prop" else getattr(data, name, None)
        if rna.type == "ENUM" and node.kw.get("expand"):
            # Side by side in a row, one under the other in a column (as Blender expands an enum).
            items = list(rna.enum_items)
            vertical = state["container"] != "row"
            iw = w if vertical else w / max(1, len(items))
            for i, item in enumerate(items):
                on = item.identifier == value if not rna.is_enum_flag else item.identifier in value
                ix, iy = (x, y + i * unit) if vertical else (x + i * iw, y)
                self.add("toggle", ix, iy, iw, unit, state, item.name, value="on" if on else "off")
            return unit * len(items) if vertical else unit
        shown = self.value_text(rna, value, node)
        kind = "checkbox" if rna.type == "BOOLEAN" else "field"
        if state["use_property_split"] and label:
            lw = w * SPLIT_FACTOR
            self.add("field" if kind == "field" else "checkbox", x + lw, y, w - lw, unit, state, "",
                     label=label, value=shown)
            self.elements[-1].room = lw  # where the label goes, drawn right-aligned to the left
            return unit
        if kind == "checkbox":
            self.add("checkbox", x, y, w, unit, state, label, value=shown)
        else:
            self.add("field", x, y, w, unit, state, "", label=label, value=shown,
                     placeholder=node.kw.get("placeholder", ""))
        return unit

    @staticmethod
    def value_text(rna, value, node: Node) -> str:
        if node.kind == "template_ID":
            return value.name if value is not None else "New / Open"
        if rna.type == "ENUM":
            if rna.is_enum_flag:
                return ", ".join(sorted(value))
            return rna.enum_items[value].name if value in rna.enum_items else str(value)
        if rna.type == "BOOLEAN":
            return "on" if value else "off"
        if rna.type == "FLOAT":
            return f"{value:.3f}"
        return str(value)

    def template_list(self, node: Node, x, y, w, rows, state) -> None:
        ui_list = getattr(bpy.types, node.args[0])
        data, collection, active_data, active_prop = node.args[2], node.args[3], node.args[4], node.args[5]
        items = getattr(data, collection)
        active = getattr(active_data, active_prop)
        self.elements.append(Element("list", x, y, w, (rows + 0.5) * U, depth=state["depth"]))
        for index, item in enumerate(list(items)[:rows]):
            log: list = []
            row = Layout(log, node=Node("row"))
            this = types.SimpleNamespace(layout_type="DEFAULT")
            ui_list.draw_item(this, self.context, row, data, item, 0, active_data, active_prop, index, 0)
            if index == active:
                self.elements.append(Element("highlight", x + 2, y + index * U, w - 4, U))
            self.place(row.node, x + 2, y + index * U, w - 4 - U, dict(state, depth=state["depth"] + 1))


def place_sidebar(md, panels: list[Panel], context) -> tuple[list[Element], float]:
    """Every element of the sidebar with its box; returns them and the total height."""
    placer = Placer(md, context)
    width = md.panels.text_fit.panel_width(context)
    y = REGION_TOP
    base = {"alert": False, "active": True, "enabled": True, "use_property_split": False, "scale_y": 1.0,
            "depth": 0, "container": "column"}
    for panel in panels:
        if not panel.sub:
            y += PANEL_GAP
        header = Element("header", 0, y, width + 2 * PANEL_PAD, HEADER, text=panel.label,
                         value="closed" if panel.closed else "open", depth=1 if panel.sub else 0)
        placer.elements.append(header)
        if panel.header is not None:
            placer.place(panel.header, 2 * PANEL_PAD + placer.measure(panel.label) + 24, y + 2, U, base)
        y += HEADER
        if panel.root is not None:
            y += PANEL_PAD
            y += placer.place(panel.root, PANEL_PAD, y, width, base)
            y += PANEL_PAD
    return placer.elements, y


def sentences_cut(elements: list[Element]) -> list[str]:
    """Texts of labels, buttons and toggles that Blender would cut (the values of fields and menus are
    the user's own names and are cut at their end, like any Blender field)."""
    return [f"{e.kind}: {e.text!r} ({e.text_width:.0f} px in {e.room:.0f})" for e in elements
            if e.kind in ("label", "button", "progress", "toggle") and e.cut]


def find(elements: list[Element], idname: str, text: str = "") -> Element | None:
    return next((e for e in elements if e.idname == idname and (not text or e.text == text)), None)


def layout_json(elements: list[Element], height: float, context, title: str) -> dict:
    return {
        "title": title,
        "width": context.region.width,
        "height": math.ceil(height),
        "visible_height": VISIBLE_HEIGHT,
        "elements": [e.as_dict() for e in elements],
    }
