"""Projection: each participant's state machine, derived from the sequence.

The sequence is interpreted over *sets* of possible current states, one set
per participant, so that blocks have a meaning without unrolling them:

- a message moves its sender to ``sender_state`` when it is sent and its
  receiver to ``receiver_state`` when it arrives (a lost message never does);
- ``alt`` runs every branch from the same states and joins their results;
- ``opt`` joins "taken" and "not taken"; ``loop`` repeats until nothing new
  appears (zero or more iterations);
- ``par`` sends every message of all its branches before any is received,
  which is what simultaneous open/close and pipelined requests need.

Each transition a step causes is recorded once, with the step's position, in
the order the steps are written. A participant following a declared machine
gets that machine's labels (event / action) for a matching transition, so the
projected diagram and the declared one agree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..errors import Pos
from ..model import (
    Block,
    BlockKind,
    Event,
    Machine,
    Message,
    Participant,
    Protocol,
    State,
    Step,
    Text,
    Transition,
)

Current = dict[str, frozenset[str | None]]  # participant -> possible states (None: not known yet)


@dataclass
class Trace:
    """What the interpretation found, per participant, in first-seen order."""

    states: dict[str, dict[str, Pos | None]] = field(default_factory=dict)
    initial: dict[str, str] = field(default_factory=dict)
    transitions: dict[str, dict[tuple[str, str], Transition]] = field(default_factory=dict)


def _label(verb: str, text: Text) -> Text:
    return Text(en=f"{verb} {text.en}", zh=f"{verb} {text.zh}")


class _Projector:
    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.parts: dict[str, Participant] = {p.id: p for p in protocol.participants}
        self.trace = Trace()
        for p in protocol.participants:
            self.trace.states[p.id] = {}
            self.trace.transitions[p.id] = {}

    def start(self) -> Current:
        cur: Current = {}
        for p in self.protocol.participants:
            first = p.initial or (p.machine.initial if p.machine else None)
            if first is not None:
                self.trace.initial[p.id] = first
                self.trace.states[p.id].setdefault(first, p.pos)
            cur[p.id] = frozenset([first])
        return cur

    def enter(self, cur: Current, pid: str, target: str, event: Text, pos: Pos | None) -> Current:
        seen = self.trace.states[pid]
        seen.setdefault(target, pos)
        for source in sorted(cur[pid], key=lambda s: (s is not None, s or "")):
            if source is None:
                self.trace.initial.setdefault(pid, target)
                continue
            key = (source, target)
            if key not in self.trace.transitions[pid]:
                self.trace.transitions[pid][key] = Transition(
                    source=source, target=target, event=event, pos=pos
                )
        return {**cur, pid: frozenset([target])}

    def send(self, cur: Current, m: Message) -> Current:
        if m.sender_state is not None:
            cur = self.enter(cur, m.sender, m.sender_state, _label("snd", m.label), m.pos)
        return cur

    def receive(self, cur: Current, m: Message) -> Current:
        if m.kind.received and m.receiver_state is not None:
            cur = self.enter(cur, m.receiver, m.receiver_state, _label("rcv", m.label), m.pos)
        return cur

    def run(self, steps: tuple[Step, ...], cur: Current) -> Current:
        for step in steps:
            cur = self.step(step, cur)
        return cur

    def step(self, step: Step, cur: Current) -> Current:
        if isinstance(step, Message):
            return self.receive(self.send(cur, step), step)
        if isinstance(step, Event):
            if step.state is not None:
                verb = "timeout" if step.timer else ""
                label = _label(verb, step.label) if verb else step.label
                return self.enter(cur, step.at, step.state, label, step.pos)
            return cur
        if isinstance(step, Block):
            return self.block(step, cur)
        return cur

    def block(self, block: Block, cur: Current) -> Current:
        if block.kind is BlockKind.PAR:
            msgs: list[Message] = []
            for branch in block.branches:
                for s in branch.steps:
                    if isinstance(s, Message):
                        cur = self.send(cur, s)
                        msgs.append(s)
                    else:
                        cur = self.step(s, cur)
            for m in msgs:
                cur = self.receive(cur, m)
            return cur
        if block.kind is BlockKind.ALT:
            outs = [self.run(b.steps, cur) for b in block.branches]
            return _join(*outs)
        body = block.branches[0].steps
        if block.kind is BlockKind.OPT:
            return _join(cur, self.run(body, cur))
        # LOOP: zero or more iterations, until no new state appears
        acc = cur
        while True:
            nxt = _join(acc, self.run(body, acc))
            if nxt == acc:
                return acc
            acc = nxt


def _join(*currents: Current) -> Current:
    out: Current = {}
    for cur in currents:
        for pid, states in cur.items():
            out[pid] = out.get(pid, frozenset()) | states
    return out


def _declared_labels(machine: Machine | None, t: Transition) -> Transition:
    if machine is None:
        return t
    for d in machine.transitions:
        if (d.source, d.target) == (t.source, t.target):
            return dataclasses.replace(d, pos=t.pos)
    return t


def interpret(protocol: Protocol) -> Trace:
    """Run the sequence; the raw states and transitions each participant goes through."""
    pr = _Projector(protocol)
    pr.run(protocol.steps, pr.start())
    return pr.trace


def project(protocol: Protocol) -> dict[str, Machine]:
    """Each participant's state machine as the sequence drives it.

    Keys are participant ids, in declaration order. A participant whose
    sequence never names a state gets a machine with no states.
    """
    trace = interpret(protocol)
    out: dict[str, Machine] = {}
    for p in protocol.participants:
        declared = p.machine
        names = list(trace.states[p.id])
        states = tuple(
            State(
                name=n,
                description=(
                    declared.state(n).description if declared and declared.state(n) else None
                ),
                pos=trace.states[p.id][n],
            )
            for n in names
        )
        final = tuple(f for f in (declared.final if declared else ()) if f in names)
        out[p.id] = Machine(
            id=p.id,
            title=p.name,
            states=states,
            initial=trace.initial.get(p.id),
            final=final,
            transitions=tuple(
                _declared_labels(declared, t) for t in trace.transitions[p.id].values()
            ),
            pos=p.pos,
        )
    return out
