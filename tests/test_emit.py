"""The emitters' vocabularies, read back through the real Mermaid parser and ``dot``."""

from __future__ import annotations

import json
import re

import pytest
from emit_support import (
    SEQUENCE_SLOTS,
    STATE_SLOTS,
    mermaid_sequence_rows,
    run_dot,
    sample_machine,
    sample_protocol,
)

from protodoc.emit import dot, mermaid, style
from protodoc.model import (
    Block,
    BlockKind,
    Branch,
    Gap,
    Message,
    MessageKind,
    Participant,
    Phase,
    Protocol,
    Text,
)


def proto(*steps, participants=("a", "b")) -> Protocol:
    return Protocol(
        id="x",
        title=Text(en="Title", zh="标题"),
        participants=tuple(
            Participant(id=p, name=Text(en=p.upper(), zh=f"参与者{p}")) for p in participants
        ),
        steps=steps,
    )


def msg(kind: MessageKind, label: str = "m") -> Message:
    return Message(label=Text.token(label), sender="a", receiver="b", kind=kind)


MERMAID_LINETYPES = {
    MessageKind.SYNC: "SOLID",
    MessageKind.ASYNC: "SOLID_POINT",
    MessageKind.REPLY: "DOTTED",
    MessageKind.LOST: "SOLID_CROSS",
}


def test_every_message_kind_has_one_style() -> None:
    assert set(style.MESSAGE_STYLES) == set(MessageKind)
    assert set(style.BLOCK_STYLES) == set(BlockKind)


@pytest.mark.parametrize("kind", list(MessageKind), ids=lambda k: k.value)
def test_message_kind_mermaid(mermaid_browser, kind: MessageKind) -> None:
    got = mermaid_browser.parse(mermaid.sequence(proto(msg(kind)), "en"))
    assert mermaid_sequence_rows(got) == [(MERMAID_LINETYPES[kind], "p0", "p1", None, "m")]


@pytest.mark.parametrize("kind", list(MessageKind), ids=lambda k: k.value)
def test_message_kind_dot(kind: MessageKind) -> None:
    data = json.loads(run_dot(dot.sequence(proto(msg(kind)), "en"), "json"))
    (edge,) = [e for e in data["edges"] if e.get("label") == "m"]
    for key, value in style.MESSAGE_STYLES[kind].dot:
        assert edge[key] == value
    names = {o["_gvid"]: o["name"] for o in data["objects"]}
    assert (names[edge["tail"]], names[edge["head"]]) == ("r0p0", "r0p1")


@pytest.mark.parametrize(
    "kind, starts",
    [
        (BlockKind.OPT, ["OPT_START", "OPT_END"]),
        (BlockKind.PAR, ["PAR_START", "PAR_AND", "PAR_END"]),
        (BlockKind.LOOP, ["LOOP_START", "LOOP_END"]),
        (BlockKind.ALT, ["ALT_START", "ALT_ELSE", "ALT_END"]),
    ],
)
def test_block_kinds(mermaid_browser, kind: BlockKind, starts: list[str]) -> None:
    n = len(starts) - 1
    branches = tuple(
        Branch(label=Text.token(f"b{i}"), steps=(msg(MessageKind.ASYNC, f"m{i}"),))
        for i in range(n)
    )
    p = proto(Block(kind=kind, branches=branches))
    got = [r[0] for r in mermaid_sequence_rows(mermaid_browser.parse(mermaid.sequence(p, "en")))]
    want = []
    for i in range(n):
        want += [starts[i], "SOLID_POINT"]
    assert got == want + [starts[-1]]
    data = json.loads(run_dot(dot.sequence(p, "en"), "json"))
    frames = [o["label"] for o in data["objects"] if o["name"].startswith("cluster_")]
    keyword = style.BLOCK_STYLES[kind].keyword
    if n == 1:
        assert frames == [f"{keyword} [b0]"]
    else:
        assert frames == [keyword] + [f"[b{i}]" for i in range(n)]


def test_language_is_a_parameter(mermaid_browser) -> None:
    p = proto(msg(MessageKind.SYNC))
    zh = mermaid_browser.parse(mermaid.sequence(p, "zh"))
    assert [a["description"] for a in zh["actors"]] == ["参与者a", "参与者b"]
    assert mermaid.sequence(p, "zh_CN") == mermaid.sequence(p, "zh")
    assert "标题" in dot.sequence(p, "zh") and "Title" in dot.sequence(p, "en")


