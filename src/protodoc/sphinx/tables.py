"""Tables built from the model, as docutils nodes (every builder can write them)."""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes

from ..model import Machine, MessageKind, Protocol, Text, messages
from .i18n import label


def _text(value: Text | str | None, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(lang)


def _cell(content: str | nodes.Node) -> nodes.entry:
    entry = nodes.entry()
    if isinstance(content, nodes.Node):
        entry += (
            content if not isinstance(content, nodes.Inline) else nodes.paragraph("", "", content)
        )
    elif content:
        entry += nodes.paragraph(content, content)
    return entry


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str | nodes.Node]],
    widths: Sequence[int],
    classes: Sequence[str] = (),
) -> nodes.table:
    """A simple table with one header row."""
    tbl = nodes.table(classes=["protodoc-table", *classes])
    group = nodes.tgroup(cols=len(headers))
    tbl += group
    for w in widths:
        group += nodes.colspec(colwidth=w)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for h in headers:
        row += _cell(h)
    head += row
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for c in cells:
            row += _cell(c)
        body += row
    return tbl


def _name(protocol: Protocol, pid: str, lang: str) -> str:
    p = protocol.participant(pid)
    return p.name.get(lang) if p is not None else pid


def _token(value: str) -> nodes.Node:
    return nodes.literal(value, value) if value else nodes.Text("")


def message_table(protocol: Protocol, lang: str, *, description: bool = True) -> nodes.table:
    """Order, from, to, message, fields (and description) of every message."""
    headers = [label(k, lang) for k in ("order", "from", "to", "message", "fields")]
    widths = [6, 12, 12, 16, 20]
    if description:
        headers.append(label("description", lang))
        widths.append(36)
    rows = []
    for i, msg in enumerate(messages(protocol), 1):
        text = msg.label.get(lang)
        if msg.kind is MessageKind.LOST:
            text = f"{text} ({label('lost', lang)})"
        row: list[str | nodes.Node] = [
            str(i),
            _name(protocol, msg.sender, lang),
            _name(protocol, msg.receiver, lang),
            _token(text),
            ", ".join(msg.fields),
        ]
        if description:
            row.append(_text(msg.description, lang))
        rows.append(row)
    return table(headers, rows, widths, ["protodoc-messages"])


def participant_table(protocol: Protocol, lang: str) -> nodes.table:
    headers = [label(k, lang) for k in ("name", "id", "description", "initial", "machine")]
    rows = []
    for p in protocol.participants:
        machine = ""
        if p.machine is not None:
            machine = _text(p.machine.title, lang) or p.machine.id
        rows.append(
            [
                p.name.get(lang),
                _token(p.id),
                _text(p.description, lang),
                _token(p.initial or ""),
                machine,
            ]
        )
    return table(headers, rows, [14, 10, 40, 14, 16], ["protodoc-participants"])


def state_table(machine: Machine, lang: str) -> nodes.table:
    headers = [label("state", lang), label("description", lang)]
    rows = []
    for s in machine.states:
        marks = []
        if s.name == machine.initial:
            marks.append(label("start", lang))
        if s.name in machine.final:
            marks.append(label("final", lang))
        desc = _text(s.description, lang)
        if marks:
            desc = f"({', '.join(marks)}) {desc}".strip()
        rows.append([_token(s.name), desc])
    return table(headers, rows, [24, 76], ["protodoc-states"])


def transition_table(machine: Machine, lang: str) -> nodes.table:
    keys = ["source_state", "target_state", "event", "action"]
    rows = [
        [_token(t.source), _token(t.target), _text(t.event, lang), _text(t.action, lang)]
        for t in machine.transitions
    ]
    widths = [20, 20, 30, 30]
    if any(t.description for t in machine.transitions):  # a column only when there is one
        keys.append("description")
        for row, t in zip(rows, machine.transitions, strict=True):
            row.append(_text(t.description, lang))
        widths = [16, 16, 22, 20, 26]
    return table([label(k, lang) for k in keys], rows, widths, ["protodoc-transitions"])


def untranslatable(node: nodes.Node) -> nodes.Node:
    """Mark every text element below ``node`` as not for gettext: spec texts are
    already in the page's language and must not end up in the message catalogs."""
    for sub in node.findall(nodes.TextElement):
        sub["translatable"] = False
    return node
