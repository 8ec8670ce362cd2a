"""SVG -> PNG through ``rsvg-convert`` (librsvg), for both engines.

One converter for both engines keeps the images alike, works from a cached SVG without
a browser, and proves on every render that the SVG draws outside a browser. PNGs are
drawn at :data:`PNG_ZOOM` times the SVG's size on the theme's background.

PDFs are printed by Chromium instead
(:meth:`protodoc.render.browser.MermaidBrowser.svg_to_pdf`): cairo, under
``rsvg-convert -f pdf``, embeds most of a CJK font in every PDF (about 850 KB for a
diagram with a few Chinese words, against 35 KB from Chromium). :func:`convert_svg`
still writes PDFs, with the creation date taken from ``SOURCE_DATE_EPOCH`` (0 when
unset), for callers that want no browser.
"""

from __future__ import annotations

import os

from .theme import background
from .tools import run_tool

FORMATS = ("svg", "png", "pdf")
PNG_ZOOM = 2
DEFAULT_TIMEOUT = 60.0


def rsvg_version(timeout: float = DEFAULT_TIMEOUT) -> str:
    out = run_tool(["rsvg-convert", "--version"], timeout=timeout, what="rsvg-convert").stdout
    return out.decode("utf-8", "replace").strip()


def convert_svg(svg: bytes, fmt: str, theme: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """``svg`` drawn as ``fmt`` (``png`` or ``pdf``) on the ``theme``'s background."""
    if fmt not in ("png", "pdf"):
        raise ValueError(f"cannot convert SVG to {fmt!r}: use 'png' or 'pdf'")
    args = ["rsvg-convert", "--format", fmt, "--background-color", background(theme)]
    if fmt == "png":
        args += ["--zoom", str(PNG_ZOOM)]
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", "0")
    return run_tool(args, input=svg, timeout=timeout, env=env, what=f"SVG to {fmt}").stdout
