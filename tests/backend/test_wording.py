"""The words of every sentence the settings path says (``wangp_backend.wording``), pinned here and only here.

Other tests ask which sentence was said (its kind and facts); this one says what each reads like, so a better
wording is one edit in ``wording.py`` and one here. Each sentence follows the house rules for messages: one
line, plain and complete, saying what happened or what to do.
"""

from __future__ import annotations

import pickle

import pytest

from wangp_backend import wording
from wangp_backend.wording import SENTENCES, Said

#: kind -> (arguments, the exact sentence)
EXAMPLES: dict[str, tuple[tuple, str]] = {
    "resolution_snapped": (("1000x562", "1008x560"), "Resolution 1000x562 -> 1008x560 (sides are multiples of 16)"),
    "resolution_floored": (
        ("832x480", "832x448", "LTX-2", 64),
        "Resolution 832x480 -> 832x448 (LTX-2 works in blocks of 64 pixels; the guide is rendered at that size)",
    ),
    "frames_snapped": ((54, 53, "Wan2.1", "4n+1"), "Frames 54 -> 53 (Wan2.1 needs 4n+1)"),
    "frames_cut": ((160, 97, "Wan2.1"), "Frames 160 -> 97 (the longest Wan2.1 clip)"),
}


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_sentence_reads_as_written(kind: str) -> None:
    args, text = EXAMPLES[kind]
    said = SENTENCES[kind](*args)
    assert said == text
    assert (said.kind, list(said.facts.values())) == (kind, list(args))


def test_every_sentence_has_an_example() -> None:
    assert sorted(SENTENCES) == sorted(EXAMPLES)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_sentence_keeps_the_message_rules(kind: str) -> None:
    args, _text = EXAMPLES[kind]
    text = str(SENTENCES[kind](*args))
    assert "\n" not in text and text == text.strip() and "  " not in text
    assert text[0].isupper() or text[0].isdigit() or text[0] in "'\"", text


def test_a_string_argument_is_quoted_so_seconds_read_as_typed() -> None:
    assert wording.frames_snapped("4s", 65, "t2v", "4n+1") == "Frames '4s' -> 65 (t2v needs 4n+1)"


def test_a_sentence_survives_a_process_boundary_with_its_kind() -> None:
    said = wording.frames_cut(160, 97, "Wan2.1")
    back = pickle.loads(pickle.dumps(said))
    assert isinstance(back, Said) and (back, back.kind, back.facts) == (said, "frames_cut", said.facts)
    assert wording.kind_of(back) == "frames_cut" and wording.kind_of("plain") == ""
