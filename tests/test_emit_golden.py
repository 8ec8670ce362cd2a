"""Golden files: every shipped spec, every view, both languages, both engines.

``tests/golden/<spec-id>/<view>.<lang>.{mmd,dot}`` hold the expected text. After an
intended change of the emitters, regenerate them and review the diff::

    PROTODOC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_emit_golden.py

Every golden text also goes through the real tools: ``dot -Tsvg`` for DOT, Mermaid's
parser for Mermaid (with the participants and message count checked), and each is
emitted twice and compared byte for byte.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from emit_support import run_dot

from protodoc import pipeline
from protodoc.model import LANGS, messages
from protodoc.render.mermaid import clean_svg, mermaid_config

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("PROTODOC_UPDATE_GOLDEN") == "1"


def _cases() -> list[tuple[Path, str, str, str]]:
    cases = []
    for spec in SPECS:
        protocol = pipeline.load(spec).protocol
        for view in pipeline.views(protocol):
            for engine in pipeline.ENGINES:
                for lang in LANGS:
                    cases.append((spec, view.key, engine, lang))
    return cases


CASES = _cases()


def _golden(protocol_id: str, view: str, engine: str, lang: str) -> Path:
    return GOLDEN / protocol_id / f"{view}.{lang}.{pipeline.EXTENSIONS[engine]}"


def _emit(spec: Path, key: str, engine: str, lang: str) -> tuple[str, str, object, object]:
    protocol = pipeline.load(spec).protocol
    view = next(v for v in pipeline.views(protocol) if v.key == key)
    return protocol.id, pipeline.source(protocol, view, engine, lang), protocol, view


@pytest.mark.parametrize(
    "spec, view, engine, lang",
    CASES,
    ids=[f"{s.stem}-{v}-{e}-{lang}" for s, v, e, lang in CASES],
)
def test_golden(spec: Path, view: str, engine: str, lang: str) -> None:
    pid, text, _, _ = _emit(spec, view, engine, lang)
    path = _golden(pid, view, engine, lang)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    assert path.is_file(), f"no golden file {path}; run with PROTODOC_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path} differs from the emitter"


@pytest.mark.parametrize(
    "spec, view, engine, lang",
    CASES,
    ids=[f"{s.stem}-{v}-{e}-{lang}" for s, v, e, lang in CASES],
)
def test_stable_and_well_formed(mermaid_browser, spec: Path, view: str, engine: str, lang: str):
    """Emitting twice gives the same bytes; the real tool accepts the text."""
    _, text, protocol, v = _emit(spec, view, engine, lang)
    assert _emit(spec, view, engine, lang)[1] == text
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.split("\n"))
    if engine == "dot":
        assert "<svg" in run_dot(text, "svg")
        return
    got = mermaid_browser.parse(text)
    if v.kind == "sequence":
        assert got["type"] == "sequence"
        assert [a["description"] for a in got["actors"]] == [
            p.name.get(lang).replace("\n", "<br>") for p in protocol.participants
        ]
        drawn = [m for m in got["messages"] if m["from"] != m["to"] and m["type_name"] != "NOTE"]
        assert len(drawn) == sum(1 for m in messages(protocol) if m.sender != m.receiver)
    else:
        assert got["type"] == "stateDiagram"
        labels = {s["label"] for s in got["states"] if not s["id"].startswith("root_")}
        assert labels == set(v.machine.state_names) | {t.target for t in v.machine.transitions} | {
            t.source for t in v.machine.transitions
        }


def test_no_stale_golden_files() -> None:
    """Every golden file belongs to a current spec and view."""
    expected = {_golden(pipeline.load(s).protocol.id, v, e, lang) for s, v, e, lang in CASES}
    stale = [p for p in GOLDEN.rglob("*") if p.is_file() and p not in expected]
    if UPDATE:
        for p in stale:
            p.unlink()
        stale = []
    assert not stale, f"golden files of no current view: {stale}"


MMD_GOLDEN = sorted(GOLDEN.rglob("*.mmd"))
_CODE_SHOWN = re.compile(r"&#|#[0-9]+;|\ufb02\u00b0|\u00b6\u00df")


@pytest.mark.parametrize("path", MMD_GOLDEN, ids=[f"{p.parent.name}-{p.name}" for p in MMD_GOLDEN])
def test_golden_mermaid_renders_without_codes(mermaid_browser, path: Path) -> None:
    """Rendered the way protodoc renders, no entity code of a shipped diagram shows
    (Mermaid's state renderer can split a code when it wraps a long edge label)."""
    svg = clean_svg(mermaid_browser.render_svg(path.read_text(encoding="utf-8"), mermaid_config()))
    root = ET.fromstring(svg)
    for el in root.iter():
        if el.tag.split("}")[-1] in ("text", "title"):
            assert not _CODE_SHOWN.search("".join(el.itertext())), "".join(el.itertext())
