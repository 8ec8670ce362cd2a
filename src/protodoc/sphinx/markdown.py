"""Markdown (a spec's ``summary``) to docutils nodes, with markdown-it-py.

Converting to nodes rather than inserting raw HTML keeps the summary in every
builder (HTML, LaTeX, text, man). CommonMark block and inline elements map to
their docutils counterparts; anything else keeps its text.
"""

from __future__ import annotations

from docutils import nodes
from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = MarkdownIt("commonmark")

_BLOCKS: dict[str, type[nodes.Element]] = {
    "paragraph": nodes.paragraph,
    "bullet_list": nodes.bullet_list,
    "ordered_list": nodes.enumerated_list,
    "list_item": nodes.list_item,
    "blockquote": nodes.block_quote,
    "heading": nodes.rubric,
}

_INLINES: dict[str, type[nodes.Element]] = {
    "strong": nodes.strong,
    "em": nodes.emphasis,
    "s": nodes.inline,
}


def to_nodes(text: str) -> list[nodes.Node]:
    """Parse Markdown ``text`` into a list of docutils body nodes."""
    root = nodes.container()
    stack: list[nodes.Element] = [root]
    for tok in _md.parse(text):
        kind = tok.type
        if kind.endswith("_open") and kind[:-5] in _BLOCKS:
            node = _BLOCKS[kind[:-5]]()
            if kind == "bullet_list_open":
                node["bullet"] = tok.markup or "*"
            elif kind == "ordered_list_open":
                node["enumtype"] = "arabic"
                node["prefix"] = ""
                node["suffix"] = "."
            stack[-1] += node
            stack.append(node)
        elif kind.endswith("_close") and kind[:-6] in _BLOCKS:
            stack.pop()
        elif kind == "inline":
            parent = stack[-1]
            if not isinstance(parent, nodes.TextElement):
                para = nodes.paragraph()
                parent += para
                parent = para
            _inline(tok.children or [], parent)
        elif kind in ("fence", "code_block"):
            stack[-1] += nodes.literal_block(tok.content, tok.content)
        elif kind == "hr":
            stack[-1] += nodes.transition()
        elif kind == "html_block":
            stack[-1] += nodes.paragraph(tok.content, tok.content.strip())
    return list(root.children)


def _inline(tokens: list[Token], parent: nodes.Element) -> None:
    stack: list[nodes.Element] = [parent]
    for tok in tokens:
        kind = tok.type
        if kind.endswith("_open") and kind[:-5] in _INLINES:
            node = _INLINES[kind[:-5]]()
            stack[-1] += node
            stack.append(node)
        elif kind == "link_open":
            href = str(tok.attrs.get("href", ""))
            node = nodes.reference("", "", refuri=href)
            stack[-1] += node
            stack.append(node)
        elif kind.endswith("_close") and len(stack) > 1:
            stack.pop()
        elif kind == "text" or kind == "html_inline":
            stack[-1] += nodes.Text(tok.content)
        elif kind == "code_inline":
            stack[-1] += nodes.literal(tok.content, tok.content)
        elif kind == "softbreak":
            stack[-1] += nodes.Text(" ")
        elif kind == "hardbreak":
            stack[-1] += nodes.Text("\n")
        elif kind == "image":
            alt = tok.content or str(tok.attrs.get("alt", ""))
            stack[-1] += nodes.Text(alt)
