"""Rendered diagrams of a build: one batch per build, a content-addressed store.

Directives record every diagram in the environment (``env.protodoc_diagrams``).
At ``env-updated`` -- in the main process, after all (possibly parallel) reads and
before any (possibly parallel) writes -- :func:`render_missing` renders every
diagram whose file is not in the store yet, in one ``render_many`` batch with one
:class:`~protodoc.render.Renderer` (one browser per build). Visitors then only read
files, so writer processes never start a browser.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from sphinx.util import logging

from ..errors import ProtodocError, ToolMissingError
from ..writer import write_atomic

logger = logging.getLogger(__name__)

FORMATS = {
    # builder format -> rendered file format
    "html": "svg",
    "latex": "pdf",
}


def store_dir(doctreedir: str | os.PathLike[str]) -> Path:
    """Where rendered diagrams of this project are kept (under the doctree dir)."""
    return Path(doctreedir) / "protodoc"


def stored(doctreedir: str | os.PathLike[str], key: str, fmt: str) -> Path:
    return store_dir(doctreedir) / f"{key}.{fmt}"


def needed_format(app: object) -> str | None:
    builder = app.builder  # type: ignore[attr-defined]
    return FORMATS.get(builder.format)


def browser_mode(config: object) -> bool:
    return config.protodoc_html_render == "browser"  # type: ignore[attr-defined]


failed: dict[str, str] = {}
"""Keys that could not be rendered in this process, with the reason (for the visitors)."""

_tool_warned: set[str] = set()


def render_missing(app: object, env: object) -> None:
    """Render, in one batch, every recorded diagram missing from the store."""
    fmt = needed_format(app)
    if fmt is None:
        return
    diagrams: dict[str, list[tuple[str, str, str, int]]] = getattr(env, "protodoc_diagrams", {})
    _prune(app.doctreedir, {entry[0] for entries in diagrams.values() for entry in entries})
    todo: dict[str, tuple[str, str]] = {}
    where: dict[str, list[tuple[str, int]]] = {}
    for docname in sorted(diagrams):
        for key, engine, code, lineno in diagrams[docname]:
            if fmt == "svg" and engine == "mermaid" and browser_mode(app.config):
                continue  # drawn in the reader's browser
            if stored(app.doctreedir, key, fmt).exists():
                continue
            todo.setdefault(key, (engine, code))
            where.setdefault(key, []).append((docname, lineno))
    if not todo:
        return
    keys = sorted(todo)
    logger.info("protodoc: rendering %d diagram(s) to %s", len(keys), fmt.upper())
    results = _render_batch(app, [(todo[k][0], todo[k][1], fmt) for k in keys], where, keys)
    for key, result in zip(keys, results, strict=True):
        if isinstance(result, bytes):
            write_atomic(stored(app.doctreedir, key, fmt), result)
            failed.pop(key, None)
        else:
            failed[key] = str(result)
            _warn_render(result, where[key], fmt)


def _prune(doctreedir: str | os.PathLike[str], keys: set[str]) -> None:
    """Remove stored drawings no page uses any more (the store only grows otherwise)."""
    store = store_dir(doctreedir)
    if not store.is_dir():
        return
    for path in sorted(store.iterdir()):
        if path.is_file() and path.name.split(".", 1)[0] not in keys:
            path.unlink()


def _render_batch(
    app: object, jobs: list[tuple[str, str, str]], where: dict, keys: list[str]
) -> list[bytes | Exception]:
    try:
        from ..render import Renderer, RenderJob
    except ImportError as err:  # the render package is missing: nothing can be drawn
        return [ToolMissingError(f"protodoc.render is not available: {err}") for _ in jobs]
    cfg = app.config  # type: ignore[attr-defined]
    cache = cfg.protodoc_cache_dir or None
    theme = cfg.protodoc_theme
    mermaid_js = (
        os.path.join(app.confdir, cfg.protodoc_mermaid_js) if cfg.protodoc_mermaid_js else None
    )
    try:
        with Renderer(cache_dir=cache, mermaid_js=mermaid_js) as renderer:
            out = renderer.render_many(
                [
                    RenderJob(source=code, engine=engine, fmt=fmt, theme=theme)
                    for engine, code, fmt in jobs
                ]
            )
            return list(out)
    except ProtodocError as err:
        return [err for _ in jobs]


def _warn_render(err: Exception, places: Iterable[tuple[str, int]], fmt: str) -> None:
    places = list(places)
    docname, lineno = places[0]
    if isinstance(err, ToolMissingError):
        msg = str(err)
        if msg in _tool_warned:
            return
        _tool_warned.add(msg)
        logger.warning(
            "protodoc: cannot render diagrams to %s: %s (showing the diagram source instead)",
            fmt.upper(), msg, location=(docname, lineno), type="protodoc", subtype="tool",
        )  # fmt: skip
        return
    more = f" (and {len(places) - 1} more place(s))" if len(places) > 1 else ""
    logger.warning(
        "protodoc: rendering failed: %s%s", err, more,
        location=(docname, lineno), type="protodoc", subtype="render",
    )  # fmt: skip


# --- inline SVG -------------------------------------------------------------------

_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL)
_ID_ATTR = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r"#([A-Za-z_][\w-]*)")
_IDREFS = re.compile(r'\b(aria-labelledby|aria-describedby)="([^"]*)"')


def inline_svg(svg: str, prefix: str) -> str:
    """Make ``svg`` fit for inlining into a page that holds other SVGs: drop the XML
    prolog, prefix every id (and every reference to one: ``url(#id)``, ``href="#id"``,
    ``#id`` in CSS, ARIA id lists) with ``prefix``. Deterministic."""
    svg = _PROLOG.sub("", svg).strip()
    ids = set(_ID_ATTR.findall(svg))
    if not ids:
        return svg

    def ref(m: re.Match[str]) -> str:
        name = m.group(1)
        return f"#{prefix}{name}" if name in ids else m.group(0)

    def idrefs(m: re.Match[str]) -> str:
        vals = " ".join(prefix + v if v in ids else v for v in m.group(2).split())
        return f'{m.group(1)}="{vals}"'

    svg = _ID_ATTR.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = _REF.sub(ref, svg)
    svg = _IDREFS.sub(idrefs, svg)
    return svg
