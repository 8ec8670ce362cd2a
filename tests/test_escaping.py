"""Escaping is total: any text comes through the real Mermaid parser and the real
``dot`` unchanged, and never breaks, splits or changes the diagram.

Each test puts texts into every slot of a protocol with every kind of step
(:func:`emit_support.sample_protocol`) and of a state machine, emits both backends, and
reads back what the real tools understood:

* Mermaid: the parser's database (``MermaidBrowser.parse``, entity codes decoded as a
  browser does). The whole list of actors and messages must be exactly the expected one,
  so an injected statement, directive or comment, or a split label, fails the test.
  Line breaks read back as ``<br>`` (the only way Mermaid writes them).
* DOT: ``dot -Tjson``: every label attribute (decoded as Graphviz does) and the text
  ``dot`` actually drew, line by line; the multiset of labels must be exactly the
  expected one.
"""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping

import pytest
from emit_support import (
    SEQUENCE_SLOTS,
    STATE_SLOTS,
    dot_labels,
    mermaid_sequence_rows,
    reader,
    run_dot,
    sample_machine,
    sample_protocol,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protodoc.emit import dot, mermaid
from protodoc.emit.escape import REPLACEMENT, clean, dot_string, mermaid_text
from protodoc.render.mermaid import clean_svg, mermaid_config

ADVERSARIAL = [
    "a;b",
    "ClientHello #2",
    "#35;",
    "#quot;",
    'say "hi"',
    "it's",
    "<b>bold</b>",
    "<br>not a break",
    "<script>alert(1)</script>",
    "end",
    "else",
    "%% not a comment",
    "-->> p0: injected",
    "%%{init: {'theme': 'dark'}}%%",
    "%%{wrap}%%",
    "wrap:text",
    ":nowrap:x",
    "a\\nb \\l \\N \\G \\\\ \\",
    'back\\"slash',
    "line one\nline two",
    "two\n\nbreaks",
    "\ttab and\rcarriage",
    "TCP 三次握手；客户端＃1",
    "emoji 😀👩‍💻🇨🇳",
    "  padded  ",
    "\u3000ideographic space\u3000",
    "nbsp\u00a0here",
    "&amp; &lt; &#35; &",
    "ﬂ°°35¶ß marker",
    "straße ﬂow ¶ °",
    "{ } [ ] ( ) | @ ! ? * ~ ^ $ `",
    "x --> y : z",
    "note over p0: x",
    "participant p9 as X",
    "subgraph cluster_x { a -> b }",
    "]; digraph x { a -> b } [",
    "&#9; &#x41; &nbsp;",
    "\u202eright-to-left override\u200b",
    "combining e\u0301 and \u0301leading",
    "C1\u0085control",
    "1",
    "-",
]


def slots(s: str) -> dict[str, str]:
    """``s`` in every slot; the two state names differ."""
    x = {k: s for k in SEQUENCE_SLOTS + STATE_SLOTS}
    x["state1"] = s + "2"
    return x


def message_text(label: str, field: str) -> str:
    return f"{label} {field}" if label else field


def expected_mermaid_sequence(x: Mapping[str, str]) -> list[tuple[object, ...]]:
    r = reader
    return [
        ("NOTE", "p0", "p0", "LEFTOF", r(x["initial0"])),
        ("NOTE", "p0", "p2", "OVER", r(f"== {x['phase']} ==")),
        ("SOLID", "p0", "p1", None, r(message_text(x["label"], x["field"]))),
        ("NOTE", "p0", "p0", "LEFTOF", r(x["sent"])),
        ("NOTE", "p1", "p1", "OVER", r(x["received"])),
        ("DOTTED_POINT", "p1", "p1", None, r(f"\u25f7 {x['event']}")),
        ("NOTE", "p1", "p1", "OVER", r(x["event_state"])),
        ("NOTE", "p0", "p2", "OVER", r(x["note"])),
        ("NOTE", "p0", "p2", "OVER", r(f"\u2026 {x['gap']} \u2026")),
        ("ALT_START", None, None, None, r(x["alt1"])),
        ("DOTTED", "p1", "p0", None, r(x["reply"])),
        ("ALT_ELSE", None, None, None, r(x["alt2"])),
        ("NOTE", "p1", "p1", "RIGHTOF", r(x["note2"])),
        ("ALT_END", None, None, None, ""),
        ("LOOP_START", None, None, None, r(x["loop"])),
        ("SOLID_CROSS", "p0", "p2", None, r(x["lost"])),
        ("LOOP_END", None, None, None, ""),
    ]


def transition(event: str, action: str) -> str:
    if action:
        return f"{event} / {action}" if event else f"/ {action}"
    return event


def check_mermaid(browser, x: Mapping[str, str]) -> None:
    text = mermaid.sequence(sample_protocol(x), "en")
    got = browser.parse(text)
    assert got["type"] == "sequence"
    assert [(a["id"], a["description"]) for a in got["actors"]] == [
        (f"p{i}", reader(x[f"name{i}"])) for i in range(3)
    ], text
    assert mermaid_sequence_rows(got) == expected_mermaid_sequence(x), text

    text = mermaid.state(sample_machine(x), "en")
    got = browser.parse(text)
    states = {s["id"]: (s["label"], s["descriptions"]) for s in got["states"]}
    assert states == {
        "s0": (reader(x["state0"]), [reader(x["desc0"])] if x["desc0"] else []),
        "s1": (reader(x["state1"]), []),
        "root_start": ("root_start", []),
        "root_end": ("root_end", []),
    }, text
    assert [(e["from"], e["to"], e["label"]) for e in got["transitions"]] == [
        ("root_start", "s0", ""),
        ("s0", "s1", reader(transition(x["ev0"], x["ac0"]))),
        ("s1", "s0", reader(x["ev1"])),
        ("s0", "s0", reader(transition("", x["ac2"]))),
        ("s1", "root_end", ""),
    ], text
    assert got["notes"] == []


def check_dot(x: Mapping[str, str]) -> None:
    # Equal texts are counted, not merged.
    seq = Counter()
    for label in [
        x["title"],
        x["initial0"],
        x["sent"],
        x["received"],
        x["event_state"],
        x["note"],
        f"\u2026 {x['gap']} \u2026",
        x["note2"],
        x["phase"],
        message_text(x["label"], x["field"]),
        f"\u25f7 {x['event']}",
        x["reply"],
        x["lost"],
        "alt",
        f"[{x['alt1']}]" if x["alt1"] else "",
        f"[{x['alt2']}]" if x["alt2"] else "",
        f"loop [{x['loop']}]" if x["loop"] else "loop",
        *(x[f"name{i}"] for i in range(3) for _ in range(2)),  # top and bottom boxes
    ]:
        seq[clean(label)] += 1
    del seq[""]
    assert dot_labels(dot.sequence(sample_protocol(x), "en")) == seq

    states = Counter()
    for label in [
        x["mtitle"],
        f"{x['state0']}\n{x['desc0']}" if x["desc0"] else x["state0"],
        x["state1"],
        transition(x["ev0"], x["ac0"]),
        x["ev1"],
        transition("", x["ac2"]),
    ]:
        states[clean(label)] += 1
    del states[""]
    assert dot_labels(dot.state(sample_machine(x), "en")) == states


@pytest.mark.parametrize("s", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_mermaid(mermaid_browser, s: str) -> None:
    check_mermaid(mermaid_browser, slots(s))


@pytest.mark.parametrize("s", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_dot(s: str) -> None:
    check_dot(slots(s))


def svg_texts(svg: str) -> list[str]:
    """The text of every ``<text>`` and ``<title>`` element of an SVG, as a reader sees it."""
    # Mermaid serializes its SVG as HTML: U+00A0 comes out as &nbsp;, unknown to XML.
    root = ET.fromstring(svg.replace("&nbsp;", "&#160;"))
    return [
        "".join(el.itertext()) for el in root.iter() if el.tag.split("}")[-1] in ("text", "title")
    ]


@pytest.mark.parametrize("s", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_mermaid_svg(mermaid_browser, s: str) -> None:
    """What Mermaid draws: the title, a participant and a message, line by line; and a
    ``<br>`` written in a label stays text rather than breaking the line."""
    x = slots(s)
    x["title"] = f"T {s} T"
    x["label"] = f"L {s} L"
    svg = mermaid_browser.render_svg(
        mermaid.sequence(sample_protocol(x), "en"), {"htmlLabels": False}
    )
    texts = svg_texts(svg)
    assert clean(x["title"]) in texts  # titles are one line: a line feed stays a character
    for line in clean(message_text(x["label"], x["field"])).split("\n"):
        if line.strip():
            assert any(line.strip() in t for t in texts), (line, texts)
    state = mermaid.state(sample_machine(x), "en")
    assert clean(x["mtitle"]) in svg_texts(mermaid_browser.render_svg(state, {"htmlLabels": False}))


def _squash(s: str) -> str:
    return re.sub(r"\s", "", s)


@pytest.mark.parametrize("s", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_mermaid_state_svg(mermaid_browser, s: str) -> None:
    """What protodoc's Mermaid rendering draws for state names and descriptions
    (``mermaid_config`` and ``clean_svg``): the text, whitespace aside (Mermaid breaks
    lines between words and collapses spaces)."""
    x = slots(s)
    x["state0"], x["desc0"] = f"S {s} S", f"D {s} D"
    svg = clean_svg(
        mermaid_browser.render_svg(mermaid.state(sample_machine(x), "en"), mermaid_config())
    )
    drawn = _squash("".join(svg_texts(svg)))
    for want in (x["state0"], x["desc0"]):
        assert _squash(clean(want)) in drawn


def test_dot_svg_accepts_adversarial() -> None:
    """One diagram carrying every adversarial text at once renders to SVG."""
    x = {k: f"{k}: " + " | ".join(ADVERSARIAL) for k in SEQUENCE_SLOTS + STATE_SLOTS}
    svg = run_dot(dot.sequence(sample_protocol(x), "zh"), "svg")
    assert "<svg" in svg
    assert "<svg" in run_dot(dot.state(sample_machine(x), "zh"), "svg")


def test_text_outside_xml_is_replaced() -> None:
    """Characters no SVG can hold (C0 controls, U+FFFE) become U+FFFD in both backends."""
    assert (
        clean("a\x00b\x1fc\ufffed\te\nf\rg")
        == f"a{REPLACEMENT}b{REPLACEMENT}c{REPLACEMENT}d\te\nf\ng"
    )
    assert mermaid_text("\x01") == REPLACEMENT
    assert dot_string("\x01") == f'"{REPLACEMENT}"'
    check_dot(slots("bell\x07"))


def test_empty_state_name(mermaid_browser) -> None:
    """Mermaid rejects an empty quoted state name: the emitter writes a zero-width
    space (U+200B), which looks the same. DOT shows an empty label."""
    x = slots("x")
    x["state0"] = ""
    got = mermaid_browser.parse(mermaid.state(sample_machine(x), "en"))
    assert {s["id"]: s["label"] for s in got["states"]}["s0"] == "\u200b"
    check_dot(x)


def test_ids_carry_no_text() -> None:
    """Whatever the names, ids are positions."""
    x = slots("p1")
    text = mermaid.sequence(sample_protocol(x), "en")
    assert "participant p0 as p1\n" in text
    assert "participant p1 as p1\n" in text


# --- property: arbitrary Unicode in every slot ----------------------------------------

_XML = st.characters(
    exclude_categories=("Cs",),
    exclude_characters="".join(
        chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]
    ),
)
_FRAGMENTS = st.sampled_from(
    ["#", ";", "%%", "{", "}", "<br>", "\n", "\\", '"', "&", "end", "-->>", " ", ":", "ﬂ°°", "¶ß"]
)
_ASCII = st.text(st.sampled_from(string.punctuation + " \t\n"), max_size=4)
_TEXT = st.lists(st.one_of(st.text(_XML, max_size=6), _FRAGMENTS, _ASCII), max_size=5).map("".join)


@st.composite
def slot_texts(draw) -> dict[str, str]:
    x = {k: draw(_TEXT) for k in SEQUENCE_SLOTS + STATE_SLOTS}
    x["state0"] = draw(_TEXT.filter(bool))  # an empty name: see test_empty_state_name
    x["state1"] = x["state0"] + draw(st.text(_XML, min_size=1, max_size=3))
    return x


_PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@_PROPERTY
@given(x=slot_texts())
def test_property_mermaid(mermaid_browser, x: dict[str, str]) -> None:
    check_mermaid(mermaid_browser, x)


@_PROPERTY
@given(x=slot_texts())
def test_property_dot(x: dict[str, str]) -> None:
    check_dot(x)
