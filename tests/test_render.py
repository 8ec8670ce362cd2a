"""Rendering with the real dot, Mermaid in Chromium and rsvg-convert (no mocks)."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from protodoc.errors import RenderError, ToolMissingError
from protodoc.render import Renderer, RenderJob
from protodoc.render.browser import MermaidBrowser, renumber_sequence_ids
from protodoc.render.mermaid import clean_svg, mermaid_config, svg_id
from protodoc.render.theme import DARK_BACKGROUND

FIXTURES = Path(__file__).parent / "fixtures" / "render"
SVG = "{http://www.w3.org/2000/svg}"

# fixture -> labels a reader must find as text in the SVG
LABELS: dict[str, list[str]] = {
    "seq_en.mmd": [
        "Three-way handshake",
        "Client",
        "Server",
        "CLOSED",
        "SYN seq=x #1",
        "SYN+ACK seq=y, ack=x+1",
        "ACK ; done",
        "ESTABLISHED",
    ],
    "seq_zh.mmd": [
        "三次握手",
        "客户端",
        "服务器",
        "已关闭",
        "同步 seq=x",
        "同步确认 ack=x+1",
        "连接已建立",
    ],
    "state_en.mmd": ["CLOSED", "LISTEN", "SYN_RECEIVED", "passive OPEN", "rcv SYN ; snd SYN,ACK"],
    "state_zh.mmd": ["关闭", "监听", "已收到同步", "被动打开", "收到同步"],
    "state_en.dot": [
        "Server",
        "CLOSED",
        "LISTEN",
        "SYN_RECEIVED",
        "passive OPEN",
        "rcv SYN; snd SYN,ACK",
    ],
    "state_zh.dot": ["服务器", "关闭", "监听", "已收到同步", "被动打开", "收到同步"],
}


def engine_of(name: str) -> str:
    return "graphviz" if name.endswith(".dot") else "mermaid"


def source(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def svg_texts(svg: bytes) -> list[str]:
    """The text of every <text> element, whitespace removed (Mermaid wraps labels
    into rows and words into tspans)."""
    root = ET.fromstring(svg)
    return ["".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text")]


def assert_labels(svg: bytes, labels: list[str]) -> None:
    texts = "\n".join(svg_texts(svg))
    for label in labels:
        assert "".join(label.split()) in texts, f"{label!r} not drawn as text"


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows (RGBA, 8 bit) of a PNG from rsvg-convert (8-bit RGB or
    RGBA, not interlaced)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 4
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), "expected 8-bit RGB or RGBA"
            bpp = 4 if color == 6 else 3
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        if bpp == 3:
            rows.append(b"".join(bytes(line[i : i + 3]) + b"\xff" for i in range(0, stride, 3)))
        else:
            rows.append(bytes(line))
        prev = line
    return width, height, rows


def dark_pixels(data: bytes) -> int:
    _, _, rows = read_png(data)
    return sum(
        1
        for row in rows
        for i in range(0, len(row), 4)
        if row[i + 3] > 128 and row[i] + row[i + 1] + row[i + 2] < 3 * 100
    )


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renderer]:
    with Renderer(cache=False) as r:
        yield r


# -- SVG: well-formed, labels as text, deterministic ------------------------------


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(LABELS))
def test_svg_is_xml_with_labels_as_text(renderer: Renderer, name: str, theme: str) -> None:
    svg = renderer.render(source(name), engine=engine_of(name), fmt="svg", theme=theme)
    assert_labels(svg, LABELS[name])
    assert b"foreignObject" not in svg  # htmlLabels: false keeps text out of HTML


def test_entity_codes_read_as_characters(renderer: Renderer) -> None:
    for name in ("seq_en.mmd", "state_en.mmd"):
        svg = renderer.render(source(name), engine="mermaid", fmt="svg")
        texts = "\n".join(svg_texts(svg))
        assert "#59;" not in texts and "#35;" not in texts
        assert "&" not in texts


def test_same_bytes_in_another_order_and_browser() -> None:
    names = [n for n in sorted(LABELS) if n.endswith(".mmd")]
    jobs = [RenderJob(source(n), "mermaid", "svg") for n in names]
    with Renderer(cache=False) as r1:
        first = r1.render_many(jobs)
    with Renderer(cache=False) as r2:
        # Another browser, the reverse order, and something else drawn before.
        r2.render(source("seq_zh.mmd"), engine="mermaid", fmt="svg", theme="dark")
        second = list(reversed(r2.render_many(list(reversed(jobs)))))
        again = r2.render_many(jobs)
    assert all(isinstance(x, bytes) for x in first)
    assert first == second == again


def test_sequence_ids_do_not_depend_on_earlier_diagrams(renderer: Renderer) -> None:
    a = renderer.render(source("seq_en.mmd"), engine="mermaid", fmt="svg")
    renderer.render(source("seq_zh.mmd"), engine="mermaid", fmt="svg")
    b = renderer.render(source("seq_en.mmd"), engine="mermaid", fmt="svg")
    assert a == b
    assert re.search(rb'id="actor0"', a)


def test_warm_mermaid_gives_the_bytes_of_a_fresh_one(renderer: Renderer) -> None:
    """The fast path (a warm Mermaid, actor ids renumbered) against a Mermaid loaded
    afresh for every diagram, after other diagrams were drawn in both."""
    names = [n for n in sorted(LABELS) if n.endswith(".mmd")]
    extra = "sequenceDiagram\n    participant x as X\n    x->>x: self\n"
    with MermaidBrowser(fresh=True) as fresh:
        for theme in ("light", "dark"):
            config = mermaid_config(theme)
            for name in [*names, *reversed(names)]:
                text = source(name)
                renderer.render(extra, engine="mermaid", fmt="svg", theme=theme)
                warm = renderer.render(text, engine="mermaid", fmt="svg", theme=theme)
                raw = fresh.render_svg(text, config, svg_id=svg_id(text, config))
                assert clean_svg(raw, theme).encode() == warm, name


def test_two_pages_give_the_same_bytes_as_one(renderer: Renderer) -> None:
    names = [n for n in sorted(LABELS) if n.endswith(".mmd")]
    bad = "sequenceDiagram\n    a->>: nothing\n"
    texts = [source(n) for n in names] * 2 + [bad] + [source(n) for n in reversed(names)]
    config = mermaid_config("light")
    items = [(t, config, svg_id(t, config)) for t in texts]
    with MermaidBrowser(pages=2) as two:
        got = two.render_svgs(items)
        assert len(two._slots) == 2
    with MermaidBrowser(pages=1) as one:
        want = one.render_svgs(items)
    assert [str(x) if isinstance(x, RenderError) else x for x in got] == [
        str(x) if isinstance(x, RenderError) else x for x in want
    ]
    assert isinstance(got[len(names) * 2], RenderError)
    assert sum(isinstance(x, str) for x in got) == len(texts) - 1


def test_renumbering_touches_ids_only() -> None:
    svg = (
        '<svg aria-roledescription="sequence"><line id="actor7"/><g id="root-7"/>'
        '<g id="root-8" onclick="popupMenuToggle(\'actor8_popup\')"/>'
        "<text>actor7 root-8</text></svg>"
    )
    assert renumber_sequence_ids(svg) == (
        '<svg aria-roledescription="sequence"><line id="actor0"/><g id="root-0"/>'
        '<g id="root-1" onclick="popupMenuToggle(\'actor1_popup\')"/>'
        "<text>actor7 root-8</text></svg>"
    )
    other = svg.replace("sequence", "stateDiagram")
    assert renumber_sequence_ids(other) == other


def test_svg_ids_differ_between_diagrams(renderer: Renderer) -> None:
    a = renderer.render(source("seq_en.mmd"), engine="mermaid", fmt="svg")
    b = renderer.render(source("seq_zh.mmd"), engine="mermaid", fmt="svg")
    id_a = ET.fromstring(a).get("id")
    id_b = ET.fromstring(b).get("id")
    assert id_a and id_b and id_a != id_b


@pytest.mark.parametrize("fmt", ["png", "pdf"])
@pytest.mark.parametrize("name", ["state_zh.mmd", "state_zh.dot"])
def test_png_pdf_deterministic(renderer: Renderer, name: str, fmt: str) -> None:
    engine = engine_of(name)
    a = renderer.render(source(name), engine=engine, fmt=fmt)
    b = renderer.render(source(name), engine=engine, fmt=fmt)
    assert a == b
    assert a.startswith(b"\x89PNG" if fmt == "png" else b"%PDF")
    if fmt == "pdf":
        assert b"/CreationDate (D:19700101000000" in a
        assert len(a) < 200_000  # only the glyphs used of the CJK font


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("name", ["state_zh.mmd", "state_zh.dot", "seq_en.mmd", "state_en.dot"])
def test_pdf_keeps_the_labels_as_text(renderer: Renderer, name: str, theme: str) -> None:
    pdf = renderer.render(source(name), engine=engine_of(name), fmt="pdf", theme=theme)
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    squashed = "".join(text.split())
    for label in LABELS[name]:
        assert "".join(label.split()) in squashed, label
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)


# -- themes -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["state_en.mmd", "state_en.dot"])
def test_dark_theme(renderer: Renderer, name: str) -> None:
    engine = engine_of(name)
    light = renderer.render(source(name), engine=engine, fmt="svg", theme="light")
    dark = renderer.render(source(name), engine=engine, fmt="svg", theme="dark")
    assert light != dark
    png = renderer.render(source(name), engine=engine, fmt="png", theme="dark")
    _, _, rows = read_png(png)
    corner = rows[0][:3]
    assert corner == bytes.fromhex(DARK_BACKGROUND[1:])


# -- outside a browser: rsvg draws the text; Chinese glyphs ---------------------------


def _without_text(svg: bytes) -> bytes:
    return re.sub(rb"<text\b.*?</text>", b"", svg, flags=re.DOTALL)


def _rsvg(svg: bytes, env: dict[str, str] | None = None, zoom: int = 1) -> bytes:
    return subprocess.run(
        ["rsvg-convert", "--format", "png", "--background-color", "#ffffff", "--zoom", str(zoom)],
        input=svg,
        capture_output=True,
        check=True,
        env=env,
        timeout=60,
    ).stdout


@pytest.mark.parametrize("name", ["seq_en.mmd", "state_en.mmd"])
def test_rsvg_draws_mermaid_text(renderer: Renderer, name: str) -> None:
    svg = renderer.render(source(name), engine="mermaid", fmt="svg")
    with_text = dark_pixels(_rsvg(svg))
    without = dark_pixels(_rsvg(_without_text(svg)))
    # Every label is drawn: many more dark pixels than the shapes alone.
    assert with_text > without + 200 * len(LABELS[name])


@pytest.fixture(scope="module")
def no_cjk_fontconfig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fontconfig set-up that knows only DejaVu (no Chinese glyphs)."""
    d = tmp_path_factory.mktemp("fc")
    conf = d / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        "  <dir>/usr/share/fonts/truetype/dejavu</dir>\n"
        f"  <cachedir>{d / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


