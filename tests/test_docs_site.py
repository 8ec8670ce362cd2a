"""protodoc's own documentation site: both languages build with -W, and in a real
headless Chromium every diagram is drawn and visible."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from protodoc.render import browser

ROOT = Path(__file__).resolve().parent.parent
DOCS = Path(os.environ.get("PROTODOC_DOCS_SOURCE", ROOT / "docs"))
LANGS = ("en", "zh_CN")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = list(browser.CHROMIUM_ARGS)  # the flags protodoc itself runs Chromium with
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Build the site the way .ci/docs does, into a temporary directory."""
    out = tmp_path_factory.mktemp("docs")
    for lang in LANGS:
        proc = subprocess.run(
            [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
            + ["-D", f"language={lang}", "-d", str(out / "doctrees" / lang)]
            + [str(DOCS), str(out / "html" / lang)],
            check=False,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert proc.returncode == 0, proc.stderr
    return out / "html"


def pages(site: Path, lang: str) -> list[Path]:
    return sorted(p for p in (site / lang).rglob("*.html") if "_static" not in p.parts)


def test_both_languages_have_the_same_pages(site: Path) -> None:
    en = {p.relative_to(site / "en") for p in pages(site, "en")}
    zh = {p.relative_to(site / "zh_CN") for p in pages(site, "zh_CN")}
    assert en == zh
    assert Path("protocols/tcp.html") in en and Path("reference/index.html") in en


def test_prose_is_translated(site: Path) -> None:
    en = (site / "en" / "protocols" / "tcp.html").read_text(encoding="utf-8")
    zh = (site / "zh_CN" / "protocols" / "tcp.html").read_text(encoding="utf-8")
    assert "three-way handshake" in en and "三次握手" in zh
    assert "The three-way handshake" not in zh
    body = en.split('<div class="body" role="main">', 1)[1].split('<div class="footer">', 1)[0]
    assert not CJK.search(body), "no Chinese in the body of an English page"


def test_every_page_links_to_the_other_language(site: Path) -> None:
    for lang, other in (("en", "zh_CN"), ("zh_CN", "en")):
        for page in pages(site, lang):
            text = page.read_text(encoding="utf-8")
            m = re.search(r'<div class="protodoc-language-switch">\s*<a href="([^"]+)"', text)
            assert m, f"no language link in {page}"
            target = (page.parent / m.group(1)).resolve()
            assert target == (site / other / page.relative_to(site / lang)).resolve()
            assert target.exists(), target


def test_no_cdn(site: Path) -> None:
    for page in pages(site, "en") + pages(site, "zh_CN"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="(https?:)?//', text), page


@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="needs Debian's chromium"
)
def test_diagrams_visible_in_chromium(site: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    checked = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for lang in LANGS:
                for html in pages(site, lang):
                    if '<div class="protodoc-diagram' not in html.read_text(encoding="utf-8"):
                        continue
                    page.goto(html.as_uri())
                    boxes = page.eval_on_selector_all(
                        "div.protodoc-diagram",
                        """divs => divs.map(d => {
                            const svg = d.querySelector('svg');
                            if (!svg) return {svg: false};
                            const r = svg.getBoundingClientRect();
                            const drawn = svg.querySelectorAll('path, rect, line, polygon, ellipse, circle, text').length;
                            const style = getComputedStyle(svg);
                            return {svg: true, w: r.width, h: r.height, drawn,
                                    visible: style.visibility !== 'hidden' && style.display !== 'none',
                                    text: svg.textContent.trim().length};
                        })""",
                    )
                    assert boxes, html
                    for i, box in enumerate(boxes):
                        where = f"{html.relative_to(site)} diagram {i + 1}"
                        assert box["svg"], f"{where}: no SVG"
                        assert box["w"] > 50 and box["h"] > 50, f"{where}: {box}"
                        assert box["drawn"] > 3 and box["text"] > 0, f"{where}: empty drawing"
                        assert box["visible"], where
                        checked += 1
            for lang, name in (("en", "protocols/tcp.html"), ("zh_CN", "protocols/http.html")):
                page.goto((site / lang / name).as_uri())
                shot = tmp_path / f"{lang}-{name.replace('/', '-')}.png"
                page.screenshot(path=str(shot), full_page=False)
                assert shot.stat().st_size > 10_000
                if lang == "zh_CN":
                    assert "HTTP 连接" in page.title()
        finally:
            browser.close()
    assert checked >= 40


@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="needs Debian's chromium"
)
def test_browser_mode_draws_in_chromium(tmp_path: Path) -> None:
    """``protodoc_html_render = "browser"``: the copied mermaid.min.js draws the diagrams."""
    from playwright.sync_api import sync_playwright

    src = Path(__file__).parent / "roots" / "test-protodoc"
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html"]
        + ["-D", "protodoc_html_render=browser", str(src), str(out)]
        + ["-d", str(tmp_path / "doctrees")],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("http*://**", lambda route: route.abort())  # offline: no CDN
            page.goto((out / "diagrams.html").as_uri())
            page.wait_for_selector("pre.mermaid svg", timeout=30_000)
            sizes = page.eval_on_selector_all(
                "pre.mermaid svg",
                "svgs => svgs.map(s => [s.getBoundingClientRect().width,"
                " s.getBoundingClientRect().height, s.textContent.trim().length])",
            )
        finally:
            browser.close()
    assert len(sizes) == 2
    assert all(w > 50 and h > 50 and chars > 10 for w, h, chars in sizes), sizes


TRANSLATED = ("index", "protocols/", "guide/")
"""Pages whose Chinese catalogs must be complete (the prose of this site's own pages)."""


NAMES = {"SVG", "PNG", "PDF", "Chromium"}
"""Names that read the same in Chinese."""


def needs_no_translation(text: str) -> bool:
    """Code alone (inline literals, references), numbers and names need no translation."""
    if text in NAMES:
        return True
    rest = re.sub(r"``[^`]*``|`[^`]*`|:ref:`[^`]*`", "", text)
    return not re.search(r"[A-Za-z]", rest)


def test_catalogs_are_complete(tmp_path: Path) -> None:
    """Every message of the site's own pages has a Chinese translation: a changed English
    sentence without a translation fails here, not silently in the Chinese site."""
    from babel.messages.pofile import read_po

    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "gettext", str(DOCS), str(tmp_path / "pot")]
        + ["-d", str(tmp_path / "doctrees")],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    missing: list[str] = []
    for pot in sorted((tmp_path / "pot").rglob("*.pot")):
        name = pot.relative_to(tmp_path / "pot").with_suffix("").as_posix()
        if not name.startswith(TRANSLATED):
            continue
        po_path = DOCS / "locale" / "zh_CN" / "LC_MESSAGES" / f"{name}.po"
        assert po_path.exists(), po_path
        with po_path.open("rb") as f:
            po = read_po(f)
        with pot.open("rb") as f:
            template = read_po(f)
        for msg in template:
            if not msg.id or needs_no_translation(msg.id):
                continue
            found = po.get(msg.id)
            if found is None or not found.string or found.fuzzy:
                missing.append(f"{name}: {msg.id[:70]}")
    assert not missing, "untranslated:\n" + "\n".join(missing)
