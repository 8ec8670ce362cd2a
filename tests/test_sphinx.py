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


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


def html(app, name: str) -> str:
    return (Path(app.outdir) / name).read_text(encoding="utf-8")


def svg_ids(page: str) -> list[str]:
    ids: list[str] = []
    for svg in re.findall(r"<svg\b.*?</svg>", page, re.DOTALL):
        ids += re.findall(r'\bid="([^"]+)"', svg)
    return ids


def warnings(app) -> str:
    return app._warning.getvalue()


# --- HTML ----------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="protodoc")
def test_html_inline_svg(app) -> None:
    app.build()
    assert warnings(app) == ""
    page = html(app, "diagrams.html")
    assert page.count('<div class="protodoc-diagram') == 3
    assert page.count("<svg") >= 3
    assert "protodoc-unrendered" not in page
    ids = svg_ids(page)
    assert ids, "rendered SVGs carry ids"
    assert len(ids) == len(set(ids)), "ids of several inline SVGs must not collide"
    assert "Fig. 1" in page and "Fig. 2" in page  # :numref: resolved
    assert 'aria-label="The server&#x27;s states"' in page
    assert "align-left" in page
    assert "<?xml" not in page
    assert not CJK.search(page), "an English build has no Chinese labels"
    assert "_static/protodoc.css" in page


@pytest.mark.sphinx("html", testroot="protodoc", confoverrides={"language": "zh_CN"})
def test_html_chinese(app) -> None:
    app.build()
    assert warnings(app) == ""
    page = html(app, "diagrams.html")
    assert "客户端" in page and "服务器" in page  # diagram labels from the spec
    spec = html(app, "spec.html")
    for word in ("乒乓往返", "参与者", "发送方", "客户端锁上两扇门", "状态与转换"):
        assert word in spec
    assert "Participants" not in spec


@pytest.mark.sphinx("html", testroot="protodoc")
def test_spec_section(app) -> None:
    app.build()
    page = html(app, "spec.html")
    assert "<h1>Ping and pong" in page
    assert "<strong>server</strong>" in page  # summary Markdown became nodes
    for text in ("Participants", "Messages", "States and transitions", "References"):
        assert text in page
    # message table: order, from, to, message, fields, description
    row = re.search(r"<tr[^>]*>\s*<td><p>1</p></td>.*?</tr>", page, re.DOTALL)
    assert row is not None
    cells = re.sub(r"<[^>]+>", " ", row.group(0)).split()
    assert cells[:6] == ["1", "Client", "Server", "lock", "seq=1", "The"]
    assert "rcv lock" in page and "turn bolt" in page  # transitions of the door machine
    assert 'href="https://example.org/door"' in page
    assert page.count("<svg") >= 3  # sequence + a state diagram per participant


@pytest.mark.sphinx("html", testroot="protodoc", confoverrides={"protodoc_html_render": "browser"})
def test_html_browser_mode(app) -> None:
    app.build()
    assert warnings(app) == ""
    page = html(app, "diagrams.html")
    assert '<pre class="mermaid">' in page
    assert "_static/protodoc/mermaid.min.js" in page
    assert not re.search(r"<script[^>]+src=\"https?:", page), "never a CDN"
    js = Path(app.outdir, "_static", "protodoc", "mermaid.min.js")
    assert js.stat().st_size > 100_000
    # the graphviz diagram is still drawn at build time
    assert "<svg" in page


@pytest.mark.sphinx("singlehtml", testroot="protodoc")
def test_singlehtml_ids_unique(app) -> None:
    app.build()
    page = html(app, "index.html")
    ids = svg_ids(page)
    assert page.count("<svg") >= 7
    assert len(ids) == len(set(ids))


@pytest.mark.sphinx("epub", testroot="protodoc")
def test_epub(app) -> None:
    app.build()
    assert warnings(app) == ""
    page = html(app, "diagrams.xhtml")
    assert "<svg" in page


# --- LaTeX, text, man ----------------------------------------------------------


@pytest.mark.sphinx("latex", testroot="protodoc")
def test_latex_vector_images(app) -> None:
    app.build()
    assert warnings(app) == ""
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    names = re.findall(r"\\sphinxincludegraphics\{\{(protodoc-[0-9a-f]+)\}\.pdf\}", tex)
    assert len(names) >= 6
    for name in set(names):
        assert Path(app.outdir, f"{name}.pdf").read_bytes().startswith(b"%PDF")
    assert "\\label{\\detokenize{diagrams:fig-ping}}" in tex


@pytest.mark.sphinx("text", testroot="protodoc")
def test_text_fallback(app) -> None:
    app.build()
    assert warnings(app) == ""
    text = html(app, "diagrams.txt")
    assert "lock" in text and "seq=1" in text and "Client" in text  # message table
    assert "rcv lock" in text and "turn bolt" in text  # transition table
    spec = html(app, "spec.txt")
    assert "The client locks both doors" in spec