@pytest.mark.parametrize("name", ["state_zh.mmd", "state_zh.dot", "seq_zh.mmd"])
def test_chinese_png_has_glyphs_not_boxes(
    renderer: Renderer, name: str, no_cjk_fontconfig: Path
) -> None:
    engine = engine_of(name)
    png = renderer.render(source(name), engine=engine, fmt="png")
    svg = renderer.render(source(name), engine=engine, fmt="svg")
    # The same SVG drawn where no font has Chinese glyphs: boxes (tofu) or nothing.
    tofu = _rsvg(svg, env={**os.environ, "FONTCONFIG_FILE": str(no_cjk_fontconfig)}, zoom=2)
    plain = _rsvg(svg, zoom=2)
    assert read_png(plain)[2] != read_png(tofu)[2]
    # The protodoc PNG is that SVG drawn with the CJK font.
    assert read_png(png)[2] == read_png(plain)[2]
    # Glyphs differ from one another; a box is the same for every character.
    one = renderer.render(source(name).replace("关闭", "甲乙"), engine=engine, fmt="png")
    other = renderer.render(source(name).replace("关闭", "丙丁"), engine=engine, fmt="png")
    if "关闭" in source(name):
        assert read_png(one)[2] != read_png(other)[2]


def test_no_cjk_font_is_a_clear_error(
    no_cjk_fontconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FONTCONFIG_FILE", str(no_cjk_fontconfig))
    with Renderer(cache=False) as r:
        for name in ("state_zh.dot", "state_zh.mmd"):
            with pytest.raises(ToolMissingError, match="fonts-noto-cjk"):
                r.render(source(name), engine=engine_of(name), fmt="svg")
        # Latin text still renders, and no browser was needed for the refusals.
        assert r.render(source("state_en.dot"), engine="graphviz", fmt="svg")
        assert r.browser_starts == 0


# -- missing tools ------------------------------------------------------------------


def test_missing_dot_names_graphviz(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with Renderer(cache=False) as r, pytest.raises(ToolMissingError, match="'graphviz'"):
        r.render(source("state_en.dot"), engine="graphviz", fmt="svg")


def test_missing_chromium(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PROTODOC_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with Renderer(cache=False) as r:
        with pytest.raises(ToolMissingError, match="chromium.*PROTODOC_CHROMIUM"):
            r.render(source("state_en.mmd"), engine="mermaid", fmt="svg")
        assert r.browser_starts == 0


def test_missing_mermaid_js(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PROTODOC_MERMAID_JS", str(tmp_path / "mermaid.min.js"))
    with Renderer(cache=False) as r, pytest.raises(ToolMissingError, match="npm ci"):
        r.render(source("state_en.mmd"), engine="mermaid", fmt="svg")


# -- bad diagrams, faults -----------------------------------------------------------


def test_rejected_diagrams_do_not_stop_the_others(renderer: Renderer) -> None:
    jobs = [
        RenderJob("sequenceDiagram\n    c->>: nothing\n", "mermaid", "svg", origin="bad.yaml:3:5"),
        RenderJob(source("seq_en.mmd"), "mermaid", "svg"),
        RenderJob("digraph {\n  a -> ;\n}\n", "graphviz", "png"),
        RenderJob(source("state_en.dot"), "graphviz", "svg"),
    ]
    bad_mmd, good_mmd, bad_dot, good_dot = renderer.render_many(jobs)
    assert isinstance(bad_mmd, RenderError)
    assert str(bad_mmd).startswith("bad.yaml:3:5: Mermaid: Parse error on line 2")
    assert isinstance(bad_dot, RenderError)
    assert "syntax error in line 2" in str(bad_dot)
    assert isinstance(good_mmd, bytes) and isinstance(good_dot, bytes)
    assert_labels(good_mmd, LABELS["seq_en.mmd"])


def _descendants() -> list[tuple[int, str, str]]:
    """(pid, state, name) of every process below this one."""
    children: dict[int, list[int]] = {}
    info: dict[int, tuple[str, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        children.setdefault(int(ppid), []).append(int(entry))
        info[int(entry)] = (state, name)
    out, todo = [], [os.getpid()]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append((c, *info[c]))
            todo.append(c)
    return out


def _new_since(before: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    old = {p for p, _, _ in before}
    return [p for p in _descendants() if p[0] not in old]


def test_timeout_stops_the_browser_and_the_next_render_works() -> None:
    # A diagram far too big to draw in 0.2 s.
    lines = ["sequenceDiagram"] + [f"    a{i % 40}->>b{i % 37}: message {i}" for i in range(6000)]
    before = _descendants()
    with Renderer(cache=False, timeout=0.2) as r:
        with pytest.raises(RenderError, match="did not finish rendering within 0.2 s"):
            r.render("\n".join(lines), engine="mermaid", fmt="svg")
        assert not r._browser.running
        r.timeout = 60
        svg = r.render(source("seq_en.mmd"), engine="mermaid", fmt="svg")
        assert_labels(svg, LABELS["seq_en.mmd"])
        assert r.browser_starts == 2
    assert _new_since(before) == []


def test_page_stuck_in_javascript_is_killed() -> None:
    before = _descendants()
    with MermaidBrowser(timeout=0.5) as b:
        b.start()
        # JavaScript that never yields: only killing Chromium ends it.
        b._slots[0].page.evaluate("() => { window.__pd.spin = () => { for (;;) {} }; }")
        with pytest.raises(RenderError, match="did not finish spinning within 0.5 s"):
            b._call("spin", [], "spinning")
        assert not b.running
        assert b.parse("sequenceDiagram\n    a->>b: ok\n")["messages"][0]["text"] == "ok"
    assert _new_since(before) == []


def test_crashed_browser_is_a_clear_error_then_restarts() -> None:
    before = _descendants()
    with Renderer(cache=False) as r:
        r.render(source("state_en.mmd"), engine="mermaid", fmt="svg")
        browsers = [p for p, _, name in _new_since(before) if "chrom" in name]
        assert browsers
        for pid in browsers:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        with pytest.raises(RenderError, match="Chromium"):
            r.render(source("seq_en.mmd"), engine="mermaid", fmt="svg")
        svg = r.render(source("seq_en.mmd"), engine="mermaid", fmt="svg")
        assert_labels(svg, LABELS["seq_en.mmd"])
    assert _new_since(before) == []


def test_no_processes_left_after_an_exception() -> None:
    before = _descendants()
    with pytest.raises(KeyError), Renderer(cache=False) as r:
        r.render(source("state_en.mmd"), engine="mermaid", fmt="svg")
        assert any("chrom" in name for _, _, name in _new_since(before))
        raise KeyError("boom")
    assert _new_since(before) == []


# -- cache ----------------------------------------------------------------------------


def test_second_render_uses_the_cache_not_a_browser(tmp_path: Path) -> None:
    text = source("seq_en.mmd")
    with Renderer(cache_dir=tmp_path) as r:
        svg = r.render(text, engine="mermaid", fmt="svg")
        assert r.browser_starts == 1
    with Renderer(cache_dir=tmp_path) as r:
        assert r.render(text, engine="mermaid", fmt="svg") == svg
        # A PNG of a cached SVG needs rsvg-convert only.
        assert r.render(text, engine="mermaid", fmt="png").startswith(b"\x89PNG")
        assert r.browser_starts == 0
        # A changed diagram or theme misses.
        r.render(text, engine="mermaid", fmt="svg", theme="dark")
        assert r.browser_starts == 1
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p.name.startswith(".")]
    assert leftovers == []
    assert len([p for p in tmp_path.rglob("*.svg")]) == 2


def test_cache_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from protodoc.render import default_cache_dir

    monkeypatch.delenv("PROTODOC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "protodoc"
    monkeypatch.setenv("PROTODOC_CACHE_DIR", str(tmp_path / "pd"))
    assert default_cache_dir() == tmp_path / "pd"
    with Renderer() as r:
        r.render(source("state_en.dot"), engine="graphviz", fmt="svg")
    assert list((tmp_path / "pd").rglob("*.svg"))


def test_unknown_names_are_refused(renderer: Renderer) -> None:
    with pytest.raises(ValueError, match="engine"):
        renderer.render("x", engine="plantuml", fmt="svg")
    with pytest.raises(ValueError, match="format"):
        renderer.render("x", engine="graphviz", fmt="gif")
    with pytest.raises(ValueError, match="theme"):
        renderer.render("x", engine="graphviz", fmt="svg", theme="blue")


# -- layering -------------------------------------------------------------------------


def test_render_knows_nothing_of_the_model() -> None:
    import ast

    import protodoc.render

    forbidden = {"model", "spec", "analysis", "emit", "pipeline", "sphinx", "cli", "generate"}
    package = Path(protodoc.render.__file__).parent
    bad = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level == 2:  # from ..x import y
                    names = [
                        f"protodoc.{base}" if base else f"protodoc.{a.name}" for a in node.names
                    ]
                elif node.level == 0:
                    names = [base]
            for name in names:
                parts = name.split(".")
                if parts[0] in ("docutils", "sphinx") or (
                    parts[0] == "protodoc" and len(parts) > 1 and parts[1] in forbidden
                ):
                    bad.append(f"{path.name}: {name}")
    assert bad == []


def test_accessible_title_keeps_entity_looking_text(renderer: Renderer) -> None:
    """Mermaid escapes a state label's code twice (repaired), an accTitle once: a title
    that reads ``&#9;`` must stay ``&#9;``, not become a tab."""
    text = "stateDiagram-v2\n    accTitle: a #38;#35;9#59; b\n    s0 : x#38;#35;59#59;y\n"
    svg = renderer.render(text, engine="mermaid", fmt="svg").decode()
    root = ET.fromstring(svg)
    titles = [e.text for e in root.iter() if e.tag.endswith("}title")]
    assert titles == ["a &#9; b"]
    assert (
        clean_svg("<svg><title>&amp;#9;</title><text>&amp;#59;</text></svg>").count("&amp;#9;") == 1
    )
