"""Graphviz: DOT text -> SVG through the real ``dot``. :func:`run_dot` is the one
function that spawns it."""

from __future__ import annotations

from collections.abc import Sequence

from .fonts import FONT_FAMILY
from .tools import run_tool

DEFAULT_TIMEOUT = 30.0


def run_dot(args: Sequence[str], text: str = "", *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Run ``dot <args>`` with ``text`` on stdin; return stdout, or stderr when stdout
    is empty (``dot -V`` prints there). Raises :class:`RenderError` with dot's own
    message (``Error: <stdin>: syntax error in line 3 near '->'``) when it fails."""
    proc = run_tool(["dot", *args], input=text.encode("utf-8"), timeout=timeout, what="Graphviz")
    return proc.stdout or proc.stderr


def dot_version(timeout: float = DEFAULT_TIMEOUT) -> str:
    """``dot -V``, e.g. ``dot - graphviz version 2.43.0 (0)``."""
    return run_dot(["-V"], timeout=timeout).decode("utf-8", "replace").strip()


def render_dot_svg(text: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The SVG Graphviz draws for the DOT ``text`` (deterministic for one version).

    :data:`~protodoc.render.fonts.FONT_FAMILY` is the default font of the graph, its
    nodes and edges; a ``fontname`` in the text wins."""
    defaults = [f"-{kind}fontname={FONT_FAMILY}" for kind in "GNE"]
    return run_dot([*defaults, "-Tsvg"], text, timeout=timeout).decode("utf-8")
