"""The resolved model as plain JSON data (``protodoc export --format json``).

Texts are ``{"en": ..., "zh": ...}``; protocol tokens (the same in both
languages) are plain strings. Every step carries ``"pos": "file:line:col"``.
"""

from __future__ import annotations

from typing import Any

from .analysis import project
from .model import Block, Event, Gap, Machine, Message, Note, Phase, Protocol, Step, Text

EXPORT_VERSION = 1


def _text(t: Text | None) -> str | dict[str, str] | None:
    if t is None:
        return None
    return t.en if t.en == t.zh else {"en": t.en, "zh": t.zh}


def _machine(m: Machine) -> dict[str, Any]:
    return {
        "initial": m.initial,
        "final": list(m.final),
        "states": [{"name": s.name, "description": _text(s.description)} for s in m.states],
        "transitions": [
            {
                "from": t.source,
                "to": t.target,
                "event": _text(t.event),
                "action": _text(t.action),
                "description": _text(t.description),
            }
            for t in m.transitions
        ],
    }


def _step(s: Step) -> dict[str, Any]:
    pos = str(s.pos) if s.pos else None
    if isinstance(s, Message):
        then = {}
        if s.sender_state is not None:
            then[s.sender] = s.sender_state
        if s.receiver_state is not None:
            then[s.receiver] = s.receiver_state
        return {
            "type": "message",
            "label": _text(s.label),
            "from": s.sender,
            "to": s.receiver,
            "kind": s.kind.value,
            "fields": list(s.fields),
            "flags": list(s.flags),
            "description": _text(s.description),
            "then": then,
            "create": s.creates,
            "pos": pos,
        }
    if isinstance(s, Event):
        return {
            "type": "event",
            "label": _text(s.label),
            "at": s.at,
            "timer": s.timer,
            "fields": list(s.fields),
            "then": {s.at: s.state} if s.state is not None else {},
            "description": _text(s.description),
            "pos": pos,
        }
    if isinstance(s, Note):
        return {
            "type": "note",
            "text": _text(s.text),
            "over": list(s.over),
            "position": s.position,
            "pos": pos,
        }
    if isinstance(s, Phase):
        return {"type": "phase", "label": _text(s.label), "pos": pos}
    if isinstance(s, Gap):
        return {"type": "gap", "label": _text(s.label), "pos": pos}
    assert isinstance(s, Block)
    return {
        "type": s.kind.value,
        "branches": [
            {"label": _text(b.label), "steps": [_step(x) for x in b.steps]} for b in s.branches
        ],
        "pos": pos,
    }


def to_json(protocol: Protocol) -> dict[str, Any]:
    """The whole resolved model: participants with their projected machines,
    the flattened steps (includes spliced in), the declared machines."""
    projected = project(protocol)
    return {
        "export_version": EXPORT_VERSION,
        "id": protocol.id,
        "title": _text(protocol.title),
        "summary": _text(protocol.summary),
        "references": [{"text": r.text, "url": r.url} for r in protocol.references],
        "participants": [
            {
                "id": p.id,
                "name": _text(p.name),
                "description": _text(p.description),
                "machine": p.machine.id if p.machine else None,
                **_machine(projected[p.id]),
            }
            for p in protocol.participants
        ],
        "steps": [_step(s) for s in protocol.steps],
        "machines": [
            {"id": m.id, "title": _text(m.title), **_machine(m)} for m in protocol.machines
        ],
    }
