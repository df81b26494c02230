"""Any shot or scene name becomes a file-name part that is portable, readable and distinct (fuzzed)."""

from __future__ import annotations

import os
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from wangp_backend.file_names import MAX_NAME_UNITS, TAKE_SUFFIX_CHARS, portable_name, utf16_units

WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")
}
WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
HOSTILE = [
    "../../escape", "..", ".", "/etc/passwd", "C:\\Windows\\system32", "CON", "nul", "com1", "LPT9.mp4", "con.txt",
    "COM1 ", "shot.", "shot ", " shot", "x" * 300, "カット１", "שוט ראשון", "🎬🎥", "🎬", "🎥", "‮gpj.exe",
    "a/b", "a?b", "a_b", "a:b", "tab\there", "new\nline", "Ω" * 200, "𠜎" * 100, "नमस्ते", "", " ", "...", "_",
]


def assert_portable(part: str) -> None:
    assert part and part not in (".", "..")
    assert not (set(part) & WINDOWS_FORBIDDEN), part
    assert part.split(".", 1)[0].rstrip(" ").upper() not in WINDOWS_DEVICES, part
    assert not part.endswith((".", " ")) and not part.startswith((".", " ")), part
    assert utf16_units(part) <= MAX_NAME_UNITS, part
    assert len(part.encode("utf-8")) + TAKE_SUFFIX_CHARS <= 255, part
    assert os.path.basename(part) == part
    assert all(unicodedata.category(c)[0] in "LMN" or c in "-_." for c in part), part


names = st.one_of(
    st.text(max_size=400), st.sampled_from(HOSTILE), st.builds("".join, st.lists(st.sampled_from(HOSTILE)))
)
_tried: list[int] = []


@settings(max_examples=400, deadline=None, database=None)
@given(names)
@example("CON")
def check_any_name_is_portable(name: str) -> None:
    _tried.append(1)
    part = portable_name(name)
    assert_portable(part)
    assert portable_name(name) == part  # stable across calls (and sessions: no salted hash)


@settings(max_examples=400, deadline=None, database=None)
@given(names, names)
def check_different_names_never_share_a_part(a: str, b: str) -> None:
    _tried.append(1)
    if a != b:
        assert portable_name(a) != portable_name(b)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=40))
def check_letters_of_any_script_stay_readable(name: str) -> None:
    _tried.append(1)
    part = portable_name(name)
    assert part.startswith(unicodedata.normalize("NFC", name)[:20].strip("._ ")[:8]), (name, part)


def test_any_name_becomes_a_portable_readable_distinct_part(scenario) -> None:
    check_any_name_is_portable()
    check_different_names_never_share_a_part()
    check_letters_of_any_script_stay_readable()
    scenario("any shot/scene name (fuzzed)", injected=f"{len(_tried)} random Unicode names up to 400 chars",
             user_saw="a folder and file names readable in the name's own script",
             survived="portable on Windows/macOS/Linux, distinct for distinct names, under 64 UTF-16 units",
             faults=len(_tried))


def test_the_hostile_names_of_the_issue(scenario) -> None:
    parts = {name: portable_name(name) for name in HOSTILE}
    for part in parts.values():
        assert_portable(part)
    assert len(set(parts.values())) == len(HOSTILE)
    assert portable_name("SH010") == "SH010" and portable_name("Shot-1.v2") == "Shot-1.v2"
    assert parts["カット１"] == "カット１" and parts["a_b"] == "a_b" and parts["CON"].startswith("CON_")
    assert parts["שוט ראשון"].startswith("שוט_ראשון_")
    # Three names of the issue and what they become: a device, a path past 260, names with no Latin letter.
    deepest = len(os.path.join(parts["x" * 300], parts["x" * 300], parts["x" * 300] + "_take001_2.json"))
    assert deepest < 260
    scenario(
        "hostile shot and scene names",
        injected=f"{len(HOSTILE)} names: ../, absolute, CON/NUL/COM1, trailing dots/spaces, 300 chars, emoji, RTL",
        user_saw=f"readable folders, e.g. CON -> {parts['CON']}, שוט ראשון -> {parts['שוט ראשון']}",
        survived=f"all distinct and portable; longest take path {deepest} chars below the output folder",
        faults=len(HOSTILE),
    )
