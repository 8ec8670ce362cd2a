"""protodoc's Sphinx extension: ``extensions = ["protodoc.sphinx"]``.

Directives ``protodoc-diagram`` (one diagram of a spec) and ``protodoc-spec`` (a whole
reference section), reference pages generated from a directory of specs, in the page's
language, for HTML (inline SVG or Mermaid in the browser), LaTeX (vector PDF), text
and man (tables). See docs/guide/sphinx.rst for the configuration values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import ENUM
from sphinx.util import logging

from .. import __version__
from ..errors import ProtodocError
from . import autogen, images, visitors
from .directives import DiagramDirective, IndexDirective, SpecDirective
from .nodes import protodoc_diagram

logger = logging.getLogger(__name__)

ENV_VERSION = 1
"""Bump when the pickled node attributes or ``env.protodoc_diagrams`` change shape."""

STATIC = Path(__file__).parent / "static"

CONFIG: list[tuple[str, Any, str, Any]] = [
    # name, default, rebuild, types
    ("protodoc_spec_dir", "", "env", frozenset({str})),
    ("protodoc_engine", "mermaid", "env", ENUM("mermaid", "graphviz")),
    ("protodoc_lang", "", "env", frozenset({str})),
    ("protodoc_strict", True, "env", frozenset({bool})),
    ("protodoc_theme", "light", "env", frozenset({str})),
    ("protodoc_html_render", "inline", "html", ENUM("inline", "browser")),
    ("protodoc_mermaid_js", "", "html", frozenset({str})),
    ("protodoc_cache_dir", "", "", frozenset({str})),
    ("protodoc_reference_dir", "", "env", frozenset({str})),
    ("protodoc_reference_output", "protocols", "env", frozenset({str})),
    ("protodoc_reference_exclude", [], "env", frozenset({list, tuple})),
]


def _purge(app: Sphinx, env: Any, docname: str) -> None:
    getattr(env, "protodoc_diagrams", {}).pop(docname, None)


def _merge(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    mine = env.__dict__.setdefault("protodoc_diagrams", {})
    theirs = getattr(other, "protodoc_diagrams", {})
    for docname in docnames:
        if docname in theirs:
            mine[docname] = theirs[docname]


def _builder_inited(app: Sphinx) -> None:
    autogen.generate(app)
    if app.builder.format == "html":
        app.add_css_file("protodoc/protodoc.css")
        if app.config.protodoc_html_render == "browser":
            if find_mermaid_js(app) is None:
                logger.warning(
                    "protodoc_html_render = 'browser' needs mermaid.min.js: run "
                    "'npm install mermaid' next to conf.py or set protodoc_mermaid_js; "
                    "drawing Mermaid diagrams at build time instead",
                    type="protodoc",
                    subtype="tool",
                )
                app.config.protodoc_html_render = "inline"
            else:
                app.add_js_file("protodoc/mermaid.min.js")
                app.add_js_file("protodoc/protodoc-mermaid.js")


def find_mermaid_js(app: Sphinx) -> Path | None:
    """``protodoc_mermaid_js``, else ``node_modules/mermaid/dist/mermaid.min.js`` in the
    configuration directory or a parent, else where the renderer finds it."""
    if app.config.protodoc_mermaid_js:
        path = Path(app.confdir, app.config.protodoc_mermaid_js)
        return path if path.is_file() else None
    start = Path(app.confdir).resolve()
    for base in (start, *start.parents):
        path = base / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
        if path.is_file():
            return path
    try:  # the renderer's own search: $PROTODOC_MERMAID_JS, the working directory, ...
        from ..render.browser import find_mermaid_js as renderer_find
    except ImportError:
        return None
    try:
        return renderer_find()
    except ProtodocError:
        return None


def _build_finished(app: Sphinx, exception: BaseException | None) -> None:
    """Copy the extension's static files (not through ``html_static_path``: changing
    the configuration would make Sphinx rewrite every page on every build)."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir, "_static", "protodoc")
    files = {"protodoc.css": STATIC / "protodoc.css"}
    if app.config.protodoc_html_render == "browser":
        files["protodoc-mermaid.js"] = STATIC / "protodoc-mermaid.js"
        src = find_mermaid_js(app)
        if src is not None:
            files["mermaid.min.js"] = src
    for name, src in files.items():
        images.write_atomic(static / name, src.read_bytes())


def setup(app: Sphinx) -> dict[str, Any]:
    for name, default, rebuild, types in CONFIG:
        app.add_config_value(name, default, rebuild, types=types)
    app.add_node(
        protodoc_diagram,
        html=(visitors.html_visit, None),
        latex=(visitors.latex_visit, None),
        text=(visitors.text_visit, visitors.text_depart),
        man=(visitors.text_visit, visitors.text_depart),
        texinfo=(visitors.text_visit, visitors.text_depart),
    )
    app.add_directive("protodoc-diagram", DiagramDirective)
    app.add_directive("protodoc-spec", SpecDirective)
    app.add_directive("protodoc-index", IndexDirective)
    app.connect("builder-inited", _builder_inited)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", images.render_missing)
    app.connect("build-finished", _build_finished)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
