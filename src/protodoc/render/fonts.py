"""Fonts: the one font family both engines use, the CJK check, and a fingerprint of the
installed fonts for the cache key."""

from __future__ import annotations

import hashlib
import re

from ..errors import ToolMissingError
from .tools import run_tool

FONT_FAMILY = "Noto Sans CJK SC"
"""The family both engines draw with; it covers Latin and Simplified Chinese.
DOT text names it in ``fontname``; Mermaid gets it through ``fontFamily``."""

FONT_PACKAGE = "fonts-noto-cjk"

CSS_FONT_STACK = f'"{FONT_FAMILY}", "Noto Sans", sans-serif'
"""The CSS ``font-family`` of Mermaid diagrams."""

_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]"
)

_TIMEOUT = 30.0


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese (CJK) character or CJK punctuation."""
    return _CJK.search(text) is not None


def cjk_fonts() -> list[str]:
    """The font files fontconfig knows for Chinese (``fc-list :lang=zh``)."""
    out = run_tool(["fc-list", ":lang=zh", "file"], timeout=_TIMEOUT, what="listing fonts").stdout
    return sorted(line.strip() for line in out.decode("utf-8", "replace").splitlines() if line)


def require_cjk_font() -> None:
    """Raise :class:`ToolMissingError` naming ``fonts-noto-cjk`` when no font with
    Chinese glyphs is installed (the diagram would show empty boxes)."""
    if not cjk_fonts():
        raise ToolMissingError(
            "the diagram has Chinese text but no font with Chinese glyphs is installed"
            f" (fc-list :lang=zh finds none); install '{FONT_PACKAGE}'"
            f" (Debian: apt-get install {FONT_PACKAGE})"
        )


def font_fingerprint() -> str:
    """A hash of every installed font (family, style, file, version): any change in
    the fonts a renderer may fall back to changes the cache key."""
    out = run_tool(
        ["fc-list", ":", "family", "style", "file", "fontversion"],
        timeout=_TIMEOUT,
        what="listing fonts",
    ).stdout
    lines = sorted(out.decode("utf-8", "replace").splitlines())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