def test_one_participant_phase_and_gap(mermaid_browser) -> None:
    p = proto(
        Phase(label=Text.token("P")),
        Gap(label=Text.token("G")),
        participants=("a",),
    )
    rows = mermaid_sequence_rows(mermaid_browser.parse(mermaid.sequence(p, "en")))
    assert rows == [
        ("NOTE", "p0", "p0", "OVER", "== P =="),
        ("NOTE", "p0", "p0", "OVER", "\u2026 G \u2026"),
    ]
    assert "<svg" in run_dot(dot.sequence(p, "en"), "svg")


def test_state_machine_without_initial_or_final(mermaid_browser) -> None:
    x = {k: k for k in ["mtitle", "state0", "desc0", "state1", "ev0", "ac0", "ev1", "ac2"]}
    m = sample_machine(x)
    bare = type(m)(id="m", states=m.states, transitions=m.transitions)
    got = mermaid_browser.parse(mermaid.state(bare, "en"))
    assert {s["id"] for s in got["states"]} == {"s0", "s1"}
    assert "initial" not in dot.state(bare, "en") and "final" not in dot.state(bare, "en")
    assert "<svg" in run_dot(dot.state(bare, "en"), "svg")


def test_emit_twice_same_bytes() -> None:
    x = {k: f"{k} 中 #;" for k in SEQUENCE_SLOTS + STATE_SLOTS}
    p, m = sample_protocol(x), sample_machine(x)
    for emitter in (mermaid, dot):
        for lang in ("en", "zh"):
            assert emitter.sequence(p, lang) == emitter.sequence(p, lang)
            assert emitter.state(m, lang) == emitter.state(m, lang)


def test_par_draws_receipts_after_every_send() -> None:
    """As the projection does: in a par, both SYNs leave (SYN_SENT) before either
    arrives (SYN_RECEIVED), so the receivers' states come after the block."""

    def syn(a: str, b: str) -> Branch:
        m = Message(
            label=Text.token("SYN"),
            sender=a,
            receiver=b,
            sender_state="SYN_SENT",
            receiver_state="SYN_RECEIVED",
        )
        return Branch(label=None, steps=(m,))

    p = proto(Block(kind=BlockKind.PAR, branches=(syn("a", "b"), syn("b", "a"))))
    lines = [line.strip() for line in mermaid.sequence(p, "en").splitlines()]
    end = lines.index("end")
    assert [ln for ln in lines[:end] if ln.startswith("Note")] == [
        "Note left of p0: SYN_SENT",
        "Note right of p1: SYN_SENT",
    ]
    assert lines[end + 1 :] == ["Note right of p1: SYN_RECEIVED", "Note left of p0: SYN_RECEIVED"]
    text = dot.sequence(p, "en")

    def rows(pattern: str) -> set[int]:
        return {int(k) for k in re.findall(pattern, text)}

    sent = rows(r'r(\d+)p\d+ \[[^]]*label="SYN_SENT"')
    arrived = rows(r'r(\d+)p\d+ \[[^]]*label="SYN_RECEIVED"')
    messages = rows(r'r(\d+)p\d+ -> r\d+p\d+ \[[^]]*label="SYN"')
    assert len(messages) == 2 and sent and arrived
    assert max(sent | messages) < min(arrived)


def test_a_created_participant_starts_at_its_creating_message(mermaid_browser) -> None:
    spawn = Message(
        label=Text.token("accept()"), sender="a", receiver="b", creates=True, receiver_state="UP"
    )
    p = proto(
        Phase(label=Text.token("before")),
        Message(label=Text.token("x"), sender="a", receiver="a"),
        spawn,
        Message(label=Text.token("y"), sender="b", receiver="a"),
    )
    text = mermaid.sequence(p, "en")
    lines = [line.strip() for line in text.splitlines()]
    assert "participant p1 as B" not in lines  # not declared at the top
    assert "Note over p0: == before ==" in lines  # spans only who exists then
    i = lines.index("create participant p1 as B")
    assert lines[i + 1 : i + 3] == ["p0-)p1: accept()", "Note right of p1: UP"]
    parsed = mermaid_browser.parse(text)
    assert [a["description"] for a in parsed["actors"]] == ["A", "B"]
    graph = dot.sequence(p, "en")
    k = re.search(r'r(\d+)p0 -> r\d+p1 \[[^]]*label="accept\(\)"', graph).group(1)
    assert f'r{k}p1 [shape=box, style=filled, fillcolor="#eaeaf5", label="B"];' in graph
    assert "    p1 [" not in graph  # no head box at the top
    assert f"r{k}p1 -> " in graph and "p1 -> r0p1" not in graph
