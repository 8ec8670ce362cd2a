"""The shipped protocol specs: each loads cleanly and says what its protocol does.

Every spec in ``specs/`` is loaded with the real loader and checked against the
machines it declares or imports; the key facts of each protocol (messages and
fields in order, states each side passes through) are asserted here, so a spec
that drifts from its RFC fails a test.
"""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest

from protodoc import pipeline
from protodoc.analysis import project
from protodoc.errors import SpecError
from protodoc.model import (
    Block,
    BlockKind,
    Event,
    Gap,
    Machine,
    Message,
    MessageKind,
    Note,
    Phase,
    Protocol,
    Text,
    messages,
    walk,
)

SPECS = Path(__file__).resolve().parent.parent / "specs"
SPEC_PATHS = sorted(SPECS.glob("*.yaml"))
CJK = re.compile(r"[\u4e00-\u9fff]")

TCP_STATES = {
    "CLOSED",
    "LISTEN",
    "SYN_SENT",
    "SYN_RECEIVED",
    "ESTABLISHED",
    "FIN_WAIT_1",
    "FIN_WAIT_2",
    "CLOSE_WAIT",
    "CLOSING",
    "LAST_ACK",
    "TIME_WAIT",
}

# RFC 9293, section 3.3.2, Figure 5 (plus note 2): (from, to, event, action).
TCP_TRANSITIONS = {
    ("CLOSED", "LISTEN", "passive OPEN", "create TCB"),
    ("CLOSED", "SYN_SENT", "active OPEN", "create TCB; snd SYN"),
    ("LISTEN", "CLOSED", "CLOSE", "delete TCB"),
    ("LISTEN", "SYN_RECEIVED", "rcv SYN", "snd SYN,ACK"),
    ("LISTEN", "SYN_SENT", "SEND", "snd SYN"),
    ("SYN_SENT", "SYN_RECEIVED", "rcv SYN", "snd SYN,ACK"),
    ("SYN_SENT", "ESTABLISHED", "rcv SYN,ACK", "snd ACK"),
    ("SYN_SENT", "CLOSED", "CLOSE", "delete TCB"),
    ("SYN_RECEIVED", "ESTABLISHED", "rcv ACK of SYN", ""),
    ("SYN_RECEIVED", "LISTEN", "rcv RST", ""),
    ("SYN_RECEIVED", "FIN_WAIT_1", "CLOSE", "snd FIN"),
    ("ESTABLISHED", "FIN_WAIT_1", "CLOSE", "snd FIN"),
    ("ESTABLISHED", "CLOSE_WAIT", "rcv FIN", "snd ACK"),
    ("FIN_WAIT_1", "FIN_WAIT_2", "rcv ACK of FIN", ""),
    ("FIN_WAIT_1", "CLOSING", "rcv FIN", "snd ACK"),
    ("FIN_WAIT_1", "TIME_WAIT", "rcv FIN + ACK of FIN", "snd ACK"),
    ("FIN_WAIT_2", "TIME_WAIT", "rcv FIN", "snd ACK"),
    ("CLOSING", "TIME_WAIT", "rcv ACK of FIN", ""),
    ("CLOSE_WAIT", "LAST_ACK", "CLOSE", "snd FIN"),
    ("LAST_ACK", "CLOSED", "rcv ACK of FIN", ""),
    ("TIME_WAIT", "CLOSED", "Timeout=2MSL", "delete TCB"),
}


def load(name: str) -> Protocol:
    return pipeline.load(SPECS / name).protocol


def flow(label: Text | None) -> str:
    return label.en if label else ""


def path_of(machine: Machine) -> list[str]:
    """The states a projected machine passes through, in the order first entered."""
    return list(machine.state_names)


def changes(machine: Machine) -> list[tuple[str, str]]:
    return [(t.source, t.target) for t in machine.transitions]


