"""Escaping of label text, one table per backend.

Every text a user writes (participant names, message labels, notes, block labels,
state names and descriptions, titles) reaches a diagram only through the functions
here, so no text can end a statement, start a comment or directive, or inject markup.
Identifiers never carry user text: emitters derive them from positions (``p0``, ``s3``).

The domain is every string an SVG can hold: characters outside the XML 1.0 ``Char``
production (C0 controls other than tab, line feed and carriage return; U+FFFE, U+FFFF;
lone surrogates) are replaced by U+FFFD, the replacement character. YAML specs cannot
contain them anyway. A line feed (``\\n``) is a line break in both backends; a
carriage return (alone or before a line feed) is one too, as in YAML, since Mermaid and
every XML reader of an SVG turn it into a line feed anyway.

Mermaid
    Mermaid decodes ``#<decimal>;`` entity codes in every label (its own
    ``encodeEntities``/``decodeEntities`` pair) and the browser shows the character.
    Only a conservative set passes through raw: ASCII letters and digits, the
    punctuation in :data:`MERMAID_RAW_ASCII`, interior spaces, and non-ASCII letters,
    marks, digits, punctuation and symbols (Chinese and emoji stay readable).
    Everything else is written as an entity
    code, so ``;`` ``#`` ``%`` ``:`` ``<`` ``>`` ``"`` ``&`` and ``{`` can never reach
    Mermaid's lexer, comment or directive handling or the HTML sanitizer. Leading and
    trailing spaces of each line are coded too, since Mermaid trims labels. Line
    breaks become ``<br>``, which only the emitter can write (``<`` from text is
    always coded). C1 controls (U+0080 to U+009F) pass raw: an HTML entity code for
    them means a Windows-1252 character instead.

Graphviz DOT
    Labels are double-quoted strings. The lexer only knows ``\\"``; the renderer then
    reads backslash escapes (``\\n``, ``\\l``, ``\\N``, ``\\G``...) and HTML entities
    (``&amp;``, ``&#9;``) in plain labels. :data:`DOT_ESCAPES` writes backslash,
    quote, ampersand and tab so that neither stage sees anything but
    the text; a line feed becomes ``\\n`` (a centred line break).
"""

from __future__ import annotations

import functools
import re
import unicodedata

REPLACEMENT = "\ufffd"


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""A character XML 1.0 (and so an SVG) cannot hold."""


def clean(text: str) -> str:
    """``text`` with CR LF and CR as LF, and every character an SVG cannot hold
    replaced by U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub(REPLACEMENT, text)


# --- Mermaid -------------------------------------------------------------------------

MERMAID_RAW_ASCII = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,=+-_()/!?*'@[]^$~|"
)
"""ASCII characters written as they are; every other ASCII character is coded:
``#`` ``;`` ``%`` ``:`` ``<`` ``>`` ``&`` ``"`` ``{`` ``}``, the backslash (the state
renderer reads ``\\n``), the backquote (Markdown strings), controls, and spaces at the
ends of a line. Few codes keep the ``.mmd`` readable, and Mermaid's state renderer wraps
an edge label while its codes are still codes (see :mod:`protodoc.emit.mermaid`)."""

MERMAID_MARKERS = frozenset("\u00b0\u00b6")
"""Halves of Mermaid's internal entity markers (``ﬂ°°``, ``ﬂ°``, ``¶ß``): coding ``°``
and ``¶`` keeps text from ever forming a marker (``ﬂ`` and ``ß`` stay readable)."""

MERMAID_RAW_CATEGORIES = "LMNPS"
"""Non-ASCII letters, marks, numbers, punctuation and symbols are written as they are;
separators (spaces: Mermaid trims them, the sanitizer rewrites U+00A0) and other
characters (format, private use, unassigned) are coded."""

MERMAID_LINE_BREAK = "<br>"


def _raw_non_ascii(c: str) -> bool:
    return (
        c >= "\xa0"
        and c not in MERMAID_MARKERS
        and unicodedata.category(c)[0] in MERMAID_RAW_CATEGORIES
    )


_MERMAID_SUSPECT = re.compile("[^" + re.escape("".join(sorted(MERMAID_RAW_ASCII))) + " ]")
"""Characters that may need a code: all but the raw ASCII ones and the space."""


def _mermaid_code(match: re.Match[str]) -> str:
    c = match.group()
    if "\x80" <= c <= "\x9f" or _raw_non_ascii(c):
        return c
    return f"#{ord(c)};"


def _mermaid_line(line: str) -> str:
    out = _MERMAID_SUSPECT.sub(_mermaid_code, line)
    # Interior spaces stay readable; Mermaid trims the ends of a label, so code those.
    if out.startswith(" "):
        out = "#32;" + out[1:]
    if out.endswith(" "):
        out = out[:-1] + "#32;"
    return out


@functools.lru_cache(maxsize=8192)  # pure; names and states recur in every view
def mermaid_text(text: str, *, breaks: bool = True) -> str:
    """A label for any Mermaid statement: entity codes, ``<br>`` for line breaks.

    With ``breaks=False`` (titles, which Mermaid draws on one line) a line feed is
    kept as a character (``#10;``), which an SVG shows as a space.
    """
    lines = clean(text).split("\n")
    return (MERMAID_LINE_BREAK if breaks else "#10;").join(_mermaid_line(x) for x in lines)


# --- Graphviz DOT --------------------------------------------------------------------

DOT_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "&": "&amp;",
    "\n": "\\n",
    "\t": "&#9;",
}
"""Characters a DOT quoted label cannot carry as they are, and what is written instead."""


_DOT_TABLE = str.maketrans(DOT_ESCAPES)


@functools.lru_cache(maxsize=8192)  # pure; names and states recur in every view
def dot_string(text: str) -> str:
    """A DOT double-quoted string whose rendered label is exactly ``text``."""
    return f'"{clean(text).translate(_DOT_TABLE)}"'
