"""One visitor per builder for :class:`~.nodes.protodoc_diagram`."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from docutils import nodes

from . import images
from .nodes import protodoc_diagram


def _fallback_html(self, node: protodoc_diagram, reason: str) -> None:
    code = html.escape(node["code"])
    self.body.append(
        f'<div class="protodoc-diagram protodoc-unrendered" title="{html.escape(reason)}">'
        f'<pre class="literal-block">{code}</pre></div>\n'
    )


def html_visit(self, node: protodoc_diagram) -> None:
    builder = self.builder
    align = node.get("align", "center")
    classes = " ".join(["protodoc-diagram", f"align-{align}", *node.get("classes", [])])
    alt = html.escape(node.get("alt", ""), quote=True)
    if node["engine"] == "mermaid" and images.browser_mode(builder.config):
        self.body.append(
            f'<div class="{classes}" role="img" aria-label="{alt}">'
            f'<pre class="mermaid">{html.escape(node["code"])}</pre></div>\n'
        )
        raise nodes.SkipNode
    path = images.stored(builder.doctreedir, node["key"], "svg")
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError:
        _fallback_html(self, node, images.failed.get(node["key"], "not rendered"))
        raise nodes.SkipNode from None
    self.body.append(
        f'<div class="{classes}" role="img" aria-label="{alt}">'
        f"{images.inline_svg(svg, node['prefix'])}</div>\n"
    )
    raise nodes.SkipNode


def latex_visit(self, node: protodoc_diagram) -> None:
    src = images.stored(self.builder.doctreedir, node["key"], "pdf")
    name = f"protodoc-{node['key']}.pdf"
    if not src.exists():
        self.body.append("\n\\begin{sphinxVerbatim}[commandchars=\\\\\\{\\}]\n")
        self.body.append(self.encode(node["code"]).rstrip("\n") + "\n")
        self.body.append("\\end{sphinxVerbatim}\n")
        raise nodes.SkipNode
    dest = Path(self.builder.outdir) / name
    if not dest.exists() or dest.read_bytes() != src.read_bytes():
        tmp = dest.with_suffix(".pdf.tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dest)
    align = node.get("align", "center")
    pre, post = {
        "left": ("{\\raggedright", "\\par}"),
        "right": ("{\\raggedleft", "\\par}"),
        "center": ("\\begin{center}", "\\end{center}"),
    }[align]
    in_figure = isinstance(node.parent, nodes.figure)
    if in_figure:
        pre, post = "", ""
    base = name[: -len(".pdf")]
    self.body.append(f"\n{pre}\\noindent\\sphinxincludegraphics{{{{{base}}}.pdf}}{post}\n")
    raise nodes.SkipNode


def text_visit(self, node: protodoc_diagram) -> None:
    """Text and man: the fallback table the directive attached, else nothing."""
    if not node.children:
        raise nodes.SkipNode


def text_depart(self, node: protodoc_diagram) -> None:
    pass


def skip(self, node: protodoc_diagram) -> None:
    raise nodes.SkipNode
