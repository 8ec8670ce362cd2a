"""Loader details, projection and consistency, read like the specs they load."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from protodoc import pipeline
from protodoc.analysis import project
from protodoc.cli import main
from protodoc.errors import SpecError
from protodoc.model import BlockKind, Message, MessageKind


def spec(tmp_path: Path, body: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    head = f"protodoc: 1\nid: {path.stem}\ntitle: {{en: T, zh: 标题}}\n"
    path.write_text(head + textwrap.dedent(body), encoding="utf-8")
    return path


PEERS = """
participants:
  - {id: a, name: {en: A, zh: 甲}}
  - {id: b, name: {en: B, zh: 乙}}
"""


def machines(path: Path) -> dict[str, list[tuple[str, str, str]]]:
    """participant -> [(source, target, event)] of the projection."""
    proto = pipeline.load(path).protocol
    return {
        pid: [(t.source, t.target, t.event.en if t.event else "") for t in m.transitions]
        for pid, m in project(proto).items()
    }


def test_yaml_11_booleans_stay_words(tmp_path):
    p = spec(
        tmp_path,
        """
        machines:
          switch:
            initial: off
            states: {off: , on: , yes: , no: }
            transitions:
              - {from: off, to: on, event: on}
              - {from: on, to: off, event: no}
              - {from: on, to: yes}
              - {from: yes, to: no}
        """,
    )
    m = pipeline.load(p).protocol.machines[0]
    assert m.state_names == ("off", "on", "yes", "no")
    assert m.initial == "off"
    assert [t.event.en for t in m.transitions if t.event] == ["on", "no"]


def test_message_fields_as_list_or_mapping_keep_order(tmp_path):
    p = spec(
        tmp_path,
        PEERS
        + textwrap.dedent("""
        sequence:
          - {message: SYN+ACK, from: b, to: a, fields: {seq: k, ack: j+1}, flags: [SYN, ACK]}
          - {message: ACK, from: a, to: b, fields: [ack=k+1], kind: reply}
        """),
    )
    m1, m2 = pipeline.load(p).protocol.steps
    assert isinstance(m1, Message) and m1.fields == ("seq=k", "ack=j+1")
    assert m1.flags == ("SYN", "ACK") and m1.kind is MessageKind.ASYNC
    assert m2.fields == ("ack=k+1",) and m2.kind is MessageKind.REPLY


def test_sender_state_on_send_receiver_state_on_receipt(tmp_path):
    p = spec(
        tmp_path,
        PEERS
        + textwrap.dedent("""
        sequence:
          - {message: SYN, from: a, to: b, then: {a: SYN_SENT, b: SYN_RECEIVED}}
          - {message: SYN+ACK, from: b, to: a, then: {a: ESTABLISHED}}
          - {message: ACK, from: a, to: b, then: {b: ESTABLISHED}}
        """),
    )
    assert machines(p) == {
        "a": [("SYN_SENT", "ESTABLISHED", "rcv SYN+ACK")],
        "b": [("SYN_RECEIVED", "ESTABLISHED", "rcv ACK")],
    }
    proj = project(pipeline.load(p).protocol)
    assert proj["a"].initial == "SYN_SENT" and proj["b"].initial == "SYN_RECEIVED"


def test_lost_message_changes_only_the_sender(tmp_path):
    p = spec(
        tmp_path,
        PEERS
        + textwrap.dedent("""
          - {id: c, name: {en: C, zh: 丙}, initial: X}
        sequence:
          - {message: PING, from: a, to: b, kind: lost, then: {a: WAITING}}
        """),
    )
    proto = pipeline.load(p).protocol
    assert proto.steps[0].receiver_state is None
    bad = spec(
        tmp_path,
        PEERS + "sequence:\n  - {message: P, from: a, to: b, kind: lost, then: {b: X}}\n",
        "bad.yaml",
    )
    with pytest.raises(
        SpecError, match=r"bad.yaml:\d+:\d+: then: a lost message never reaches 'b'"
    ):
        pipeline.load(bad)


def test_par_sends_everything_before_anything_is_received(tmp_path):
    """Simultaneous open: both SYNs are sent (CLOSED -> SYN_SENT) before either
    arrives (SYN_SENT -> SYN_RECEIVED)."""
    p = spec(
        tmp_path,
        """
        participants:
          - {id: a, name: {en: A, zh: 甲}, initial: CLOSED}
          - {id: b, name: {en: B, zh: 乙}, initial: CLOSED}
        sequence:
          - par:
            - when: {en: A opens, zh: 甲打开}
              steps:
                - {message: SYN, from: a, to: b, then: {a: SYN_SENT, b: SYN_RECEIVED}}
            - when: {en: B opens, zh: 乙打开}
              steps:
                - {message: SYN, from: b, to: a, then: {b: SYN_SENT, a: SYN_RECEIVED}}
        """,
    )
    assert machines(p) == {
        "a": [("CLOSED", "SYN_SENT", "snd SYN"), ("SYN_SENT", "SYN_RECEIVED", "rcv SYN")],
        "b": [("CLOSED", "SYN_SENT", "snd SYN"), ("SYN_SENT", "SYN_RECEIVED", "rcv SYN")],
    }


def test_alt_branches_start_from_the_same_state_and_join(tmp_path):
    p = spec(
        tmp_path,
        """
        participants:
          - {id: a, name: {en: A, zh: 甲}, initial: WAIT}
          - {id: b, name: {en: B, zh: 乙}}
        sequence:
          - alt:
            - when: {en: answer, zh: 应答}
              steps: [{message: OK, from: b, to: a, then: {a: DONE}}]
            - when: {en: timeout, zh: 超时}
              steps: [{event: 5 s, timer: true, at: a, then: {a: FAILED}}]
          - {event: close(), at: a, then: {a: CLOSED}}
        """,
    )
    assert machines(p)["a"] == [
        ("WAIT", "DONE", "rcv OK"),
        ("WAIT", "FAILED", "timeout 5 s"),
        ("DONE", "CLOSED", "close()"),
        ("FAILED", "CLOSED", "close()"),
    ]
    block = pipeline.load(p).protocol.steps[0]
    assert block.kind is BlockKind.ALT and [b.label.zh for b in block.branches] == ["应答", "超时"]


def test_loop_reaches_a_fixed_point(tmp_path):
    p = spec(
        tmp_path,
        """
        participants:
          - {id: a, name: {en: A, zh: 甲}, initial: IDLE}
          - {id: b, name: {en: B, zh: 乙}}
        sequence:
          - loop: {en: every 30 s, zh: 每 30 秒}
            steps:
              - {message: PING, from: a, to: b, then: {a: WAITING}}
              - {message: PONG, from: b, to: a, kind: reply, then: {a: IDLE}}
        """,
    )
    assert machines(p)["a"] == [("IDLE", "WAITING", "snd PING"), ("WAITING", "IDLE", "rcv PONG")]


def test_include_maps_participants_and_keeps_positions(tmp_path):
    spec(tmp_path, PEERS + "sequence:\n  - {message: HELLO, from: a, to: b}\n", "inner.yaml")
    outer = spec(
        tmp_path,
        """
        imports: {inner: inner.yaml}
        participants:
          - {id: browser, name: {en: Browser, zh: 浏览器}}
          - {id: web, name: {en: Web server, zh: 网站服务器}}
        sequence:
          - include: inner
            participants: {a: browser, b: web}
          - include: inner
            participants: {a: web, b: browser}
        """,
        "outer.yaml",
    )
    steps = pipeline.load(outer).protocol.steps
    assert [(s.sender, s.receiver) for s in steps] == [("browser", "web"), ("web", "browser")]
    assert steps[0].pos.file.endswith("inner.yaml") and steps[0].pos.line == 9


def test_include_with_unmapped_participant_is_an_error(tmp_path):
    spec(tmp_path, PEERS + "sequence:\n  - {message: HELLO, from: a, to: b}\n", "inner.yaml")
    outer = spec(
        tmp_path,
        """
        imports: {inner: inner.yaml}
        participants:
          - {id: a, name: {en: A, zh: 甲}}
        sequence:
          - include: inner
        """,
        "outer.yaml",
    )
    with pytest.raises(SpecError, match="its participant 'b' is not mapped"):
        pipeline.load(outer)


def test_unreachable_state_is_a_warning(tmp_path):
    p = spec(
        tmp_path,
        """
        machines:
          m:
            initial: A
            states: {A: , B: , LOST: }
            transitions: [{from: A, to: B}]
        """,
    )
    loaded = pipeline.load(p)
    assert [d.message for d in loaded.warnings] == [
        "machine 'm': state 'LOST' is unreachable from 'A'"
    ]


def test_projection_uses_declared_labels(tmp_path):
    p = spec(
        tmp_path,
        """
        machines:
          door:
            initial: SHUT
            states: {SHUT: {en: shut, zh: 关}, OPEN: {en: open, zh: 开}}
            transitions:
              - {from: SHUT, to: OPEN, event: push, action: ring bell}
        participants:
          - {id: a, name: {en: A, zh: 甲}, machine: door}
          - {id: b, name: {en: B, zh: 乙}}
        sequence:
          - {message: PUSH, from: a, to: b, then: {a: OPEN}}
        """,
    )
    m = project(pipeline.load(p).protocol)["a"]
    assert m.initial == "SHUT"
    assert [(t.source, t.target, t.event.en, t.action.en) for t in m.transitions] == [
        ("SHUT", "OPEN", "push", "ring bell")
    ]
    assert m.state("OPEN").description.zh == "开"


def test_export_json_shape(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec(tmp_path, PEERS + "sequence:\n  - {message: X, from: a, to: b, then: {a: S1, b: S2}}\n")
    assert main(["export", "s.yaml"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "s" and data["title"] == {"en": "T", "zh": "标题"}
    assert data["steps"][0] == {
        "type": "message",
        "label": "X",
        "from": "a",
        "to": "b",
        "kind": "async",
        "fields": [],
        "flags": [],
        "description": None,
        "then": {"a": "S1", "b": "S2"},
        "create": False,
        "pos": "s.yaml:9:5",
    }
    a = data["participants"][0]
    assert (a["id"], a["initial"], [s["name"] for s in a["states"]]) == ("a", "S1", ["S1"])


def test_emitting_twice_gives_the_same_model(tmp_path):
    p = spec(tmp_path, PEERS + "sequence:\n  - {message: X, from: a, to: b}\n")
    assert pipeline.load(p).protocol == pipeline.load(p).protocol


def test_sources_and_a_shared_import_cache(tmp_path):
    spec(tmp_path, PEERS + "sequence:\n  - {message: HELLO, from: a, to: b}\n", "inner.yaml")
    body = "imports: {inner: inner.yaml}\n" + PEERS + "sequence:\n  - include: inner\n"
    one, two = spec(tmp_path, body, "one.yaml"), spec(tmp_path, body, "two.yaml")
    cache: dict = {}
    first = pipeline.load(one, cache=cache)
    assert first.sources == (one.resolve(), (tmp_path / "inner.yaml").resolve())
    assert len(cache) == 1
    (tmp_path / "inner.yaml").write_text("broken: [", encoding="utf-8")  # not re-read
    assert pipeline.load(two, cache=cache).protocol.steps[0].label.en == "HELLO"


def test_an_import_error_is_reported_for_every_importer_sharing_a_cache(tmp_path):
    spec(tmp_path, "participants: [{id: a, nmae: x}]\n", "inner.yaml")
    body = "imports: {inner: inner.yaml}\n"
    cache: dict = {}
    for name in ("one.yaml", "two.yaml"):
        with pytest.raises(SpecError, match=r"inner.yaml:4:\d+: participant: unknown key 'nmae'"):
            pipeline.load(spec(tmp_path, body, name), cache=cache)


def test_transition_description_is_kept_and_exported(tmp_path, capsys, monkeypatch):
    p = spec(
        tmp_path,
        """
        machines:
          m:
            initial: A
            states: {A: , B: }
            transitions:
              - from: A
                to: B
                event: go
                description: {en: only on Mondays, zh: 仅在周一}
        participants:
          - {id: a, name: {en: A, zh: 甲}, machine: m}
        sequence:
          - {event: go, at: a, then: {a: B}}
        """,
    )
    proto = pipeline.load(p).protocol
    assert proto.machines[0].transitions[0].description.zh == "仅在周一"
    assert project(proto)["a"].transitions[0].description.en == "only on Mondays"
    monkeypatch.chdir(tmp_path)
    assert main(["export", "s.yaml"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["machines"][0]["transitions"][0]["description"] == {
        "en": "only on Mondays",
        "zh": "仅在周一",
    }


def test_event_fields_like_message_fields(tmp_path):
    from protodoc.emit import dot, mermaid

    p = spec(
        tmp_path,
        PEERS
        + textwrap.dedent("""
        sequence:
          - {event: connect(), at: a, fields: {addr: 192.0.2.10, port: 80}}
        """),
    )
    proto = pipeline.load(p).protocol
    assert proto.steps[0].fields == ("addr=192.0.2.10", "port=80")
    assert "p0->>p0: connect() addr=192.0.2.10, port=80" in mermaid.sequence(proto, "en")
    assert 'label="connect() addr=192.0.2.10, port=80"' in dot.sequence(proto, "en")


def test_created_participant_is_exported_and_checked(tmp_path, capsys, monkeypatch):
    body = PEERS + textwrap.dedent("""
        sequence:
          - {message: SPAWN, from: a, to: b, create: true}
          - {message: SPAWN, from: a, to: b, create: true}
        """)
    with pytest.raises(SpecError, match="create: 'b' is already created earlier"):
        pipeline.load(spec(tmp_path, body))
    spec(tmp_path, PEERS + "sequence:\n  - {message: S, from: a, to: b, create: true}\n", "ok.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["export", "ok.yaml"]) == 0
    assert json.loads(capsys.readouterr().out)["steps"][0]["create"] is True
    self_made = spec(
        tmp_path, PEERS + "sequence:\n  - {message: S, from: a, to: a, create: true}\n", "self.yaml"
    )
    with pytest.raises(
        SpecError, match="only a message that reaches another participant creates it"
    ):
        pipeline.load(self_made)
