"""The Sphinx extension, built for real with sphinx.testing on the roots in tests/roots."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

import protodoc

pytest_plugins = ["sphinx.testing.fixtures"]

ROOTS = Path(__file__).parent / "roots"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def build(make_app, tmp_path):
    """``build(root, builder, **confoverrides)``: build a fresh copy of ``tests/roots/test-<root>``."""

    def run(root: str, builder: str = "html", *, parallel: int = 0, **conf):
        src = tmp_path / f"{root}-{builder}"
        if not src.exists():
            shutil.copytree(ROOTS / f"test-{root}", src)
        app = make_app(builder, srcdir=src, confoverrides=conf, parallel=parallel)
        app.build()
        return app

    return run


def html(app, name: str) -> str:
    return (Path(app.outdir) / name).read_text(encoding="utf-8")


def svg_ids(page: str) -> list[set[str]]:
    """The ids of each inline SVG of a page."""
    return [
        set(re.findall(r'\bid="([^"]+)"', svg))
        for svg in re.findall(r"<svg\b.*?</svg>", page, re.DOTALL)
    ]


def assert_disjoint(groups: list[set[str]]) -> None:
    seen: set[str] = set()
    for ids in groups:
        assert not (ids & seen), f"ids shared between SVGs: {sorted(ids & seen)[:5]}"
        seen |= ids


def warnings(app) -> str:
    return app._warning.getvalue()


# --- HTML ----------------------------------------------------------------------


def test_html_inline_svg(build) -> None:
    app = build("protodoc", "html")
    assert warnings(app) == ""
    page = html(app, "diagrams.html")
    assert page.count('<div class="protodoc-diagram') == 3
    assert page.count("<svg") >= 3
    assert "protodoc-unrendered" not in page
    ids = svg_ids(page)
    assert len(ids) == 3 and all(ids), "rendered SVGs carry ids"
    assert_disjoint(ids)  # several inline SVGs on one page: no id collides
    assert "Fig. 1" in page and "Fig. 2" in page  # :numref: resolved
    assert 'aria-label="The server&#x27;s states"' in page
    assert "align-left" in page
    assert "<?xml" not in page
    assert not CJK.search(page), "an English build has no Chinese labels"
    assert "_static/protodoc/protodoc.css" in page


def test_html_chinese(build) -> None:
    app = build("protodoc", "html", language="zh_CN")
    assert warnings(app) == ""
    page = html(app, "diagrams.html")
    assert "客户端" in page and "服务器" in page  # diagram labels from the spec
    spec = html(app, "spec.html")
    for word in ("乒乓往返", "参与者", "发送方", "客户端锁上两扇门", "状态与转换"):
        assert word in spec
    assert "Participants" not in spec


def test_spec_section(build) -> None:
    app = build("protodoc", "html")
    page = html(app, "spec.html")
    assert "<h2>Ping and pong" in page
    assert "<strong>server</strong>" in page  # summary Markdown became nodes
    for text in ("Participants", "Messages", "States and transitions", "References"):
        assert text in page
    # message table: order, from, to, message, fields, description
    row = re.search(r"<tr[^>]*>\s*<td><p>1</p></td>.*?</tr>", page, re.DOTALL)
    assert row is not None
    cells = re.sub(r"<[^>]+>", " ", row.group(0)).split()
    assert cells[:6] == ["1", "Client", "Server", "lock", "seq=1", "The"]
    assert "rcv lock" in page and "turn bolt" in page  # transitions of the door machine
    assert "Ping manual" in page  # references
    assert page.count("<svg") >= 3  # sequence + a state diagram per participant


def test_html_browser_mode(build) -> None:
    app = build("protodoc", "html", protodoc_html_render="browser")
    assert warnings(app) == ""
    page = html(app, "diagrams.html")
    assert '<pre class="mermaid">' in page
    assert "_static/protodoc/mermaid.min.js" in page
    assert not re.search(r"<script[^>]+src=\"https?:", page), "never a CDN"
    js = Path(app.outdir, "_static", "protodoc", "mermaid.min.js")
    assert js.stat().st_size > 100_000
    # the graphviz diagram is still drawn at build time
    assert "<svg" in page


def test_singlehtml_ids_unique(build) -> None:
    app = build("protodoc", "singlehtml")
    page = html(app, "index.html")
    ids = svg_ids(page)
    assert len(ids) >= 7
    assert_disjoint(ids)


def test_epub(build) -> None:
    app = build("protodoc", "epub")
    assert warnings(app) == ""
    page = html(app, "diagrams.xhtml")
    assert "<svg" in page


# --- LaTeX, text, man ----------------------------------------------------------


def test_latex_vector_images(build) -> None:
    app = build("protodoc", "latex")
    assert warnings(app) == ""
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    names = re.findall(r"\\sphinxincludegraphics\{\{(protodoc-[0-9a-f]+)\}\.pdf\}", tex)
    assert len(names) >= 6
    for name in set(names):
        assert Path(app.outdir, f"{name}.pdf").read_bytes().startswith(b"%PDF")
    assert "\\label{\\detokenize{diagrams:fig-ping}}" in tex


def test_text_fallback(build) -> None:
    app = build("protodoc", "text")
    assert warnings(app) == ""
    text = html(app, "diagrams.txt")
    assert "lock" in text and "seq=1" in text and "Client" in text  # message table
    assert "rcv lock" in text and "turn bolt" in text  # transition table
    spec = html(app, "spec.txt")
    assert "The client locks both doors" in spec


def test_text_chinese(build) -> None:
    app = build("protodoc", "text", language="zh_CN")
    text = html(app, "diagrams.txt")
    assert "客户端" in text and "发送方" in text


def test_man(build) -> None:
    app = build("protodoc", "man")
    assert warnings(app) == ""
    page = next(Path(app.outdir).rglob("*.1")).read_text(encoding="utf-8")
    assert "seq=1" in page


def test_gettext_leaves_spec_texts_out(build) -> None:
    app = build("protodoc", "gettext")
    pots = "".join(p.read_text(encoding="utf-8") for p in Path(app.outdir).rglob("*.pot"))
    assert 'msgid "The ping exchange"' in pots  # the directive's caption is prose
    assert "Answers every ping" not in pots  # spec texts come from the spec
    assert 'msgid "Participants"' not in pots


# --- MyST ----------------------------------------------------------------------


def test_myst(build) -> None:
    app = build("myst", "html")
    assert warnings(app) == ""
    page = html(app, "index.html")
    assert "Hello in MyST" in page
    assert page.count("<svg") >= 3
    assert "A greeting" in page  # the protodoc-spec message table
    assert "爱丽丝" in page  # :lang: zh in an English build


# --- errors ----------------------------------------------------------------------


def test_broken_spec_warns_and_build_goes_on(build) -> None:
    app = build("broken", "html")
    out = warnings(app)
    spec = Path(app.srcdir, "specs", "broken.yaml")
    assert f"{spec}:9:9: WARNING: to: unknown participant 'nobody'" in out
    assert f"protodoc-diagram at {Path(app.srcdir, 'index.rst')}:" in out
    assert "Traceback" not in out
    assert "spec 'hello' has no state machine; its views: sequence" in out
    assert f"{Path(app.srcdir, 'index.rst')}:11: WARNING" in out  # at the directive
    assert "<svg" in html(app, "good.html")


def test_broken_spec_fails_with_W(make_app, tmp_path) -> None:
    from sphinx.errors import SphinxError

    src = tmp_path / "broken"
    shutil.copytree(ROOTS / "test-broken", src)
    app = make_app("html", srcdir=src, warningiserror=True)
    try:
        app.build()
    except SphinxError:
        return  # older Sphinx stops at the first warning
    assert app.statuscode == 1  # Sphinx >= 8.1 keeps going, then fails


# --- incremental, parallel, deterministic ---------------------------------------


def _touch_later(path: Path) -> None:
    later = time.time() + 5
    os.utime(path, (later, later))


def test_incremental_rebuild_reads_only_users(make_app, tmp_path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-protodoc", src)

    def build() -> list[str]:
        app = make_app("html", srcdir=src)
        read: list[str] = []
        app.connect("env-before-read-docs", lambda app, env, names: read.extend(names))
        app.build()
        app.cleanup()
        return sorted(read)

    assert build() == ["diagrams", "hello", "index", "plain", "spec"]
    assert build() == []
    _touch_later(src / "specs" / "hello.yaml")
    assert build() == ["hello"]
    os.utime(src / "specs" / "hello.yaml", (1_000_000_000, 1_000_000_000))
    _touch_later(src / "specs" / "door.yaml")  # imported by ping.yaml
    assert build() == ["diagrams", "spec"]


def _build_copy(make_app, root: Path, dest: Path, **kwargs) -> Path:
    shutil.copytree(root, dest)
    app = make_app("html", srcdir=dest, **kwargs)
    app.build()
    app.cleanup()
    assert app._warning.getvalue() == ""
    return Path(app.outdir)


def test_deterministic_and_parallel(make_app, tmp_path) -> None:
    a = _build_copy(make_app, ROOTS / "test-protodoc", tmp_path / "a")
    b = _build_copy(make_app, ROOTS / "test-protodoc", tmp_path / "b", parallel=2)
    for name in ("diagrams.html", "spec.html", "hello.html"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_setup_metadata(make_app, tmp_path) -> None:
    shutil.copytree(ROOTS / "test-protodoc", tmp_path / "src")
    app = make_app("html", srcdir=tmp_path / "src")
    ext = app.extensions["protodoc.sphinx"]
    assert ext.version == protodoc.__version__
    assert ext.parallel_read_safe is True
    assert ext.parallel_write_safe is True
    assert isinstance(ext.metadata["env_version"], int)


# --- generated reference pages ------------------------------------------------------


def test_reference_pages(build) -> None:
    app = build("reference", "html")
    assert warnings(app) == ""
    out = Path(app.srcdir, "protocols")
    assert sorted(p.name for p in out.glob("*.rst")) == [
        "door.rst",
        "hello.rst",
        "index.rst",
        "ping.rst",
    ]
    index = html(app, "protocols/index.html")
    assert "Protocol reference" in index
    assert 'href="ping.html"' in index and "Ping and pong" in index
    assert "<h1>Ping and pong" in html(app, "protocols/ping.html")
    door = html(app, "protocols/door.html")
    assert 'href="https://example.org/door"' in door and "<strong>locks</strong>" in door
    # regenerating writes nothing when nothing changed
    before = {p: p.stat().st_mtime_ns for p in out.glob("*.rst")}
    store = Path(app.doctreedir, "protodoc")
    assert len(list(store.glob("*.svg"))) == 5  # door 1, hello 1, ping 3: one per diagram
    from protodoc.sphinx import autogen

    autogen.generate(app)
    assert {p: p.stat().st_mtime_ns for p in out.glob("*.rst")} == before


# --- PDF ---------------------------------------------------------------------------

needs_tex = pytest.mark.skipif(
    (shutil.which("latexmk") is None or shutil.which("xelatex") is None)
    and not os.environ.get("CI"),
    reason="TeX (latexmk, xelatex) is not installed; .ci/setup installs it",
)


@needs_tex
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_pdf(make_app, tmp_path, language) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-protodoc", src)
    app = make_app(
        "latex",
        srcdir=src,
        confoverrides={"language": language, "latex_engine": "xelatex", "latex_use_xindy": False},
    )
    app.build()
    out = Path(app.outdir)
    subprocess.run(
        ["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error"]
        + [p.name for p in out.glob("*.tex")],
        cwd=out,
        check=True,
        capture_output=True,
        timeout=600,
    )
    pdf = next(out.glob("*.pdf"), None)
    pdfs = [p for p in out.glob("*.pdf") if not p.name.startswith("protodoc-")]
    assert pdfs, "latexmk made a PDF"
    text = subprocess.run(
        ["pdftotext", str(pdfs[0]), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert pdf is not None
    if language == "zh_CN":
        assert "客户端" in text
    else:
        assert "Client" in text and not CJK.search(text)


# --- a missing tool ------------------------------------------------------------------


def test_missing_tool_warns_once_and_shows_source(build, monkeypatch, tmp_path) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no dot, no chromium
    monkeypatch.delenv("PROTODOC_CHROMIUM", raising=False)
    app = build("myst")  # three Graphviz diagrams
    out = warnings(app)
    assert out.count("cannot render diagrams") == 1, out
    assert "apt-get install graphviz" in out
    page = html(app, "index.html")
    assert page.count("protodoc-unrendered") == 3
    assert "digraph" in page  # the DOT source, readable


def test_missing_translation_strict_and_not(build) -> None:
    app = build("broken")  # strict by default: an error, no diagram
    spec = Path(app.srcdir, "specs", "half.yaml")
    assert f"{spec}:5:19: WARNING: participants.a.name: missing 'zh' translation" in warnings(app)
    assert "<svg" not in html(app, "half.html")


def test_missing_translation_not_strict(build) -> None:
    app = build("broken", "html", protodoc_strict=False, language="zh_CN")
    out = warnings(app)
    assert "half.yaml:5:19: WARNING: " in out and "missing 'zh' translation" in out
    page = html(app, "half.html")
    assert "<svg" in page and "Alice" in page and "鲍勃" in page  # English stands in
