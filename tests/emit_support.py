"""Helpers for the emitter tests: a protocol with every construct, the real ``dot``,
and readers that turn what ``dot`` and Mermaid understood back into text.

Not a test module; the emitter tests import it (pytest puts ``tests/`` on the path).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections import Counter
from collections.abc import Mapping
from typing import Any

from protodoc.emit.escape import clean
from protodoc.model import (
    Block,
    BlockKind,
    Branch,
    Event,
    Gap,
    Machine,
    Message,
    MessageKind,
    Note,
    Participant,
    Phase,
    Protocol,
    State,
    Text,
    Transition,
)

DOT_TIMEOUT = 60

# Every text slot of the sample protocol and machine.
SEQUENCE_SLOTS = [
    "title",
    "name0",
    "name1",
    "name2",
    "initial0",
    "phase",
    "label",
    "field",
    "sent",
    "received",
    "event",
    "event_state",
    "note",
    "gap",
    "alt1",
    "reply",
    "alt2",
    "note2",
    "loop",
    "lost",
]
STATE_SLOTS = ["mtitle", "state0", "desc0", "state1", "ev0", "ac0", "ev1", "ac2"]


def t(s: str) -> Text:
    return Text(en=s, zh=s)


def sample_protocol(x: Mapping[str, str]) -> Protocol:
    """Three participants and every kind of step; ``x`` gives each text slot."""
    return Protocol(
        id="sample",
        title=t(x["title"]),
        participants=(
            Participant(id="a", name=t(x["name0"]), initial=x["initial0"]),
            Participant(id="b", name=t(x["name1"])),
            Participant(id="c", name=t(x["name2"])),
        ),
        steps=(
            Phase(label=t(x["phase"])),
            Message(
                label=t(x["label"]),
                sender="a",
                receiver="b",
                kind=MessageKind.SYNC,
                fields=(x["field"],),
                sender_state=x["sent"],
                receiver_state=x["received"],
            ),
            Event(label=t(x["event"]), at="b", timer=True, state=x["event_state"]),
            Note(text=t(x["note"]), over=("c", "a")),
            Gap(label=t(x["gap"])),
            Block(
                kind=BlockKind.ALT,
                branches=(
                    Branch(
                        label=t(x["alt1"]),
                        steps=(
                            Message(
                                label=t(x["reply"]),
                                sender="b",
                                receiver="a",
                                kind=MessageKind.REPLY,
                            ),
                        ),
                    ),
                    Branch(
                        label=t(x["alt2"]),
                        steps=(Note(text=t(x["note2"]), over=("b",), position="right"),),
                    ),
                ),
            ),
            Block(
                kind=BlockKind.LOOP,
                branches=(
                    Branch(
                        label=t(x["loop"]),
                        steps=(
                            Message(
                                label=t(x["lost"]),
                                sender="a",
                                receiver="c",
                                kind=MessageKind.LOST,
                                receiver_state="NEVER",
                            ),
                        ),
                    ),
                ),
            ),
        ),
    )


def sample_machine(x: Mapping[str, str]) -> Machine:
    """Two states (distinct names expected), initial, final, three transitions."""
    s0, s1 = x["state0"], x["state1"]
    return Machine(
        id="m",
        title=t(x["mtitle"]),
        states=(State(name=s0, description=t(x["desc0"])), State(name=s1)),
        initial=s0,
        final=(s1,),
        transitions=(
            Transition(source=s0, target=s1, event=t(x["ev0"]), action=t(x["ac0"])),
            Transition(source=s1, target=s0, event=t(x["ev1"])),
            Transition(source=s0, target=s0, action=t(x["ac2"])),
        ),
    )


# --- Graphviz ------------------------------------------------------------------------


def run_dot(text: str, fmt: str) -> str:
    """The real ``dot``; fails the test with dot's stderr if it complains at all."""
    proc = subprocess.run(
        ["dot", f"-T{fmt}"],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=DOT_TIMEOUT,
        check=False,
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0 and not err.strip(), f"dot -T{fmt} failed: {err}\n{text}"
    return proc.stdout.decode("utf-8")


_DOT_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def dot_label_text(raw: str) -> str:
    """What Graphviz shows for a plain label attribute as ``-Tjson`` reads it back:
    ``\\n``/``\\l``/``\\r`` break lines, ``\\x`` is ``x``, then HTML entities."""

    def esc(m: re.Match[str]) -> str:
        return "\n" if m.group(1) in "nlr" else m.group(1)

    return html.unescape(_DOT_ESCAPE.sub(esc, raw))


def drawn_lines(obj: Mapping[str, Any]) -> list[str]:
    """The text ``dot`` drew for an object's label, one entry per line, top to bottom."""
    return [op["text"] for op in obj.get("_ldraw_", []) if op["op"] == "T"]


def expected_lines(text: str) -> list[str]:
    """Lines Graphviz draws for ``text``: it draws no text op for an empty line."""
    return [line for line in text.split("\n") if line]


def dot_labels(text: str) -> Counter[str]:
    """Every label of a DOT diagram as Graphviz read and drew it (``dot -Tjson``).

    Checks for each that the drawn lines are exactly the label's lines, and returns
    the labels (points and empty labels left out) counted.
    """
    data = json.loads(run_dot(text, "json"))
    found: Counter[str] = Counter()
    objs = [data] + data.get("objects", []) + data.get("edges", [])
    for obj in objs:
        if "label" not in obj or obj.get("shape") == "point":
            continue
        label = dot_label_text(obj["label"])
        if obj is not data and obj.get("name", "").startswith("%"):
            continue
        assert drawn_lines(obj) == expected_lines(label), (obj.get("name"), label)
        if label:
            found[label] += 1
    return found


# --- Mermaid -------------------------------------------------------------------------


def reader(text: str) -> str:
    """A text as ``MermaidBrowser.parse`` reports it: line breaks are ``<br>``
    (the emitters write CR LF and CR as line breaks too)."""
    return clean(text).replace("\n", "<br>")


def mermaid_sequence_rows(parsed: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (m["type_name"], m["from"], m["to"], m["placement"], m["text"]) for m in parsed["messages"]
    ]
