"""Consistency checks between a sequence and the machines it claims to follow."""

from __future__ import annotations

from ..errors import Diagnostic, did_you_mean
from ..model import Event, Machine, Message, Note, Protocol, Step, walk
from .projection import interpret


def reachable(machine: Machine) -> set[str]:
    """States reachable from the machine's initial state."""
    if machine.initial is None:
        return set()
    seen = {machine.initial}
    todo = [machine.initial]
    while todo:
        state = todo.pop()
        for t in machine.transitions:
            if t.source == state and t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    return seen


def check_machine(machine: Machine) -> list[Diagnostic]:
    """Warnings for declared states that cannot be reached from the initial state."""
    ok = reachable(machine)
    return [
        Diagnostic(
            s.pos,
            f"machine '{machine.id}': state '{s.name}' is unreachable from '{machine.initial}'",
            "warning",
        )
        for s in machine.states
        if s.name not in ok
    ]


def _mentions(step: Step) -> tuple[str, ...]:
    if isinstance(step, Message):
        return (step.sender, step.receiver)
    if isinstance(step, Event):
        return (step.at,)
    if isinstance(step, Note):
        return step.over
    return ()


def check_creations(protocol: Protocol) -> list[Diagnostic]:
    """A participant created by a message (``create: true``) appears in no step
    before that message, and is created once."""
    out: list[Diagnostic] = []
    seen: set[str] = set()
    created: set[str] = set()
    for step in walk(protocol.steps):
        if isinstance(step, Message) and step.creates:
            who = step.receiver
            if who in created:
                out.append(Diagnostic(step.pos, f"create: '{who}' is already created earlier"))
            elif who in seen:
                out.append(
                    Diagnostic(step.pos, f"create: '{who}' already takes part in an earlier step")
                )
            created.add(who)
        seen.update(_mentions(step))
    return out


def check(protocol: Protocol) -> list[Diagnostic]:
    """Every problem that needs the whole model: participants created after they
    took part; for each participant that follows a declared machine, the first
    state or state change the machine does not allow; unreachable declared
    states (warnings)."""
    out: list[Diagnostic] = check_creations(protocol)
    for m in protocol.machines:
        out.extend(check_machine(m))
    trace = interpret(protocol)
    for p in protocol.participants:
        machine = p.machine
        if machine is None:
            continue
        names = machine.state_names
        where = f"machine '{machine.id}'" + (f" ({machine.origin})" if machine.origin else "")
        if p.initial is not None and p.initial not in names:
            out.append(
                Diagnostic(
                    p.pos,
                    f"participant '{p.id}': initial state '{p.initial}' is not a state of {where}{did_you_mean(p.initial, names)}",
                )
            )
            continue
        bad_state = next(
            ((n, pos) for n, pos in trace.states[p.id].items() if n not in names), None
        )
        if bad_state:
            name, pos = bad_state
            out.append(
                Diagnostic(
                    pos,
                    f"'{p.id}' enters '{name}', which is not a state of {where}{did_you_mean(name, names)}",
                )
            )
            continue
        allowed = {(t.source, t.target) for t in machine.transitions}
        for t in trace.transitions[p.id].values():
            if (t.source, t.target) not in allowed:
                nexts = sorted({d for s, d in allowed if s == t.source})
                hint = (
                    f"; from {t.source} it allows: {', '.join(nexts)}"
                    if nexts
                    else f"; {t.source} has no way out"
                )
                out.append(
                    Diagnostic(
                        t.pos,
                        f"'{p.id}' goes from {t.source} to {t.target}, which {where} forbids{hint}",
                    )
                )
                break
    return out
