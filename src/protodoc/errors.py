"""Source positions and the error classes of every stage.

Every error a user can cause carries a :class:`Pos` and prints as
``file:line:col: message``. Stages raise their own subclass of
:class:`ProtodocError`; integrations (CLI, Sphinx) catch the base class only.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Pos:
    """A 1-based line and column in a source file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a spec. ``severity`` is "error" or "warning"."""

    pos: Pos | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.pos}: " if self.pos else ""
        tag = "warning: " if self.severity == "warning" else ""
        return f"{where}{tag}{self.message}"


class ProtodocError(Exception):
    """Base class of every error protodoc raises on purpose."""


@dataclass
class SpecError(ProtodocError):
    """A spec could not be loaded or is inconsistent. Holds every diagnostic found."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)

    @property
    def first(self) -> Diagnostic:
        return self.diagnostics[0]


class RenderError(ProtodocError):
    """An engine (dot, Mermaid in Chromium) rejected a diagram or failed."""


class ToolMissingError(RenderError):
    """An external tool is not installed; the message names what to install."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
