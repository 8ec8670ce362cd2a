"""Every shipped spec, every view, both engines, both languages: rendered for real.

The labels to look for come from the engines' own reading of the diagram text: the
Mermaid parser (``MermaidBrowser.parse``) and the ``label`` attributes of the DOT text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from protodoc import pipeline
from protodoc.render import Renderer, RenderJob
from protodoc.render.browser import MermaidBrowser
from protodoc.render.mermaid import clean_svg, mermaid_config, svg_id

SPECS = sorted((Path(__file__).parent.parent / "specs").glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"
TEXT_ENGINES = {"mermaid": "mermaid", "dot": "graphviz"}


def _jobs() -> list[tuple[str, RenderJob]]:
    out = []
    for spec in SPECS:
        protocol = pipeline.load(spec).protocol
        for view in pipeline.views(protocol):
            for text_engine, engine in TEXT_ENGINES.items():
                for lang in ("en", "zh"):
                    text = pipeline.source(protocol, view, text_engine, lang)
                    name = f"{spec.stem}/{view.key}/{engine}/{lang}"
                    out.append((name, RenderJob(text, engine, "svg", origin=name)))
    return out


@pytest.fixture(scope="module")
def jobs() -> list[tuple[str, RenderJob]]:
    return _jobs()


@pytest.fixture(scope="module")
def rendered(jobs: list[tuple[str, RenderJob]]) -> Iterator[list[bytes]]:
    with Renderer(cache=False) as r:
        results = r.render_many([job for _, job in jobs])
    errors = [str(x) for x in results if not isinstance(x, bytes)]
    assert errors == []
    yield [x for x in results if isinstance(x, bytes)]


def _squash(s: str) -> str:
    return "".join(s.split())


def _svg_text(svg: bytes) -> str:
    root = ET.fromstring(svg)
    return "\n".join(_squash("".join(t.itertext())) for t in root.iter(f"{SVG}text"))


_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _mermaid_labels(parsed: dict) -> list[str]:
    texts: list[str] = []
    for a in parsed.get("actors", []):
        texts.append(a["description"])
    for m in parsed.get("messages", []):
        if m["text"]:
            texts.append(m["text"])
    for s in parsed.get("states", []):
        if s["shape"] not in ("stateStart", "stateEnd"):
            texts.append(s["label"])
        texts.extend(s["descriptions"])
    for t in parsed.get("transitions", []):
        texts.append(t["label"])
    for n in parsed.get("notes", []):
        texts.append(n["text"])
    parts = [p for t in texts for p in _BR.split(t)]
    return [p for p in parts if p.strip()]


_DOT_LABEL = re.compile(r'\blabel="((?:[^"\\]|\\.)*)"')


def _dot_labels(text: str) -> list[str]:
    out = []
    for m in _DOT_LABEL.finditer(text):
        raw = m.group(1)
        for line in re.split(r"\\[nlr]", raw):
            line = line.replace('\\"', '"').replace("\\\\", "\\")
            if line.strip():
                out.append(line)
    return out


def test_there_are_specs_to_render(jobs: list[tuple[str, RenderJob]]) -> None:
    assert len(SPECS) >= 5
    assert {job.engine for _, job in jobs} == {"mermaid", "graphviz"}


def test_every_view_is_well_formed_svg_with_its_labels(
    jobs: list[tuple[str, RenderJob]], rendered: list[bytes], mermaid_browser: MermaidBrowser
) -> None:
    missing: list[str] = []
    for (name, job), svg in zip(jobs, rendered, strict=True):
        assert b"foreignObject" not in svg, name
        drawn = _svg_text(svg)  # also: well-formed XML
        if job.engine == "mermaid":
            labels = _mermaid_labels(mermaid_browser.parse(job.source))
        else:
            labels = _dot_labels(job.source)
        assert labels, name
        missing += [f"{name}: {label!r}" for label in labels if _squash(label) not in drawn]
    assert missing == []


def test_same_bytes_in_reverse_order(
    jobs: list[tuple[str, RenderJob]], rendered: list[bytes]
) -> None:
    with Renderer(cache=False) as r:
        again = r.render_many([job for _, job in reversed(jobs)])
    assert list(reversed(again)) == rendered


def test_warm_mermaid_equals_a_fresh_one(
    jobs: list[tuple[str, RenderJob]], rendered: list[bytes]
) -> None:
    config = mermaid_config("light")
    with MermaidBrowser(fresh=True) as fresh:
        for (name, job), svg in zip(jobs, rendered, strict=True):
            if job.engine == "mermaid":
                raw = fresh.render_svg(job.source, config, svg_id=svg_id(job.source, config))
                assert clean_svg(raw).encode() == svg, name


def test_every_view_as_png_and_pdf(jobs: list[tuple[str, RenderJob]], tmp_path: Path) -> None:
    light = [
        RenderJob(j.source, j.engine, fmt, "light", name)
        for name, j in jobs
        for fmt in ("png", "pdf")
    ]
    with Renderer(cache_dir=tmp_path) as r:
        results = r.render_many(light)
    for job, data in zip(light, results, strict=True):
        assert isinstance(data, bytes), data
        assert data.startswith(b"\x89PNG" if job.fmt == "png" else b"%PDF"), job.origin


def test_every_chinese_view_in_the_dark_theme(
    jobs: list[tuple[str, RenderJob]], rendered: list[bytes]
) -> None:
    chosen = [(k, job) for k, (name, job) in enumerate(jobs) if name.endswith("/zh")]
    dark = [RenderJob(j.source, j.engine, "svg", "dark", j.origin) for _, j in chosen]
    with Renderer(cache=False) as r:
        results = r.render_many(dark)
    for (k, job), svg in zip(chosen, results, strict=True):
        assert isinstance(svg, bytes), svg
        assert _svg_text(svg) == _svg_text(rendered[k]), job.origin  # same text drawn
        assert svg != rendered[k], job.origin
