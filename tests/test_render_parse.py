"""The real Mermaid parser, as the emitters' tests use it (protodoc.render.browser.parse)."""

from __future__ import annotations

import pytest

from protodoc.errors import RenderError
from protodoc.render.browser import MermaidBrowser


def test_sequence_actors_and_messages(mermaid_browser: MermaidBrowser) -> None:
    text = (
        "sequenceDiagram\n"
        "participant C as Client #35;1\n"
        "participant S as 服务器\n"
        "C->>S: ClientHello #35;2 #59; x\n"
        "S-->>C: 好的\n"
        "Note over C,S: a note\n"
        "C-)S: async\n"
    )
    got = mermaid_browser.parse(text)
    assert got["type"] == "sequence"
    assert [(a["id"], a["description"]) for a in got["actors"]] == [
        ("C", "Client #1"),
        ("S", "服务器"),
    ]
    assert [(m["from"], m["to"], m["text"], m["type_name"]) for m in got["messages"]] == [
        ("C", "S", "ClientHello #2 ; x", "SOLID"),
        ("S", "C", "好的", "DOTTED"),
        ("C", "S", "a note", "NOTE"),
        ("C", "S", "async", "SOLID_POINT"),
    ]
    assert got["messages"][2]["placement"] == "OVER"


def test_unescaped_hash_is_lost(mermaid_browser: MermaidBrowser) -> None:
    # The pitfall the emitters must escape: Mermaid reads `#2` as the start of a comment.
    got = mermaid_browser.parse("sequenceDiagram\nA->>B: ClientHello #2\n")
    assert got["messages"][0]["text"] != "ClientHello #2"


def test_state_states_transitions_notes(mermaid_browser: MermaidBrowser) -> None:
    text = (
        "stateDiagram-v2\n"
        "[*] --> Closed\n"
        'state "关闭 #35;" as Closed2\n'
        "Closed --> Listen: passive open\n"
        "Listen --> Closed2: rcv SYN #59; send #35;1\n"
        "state Comp {\n  [*] --> Inner\n  Inner --> Inner2: go\n}\n"
        "note right of Listen: waits\n"
    )
    got = mermaid_browser.parse(text)
    assert got["type"] == "stateDiagram"
    labels = {s["id"]: s["label"] for s in got["states"]}
    assert labels["Closed2"] == "关闭 #"
    assert {s["id"]: s["parent"] for s in got["states"]}["Inner"] == "Comp"
    trans = {(t["from"], t["to"]): t["label"] for t in got["transitions"]}
    assert trans[("Closed", "Listen")] == "passive open"
    assert trans[("Listen", "Closed2")] == "rcv SYN ; send #1"
    assert trans[("Inner", "Inner2")] == "go"
    assert got["notes"] == [{"state": "Listen", "text": "waits"}]


@pytest.mark.parametrize(
    "text, words",
    [
        ("sequenceDiagram\nA->>: x\n", "Parse error"),
        ("no diagram here\n", "No diagram type detected"),
        ("stateDiagram-v2\n[*] --> \n", "Parse error"),
    ],
)
def test_rejected_text_gives_mermaids_message(
    mermaid_browser: MermaidBrowser, text: str, words: str
) -> None:
    with pytest.raises(RenderError, match=words):
        mermaid_browser.parse(text)
    # The browser survives a rejected diagram.
    assert mermaid_browser.parse("sequenceDiagram\nA->>B: ok\n")["messages"][0]["text"] == "ok"
