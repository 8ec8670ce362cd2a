"""Graphviz DOT text from the model: a sequence diagram and state machines.

Pure functions, no I/O. Ids come from positions, every text is a quoted string
written by :func:`escape.dot_string`. What is drawn is described in
:mod:`protodoc.emit.style`; in DOT:

Sequence
    Each participant is a column: a box ``p<i>`` at the top and ``z<i>`` at the
    bottom joined by a dashed lifeline. Each step is a row ``r<k>``, one rank, with a
    point ``r<k>p<i>`` on every lifeline (kept in column order by invisible edges).
    A message is an edge between two points of its row, styled by
    :data:`style.MESSAGE_STYLES`; an event a loop on one point (dashed for a timer).
    States entered after a step share one row of rounded boxes on the lifelines; the
    states before the sequence are the first row. A note over one participant sits on
    its lifeline, left/right of it beside it, over several between the first two
    lifelines of its span. A phase is a bold rule across all lifelines, labelled; a
    gap is a row whose lifeline segments are dotted, with ``… label …`` at the right.
    A block is a dashed frame (a cluster) around its rows labelled ``loop [label]``;
    alt and par frames hold one frame per branch labelled ``[label]``.

State machine
    States are rounded boxes ``s<i>`` labelled with the name and, on a second line,
    the description; a black dot ``initial`` leads to the initial state, final states
    lead to a ringed dot ``final``; transitions read ``event / action``.

Every graph, node and edge uses :data:`FONT` so Chinese renders.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..model import (
    Block,
    BlockKind,
    Event,
    Gap,
    Machine,
    Message,
    Note,
    Phase,
    Protocol,
    Step,
    Text,
)
from . import style
from .escape import dot_string

FONT = "Noto Sans CJK SC"
INDENT = "    "

Attrs = tuple[tuple[str, str], ...]

LIFELINE: Attrs = (("style", "dashed"), ("arrowhead", "none"), ("color", "gray50"))
GAP_LIFELINE: Attrs = (("style", "dotted"), ("arrowhead", "none"), ("color", "gray50"))
PARTICIPANT: Attrs = (("shape", "box"), ("style", "filled"), ("fillcolor", "#eaeaf5"))
STATE: Attrs = (("shape", "box"), ("style", "rounded,filled"), ("fillcolor", "#e3f2e1"))
NOTE: Attrs = (("shape", "note"), ("style", "filled"), ("fillcolor", "#fff6c2"))
GAP: Attrs = (("shape", "plaintext"), ("style", "solid"))
PHASE: Attrs = (("dir", "none"), ("style", "bold"), ("color", "gray30"), ("fontcolor", "gray20"))
FRAME: Attrs = (("style", "dashed"), ("color", "gray40"), ("labeljust", "l"), ("fontsize", "12"))


def _attrs(pairs: Attrs, label: str | None = None) -> str:
    items = _pairs(pairs)
    if label is not None:
        items = (*items, f"label={dot_string(label)}")
    return f" [{', '.join(items)}]" if items else ""


@functools.lru_cache(maxsize=256)  # the attribute sets are the few constants above
def _pairs(pairs: Attrs) -> tuple[str, ...]:
    return tuple(f"{k}={_value(v)}" for k, v in pairs)


def _value(v: str) -> str:
    return v if v.replace("_", "").isalnum() and v.isascii() else dot_string(v)


def _header(kind: str, title: str, graph: Attrs) -> list[str]:
    font = dot_string(FONT)
    gattrs = [f"fontname={font}"] + [f"{k}={_value(v)}" for k, v in graph]
    if title:
        gattrs += [f"label={dot_string(title)}", "labelloc=t", "fontsize=16"]
    return [
        f"digraph {kind} {{",
        f"{INDENT}graph [{', '.join(gattrs)}];",
        f"{INDENT}node [fontname={font}, fontsize=12];",
        f"{INDENT}edge [fontname={font}, fontsize=11];",
    ]


# --- sequence ------------------------------------------------------------------------


@dataclass
class _Row:
    k: int
    cells: dict[int, tuple[Attrs, str]] = field(default_factory=dict)  # column -> shape, label
    before: dict[int, list[tuple[Attrs, str]]] = field(default_factory=dict)
    after: dict[int, list[tuple[Attrs, str]]] = field(default_factory=dict)
    dotted: bool = False


@dataclass
class _Frame:
    label: str
    items: list[_Row | _Frame] = field(default_factory=list)


class _Sequence:
    def __init__(self, protocol: Protocol, lang: str) -> None:
        self.protocol = protocol
        self.lang = lang
        self.col = style.participant_index(protocol)
        self.n = len(protocol.participants)
        self.rows: list[_Row] = []
        self.edges: list[str] = []
        self.frames = 0
        self.created = style.created_participants(protocol)
        self.born: dict[int, int] = {}  # column -> row whose box starts its lifeline

    def row(self, out: list[_Row | _Frame]) -> _Row:
        r = _Row(len(self.rows))
        self.rows.append(r)
        out.append(r)
        return r

    def edge(self, a: str, b: str, attrs: Attrs, label: str | None = None) -> None:
        self.edges.append(f"{INDENT}{a} -> {b}{_attrs(attrs, label)};")

    def states(self, changes: list[tuple[str, str]], out: list[_Row | _Frame]) -> None:
        if changes:
            r = self.row(out)
            for pid, name in changes:
                r.cells[self.col[pid]] = (STATE, name)

    def steps(
        self,
        items: tuple[Step, ...],
        out: list[_Row | _Frame],
        receipts: list[Message] | None = None,
    ) -> None:
        """``receipts`` collects the messages of a ``par`` branch: their receivers'
        states are drawn after the block, once everything is sent."""
        lang = self.lang
        for step in items:
            if isinstance(step, Message):
                r = self.row(out)
                a, b = self.col[step.sender], self.col[step.receiver]
                attrs = style.MESSAGE_STYLES[step.kind].dot
                if a != b:
                    attrs = attrs + (("constraint", "false"),)
                self.edge(f"r{r.k}p{a}", f"r{r.k}p{b}", attrs, style.message_text(step, lang))
                initial = self.protocol.participants[b].initial if step.creates else None
                if step.creates:  # the lifeline starts with a box at this message
                    r.cells[b] = (PARTICIPANT, self.protocol.participants[b].name.get(lang))
                    self.born[b] = r.k
                if initial is not None and step.receiver_state is None:
                    self.states([(step.receiver, initial)], out)
                self.states(style.state_changes(step, received=receipts is None), out)
                if receipts is not None:
                    receipts.append(step)
            elif isinstance(step, Event):
                r = self.row(out)
                a = self.col[step.at]
                attrs = (style.TIMER_STYLE if step.timer else style.EVENT_STYLE).dot
                label = style.event_text(step, lang)
                self.edge(f"r{r.k}p{a}", f"r{r.k}p{a}", attrs, label)
                if step.state is not None:
                    self.states([(step.at, step.state)], out)
            elif isinstance(step, Note):
                r = self.row(out)
                cols = sorted({self.col[pid] for pid in step.over})
                cell = (NOTE, step.text.get(lang))
                if len(cols) == 1 and step.position == "left":
                    r.before[cols[0]] = [cell]
                elif len(cols) == 1 and step.position == "right":
                    r.after[cols[0]] = [cell]
                elif len(cols) == 1:
                    r.cells[cols[0]] = cell
                else:
                    r.after[cols[0]] = [cell]
            elif isinstance(step, Phase):
                if self.n == 0:
                    continue
                r = self.row(out)
                label = step.label.get(lang)
                if self.n == 1:
                    r.after[0] = [(GAP, label)]
                else:
                    self.edge(f"r{r.k}p0", f"r{r.k}p{self.n - 1}", PHASE, label)
            elif isinstance(step, Gap):
                if self.n == 0:
                    continue
                r = self.row(out)
                r.dotted = True
                r.after[self.n - 1] = [(GAP, style.gap_text(step.label, lang))]
            elif isinstance(step, Block):
                block = style.BLOCK_STYLES[step.kind]
                sent: list[Message] | None = [] if step.kind is BlockKind.PAR else None
                if block.more is None:
                    frame = _Frame(
                        style.frame_label(block.keyword, style.text(step.branches[0].label, lang))
                    )
                    for branch in step.branches:
                        self.steps(branch.steps, frame.items)
                else:
                    frame = _Frame(block.keyword)
                    for branch in step.branches:
                        inner = _Frame(style.frame_label("", style.text(branch.label, lang)))
                        self.steps(branch.steps, inner.items, sent)
                        frame.items.append(inner)
                out.append(frame)
                for m in sent or ():
                    self.states(style.receipt_changes(m), out)
            else:  # pragma: no cover - the model has no other step
                raise TypeError(f"unknown step {step!r}")

    def order(self, r: _Row) -> list[tuple[str, Attrs, str | None]]:
        """The nodes of a row, left to right: (id, attributes, label)."""
        nodes: list[tuple[str, Attrs, str | None]] = []
        extra = 0
        for i in range(self.n):
            for attrs, label in r.before.get(i, []):
                nodes.append((f"r{r.k}x{extra}", attrs, label))
                extra += 1
            attrs, label = r.cells.get(i, ((), None))
            nodes.append((f"r{r.k}p{i}", attrs, label))
            for attrs, label in r.after.get(i, []):
                nodes.append((f"r{r.k}x{extra}", attrs, label))
                extra += 1
        return nodes

    def emit(self, items: list[_Row | _Frame], depth: int, lines: list[str]) -> None:
        pad = INDENT * depth
        for item in items:
            if isinstance(item, _Row):
                nodes = self.order(item)
                for nid, attrs, label in nodes:
                    if label is not None:
                        lines.append(f"{pad}{nid}{_attrs(attrs, label)};")
                ids = [nid for nid, _, _ in nodes]
                lines.append(f"{pad}{{rank=same; {'; '.join(ids)};}}")
                if len(ids) > 1:
                    lines.append(f"{pad}{' -> '.join(ids)} [style=invis];")
            else:
                n = self.frames
                self.frames += 1
                lines.append(f"{pad}subgraph cluster_{n} {{")
                lines.append(f"{pad}{INDENT}graph{_attrs(FRAME, item.label)};")
                self.emit(item.items, depth + 1, lines)
                lines.append(f"{pad}}}")

    def render(self) -> str:
        p = self.protocol
        lines = _header(
            "sequence", p.title.get(self.lang), (("newrank", "true"), ("ranksep", "0.3"))
        )
        lines.append(f"{INDENT}node [shape=point, width=0.01, height=0.01, style=invis];")
        top: list[_Row | _Frame] = []
        initial = [
            (q.id, q.initial)
            for q in p.participants
            if q.initial is not None and q.id not in self.created
        ]
        self.states(initial, top)
        self.steps(p.steps, top)
        for i, q in enumerate(p.participants):
            if i not in self.born:
                lines.append(f"{INDENT}p{i}{_attrs(PARTICIPANT, q.name.get(self.lang))};")
        heads = [f"p{i}" for i in range(self.n)]  # a created one's stays an invisible point
        if self.n:
            lines.append(f"{INDENT}{{rank=same; {'; '.join(heads)};}}")
        if self.n > 1:
            lines.append(f"{INDENT}{' -> '.join(heads)} [style=invis];")
        self.emit(top, 1, lines)
        for i, q in enumerate(p.participants):
            lines.append(f"{INDENT}z{i}{_attrs(PARTICIPANT, q.name.get(self.lang))};")
        if self.n:
            lines.append(f"{INDENT}{{rank=same; {'; '.join(f'z{i}' for i in range(self.n))};}}")
        if self.n > 1:
            lines.append(f"{INDENT}{' -> '.join(f'z{i}' for i in range(self.n))} [style=invis];")
        for i in range(self.n):
            first = self.born.get(i)
            rows = self.rows if first is None else self.rows[first:]
            chain = ([f"p{i}"] if first is None else []) + [f"r{r.k}p{i}" for r in rows] + [f"z{i}"]
            dotted = ([False] if first is None else []) + [r.dotted for r in rows] + [False]
            # a segment touching a gap row is dotted; runs of one style share a statement
            seg_style = [dotted[j] or dotted[j + 1] for j in range(len(chain) - 1)]
            start = 0
            for j in range(1, len(seg_style) + 1):
                if j == len(seg_style) or seg_style[j] != seg_style[start]:
                    attrs = GAP_LIFELINE if seg_style[start] else LIFELINE
                    path = " -> ".join(chain[start : j + 1])
                    lines.append(f"{INDENT}{path}{_attrs(attrs + (('weight', '1000'),))};")
                    start = j
        lines.extend(self.edges)
        lines.append("}")
        return "\n".join(lines) + "\n"


def sequence(protocol: Protocol, lang: str) -> str:
    """The sequence diagram of ``protocol`` in ``lang`` as a DOT digraph."""
    return _Sequence(protocol, lang).render()


# --- state machine -------------------------------------------------------------------

INITIAL: Attrs = (("shape", "circle"), ("style", "filled"), ("fillcolor", "black"))
FINAL: Attrs = (("shape", "doublecircle"), ("style", "filled"), ("fillcolor", "black"))


def state(machine: Machine, lang: str, *, title: Text | None = None) -> str:
    """The state machine ``machine`` in ``lang`` as a DOT digraph."""
    ids = style.state_ids(machine)
    heading = (title or machine.title or Text.token("")).get(lang)
    lines = _header("state", heading, ())
    lines.append(f'{INDENT}node [shape=box, style="rounded,filled", fillcolor="#e3f2e1"];')
    if machine.initial is not None:
        lines.append(f"{INDENT}initial{_attrs(INITIAL + (('width', '0.2'),), '')};")
    for name, sid in ids.items():
        st = machine.state(name)
        description = style.text(st.description if st else None, lang)
        label = f"{name}\n{description}" if description else name
        lines.append(f"{INDENT}{sid}{_attrs((), label)};")
    if machine.final:
        lines.append(f"{INDENT}final{_attrs(FINAL + (('width', '0.15'),), '')};")
    if machine.initial is not None:
        lines.append(f"{INDENT}initial -> {ids[machine.initial]};")
    for t in machine.transitions:
        label = style.transition_text(t, lang)
        lines.append(f"{INDENT}{ids[t.source]} -> {ids[t.target]}{_attrs((), label or None)};")
    for name in machine.final:
        lines.append(f"{INDENT}{ids[name]} -> final;")
    lines.append("}")
    return "\n".join(lines) + "\n"