def wire(protocol: Protocol) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(sender, receiver, label, fields) of every message, in document order."""
    return [(m.sender, m.receiver, m.label.en, m.fields) for m in messages(protocol)]


def texts(protocol: Protocol) -> list[tuple[str, Text]]:
    """Every human-readable text of a spec that must be translated."""
    out: list[tuple[str, Text]] = [("title", protocol.title)]
    if protocol.summary:
        out.append(("summary", protocol.summary))
    for p in protocol.participants:
        out.append((f"participant {p.id}", p.name))
        if p.description:
            out.append((f"participant {p.id} description", p.description))
    for m in protocol.machines:
        if m.title:
            out.append((f"machine {m.id}", m.title))
        for s in m.states:
            if s.description:
                out.append((f"state {s.name}", s.description))
    for step in walk(protocol.steps):
        if isinstance(step, Note):
            out.append(("note", step.text))
        elif isinstance(step, (Phase, Gap)):
            out.append((type(step).__name__.lower(), step.label))
        elif isinstance(step, Block):
            out.extend((f"{step.kind.value} label", b.label) for b in step.branches if b.label)
        elif isinstance(step, (Message, Event)) and step.description:
            out.append(("description", step.description))
    return out


# --- every spec ---------------------------------------------------------------


def test_the_library_is_complete():
    names = {p.name for p in SPEC_PATHS}
    assert names >= {
        "tcp-state-machine.yaml",
        "tcp-handshake.yaml",
        "tcp-teardown.yaml",
        "tcp-simultaneous-open.yaml",
        "tcp-simultaneous-close.yaml",
        "http10.yaml",
        "http11.yaml",
        "keepalive-heartbeat.yaml",
        "socket-setup.yaml",
        "server-push.yaml",
        "http-polling.yaml",
    }


@pytest.mark.parametrize("path", SPEC_PATHS, ids=lambda p: p.stem)
def test_spec_loads_strictly_without_warnings(path: Path):
    loaded = pipeline.load(path)
    assert loaded.warnings == (), "\n".join(str(w) for w in loaded.warnings)
    assert loaded.protocol.id == path.stem


@pytest.mark.parametrize("path", SPEC_PATHS, ids=lambda p: p.stem)
def test_spec_is_bilingual_and_referenced(path: Path):
    proto = pipeline.load(path).protocol
    assert proto.summary is not None
    assert proto.references, "every shipped spec cites its sources"
    for ref in proto.references:
        assert ref.url is None or ref.url.startswith("https://")
    for where, text in texts(proto):
        assert text.en.strip() and text.zh.strip(), where
        assert CJK.search(text.zh), f"{where}: zh is not Chinese: {text.zh!r}"
        assert not CJK.search(text.en), f"{where}: en contains Chinese: {text.en!r}"


@pytest.mark.parametrize("path", SPEC_PATHS, ids=lambda p: p.stem)
def test_chinese_summary_paragraphs_are_single_lines(path: Path):
    # A line break inside a Chinese Markdown paragraph renders as a stray space.
    proto = pipeline.load(path).protocol
    assert proto.summary is not None
    lines = proto.summary.zh.splitlines()
    for line, after in itertools.pairwise(lines):
        if line.strip() and after.strip():
            assert after.startswith("- "), f"zh paragraph wraps after: {line!r}"


@pytest.mark.parametrize("path", SPEC_PATHS, ids=lambda p: p.stem)
def test_validate_cli_accepts_spec(path: Path, capsys):
    from protodoc.cli import main

    assert main(["validate", str(path)]) == 0


# --- TCP ------------------------------------------------------------------------


def tcp_machine() -> Machine:
    (machine,) = load("tcp-state-machine.yaml").machines
    return machine


def test_tcp_machine_has_the_eleven_states_of_rfc_9293():
    m = tcp_machine()
    assert m.id == "tcp"
    assert set(m.state_names) == TCP_STATES
    assert len(m.state_names) == 11
    assert m.initial == "CLOSED"
    assert m.final == ("CLOSED",)


def test_tcp_machine_has_every_transition_of_figure_5():
    got = {(t.source, t.target, flow(t.event), flow(t.action)) for t in tcp_machine().transitions}
    assert got == TCP_TRANSITIONS


def test_tcp_machine_tokens_are_single_language():
    for t in tcp_machine().transitions:
        for label in (t.event, t.action):
            if label is not None:
                assert label.en == label.zh


@pytest.mark.parametrize(
    "name",
    [
        "tcp-handshake.yaml",
        "tcp-teardown.yaml",
        "tcp-simultaneous-open.yaml",
        "tcp-simultaneous-close.yaml",
        "http10.yaml",
        "http11.yaml",
    ],
)
def test_tcp_sequences_follow_the_declared_machine(name: str):
    proto = load(name)
    allowed = {(s, t) for s, t, _, _ in TCP_TRANSITIONS}
    for p in proto.participants:
        assert p.machine is not None and p.machine.id == "tcp", p.id
        assert p.machine.origin.endswith("tcp-state-machine.yaml")
    for pid, m in project(proto).items():
        assert set(changes(m)) <= allowed, pid


def test_handshake_messages_and_fields_in_order():
    proto = load("tcp-handshake.yaml")
    assert wire(proto) == [
        ("client", "server", "SYN", ("seq=j",)),
        ("server", "client", "SYN+ACK", ("seq=k", "ack=j+1")),
        ("client", "server", "ACK", ("seq=j+1", "ack=k+1")),
    ]


def test_handshake_states():
    machines = project(load("tcp-handshake.yaml"))
    assert path_of(machines["client"]) == ["CLOSED", "SYN_SENT", "ESTABLISHED"]
    assert path_of(machines["server"]) == ["CLOSED", "LISTEN", "SYN_RECEIVED", "ESTABLISHED"]
    # the projection takes the RFC's labels for each step it matches
    server = {(t.source, t.target): flow(t.event) for t in machines["server"].transitions}
    assert server[("LISTEN", "SYN_RECEIVED")] == "rcv SYN"
    assert server[("SYN_RECEIVED", "ESTABLISHED")] == "rcv ACK of SYN"


def test_teardown_messages_states_and_2msl_timer():
    proto = load("tcp-teardown.yaml")
    assert [(s, r, label) for s, r, label, _ in wire(proto)] == [
        ("active", "passive", "FIN"),
        ("passive", "active", "ACK"),
        ("passive", "active", "FIN"),
        ("active", "passive", "ACK"),
    ]
    assert [f for *_, f in wire(proto)] == [
        ("seq=u", "ack=v"),
        ("seq=v", "ack=u+1"),
        ("seq=w", "ack=u+1"),
        ("seq=u+1", "ack=w+1"),
    ]
    machines = project(proto)
    assert changes(machines["active"]) == [
        ("ESTABLISHED", "FIN_WAIT_1"),
        ("FIN_WAIT_1", "FIN_WAIT_2"),
        ("FIN_WAIT_2", "TIME_WAIT"),
        ("TIME_WAIT", "CLOSED"),
    ]
    assert changes(machines["passive"]) == [
        ("ESTABLISHED", "CLOSE_WAIT"),
        ("CLOSE_WAIT", "LAST_ACK"),
        ("LAST_ACK", "CLOSED"),
    ]
    (timer,) = [s for s in walk(proto.steps) if isinstance(s, Event)]
    assert (timer.label.en, timer.at, timer.timer, timer.state) == (
        "Timeout=2MSL",
        "active",
        True,
        "CLOSED",
    )


def test_simultaneous_open_uses_par_and_both_sides_pass_syn_received():
    proto = load("tcp-simultaneous-open.yaml")
    opens = [(s.at, s.label.en, s.state) for s in proto.steps[:2] if isinstance(s, Event)]
    assert opens == [("a", "active OPEN", "SYN_SENT"), ("b", "active OPEN", "SYN_SENT")]
    blocks = [s for s in proto.steps if isinstance(s, Block)]
    assert [b.kind for b in blocks] == [BlockKind.PAR, BlockKind.PAR]
    assert [len(b.branches) for b in blocks] == [2, 2]
    for m in project(proto).values():
        assert changes(m) == [
            ("CLOSED", "SYN_SENT"),
            ("SYN_SENT", "SYN_RECEIVED"),
            ("SYN_RECEIVED", "ESTABLISHED"),
        ]


def test_simultaneous_close_both_sides_are_active_closers():
    proto = load("tcp-simultaneous-close.yaml")
    closes = [(s.at, s.label.en, s.state) for s in proto.steps[:2] if isinstance(s, Event)]
    assert closes == [("a", "CLOSE", "FIN_WAIT_1"), ("b", "CLOSE", "FIN_WAIT_1")]
    assert [b.kind for b in proto.steps if isinstance(b, Block)] == [BlockKind.PAR] * 2
    for m in project(proto).values():
        assert changes(m) == [
            ("ESTABLISHED", "FIN_WAIT_1"),
            ("FIN_WAIT_1", "CLOSING"),
            ("CLOSING", "TIME_WAIT"),
            ("TIME_WAIT", "CLOSED"),
        ]


def test_the_machine_check_guards_the_shipped_specs(tmp_path: Path):
    # The same teardown with the active closer skipping FIN_WAIT_2 must be refused,
    # at the line of the offending message.
    for name in ("tcp-state-machine.yaml", "tcp-teardown.yaml"):
        shutil.copy(SPECS / name, tmp_path / name)
    broken = tmp_path / "tcp-teardown.yaml"
    text = broken.read_text(encoding="utf-8")
    assert text.count("then: {active: FIN_WAIT_2}") == 1
    broken.write_text(text.replace("then: {active: FIN_WAIT_2}", "then: {active: LAST_ACK}"))
    line = 1 + text[: text.index("then: {active: FIN_WAIT_2}")].count("\n")
    with pytest.raises(SpecError) as err:
        pipeline.load(broken)
    (diag,) = err.value.diagnostics
    assert "'active' goes from FIN_WAIT_1 to LAST_ACK" in diag.message
    assert diag.pos is not None and diag.pos.file.endswith("tcp-teardown.yaml")
    assert line - 6 <= diag.pos.line <= line  # the message step that holds this `then`


# --- HTTP -----------------------------------------------------------------------


def requests_and_responses(proto: Protocol) -> list[tuple[str, MessageKind]]:
    return [(m.label.en, m.kind) for m in messages(proto) if "HTTP/" in m.label.en]


def test_http10_opens_and_closes_a_connection_per_request():
    proto = load("http10.yaml")
    labels = [label for _, _, label, _ in wire(proto)]
    assert labels.count("SYN") == 2
    assert labels.count("FIN") == 4
    assert requests_and_responses(proto) == [
        ("GET /index.html HTTP/1.0", MessageKind.SYNC),
        ("HTTP/1.0 200 OK", MessageKind.REPLY),
        ("GET /logo.png HTTP/1.0", MessageKind.SYNC),
        ("HTTP/1.0 200 OK", MessageKind.REPLY),
    ]
    # the server closes first: it sends the first FIN of each teardown ...
    fins = [(s, r) for s, r, label, _ in wire(proto) if label == "FIN"]
    assert fins[0] == ("server", "browser") and fins[2] == ("server", "browser")
    # ... so the server, not the browser, waits in TIME_WAIT
    machines = project(proto)
    assert "TIME_WAIT" in machines["server"].state_names
    assert "TIME_WAIT" not in machines["browser"].state_names
    phases = [s.label.en for s in proto.steps if isinstance(s, Phase)]
    assert len(phases) == 6


def test_http11_one_connection_pipelined_responses_in_order():
    proto = load("http11.yaml")
    labels = [label for _, _, label, _ in wire(proto)]
    assert labels.count("SYN") == 1
    assert labels.count("FIN") == 2
    (par,) = [s for s in proto.steps if isinstance(s, Block) and s.kind is BlockKind.PAR]
    pipelined = [m for b in par.branches for m in b.steps if isinstance(m, Message)]
    assert [m.label.en for m in pipelined] == [
        "GET /a.png HTTP/1.1",
        "GET /b.png HTTP/1.1",
        "GET /c.png HTTP/1.1",
    ]
    assert all(m.sender == "browser" for m in pipelined)
    after = list(proto.steps[proto.steps.index(par) + 1 :])
    responses = [
        s.label.en for s in after if isinstance(s, Message) and s.kind is MessageKind.REPLY
    ]
    assert responses == [
        "HTTP/1.1 200 OK (a.png)",
        "HTTP/1.1 200 OK (b.png)",
        "HTTP/1.1 200 OK (c.png)",
    ]
    for m in messages(proto):
        if m.label.en.startswith("GET"):
            assert "Host: www.example.com" in m.fields
    machines = project(proto)
    assert "TIME_WAIT" in machines["browser"].state_names
    assert "TIME_WAIT" not in machines["server"].state_names


# --- heartbeat, sockets, push and polling ------------------------------------------


def test_heartbeat_loop_and_both_failure_views():
    proto = load("keepalive-heartbeat.yaml")
    assert {m.id for m in proto.machines} == {"link", "presence"}
    link = next(m for m in proto.machines if m.id == "link")
    presence = next(m for m in proto.machines if m.id == "presence")
    assert set(link.state_names) == {"CONNECTED", "NETWORK_DOWN"}
    assert set(presence.state_names) == {"ONLINE", "OFFLINE"}

    (loop,) = [s for s in proto.steps if isinstance(s, Block) and s.kind is BlockKind.LOOP]
    assert loop.branches[0].label.en == "every 30 s"
    assert [m.label.en for m in loop.branches[0].steps if isinstance(m, Message)] == [
        "PING",
        "PONG",
    ]
    (alt,) = [s for s in proto.steps if isinstance(s, Block) and s.kind is BlockKind.ALT]
    silent, unanswered = alt.branches
    timers = [s for s in walk(silent.steps) if isinstance(s, Event)]
    assert [(t.at, t.timer, t.state) for t in timers] == [("server", True, "OFFLINE")]
    lost = [s for s in unanswered.steps if isinstance(s, Message) and s.kind is MessageKind.LOST]
    assert [m.label.en for m in lost] == ["PONG"]
    timers = [s for s in unanswered.steps if isinstance(s, Event)]
    assert [(t.at, t.timer, t.state) for t in timers] == [("client", True, "NETWORK_DOWN")]

    machines = project(proto)
    assert ("ONLINE", "OFFLINE") in changes(machines["server"])
    assert ("CONNECTED", "NETWORK_DOWN") in changes(machines["client"])


def test_socket_setup_hands_the_connection_to_a_new_socket():
    proto = load("socket-setup.yaml")
    assert [p.id for p in proto.participants] == ["client", "listener", "conn"]
    calls = [(e.at, e.label.en, e.fields) for e in walk(proto.steps) if isinstance(e, Event)]
    assert calls[:4] == [
        ("listener", "socket()", ()),
        ("listener", "bind()", ("addr=0.0.0.0", "port=8080")),
        ("listener", "listen(backlog=128)", ()),
        ("listener", "accept()", ()),
    ]
    assert ("client", "connect()", ("addr=192.0.2.10", "port=8080")) in calls
    syn = next(m for m in messages(proto) if m.label.en == "SYN")
    assert ("addr=192.0.2.10", "port=8080") == syn.fields[:2]
    assert (syn.sender, syn.receiver) == ("client", "listener")
    # data flows between the client and the new socket, never the listening one
    data = [m for m in messages(proto) if m.label.en in ("request", "response")]
    assert {(m.sender, m.receiver) for m in data} == {("client", "conn"), ("conn", "client")}

    machines = project(proto)
    assert path_of(machines["listener"]) == ["CLOSED", "CREATED", "BOUND", "LISTENING"]
    # once listening, the listening socket only ever goes back to LISTENING
    assert [t for s, t in changes(machines["listener"]) if s == "LISTENING"] == ["LISTENING"]
    assert changes(machines["conn"]) == [("CLOSED", "CONNECTED")]
    assert changes(machines["client"]) == [
        ("CLOSED", "CREATED"),
        ("CREATED", "CONNECTING"),
        ("CONNECTING", "CONNECTED"),
    ]


def test_server_push_sends_without_being_asked():
    proto = load("server-push.yaml")
    (loop,) = [s for s in proto.steps if isinstance(s, Block) and s.kind is BlockKind.LOOP]
    pushed = [m for m in loop.branches[0].steps if isinstance(m, Message)]
    assert pushed and all(m.sender == "server" for m in pushed)
    assert all(m.kind is not MessageKind.REPLY for m in pushed)


def test_polling_server_only_ever_answers_a_request():
    proto = load("http-polling.yaml")
    msgs = messages(proto)
    for i, m in enumerate(msgs):
        if m.sender == "server":
            assert m.kind is MessageKind.REPLY
            assert i > 0 and msgs[i - 1].sender == "client" and msgs[i - 1].kind is MessageKind.SYNC
    (loop,) = [s for s in proto.steps if isinstance(s, Block) and s.kind is BlockKind.LOOP]
    answers = [m.label.en for m in loop.branches[0].steps if isinstance(m, Message)]
    assert answers == ["GET /news?since=41 HTTP/1.1", "HTTP/1.1 204 No Content"]
    assert msgs[-1].label.en == "HTTP/1.1 200 OK" and msgs[-1].fields == ("news=42",)
