"""Loading specs for the directives: a per-process cache and the files a spec depends on."""

from __future__ import annotations

import os
from pathlib import Path

from .. import pipeline
from ..errors import SpecError
from ..model import Block, Branch, Protocol, walk

_cache: dict[tuple[str, bool], tuple[tuple[tuple[str, int], ...], object]] = {}


def _stamp(files: set[str]) -> tuple[tuple[str, int], ...]:
    out = []
    for f in sorted(files):
        try:
            out.append((f, os.stat(f).st_mtime_ns))
        except OSError:
            out.append((f, -1))
    return tuple(out)


def load(path: str, *, strict: bool) -> tuple[pipeline.Loaded | SpecError, set[str]]:
    """Load ``path`` (absolute); return the result or the :class:`SpecError`, and the
    files it depends on (the spec and every spec it imports), for ``note_dependency``.

    Results are cached per process while none of those files changes.
    """
    key = (path, strict)
    hit = _cache.get(key)
    if hit is not None and _stamp({f for f, _ in hit[0]}) == hit[0]:
        result = hit[1]
        return result, {f for f, _ in hit[0]}  # type: ignore[return-value]
    result: pipeline.Loaded | SpecError
    try:
        result = pipeline.load(path, strict=strict)
        files = files_of(result.protocol)
    except SpecError as err:
        result = err
        files = {d.pos.file for d in err.diagnostics if d.pos is not None and d.pos.file}
    files = {os.path.abspath(f) for f in files if f} | {path}
    _cache[key] = (_stamp(files), result)
    return result, files


def files_of(protocol: Protocol) -> set[str]:
    """Every file a loaded spec was assembled from (positions point into imported files)."""
    files: set[str] = set()
    if protocol.path:
        files.add(protocol.path)

    def add(obj: object) -> None:
        pos = getattr(obj, "pos", None)
        if pos is not None and pos.file:
            files.add(pos.file)

    add(protocol)
    for p in protocol.participants:
        add(p)
        if p.machine is not None:
            add(p.machine)
            if p.machine.origin:
                files.add(p.machine.origin)
    for m in protocol.machines:
        add(m)
        if m.origin:
            files.add(m.origin)
    for step in walk(protocol.steps):
        add(step)
        if isinstance(step, Block):
            for br in step.branches:
                assert isinstance(br, Branch)
                add(br)
    return {str(Path(f)) for f in files}
