"""Mermaid text from the model: ``sequenceDiagram`` and ``stateDiagram-v2``.

Pure functions, no I/O. Ids come from positions (participants ``p0``, ``p1``...;
states ``s0``, ``s1``...), every text goes through :func:`escape.mermaid_text`.
What is drawn, and how, is described in :mod:`protodoc.emit.style`; in Mermaid:

* participant ``p<i>`` is declared ``participant p<i> as <name>`` in spec order, and
  the protocol title is the diagram ``title``;
* a state entered is a note beside the lifeline: ``left of`` the first participant,
  ``right of`` the last, ``over`` the others;
* phases and gaps are notes over all participants (``== Handshake ==``,
  ``… 2MSL later …``); a note over several participants spans the leftmost to the
  rightmost of them;
* blocks map to ``loop``/``opt``/``alt``-``else``/``par``-``and`` (:data:`style.BLOCK_STYLES`);
* in a state diagram each state is ``state "<name>" as s<i>`` plus ``s<i> : <description>``;
  ``[*]`` leads to the initial state and from each final state. The title is the
  diagram's accessible title (``accTitle``, the SVG ``<title>``): stateDiagram-v2 has no
  title statement, and its front-matter title is sanitized as HTML (``&`` would show as
  ``&amp;``), so it cannot carry every text unchanged.

Known limit (Mermaid 11, ``htmlLabels: false``): the state renderer wraps a transition
label into lines while its entity codes are still text (``&#123;``), so a code at a
wrap point can be split in two and then shows as code. The parser reads every label
exactly; escaping codes as few characters as it safely can (see
:data:`escape.MERMAID_RAW_ASCII`) keeps such labels rare.
"""

from __future__ import annotations

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
from .escape import mermaid_text

INDENT = "    "
EMPTY_NAME = "#8203;"  # U+200B ZERO WIDTH SPACE, for an empty state name


