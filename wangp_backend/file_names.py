"""Shot and scene names as file-name parts that work on every OS and stay readable and distinct.

A name keeps its letters, marks and digits in any script (Japanese, Hebrew, accented Latin...), so
a folder still says which shot it holds. Everything else (separators, ``..``, emoji, control and
bidirectional-override characters, Windows' forbidden ``<>:"|?*``) becomes ``_``; trailing dots and
spaces (Windows drops them) go. Whenever that changed the name, or it is a Windows device name
(``CON``, ``NUL``, ``COM1``...), or it is cut to length, a short hash of the original name is
appended: two names that read alike on disk ("a/b" and "a?b", two emoji-only names) never share a
folder or a take numbering. A name that needs none of this is kept exactly (``SH010`` stays ``SH010``).

The length cap keeps ``<scene>/<shot>/<shot>_take001_2.json`` under Windows' classic 260-character
path limit relative to the output folder (3 * 64 + 15 UTF-16 units, which is how Windows counts), and
so every part under the 255-byte file-name limit of Linux and macOS (64 units are at most 192 bytes).
"""

from __future__ import annotations

import hashlib
import unicodedata

#: Length of a name part in UTF-16 code units, at most (the hash suffix included).
MAX_NAME_UNITS = 64
#: The characters a take file adds to its shot's name: ``_take001_2.json``.
TAKE_SUFFIX_CHARS = 15
_HASH_CHARS = 8
_KEPT_PUNCTUATION = frozenset("-_.")
#: Windows device names: a file or folder named so (with any extension) cannot be created there.
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in (*"123456789", "\u00b9", "\u00b2", "\u00b3")]
)


def portable_name(name: str, fallback: str = "untitled") -> str:
    """``name`` as one file-name part: portable, readable, and distinct from other names' parts."""
    text = unicodedata.normalize("NFC", name)
    cleaned = "".join(c if _kept(c) else "_" for c in text)
    # Runs of "_" from a run of dropped characters read as one gap; dots and spaces at the ends go.
    while "__" in cleaned:
        cleaned = cleaned.replace("__", "_")
    cleaned = cleaned.strip("._ ")
    device = _is_device(cleaned)
    if cleaned and cleaned == name and not device and utf16_units(cleaned) <= MAX_NAME_UNITS:
        return cleaned
    if device:  # "LPT9.mp4" + hash would still start with a device name before its first dot
        cleaned = cleaned.replace(".", "_")
    suffix = "_" + _short_hash(name)
    stem = (cleaned or fallback)[: MAX_NAME_UNITS - len(suffix)]  # a character is at least one unit
    while utf16_units(stem) > MAX_NAME_UNITS - len(suffix):
        stem = stem[:-1]
    return stem.rstrip("._ ") + suffix


def utf16_units(text: str) -> int:
    """Length as Windows counts it (characters outside the BMP take two units)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _kept(char: str) -> bool:
    # Letters, combining marks (needed by Devanagari, Arabic...) and digits of any script; no
    # symbols (emoji), separators, controls or format characters (bidi overrides, zero-width joiners).
    return char in _KEPT_PUNCTUATION or unicodedata.category(char)[0] in "LMN"


def _is_device(name: str) -> bool:
    # Windows ignores the extension and trailing spaces: "con.txt" and "COM1 .mp4" are devices too.
    return name.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_DEVICES


def _short_hash(name: str) -> str:
    return hashlib.blake2s(name.encode("utf-8", "surrogatepass"), digest_size=_HASH_CHARS // 2).hexdigest()
