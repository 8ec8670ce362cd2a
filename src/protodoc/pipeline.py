"""The pipeline as the integrations (CLI, generate/check, Sphinx) use it.

    load(path)                -> Loaded(protocol, warnings)   spec + analysis checks
    views(protocol)           -> [View]                        every diagram of a spec
    source(p, view, engine, lang) -> str                       Mermaid or DOT text

Nothing here does rendering; see :mod:`protodoc.render` for text -> SVG/PNG/PDF.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import analysis
from .errors import Diagnostic, SpecError
from .model import Machine, Protocol, Text, norm_lang
from .spec import ImportCache, load_spec

SPEC_SUFFIXES = (".yaml", ".yml")
"""What a spec file's name ends with."""

ENGINES = ("mermaid", "dot")
"""Text formats: Mermaid (``.mmd``) and Graphviz DOT (``.dot``)."""

EXTENSIONS = {"mermaid": "mmd", "dot": "dot"}


@dataclass(frozen=True, slots=True)
class Loaded:
    protocol: Protocol
    warnings: tuple[Diagnostic, ...] = ()
    sources: tuple[Path, ...] = ()  # every file read: the spec, then its imports (resolved)


def load(path: str | Path, *, strict: bool = True, cache: ImportCache | None = None) -> Loaded:
    """Load a spec and run every consistency check.

    Raises :class:`SpecError` with every error found; returns warnings
    (missing translations when not strict, unreachable states) alongside, and
    the files read (for dependency tracking). Pass one ``cache`` to every load
    of a run so that specs imported by many are read once.
    """
    protocol, warnings, sources = load_spec(path, strict=strict, cache=cache)
    problems = analysis.check(protocol)
    errors = [d for d in problems if d.severity == "error"]
    if errors:
        raise SpecError(errors)
    rest = tuple(d for d in problems if d.severity != "error")
    return Loaded(protocol, tuple(warnings) + rest, sources)


@dataclass(frozen=True, slots=True)
class View:
    """One diagram of a spec.

    ``key`` is stable and file-name safe: ``sequence``, ``state-<participant>``
    or ``machine-<machine id>``.
    """

    key: str
    kind: str  # "sequence" or "state"
    participant: str | None = None
    machine: Machine | None = None
    title: Text | None = None


def views(protocol: Protocol) -> list[View]:
    """Every diagram of a spec, in a fixed order: the sequence, each participant's
    projected state machine (when it has states), each declared machine."""
    out: list[View] = []
    if protocol.steps:
        out.append(View(key="sequence", kind="sequence", title=protocol.title))
    projected = analysis.project(protocol)
    for p in protocol.participants:
        m = projected.get(p.id)
        if m is not None and m.states:
            out.append(
                View(key=f"state-{p.id}", kind="state", participant=p.id, machine=m, title=p.name)
            )
    for m in protocol.machines:
        out.append(View(key=f"machine-{m.id}", kind="state", machine=m, title=m.title))
    return out


def find_view(protocol: Protocol, view: str, participant: str | None = None) -> View:
    """The view a user names on the command line or in a directive.

    ``view`` is ``sequence``, ``state`` or a view key. ``state`` without a
    participant means the first participant with states, else the first
    declared machine. Raises :class:`SpecError` naming the choices.
    """
    from .errors import did_you_mean

    all_views = views(protocol)
    keys = [v.key for v in all_views]
    if view == "state" and participant:
        wanted = [f"state-{participant}", f"machine-{participant}"]
        what = f"participant or machine '{participant}' with states"
        names = [k.split("-", 1)[1] for k in keys if k != "sequence"]
        hint = did_you_mean(participant, names)
    elif view == "state":
        wanted = [k for k in keys if k != "sequence"][:1]
        what, hint = "state machine", ""
    else:
        wanted = [view]
        what, hint = f"view '{view}'", did_you_mean(view, keys)
    for v in all_views:
        if v.key in wanted:
            return v
    message = f"spec '{protocol.id}' has no {what}{hint}; its views: {', '.join(keys) or 'none'}"
    raise SpecError([Diagnostic(protocol.pos, message)])


def source(protocol: Protocol, view: View, engine: str, lang: str) -> str:
    """The diagram text of ``view`` for ``engine`` (``mermaid`` or ``dot``) in ``lang``."""
    from .emit import dot, mermaid

    lang = norm_lang(lang)
    emitter = {"mermaid": mermaid, "dot": dot}[engine]
    if view.kind == "sequence":
        return emitter.sequence(protocol, lang)
    assert view.machine is not None
    return emitter.state(view.machine, lang, title=view.title)


def find_specs(paths: Iterable[str | Path]) -> list[Path]:
    """Spec files named, or found below the named directories (``*.yaml``, ``*.yml``;
    hidden directories skipped), each once, sorted within each directory."""
    found: list[Path] = []
    for p in paths:
        if Path(p).is_dir():
            inner = []
            for root, dirs, files in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                inner += [
                    Path(root, f)
                    for f in files
                    if f.endswith(SPEC_SUFFIXES) and not f.startswith(".")
                ]
            found += sorted(inner)
        else:
            found.append(Path(p))
    seen: dict[str, Path] = {}
    for f in found:
        seen.setdefault(os.path.abspath(f), f)
    return list(seen.values())