def sequence(protocol: Protocol, lang: str) -> str:
    """The ``sequenceDiagram`` of ``protocol`` in ``lang`` (``en`` or ``zh``)."""
    col = style.participant_index(protocol)
    last = len(protocol.participants) - 1
    lines = ["sequenceDiagram"]
    title = protocol.title.get(lang)
    if title:
        lines.append(f"{INDENT}title {mermaid_text(title, breaks=False)}")
    created = style.created_participants(protocol)
    alive = [i for i, p in enumerate(protocol.participants) if p.id not in created]

    def declare(i: int, depth: int, keyword: str = "participant") -> str:
        name = mermaid_text(protocol.participants[i].name.get(lang))
        return f"{INDENT * depth}{keyword} p{i} as {name}"

    lines.extend(declare(i, 1) for i in alive)

    def state_note(pid: str, state: str, depth: int) -> str:
        i = col[pid]
        where = "left of" if i == 0 else "right of" if i == last else "over"
        return f"{INDENT * depth}Note {where} p{i}: {mermaid_text(state)}"

    def across(label: str, depth: int) -> list[str]:
        """A note over every participant that exists at this point."""
        if not alive:
            return []
        first, end = min(alive), max(alive)
        span = f"p{first}" if first == end else f"p{first},p{end}"
        return [f"{INDENT * depth}Note over {span}: {mermaid_text(label)}"]

    def steps(items: tuple[Step, ...], depth: int, receipts: list[Message] | None = None) -> None:
        """``receipts`` collects the messages of a ``par`` branch: their receivers'
        states are drawn after the block, once everything is sent."""
        pad = INDENT * depth
        for step in items:
            if isinstance(step, Message):
                arrow = style.MESSAGE_STYLES[step.kind].mermaid
                a, b = col[step.sender], col[step.receiver]
                label = mermaid_text(style.message_text(step, lang))
                if step.creates:
                    lines.append(declare(b, depth, "create participant"))
                    alive.append(b)
                lines.append(f"{pad}p{a}{arrow}p{b}: {label}".rstrip(" "))
                initial = protocol.participants[b].initial if step.creates else None
                if initial is not None and step.receiver_state is None:
                    lines.append(state_note(step.receiver, initial, depth))
                for pid, state in style.state_changes(step, received=receipts is None):
                    lines.append(state_note(pid, state, depth))
                if receipts is not None:
                    receipts.append(step)
            elif isinstance(step, Event):
                arrow = (style.TIMER_STYLE if step.timer else style.EVENT_STYLE).mermaid
                a = col[step.at]
                label = mermaid_text(style.event_text(step, lang))
                lines.append(f"{pad}p{a}{arrow}p{a}: {label}".rstrip(" "))
                if step.state is not None:
                    lines.append(state_note(step.at, step.state, depth))
            elif isinstance(step, Note):
                lines.append(f"{pad}{_note_head(step, col)}: {mermaid_text(step.text.get(lang))}")
            elif isinstance(step, Phase):
                lines.extend(across(style.phase_text(step.label, lang), depth))
            elif isinstance(step, Gap):
                lines.extend(across(style.gap_text(step.label, lang), depth))
            elif isinstance(step, Block):
                block = style.BLOCK_STYLES[step.kind]
                sent: list[Message] | None = [] if step.kind is BlockKind.PAR else None
                for n, branch in enumerate(step.branches):
                    keyword = block.keyword if n == 0 else block.more or block.keyword
                    label = mermaid_text(style.text(branch.label, lang))
                    lines.append(f"{pad}{keyword} {label}".rstrip(" "))
                    steps(branch.steps, depth + 1, sent)
                lines.append(f"{pad}end")
                for m in sent or ():
                    for pid, state in style.receipt_changes(m):
                        lines.append(state_note(pid, state, depth))
            else:  # pragma: no cover - the model has no other step
                raise TypeError(f"unknown step {step!r}")

    for p in protocol.participants:
        if p.initial is not None and p.id not in created:
            lines.append(state_note(p.id, p.initial, 1))
    steps(protocol.steps, 1)
    return "\n".join(line.rstrip(" ") for line in lines) + "\n"


def _note_head(note: Note, col: dict[str, int]) -> str:
    cols = sorted({col[pid] for pid in note.over})
    if note.position in ("left", "right") and len(cols) == 1:
        return f"Note {note.position} of p{cols[0]}"
    if len(cols) == 1:
        return f"Note over p{cols[0]}"
    return f"Note over p{cols[0]},p{cols[-1]}"


def state(machine: Machine, lang: str, *, title: Text | None = None) -> str:
    """The ``stateDiagram-v2`` of ``machine`` in ``lang``; ``title`` defaults to the machine's."""
    ids = style.state_ids(machine)
    lines = ["stateDiagram-v2"]
    heading = (title or machine.title or Text.token("")).get(lang)
    if heading:
        lines.append(f"{INDENT}accTitle: {mermaid_text(heading, breaks=False)}")
    for name, sid in ids.items():
        # Mermaid rejects an empty quoted name: a zero-width space looks the same.
        shown = mermaid_text(name) if name else EMPTY_NAME
        lines.append(f'{INDENT}state "{shown}" as {sid}')
        st = machine.state(name)
        description = style.text(st.description if st else None, lang)
        if description:
            lines.append(f"{INDENT}{sid} : {mermaid_text(description)}")
    if machine.initial is not None:
        lines.append(f"{INDENT}[*] --> {ids[machine.initial]}")
    for t in machine.transitions:
        label = mermaid_text(style.transition_text(t, lang))
        edge = f"{INDENT}{ids[t.source]} --> {ids[t.target]}"
        lines.append(f"{edge} : {label}" if label else edge)
    for name in machine.final:
        lines.append(f"{INDENT}{ids[name]} --> [*]")
    return "\n".join(line.rstrip(" ") for line in lines) + "\n"