@pytest.mark.sphinx("text", testroot="protodoc", confoverrides={"language": "zh_CN"})
def test_text_chinese(app) -> None:
    app.build()
    text = html(app, "diagrams.txt")
    assert "客户端" in text and "发送方" in text


@pytest.mark.sphinx("man", testroot="protodoc")
def test_man(app) -> None:
    app.build()
    assert warnings(app) == ""
    page = next(Path(app.outdir).rglob("*.1")).read_text(encoding="utf-8")
    assert "seq=1" in page


@pytest.mark.sphinx("gettext", testroot="protodoc")
def test_gettext_leaves_spec_texts_out(app) -> None:
    app.build()
    pots = "".join(p.read_text(encoding="utf-8") for p in Path(app.outdir).rglob("*.pot"))
    assert 'msgid "The ping exchange"' in pots  # the directive's caption is prose
    assert "Answers every ping" not in pots  # spec texts come from the spec
    assert 'msgid "Participants"' not in pots


# --- MyST ----------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="myst")
def test_myst(app) -> None:
    app.build()
    assert warnings(app) == ""
    page = html(app, "index.html")
    assert "Hello in MyST" in page
    assert page.count("<svg") >= 2
    assert "A greeting" in page  # the protodoc-spec message table


# --- errors ----------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="broken")
def test_broken_spec_warns_and_build_goes_on(app) -> None:
    app.build()
    out = warnings(app)
    spec = Path(app.srcdir, "specs", "broken.yaml")
    assert f"{spec}:9:9: WARNING: to: unknown participant 'nobody'" in out
    assert f"protodoc-diagram at {Path(app.srcdir, 'index.rst')}:" in out
    assert "Traceback" not in out
    assert "<svg" in html(app, "good.html")


def test_broken_spec_fails_with_W(make_app, rootdir, sphinx_test_tempdir) -> None:
    from sphinx.errors import SphinxError

    src = sphinx_test_tempdir / "broken-W"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(rootdir / "test-broken", src)
    app = make_app("html", srcdir=src, warningiserror=True)
    with pytest.raises(SphinxError):
        app.build()


# --- incremental, parallel, deterministic ---------------------------------------


def _touch_later(path: Path) -> None:
    later = time.time() + 5
    os.utime(path, (later, later))


def test_incremental_rebuild_reads_only_users(make_app, rootdir, sphinx_test_tempdir) -> None:
    src = sphinx_test_tempdir / "incremental"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(rootdir / "test-protodoc", src)

    def build() -> list[str]:
        app = make_app("html", srcdir=src)
        read: list[str] = []
        app.connect("env-before-read-docs", lambda app, env, names: read.extend(names))
        app.build()
        return sorted(read)

    assert build() == ["diagrams", "hello", "index", "plain", "spec"]
    assert build() == []
    _touch_later(src / "specs" / "hello.yaml")
    assert build() == ["hello"]
    _touch_later(src / "specs" / "door.yaml")  # imported by ping.yaml
    assert build() == ["diagrams", "spec"]


def _build_copy(make_app, root: Path, dest: Path, **kwargs) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(root, dest)
    app = make_app("html", srcdir=dest, **kwargs)
    app.build()
    assert app._warning.getvalue() == ""
    return Path(app.outdir)


def test_deterministic_and_parallel(make_app, rootdir, sphinx_test_tempdir) -> None:
    a = _build_copy(make_app, rootdir / "test-protodoc", sphinx_test_tempdir / "det-a")
    b = _build_copy(make_app, rootdir / "test-protodoc", sphinx_test_tempdir / "det-b", parallel=2)
    for name in ("diagrams.html", "spec.html", "hello.html"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.sphinx("html", testroot="protodoc")
def test_setup_metadata(app) -> None:
    ext = app.extensions["protodoc.sphinx"]
    assert ext.version == protodoc.__version__
    assert ext.parallel_read_safe is True
    assert ext.parallel_write_safe is True
    from protodoc.sphinx import setup

    meta = setup(app)
    assert meta["version"] == protodoc.__version__
    assert isinstance(meta["env_version"], int)


# --- generated reference pages ------------------------------------------------------


@pytest.mark.sphinx("html", testroot="reference")
def test_reference_pages(app) -> None:
    app.build()
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
    # regenerating writes nothing when nothing changed
    before = {p: p.stat().st_mtime_ns for p in out.glob("*.rst")}
    from protodoc.sphinx import autogen

    autogen.generate(app)
    assert {p: p.stat().st_mtime_ns for p in out.glob("*.rst")} == before


# --- PDF ---------------------------------------------------------------------------

needs_tex = pytest.mark.skipif(
    shutil.which("latexmk") is None or shutil.which("xelatex") is None,
    reason="TeX (latexmk, xelatex) is not installed; .ci/setup installs it",
)


@needs_tex
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_pdf(make_app, rootdir, sphinx_test_tempdir, language) -> None:
    src = sphinx_test_tempdir / f"pdf-{language}"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(rootdir / "test-protodoc", src)
    app = make_app(
        "latex", srcdir=src, confoverrides={"language": language, "latex_engine": "xelatex"}
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
