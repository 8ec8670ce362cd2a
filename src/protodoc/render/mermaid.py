"""Mermaid: the configuration protodoc renders with, and the clean-up of Mermaid's SVG.

The configuration keeps the SVG drawable outside a browser and the same on every run:

* ``htmlLabels: false`` (global and flowchart): text is SVG ``<text>``, not HTML in a
  ``foreignObject`` that rsvg-convert and LaTeX drop;
* ``deterministicIds`` with a fixed seed, ``handDrawnSeed`` fixed, ``look: classic``;
* the font is :data:`~protodoc.render.fonts.FONT_FAMILY` (Latin and Chinese);
* ``securityLevel: strict``; ``maxTextSize`` and ``maxEdges`` raised, so that a big
  diagram is drawn rather than replaced by Mermaid's "maximum size exceeded" notice; the SVG element's id is derived from the diagram and its
  options (:func:`svg_id`), so that several diagrams can share one HTML page.

Mermaid's per-page counters are dealt with in :mod:`protodoc.render.browser`.
"""

from __future__ import annotations

import hashlib
import html.entities
import json
import re
from typing import Any
from xml.sax.saxutils import escape

from .fonts import CSS_FONT_STACK
from .theme import background, check_theme

MERMAID_THEMES = {"light": "default", "dark": "dark"}

MAX_TEXT_SIZE = 5_000_000
MAX_EDGES = 50_000

RENDER_REVISION = "1"
"""Bump when the configuration or :func:`clean_svg` changes what is produced (part of
the cache key)."""


def mermaid_config(theme: str = "light") -> dict[str, Any]:
    """The ``mermaid.initialize`` configuration for ``theme``."""
    check_theme(theme)
    variables: dict[str, Any] = {"fontFamily": CSS_FONT_STACK}
    if theme == "dark":
        variables["background"] = background(theme)
    return {
        "startOnLoad": False,
        "theme": MERMAID_THEMES[theme],
        "themeVariables": variables,
        "fontFamily": CSS_FONT_STACK,
        "htmlLabels": False,
        "flowchart": {"htmlLabels": False},
        "deterministicIds": True,
        "deterministicIDSeed": "protodoc",
        "handDrawnSeed": 1,
        "look": "classic",
        "securityLevel": "strict",
        "suppressErrorRendering": True,
        # Above its default limits (50 000 characters, 500 edges) Mermaid silently
        # draws "Maximum text size in diagram exceeded" instead of the diagram.
        "maxTextSize": MAX_TEXT_SIZE,
        "maxEdges": MAX_EDGES,
    }


def svg_id(text: str, config: dict[str, Any]) -> str:
    """An id for the SVG element: stable for a diagram, distinct between diagrams."""
    blob = json.dumps([text, config], sort_keys=True, ensure_ascii=False).encode()
    return "pd-" + hashlib.sha256(blob).hexdigest()[:12]


_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_NAMED_REF = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_DOUBLE_ESCAPED = re.compile(r"&amp;#(?:([0-9]{1,7})|[xX]([0-9A-Fa-f]{1,6}));")
_ACCESSIBLE = re.compile(r"<(title|desc)\b[^>]*>.*?</\1>", re.DOTALL)
_OPEN_TEXT = re.compile(r"<text(?=[\s>])")
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")


def _named_to_numeric(m: re.Match[str]) -> str:
    name = m.group(1)
    if name in _XML_ENTITIES:
        return m.group(0)
    code = html.entities.name2codepoint.get(name)
    return f"&#{code};" if code is not None else f"&amp;{name};"


def _undo_double_escape(m: re.Match[str]) -> str:
    code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
    try:
        return escape(chr(code), {'"': "&quot;"})
    except (ValueError, OverflowError):
        return m.group(0)


def clean_svg(svg: str, theme: str = "light") -> str:
    """Mermaid's SVG made well-formed XML that draws the same everywhere:

    * HTML named character references (``&nbsp;``, from the HTML serializer or from a
      ``#nbsp;`` code) become numeric ones, which XML knows;
    * ``&amp;#59;`` becomes ``;``: with ``htmlLabels: false`` the state renderer
      decodes Mermaid's entity placeholders before it sets the text, so the code is
      escaped once too often and a browser would show ``&#59;``;
    * ``<text>`` gets ``xml:space="preserve"``: Mermaid splits a label into one
      ``<tspan>`` a word, with the space leading the next word, which SVG renderers
      other than browsers (rsvg) would strip;
    * the root gets the theme's background colour.
    """
    svg = _NAMED_REF.sub(_named_to_numeric, svg)
    # Not in <title>/<desc>: those come from accTitle/accDescr, which Mermaid escapes
    # once only, so an ``&amp;#9;`` there is text the writer wrote.
    parts, end = [], 0
    for m in _ACCESSIBLE.finditer(svg):
        parts += [_DOUBLE_ESCAPED.sub(_undo_double_escape, svg[end : m.start()]), m.group()]
        end = m.end()
    svg = "".join(parts) + _DOUBLE_ESCAPED.sub(_undo_double_escape, svg[end:])
    svg = _OPEN_TEXT.sub('<text xml:space="preserve"', svg)
    bg = background(theme)

    def root(m: re.Match[str]) -> str:
        tag = m.group(0)
        if ' style="' in tag:
            return tag.replace(' style="', f' style="background-color: {bg}; ', 1)
        return tag[:-1] + f' style="background-color: {bg};">'

    svg = _SVG_ROOT.sub(root, svg, count=1)
    if not svg.endswith("\n"):
        svg += "\n"
    return svg
