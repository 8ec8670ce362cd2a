"""What a diagram shows, shared by the Mermaid and DOT emitters.

The closed vocabularies of the model each have one table here: how a message kind
is drawn in either backend (:data:`MESSAGE_STYLES`) and how a block kind is
labelled (:data:`BLOCK_STYLES`). The functions compose the texts both backends
draw, so a Mermaid and a DOT diagram of one view always say the same thing.

Presentation
    * A message reads ``label`` followed by its fields: ``SYN seq=j``,
      ``SYN+ACK seq=k, ack=j+1``. Flags and descriptions are for tables, not drawn.
    * An event is a message from a participant to itself; a timer's label starts
      with :data:`TIMER_MARK` and is drawn dashed.
    * A state entered is shown as the bare state name beside the participant's
      lifeline, right after the message or event that causes it (a lost message
      changes only its sender). The states before the sequence are shown the same
      way at the top.
    * A phase is a divider across all lifelines; a gap (time passing) reads
      ``… label …``.
    * A transition reads ``event / action``; an empty part is left out
      (``event``, ``/ action``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import (
    BlockKind,
    Event,
    Machine,
    Message,
    MessageKind,
    Note,
    Protocol,
    Text,
    Transition,
    walk,
)


@dataclass(frozen=True, slots=True)
class MessageStyle:
    mermaid: str  # the arrow between the two participant ids
    dot: tuple[tuple[str, str], ...]  # edge attributes


MESSAGE_STYLES: dict[MessageKind, MessageStyle] = {
    MessageKind.SYNC: MessageStyle("->>", (("arrowhead", "normal"),)),
    MessageKind.ASYNC: MessageStyle("-)", (("arrowhead", "vee"),)),
    MessageKind.REPLY: MessageStyle("-->>", (("arrowhead", "normal"), ("style", "dashed"))),
    MessageKind.LOST: MessageStyle("-x", (("arrowhead", "dot"), ("color", "firebrick"))),
}
"""Message kind -> Mermaid arrow and DOT edge attributes (UML: a lost message ends in a dot)."""

EVENT_STYLE = MessageStyle("->>", (("arrowhead", "normal"),))
TIMER_STYLE = MessageStyle("--)", (("arrowhead", "vee"), ("style", "dashed")))
TIMER_MARK = "\u25f7 "  # ◷, a clock face (U+23F1 ⏱ is in no CJK font here)
PHASE_MARKS = ("== ", " ==")  # Mermaid only: DOT draws a rule across the lifelines
GAP_MARKS = ("\u2026 ", " \u2026")  # … label …


@dataclass(frozen=True, slots=True)
class BlockStyle:
    keyword: str  # opens the block (Mermaid keyword, DOT frame label)
    more: str | None  # Mermaid keyword of each further branch (alt: else, par: and)


BLOCK_STYLES: dict[BlockKind, BlockStyle] = {
    BlockKind.LOOP: BlockStyle("loop", None),
    BlockKind.OPT: BlockStyle("opt", None),
    BlockKind.ALT: BlockStyle("alt", "else"),
    BlockKind.PAR: BlockStyle("par", "and"),
}
"""Block kind -> keywords."""


def text(t: Text | None, lang: str) -> str:
    return "" if t is None else t.get(lang)


def message_text(message: Message, lang: str) -> str:
    """``SYN seq=j``, ``SYN+ACK seq=k, ack=j+1``."""
    label = message.label.get(lang)
    if not message.fields:
        return label
    fields = ", ".join(message.fields)
    return f"{label} {fields}" if label else fields


def event_text(event: Event, lang: str) -> str:
    """``listen()``, ``connect() addr=192.0.2.10, port=80``, ``◷ 2MSL``."""
    text = (TIMER_MARK if event.timer else "") + event.label.get(lang)
    return f"{text} {', '.join(event.fields)}" if event.fields else text


def phase_text(label: Text, lang: str) -> str:
    return PHASE_MARKS[0] + label.get(lang) + PHASE_MARKS[1]


def gap_text(label: Text, lang: str) -> str:
    return GAP_MARKS[0] + label.get(lang) + GAP_MARKS[1]


def transition_text(t: Transition, lang: str) -> str:
    """``rcv SYN / snd SYN+ACK``; ``rcv SYN``; ``/ snd SYN``; or empty."""
    event, action = text(t.event, lang), text(t.action, lang)
    if action:
        return f"{event} / {action}" if event else f"/ {action}"
    return event


def participant_index(protocol: Protocol) -> dict[str, int]:
    """Participant id -> column; raises ValueError naming an undeclared id."""
    index = {p.id: i for i, p in enumerate(protocol.participants)}
    for step in walk(protocol.steps):
        used: tuple[str, ...] = ()
        if isinstance(step, Message):
            used = (step.sender, step.receiver)
        elif isinstance(step, Event):
            used = (step.at,)
        elif isinstance(step, Note):
            used = step.over
        for pid in used:
            if pid not in index:
                raise ValueError(f"step names undeclared participant {pid!r}")
    return index


def state_ids(machine: Machine) -> dict[str, str]:
    """State name -> ``s<i>``: declared states first, then any only a transition names."""
    ids: dict[str, str] = {}
    names = list(machine.state_names)
    if machine.initial is not None:
        names.append(machine.initial)
    names.extend(machine.final)
    for t in machine.transitions:
        names += [t.source, t.target]
    for name in names:
        if name not in ids:
            ids[name] = f"s{len(ids)}"
    return ids


def created_participants(protocol: Protocol) -> set[str]:
    """Participants whose lifeline starts at the message that creates them."""
    return {s.receiver for s in walk(protocol.steps) if isinstance(s, Message) and s.creates}


def state_changes(message: Message, *, received: bool = True) -> list[tuple[str, str]]:
    """(participant, state entered) caused by a message: sender first.

    ``received=False`` gives only the sender's change: inside a ``par`` block every
    message is sent before any is received, so the receipts are drawn after the
    block (:func:`receipt_changes`), in the order the projection applies them."""
    out = []
    if message.sender_state is not None:
        out.append((message.sender, message.sender_state))
    if received:
        for pid, state in receipt_changes(message):
            if pid == message.sender and out:
                out[0] = (pid, state)
            else:
                out.append((pid, state))
    return out


def receipt_changes(message: Message) -> list[tuple[str, str]]:
    """The receiver's change of state when ``message`` arrives (none if it is lost)."""
    if message.receiver_state is not None and message.kind.received:
        return [(message.receiver, message.receiver_state)]
    return []


def frame_label(keyword: str, label: str) -> str:
    """A DOT block frame: ``loop [every 30 s]``, ``alt``, ``[timeout]``; brackets only if any."""
    bracketed = f"[{label}]" if label else ""
    return f"{keyword} {bracketed}" if keyword and bracketed else keyword or bracketed
