"""``protodoc generate`` and ``protodoc check``: diagrams committed next to their specs.

``generate`` writes every view of every spec, in every requested format and
language, below one output directory; ``check`` computes the same files in
memory and compares them with the directory (like ``black --check``).

Layout (stable; other tools may rely on it)::

    OUT/.protodoc-manifest.json           the files protodoc wrote (commit it)
    OUT/<spec id>/<view>.<lang>.<ext>

``<view>`` is ``sequence``, ``state-<participant>`` or ``machine-<machine id>``;
``<lang>`` is ``en`` or ``zh``; ``<ext>`` is ``mmd`` (Mermaid), ``dot`` (Graphviz
DOT), ``svg``, ``png`` or ``pdf``. Images are rendered by the ``--engine``:
``auto`` (the default) draws sequences with Mermaid and state machines with
Graphviz.

The manifest records, for each spec id, the spec file it came from (relative to
OUT) and the files written for it. A run owns the specs it was given: their
directories end up holding exactly the files of this run's formats and
languages. Files of a spec whose file was deleted (or whose id changed) are
removed. Specs not given to this run are left alone, and so is every file the
manifest does not list.

A cache of load results (keyed by protodoc's code, the options, and the
content of each spec and every spec it imports) lets an unchanged spec be
checked without parsing it; it lives in the user cache directory
(``$PROTODOC_CACHE_DIR``, else ``$XDG_CACHE_HOME/protodoc``, else
``~/.cache/protodoc``) and is used for the text formats only.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import hashlib
import json
import os
import re
import shlex
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__, pipeline
from .config import Config, ConfigError, load_config
from .errors import ProtodocError, SpecError
from .model import LANGS, norm_lang
from .progress import Progress
from .writer import write_atomic

# -- the closed vocabularies --------------------------------------------------

FORMATS: dict[str, str] = {"mermaid": "mmd", "dot": "dot", "svg": "svg", "png": "png", "pdf": "pdf"}
"""Output format -> file extension, in the order files are listed."""

FORMAT_ALIASES = {"mmd": "mermaid", "graphviz": "dot", "gv": "dot"}
TEXT_FORMATS = ("mermaid", "dot")
IMAGE_FORMATS = ("svg", "png", "pdf")
DEFAULT_FORMATS = ("mermaid", "dot")

IMAGE_ENGINES = ("auto", "mermaid", "graphviz")
"""``auto``: Mermaid for sequence diagrams, Graphviz for state machines."""

MANIFEST = ".protodoc-manifest.json"
MANIFEST_VERSION = 1

EXIT_OK, EXIT_STALE, EXIT_USAGE, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 123, 130

LAYOUT_HELP = """\
layout:
  OUT/<spec id>/<view>.<lang>.<ext>
      <view>  sequence | state-<participant> | machine-<machine id>
      <lang>  en | zh
      <ext>   mmd (mermaid) | dot | svg | png | pdf
  OUT/.protodoc-manifest.json   files protodoc wrote; commit it with the diagrams
  Files not listed in the manifest are never modified or removed.
"""

CONFIG_HELP = """\
configuration (pyproject.toml; command-line arguments override it):
  [tool.protodoc]
  specs = ["specs"]
  out = "docs/diagrams"
  formats = ["mermaid", "dot"]
  langs = ["en", "zh"]
  engine = "auto"
"""

GENERATE_EXIT_HELP = """\
exit codes:
  0    every diagram written (or already current)
  2    usage error
  123  a spec is invalid or a tool failed (the other specs' diagrams are still written)
  130  interrupted (every file is either its old or its new version)
"""

CHECK_EXIT_HELP = """\
exit codes:
  0    every diagram is current
  1    a diagram is stale, missing or extra (each is listed; fix with the printed command)
  2    usage error
  123  a spec is invalid or a tool failed
"""


class UsageError(ProtodocError):
    """Bad arguments or configuration (exit code 2)."""


# -- options -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Options:
    """What to generate. Build with :func:`options_from` or directly (tests, bench)."""

    paths: tuple[Path, ...]
    out: Path
    formats: tuple[str, ...] = DEFAULT_FORMATS
    langs: tuple[str, ...] = LANGS
    engine: str = "auto"
    strict: bool = True
    cache: bool = True
    force: bool = False
    workers: int = 1  # processes that load specs; 0: one per CPU


def parse_formats(values: Iterable[str]) -> tuple[str, ...]:
    """``["mermaid,dot", "svg"]`` -> ``("mermaid", "dot", "svg")`` in canonical order."""
    wanted = set()
    for value in values:
        for name in filter(None, (v.strip().lower() for v in value.split(","))):
            name = FORMAT_ALIASES.get(name, name)
            if name not in FORMATS:
                raise UsageError(f"unknown format '{name}' (choose from {', '.join(FORMATS)})")
            wanted.add(name)
    if not wanted:
        raise UsageError("no format given")
    return tuple(f for f in FORMATS if f in wanted)


def parse_langs(values: Iterable[str]) -> tuple[str, ...]:
    wanted = set()
    for value in values:
        for name in filter(None, (v.strip() for v in value.split(","))):
            try:
                wanted.add(norm_lang(name))
            except ValueError as e:
                raise UsageError(str(e)) from None
    if not wanted:
        raise UsageError("no language given")
    return tuple(lang for lang in LANGS if lang in wanted)


def options_from(args: argparse.Namespace, config: Config) -> Options:
    """Merge command-line arguments over ``[tool.protodoc]``; raise :class:`UsageError`."""
    paths = tuple(Path(p) for p in args.paths) if args.paths else config.specs
    if not paths:
        raise UsageError("no spec paths given (pass PATH... or set 'specs' in [tool.protodoc])")
    for p in paths:
        if not p.exists():
            raise UsageError(f"no such file or directory: {_show(p)}")
    out = Path(args.out) if args.out else config.out
    if out is None:
        raise UsageError(
            "no output directory given (pass --out DIR or set 'out' in [tool.protodoc])"
        )
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {_show(out)} is not a directory")
    formats = parse_formats(args.format or config.formats or DEFAULT_FORMATS)
    langs = parse_langs(args.lang or config.langs or LANGS)
    engine = args.engine or config.engine or "auto"
    if engine not in IMAGE_ENGINES:
        raise UsageError(f"unknown engine '{engine}' (choose from {', '.join(IMAGE_ENGINES)})")
    strict = False if args.no_strict else config.strict is not False
    if args.workers is not None and args.workers < 0:
        raise UsageError("--workers must be 0 (one per CPU) or more")
    return Options(
        paths=paths,
        out=out,
        formats=formats,
        langs=langs,
        engine=engine,
        strict=strict,
        cache=not args.no_cache,
        force=getattr(args, "force", False),
        workers=1 if args.workers is None else args.workers,
    )


def fix_command(args: argparse.Namespace) -> str:
    """The ``protodoc generate`` command that brings the files a check saw up to date."""
    words = ["protodoc", "generate", *args.paths]
    if args.out:
        words += ["--out", args.out]
    for name, values in (("--format", args.format), ("--lang", args.lang)):
        if values:
            words += [name, ",".join(values)]
    if args.engine:
        words += ["--engine", args.engine]
    if args.no_strict:
        words.append("--no-strict")
    return shlex.join(words)


# -- discovery -------------------------------------------------------------------


# -- the plan: every file a run produces ----------------------------------------


@dataclass(slots=True)
class Output:
    """One file below OUT. ``data`` is None when the cache vouched that the file on
    disk already holds exactly these bytes (``sha``)."""

    rel: str
    sha: str
    data: bytes | None
    spec: str  # display path of the spec it comes from


@dataclass(frozen=True, slots=True)
class _ImageJob:
    rel: str
    spec: str
    source: str
    engine: str
    fmt: str


@dataclass(slots=True)
class SpecResult:
    path: Path  # as found
    abspath: str
    id: str | None = None
    outputs: list[Output] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cached: bool = False
    deps: dict[str, str] = field(default_factory=dict)  # every file read -> sha256
    sha: str = ""
    images: list[_ImageJob] = field(default_factory=list)  # to render, then outputs


@dataclass(slots=True)
class Plan:
    options: Options
    specs: list[SpecResult]
    outputs: dict[str, Output]  # rel -> output
    remove: list[str]  # rels listed in the old manifest that this run no longer produces
    old_manifest: dict[str, Any]  # parsed; {} when there is none
    old_manifest_bytes: bytes | None
    manifest_bytes: bytes | None  # the manifest after this run
    errors: list[str]

    @property
    def manifest_path(self) -> Path:
        return self.options.out / MANIFEST


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _show(path: Path | str) -> str:
    """A path as users see it: relative to the cwd when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def image_engine(view: pipeline.View, engine: str) -> str:
    """The renderer of one view's images: ``mermaid`` or ``graphviz``."""
    if engine == "auto":
        return "mermaid" if view.kind == "sequence" else "graphviz"
    return engine


def file_name(view_key: str, lang: str, fmt: str) -> str:
    return f"{view_key}.{lang}.{FORMATS[fmt]}"


def _emit(result: SpecResult, loaded: pipeline.Loaded, options: Options) -> list[_ImageJob]:
    """Fill ``result.outputs`` with the text files of a loaded spec; return its images."""
    protocol = loaded.protocol
    jobs: list[_ImageJob] = []
    memo: dict[tuple[str, str, str], str] = {}

    def text(view: pipeline.View, engine: str, lang: str) -> str:
        key = (view.key, engine, lang)
        if key not in memo:
            memo[key] = pipeline.source(protocol, view, engine, lang)
        return memo[key]

    for view in pipeline.views(protocol):
        for lang in options.langs:
            for fmt in options.formats:
                rel = f"{protocol.id}/{file_name(view.key, lang, fmt)}"
                if fmt in TEXT_FORMATS:
                    data = text(view, fmt, lang).encode("utf-8")
                    result.outputs.append(Output(rel, _sha(data), data, result.path.as_posix()))
                else:
                    engine = image_engine(view, options.engine)
                    src = text(view, "mermaid" if engine == "mermaid" else "dot", lang)
                    jobs.append(_ImageJob(rel, str(result.path), src, engine, fmt))
    return jobs


@contextmanager
def _fewer_collections(threshold: int = 100_000) -> Iterator[None]:
    """Loading allocates many small objects (YAML nodes, model, text) that are freed by
    reference counting; the cyclic collector, run at its default rate, rescans the
    survivors again and again and took a third of a cold check. Run it less often."""
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], threshold), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def build_plan(options: Options, *, progress: Progress | None = None) -> Plan:
    """Load every spec and compute every output file, in memory. Never writes."""
    out = options.out
    files = pipeline.find_specs(options.paths)
    old_bytes, old = _read_manifest(out)
    cache = _Cache(options) if options.cache and _cacheable(options) else None
    shas: dict[str, str] = {}
    results: list[SpecResult] = []
    jobs: list[_ImageJob] = []
    if progress:
        progress.restart(len(files), "specs")
    misses: list[int] = []
    with _fewer_collections():
        for f in files:
            result = SpecResult(path=f, abspath=os.path.abspath(f))
            if cache is None or not cache.lookup(result, shas):
                misses.append(len(results))
            elif progress:
                progress.advance()
            results.append(result)
        loaded = _load_many([results[i] for i in misses], options, shas, progress)
        for i, result in zip(misses, loaded, strict=True):
            results[i] = result
            jobs += result.images
            if cache is not None and not result.errors:
                cache.store(result)
    _duplicates(results)
    if jobs:
        _render(jobs, results, progress)
    errors = [e for r in results for e in r.errors]
    good = [r for r in results if r.id is not None and not r.errors]
    outputs = {o.rel: o for r in good for o in r.outputs}
    manifest, remove = _next_manifest(old, results, good, out)
    if cache is not None:
        cache.save()
    return Plan(
        options=options,
        specs=results,
        outputs=outputs,
        remove=remove,
        old_manifest=old,
        old_manifest_bytes=old_bytes,
        # Nothing produced and nothing recorded: no manifest to write either.
        manifest_bytes=_manifest_bytes(manifest) if manifest or old_bytes else None,
        errors=errors,
    )


def _file_sha(path: str, shas: dict[str, str]) -> str | None:
    if path not in shas:
        try:
            with open(path, "rb") as f:
                shas[path] = _sha(f.read())
        except OSError:
            return None
    return shas[path]


def workers_wanted(options: Options, n: int) -> int:
    """Processes to load ``n`` specs with: ``options.workers``, 0 meaning one per CPU."""
    if options.workers == 1 or n < 8:
        return 1
    if options.workers > 1:
        return min(options.workers, n // 4)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, n // 4))


def _load_many(
    todo: list[SpecResult], options: Options, shas: dict[str, str], progress: Progress | None
) -> list[SpecResult]:
    """Load and emit ``todo``, in worker processes when there are many specs and CPUs."""
    workers = workers_wanted(options, len(todo))
    if workers == 1:
        imports: pipeline.ImportCache = {}
        for result in todo:
            _load_one(result, options, shas, imports)
            if progress:
                progress.advance()
        return todo
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(4, len(todo) // (workers * 4))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    done: list[SpecResult] = []
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init) as pool:
        for chunk in pool.map(_load_chunk, chunks, [options] * len(chunks)):
            done += chunk
            if progress:
                progress.advance(len(chunk))
    return done


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _load_chunk(chunk: list[SpecResult], options: Options) -> list[SpecResult]:
    shas: dict[str, str] = {}
    imports: pipeline.ImportCache = {}
    with _fewer_collections():
        for result in chunk:
            _load_one(result, options, shas, imports)
    return chunk


def _load_one(
    result: SpecResult, options: Options, shas: dict[str, str], imports: pipeline.ImportCache
) -> None:
    """Load one spec and emit its text files (and the sources of its images).
    ``imports`` is shared by the loads of one run: a common import is read once."""
    record = options.cache and _cacheable(options)  # what it depends on, for the cache
    before = (_file_sha(result.abspath, shas) or "") if record else ""
    try:
        loaded = pipeline.load(result.path, strict=options.strict, cache=imports)
    except SpecError as e:
        result.errors += [str(d) for d in e.diagnostics]
        return
    except (OSError, UnicodeDecodeError) as e:
        result.errors.append(f"{_show(result.path)}:1:1: cannot read: {e}")
        return
    except Exception as e:  # noqa: BLE001  (a loader bug: report it, go on with the rest)
        result.errors.append(f"{_show(result.path)}:1:1: internal error: {type(e).__name__}: {e}")
        return
    result.id = loaded.protocol.id
    result.warnings = [str(w) for w in loaded.warnings]
    try:
        result.images = _emit(result, loaded, options)
    except ProtodocError as e:
        result.errors.append(f"{_show(result.path)}: {e}")
        return
    except Exception as e:  # noqa: BLE001  (an emitter bug: report it, go on with the rest)
        result.errors.append(f"{_show(result.path)}: internal error: {type(e).__name__}: {e}")
        return
    if not record:
        return
    # Hash the spec again: an edit during the load must not be cached under the old
    # content.
    shas.pop(result.abspath, None)
    result.sha = _file_sha(result.abspath, shas) or ""
    if result.sha != before:
        result.sha = ""
    for dep in sorted({os.path.abspath(f) for f in loaded.sources}):
        dep_sha = _file_sha(dep, shas)
        if dep_sha is None:
            result.sha = ""
            break
        result.deps[dep] = dep_sha


def _duplicates(results: list[SpecResult]) -> None:
    """Two specs with one id would write the same files: an error for each."""
    by_id: dict[str, list[SpecResult]] = {}
    for r in results:
        if r.id is not None and not r.errors:
            by_id.setdefault(r.id, []).append(r)
    for spec_id, group in sorted(by_id.items()):
        if len(group) < 2:
            continue
        for r in group:
            others = ", ".join(_show(o.path) for o in group if o is not r)
            r.errors.append(
                f"{_show(r.path)}:1:1: duplicate spec id '{spec_id}' (also in {others}):"
                " every spec needs its own id"
            )


def _render(jobs: list[_ImageJob], results: list[SpecResult], progress: Progress | None) -> None:
    """Render every image of the run through one Renderer."""
    by_spec = {str(r.path): r for r in results}
    try:
        from .render import Renderer, RenderJob
    except ImportError as e:
        for spec in sorted({j.spec for j in jobs}):
            by_spec[spec].errors.append(f"{_show(spec)}: images need the renderer: {e}")
        return
    if progress:
        progress.restart(len(jobs), "images")
    try:
        with Renderer() as renderer:  # one browser for the whole run, at most
            rendered = renderer.render_many(
                [
                    RenderJob(j.source, j.engine, j.fmt, "light", f"{_show(j.spec)}: {j.rel}")
                    for j in jobs
                ]
            )
    except ProtodocError as e:
        for r in results:
            if r.id is not None and any(j.spec == str(r.path) for j in jobs):
                r.errors.append(f"{_show(r.path)}: rendering failed: {e}")
        return
    for job, data in zip(jobs, rendered, strict=True):
        r = by_spec[job.spec]
        if isinstance(data, BaseException):
            r.errors.append(str(data))
        else:
            r.outputs.append(Output(job.rel, _sha(data), data, job.spec))
        if progress:
            progress.advance()
    for r in results:
        r.outputs.sort(key=lambda o: _order(o.rel))


def _order(rel: str) -> tuple[str, int]:
    stem, ext = rel.rsplit(".", 1)
    return stem, list(FORMATS.values()).index(ext) if ext in FORMATS.values() else 99


# -- the manifest ------------------------------------------------------------------

_SAFE_REL = re.compile(r"^([a-z0-9][a-z0-9-]*)/([^/\\]+)$")


def _read_manifest(out: Path) -> tuple[bytes | None, dict[str, Any]]:
    """The manifest of ``out`` as ``{id: {"source": str, "files": [rel]}}``."""
    path = out / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, {}
    except OSError as e:
        raise ProtodocError(f"{_show(path)}: cannot read: {e.strerror}") from e
    problem = f"{_show(path)}:1:1: not a protodoc manifest"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise ProtodocError(
            f"{problem} ({e}); fix it (a merge conflict?) or delete it and run generate --force"
        ) from e
    specs = data.get("specs") if isinstance(data, dict) else None
    if not isinstance(specs, dict) or data.get("manifest") != MANIFEST_VERSION:
        raise ProtodocError(f"{problem} (version {MANIFEST_VERSION})")
    for spec_id, entry in specs.items():
        ok = isinstance(entry, dict) and isinstance(entry.get("source"), str)
        files = entry.get("files") if ok else None
        if not isinstance(files, list) or not all(
            isinstance(f, str)
            and (m := _SAFE_REL.match(f))
            and m.group(1) == spec_id
            and m.group(2) not in (".", "..")
            for f in files
        ):
            # A manifest names files protodoc may delete: accept nothing outside OUT/<id>/.
            raise ProtodocError(f"{problem}: bad entry for '{spec_id}'")
    return raw, specs


def _manifest_bytes(specs: dict[str, Any]) -> bytes:
    doc = {"generator": "protodoc", "manifest": MANIFEST_VERSION, "specs": specs}
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _next_manifest(
    old: dict[str, Any], results: list[SpecResult], good: list[SpecResult], out: Path
) -> tuple[dict[str, Any], list[str]]:
    """The manifest after this run and the old files it no longer lists.

    A spec given to this run owns ``OUT/<id>/``; an old entry whose spec file was
    deleted, or now has another id, is dropped with its files; an entry whose spec
    failed to load, or was not part of this run, is kept as it was.
    """
    out_abs = os.path.abspath(out)
    new: dict[str, Any] = {}
    for r in good:
        new[r.id] = {
            "source": Path(os.path.relpath(r.abspath, out_abs)).as_posix(),
            "files": sorted(o.rel for o in r.outputs),
        }
    in_run = {r.abspath for r in results}
    failed = {r.abspath for r in results if r.id is None or r.errors}
    remove: list[str] = []
    for spec_id, entry in old.items():
        if spec_id in new:
            remove += sorted(set(entry["files"]) - set(new[spec_id]["files"]))
            continue
        source = os.path.normpath(os.path.join(out_abs, entry["source"]))
        if source in failed or (source not in in_run and os.path.isfile(source)):
            new[spec_id] = entry  # not this run's business (or unknown now): keep
        else:
            remove += sorted(entry["files"])
    return dict(sorted(new.items())), sorted(set(remove))


# -- comparison ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """``kind``: ``create`` (missing), ``update`` (stale), ``remove`` (extra),
    ``conflict`` (a file protodoc did not write is in the way)."""

    kind: str
    rel: str
    old: bytes | None = None
    new: bytes | None = None


@dataclass(slots=True)
class Comparison:
    changes: list[Change]
    unchanged: int
    manifest_stale: bool

    @property
    def clean(self) -> bool:
        return not self.changes and not self.manifest_stale


def compare(plan: Plan) -> Comparison:
    """Compare the plan with the files on disk. Reads, never writes."""
    out = plan.options.out
    base = os.fspath(out)
    listed = {f for entry in plan.old_manifest.values() for f in entry["files"]}
    changes: list[Change] = []
    unchanged = 0
    for rel, output in sorted(plan.outputs.items()):
        if output.data is None:  # verified against the disk by the cache lookup
            unchanged += 1
            continue
        try:
            with open(os.path.join(base, rel), "rb") as f:
                current = f.read()
        except FileNotFoundError:
            changes.append(Change("create", rel, None, output.data))
            continue
        except IsADirectoryError:
            changes.append(Change("conflict", rel, None, output.data))
            continue
        if current == output.data:
            unchanged += 1
        elif rel in listed:
            changes.append(Change("update", rel, current, output.data))
        else:
            changes.append(Change("conflict", rel, current, output.data))
    for rel in plan.remove:
        try:
            with open(os.path.join(base, rel), "rb") as f:
                changes.append(Change("remove", rel, f.read(), None))
        except OSError:
            pass  # already gone: only the manifest is out of date
    return Comparison(changes, unchanged, plan.manifest_bytes != plan.old_manifest_bytes)


def unified_diff(change: Change, out: Path) -> str:
    """A unified diff of one change (text files), or one line saying binary files differ."""
    path = Path(_show(out / change.rel)).as_posix()
    old, new = change.old or b"", change.new or b""
    try:
        a, b = old.decode("utf-8"), new.decode("utf-8")
    except UnicodeDecodeError:
        return f"Binary file {path} differs (sha256 {_sha(old)[:12]} on disk, {_sha(new)[:12]} generated)\n"
    if "\0" in a or "\0" in b:
        return f"Binary file {path} differs\n"
    lines = difflib.unified_diff(
        a.splitlines(keepends=True),
        b.splitlines(keepends=True),
        fromfile=f"{path}\t(on disk)" if change.old is not None else "/dev/null",
        tofile=f"{path}\t(generated)" if change.new is not None else "/dev/null",
    )
    text = ""
    for line in lines:
        text += line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
    return text


# -- applying a plan --------------------------------------------------------------------


@dataclass(slots=True)
class Applied:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    interrupted: bool = False


class _StopFlag:
    """Turn SIGINT/SIGTERM into a flag the write loop polls, so that a signal lands
    between two files (each written atomically) and never inside one."""

    def __init__(self) -> None:
        self.raised = False

    def __call__(self, signum: int, frame: object) -> None:
        self.raised = True


@contextmanager
def _deferred_signals() -> Iterator[_StopFlag]:
    flag = _StopFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    saved = {s: signal.signal(s, flag) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield flag
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def _clean_temp_files(out: Path, dirs: Iterable[str], names: set[str]) -> None:
    """Remove temporary files a killed run left behind (``.<name>.XXXXXXXX.tmp``,
    ``<name>`` a file protodoc writes there)."""
    for d in dirs:
        try:
            entries = os.listdir(out / d)
        except OSError:
            continue
        for e in entries:
            if _TEMP.match(e) and e[1:].rsplit(".", 2)[0] in names:
                try:
                    os.unlink(out / d / e)
                except OSError:
                    pass


def apply(plan: Plan, comparison: Comparison, *, report: Any = None) -> Applied:
    """Write what changed, remove what is no longer produced, update the manifest.

    The manifest first grows to list every file about to be created, so a run
    stopped at any point leaves no file protodoc wrote unlisted.
    """
    out = plan.options.out
    say = report or (lambda line: None)
    done = Applied(unchanged=comparison.unchanged)
    writes = [c for c in comparison.changes if c.kind in ("create", "update")]
    conflicts = [c for c in comparison.changes if c.kind == "conflict"]
    if plan.options.force:
        writes += conflicts
    else:
        done.conflicts = [c.rel for c in conflicts]
    skip = {c.rel for c in conflicts} if not plan.options.force else set()
    removals = [c.rel for c in comparison.changes if c.kind == "remove"]
    final = plan.manifest_bytes
    if skip and final is not None:  # leave conflicting files out of the manifest: they are not ours
        final = _manifest_bytes(_without(json.loads(final)["specs"], skip))
    out.mkdir(parents=True, exist_ok=True)
    names = {rel.split("/", 1)[1] for rel in plan.outputs} | {MANIFEST}
    _clean_temp_files(out, {"."} | {rel.split("/", 1)[0] for rel in plan.outputs}, names)
    with _deferred_signals() as stop:
        new_files = {c.rel for c in writes} - {
            f for e in plan.old_manifest.values() for f in e["files"]
        }
        if new_files:
            grown = json.loads(plan.old_manifest_bytes or b'{"specs": {}}')["specs"]
            sources = json.loads(plan.manifest_bytes or b'{"specs": {}}')["specs"]
            for rel in sorted(new_files):
                spec_id = rel.split("/", 1)[0]
                entry = grown.setdefault(spec_id, {"source": "", "files": []})
                entry["files"] = sorted(set(entry["files"]) | {rel})
                entry["source"] = sources[spec_id]["source"]
            write_atomic(out / MANIFEST, _manifest_bytes(grown))
        for change in writes:
            if stop.raised:
                done.interrupted = True
                return done
            assert change.new is not None
            write_atomic(out / change.rel, change.new)
            done.written.append(change.rel)
            say(f"wrote {_show(out / change.rel)}")
        for rel in removals:
            if stop.raised:
                done.interrupted = True
                return done
            try:
                os.unlink(out / rel)
            except FileNotFoundError:
                pass
            done.removed.append(rel)
            say(f"removed {_show(out / rel)}")
            try:
                os.rmdir(out / rel.split("/", 1)[0])  # only if now empty
            except OSError:
                pass
        if stop.raised:
            done.interrupted = True
            return done
        if final is not None and final != plan.old_manifest_bytes:
            write_atomic(out / MANIFEST, final)
    return done


def _without(specs: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    for entry in specs.values():
        entry["files"] = [f for f in entry["files"] if f not in skip]
    return specs


# -- the cache of load results -------------------------------------------------------------


def _cache_root() -> Path:
    if os.environ.get("PROTODOC_CACHE_DIR"):
        return Path(os.environ["PROTODOC_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if sys.platform == "win32" else None
    )
    return Path(base) / "protodoc" if base else Path.home() / ".cache" / "protodoc"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """protodoc's version and the size and mtime of each of its modules, PyYAML's
    version and Python's: a cached result is only reused by the same code."""
    import yaml

    h = hashlib.sha256(f"{__version__}\0{yaml.__version__}\0{sys.version}".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        h.update(f"\0{path.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()


def _cacheable(options: Options) -> bool:
    return all(f in TEXT_FORMATS for f in options.formats)


class _Cache:
    """Per-spec load results of earlier runs: the spec's id, the sha256 of every
    file it read and of every output. Reused when every file it read is unchanged
    and every output on disk still matches; otherwise the spec is loaded again."""

    def __init__(self, options: Options) -> None:
        key = json.dumps(
            [
                code_fingerprint(),
                os.path.abspath(options.out),
                options.formats,
                options.langs,
                options.engine,
                options.strict,
            ]
        )
        self.path = _cache_root() / "check" / f"{_sha(key.encode())[:24]}.json"
        self.dirty = False
        self.out = os.fspath(options.out)
        try:
            self.entries: dict[str, Any] = json.loads(self.path.read_bytes())
            if not isinstance(self.entries, dict):
                self.entries = {}
        except (OSError, ValueError):
            self.entries = {}

    def lookup(self, result: SpecResult, shas: dict[str, str]) -> bool:
        entry = self.entries.get(result.abspath)
        if not isinstance(entry, dict):
            return False
        try:
            deps, files = entry["deps"], entry["files"]
            if _file_sha(result.abspath, shas) != entry["sha"] or not deps:
                return False
            for dep, sha in deps.items():
                if _file_sha(dep, shas) != sha:
                    return False
            for rel, sha in files.items():
                with open(os.path.join(self.out, rel), "rb") as f:
                    if _sha(f.read()) != sha:
                        return False
            outputs = [Output(rel, sha, None, result.path.as_posix()) for rel, sha in files.items()]
            result.id, result.warnings, result.outputs = (
                entry["id"],
                list(entry["warnings"]),
                outputs,
            )
        except (OSError, KeyError, TypeError, AttributeError):
            return False
        result.cached = True
        return True

    def store(self, result: SpecResult) -> None:
        if not result.sha or result.id is None:
            return
        entry = {
            "sha": result.sha,
            "deps": result.deps,
            "id": result.id,
            "files": {o.rel: o.sha for o in result.outputs},
            "warnings": result.warnings,
        }
        if self.entries.get(result.abspath) != entry:
            self.entries[result.abspath] = entry
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            write_atomic(self.path, json.dumps(self.entries, sort_keys=True).encode())
            _prune(self.path.parent, keep=self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _prune(directory: Path, keep: Path, max_age: float = 30 * 86400) -> None:
    now = time.time()
    for p in directory.glob("*.json"):
        try:
            if p != keep and now - p.stat().st_mtime > max_age:
                p.unlink()
        except OSError:
            pass


# -- the two commands ---------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def check(options: Options, *, progress: Progress | None = None) -> tuple[Plan, Comparison]:
    """Generate in memory and compare with ``options.out``. Never writes (but the cache)."""
    plan = build_plan(options, progress=progress)
    return plan, compare(plan)


def _start(args: argparse.Namespace, command: str, bar: Progress) -> tuple[Plan, Comparison] | int:
    """Options, plan and comparison for ``command``; an exit code (message printed) on error."""
    err = sys.stderr
    try:
        options = options_from(args, load_config())
    except (UsageError, ConfigError) as e:
        print(f"protodoc {command}: error: {e}", file=err)
        return EXIT_USAGE
    try:
        plan, cmp = check(options, progress=bar)
    except ProtodocError as e:
        bar.close()
        print(e, file=err)
        return EXIT_ERROR
    except OSError as e:
        bar.close()
        print(f"{_show(e.filename or options.out)}: {e.strerror or e}", file=err)
        return EXIT_ERROR
    bar.close()
    if not plan.specs:
        print("No spec files found (*.yaml, *.yml).", file=err)
    for r in plan.specs:
        for w in r.warnings:
            print(w, file=err)
    for e in plan.errors:
        print(e, file=err)
    return plan, cmp


def run_check(args: argparse.Namespace) -> int:
    err = sys.stderr
    with Progress(0, stream=err) as bar:
        started = _start(args, "check", bar)
    if isinstance(started, int):
        return started
    plan, cmp = started
    out = plan.options.out
    labels = {
        "create": "missing",
        "update": "stale",
        "remove": "extra",
        "conflict": "stale (not written by protodoc)",
    }
    for c in cmp.changes:
        print(f"{labels[c.kind]}: {_show(out / c.rel)}", file=err)
        if args.diff:
            sys.stdout.write(unified_diff(c, out))
            sys.stdout.flush()  # keep each diff next to its line on stderr
    if cmp.manifest_stale and not cmp.changes:
        print(f"stale: {_show(plan.manifest_path)}", file=err)
    regenerated = sum(c.kind != "remove" for c in cmp.changes)
    removed = sum(c.kind == "remove" for c in cmp.changes)
    parts = []
    if regenerated:
        parts.append(f"{_plural(regenerated, 'diagram')} would be regenerated")
    if removed:
        parts.append(f"{removed} would be removed")
    parts.append(f"{cmp.unchanged} unchanged")
    if plan.errors:
        parts.append(f"{_plural(sum(1 for r in plan.specs if r.errors), 'spec')} failed")
    summary = ", ".join(parts) + "."
    if cmp.clean and not plan.errors:
        print(f"All done: {summary}", file=err)
        return EXIT_OK
    print(summary, file=err)
    if not cmp.clean:
        print(f"To update them, run: {fix_command(args)}", file=err)
    return EXIT_ERROR if plan.errors else EXIT_STALE


def run_generate(args: argparse.Namespace) -> int:
    err = sys.stderr
    with Progress(0, stream=err) as bar:
        started = _start(args, "generate", bar)
        if isinstance(started, int):
            return started
        plan, cmp = started
        bar.restart(sum(c.kind != "remove" for c in cmp.changes), "files")
        try:
            done = apply(plan, cmp, report=bar.line)
        except OSError as e:
            bar.close()
            print(f"protodoc generate: {e}", file=err)
            return EXIT_ERROR
    for rel in done.conflicts:
        print(
            f"{_show(plan.options.out / rel)}: not written by protodoc (not in {MANIFEST}); "
            "left alone: move it away, or pass --force to overwrite it",
            file=err,
        )
    parts = [
        f"{_plural(len(done.written), 'diagram')} written",
        f"{len(done.removed)} removed",
        f"{done.unchanged} unchanged",
    ]
    failed = sum(1 for r in plan.specs if r.errors)
    if failed:
        parts.append(f"{_plural(failed, 'spec')} failed")
    if done.conflicts:
        parts.append(f"{len(done.conflicts)} in the way")
    if done.interrupted:
        print("Interrupted: " + ", ".join(parts) + ".", file=err)
        return EXIT_INTERRUPTED
    print(("All done: " if not failed else "") + ", ".join(parts) + ".", file=err)
    return EXIT_ERROR if failed or done.conflicts else EXIT_OK


# -- argparse --------------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="spec files or directories (searched for *.yaml, *.yml); default: 'specs' of"
        " [tool.protodoc]",
    )
    p.add_argument(
        "--out", metavar="DIR", help="output directory (default: 'out' of [tool.protodoc])"
    )
    p.add_argument(
        "--format",
        action="append",
        metavar="LIST",
        help=f"comma-separated formats: {', '.join(FORMATS)} (default: {','.join(DEFAULT_FORMATS)})",
    )
    p.add_argument(
        "--lang",
        action="append",
        metavar="LIST",
        help="comma-separated languages: en, zh (default: en,zh)",
    )
    p.add_argument(
        "--engine",
        choices=IMAGE_ENGINES,
        help="renderer of svg/png/pdf: auto (default: Mermaid for sequences, Graphviz for"
        " state machines), mermaid or graphviz",
    )
    p.add_argument(
        "--no-strict",
        action="store_true",
        help="a missing translation is a warning (the other language is used)",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="load specs in N processes (0: one per CPU; default: 1, in this process)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="load every spec even if an earlier run saw it unchanged",
    )


def add_arguments(subparsers: Any) -> None:
    """Register ``generate`` and ``check`` on the ``protodoc`` sub-command parsers."""
    fmt = argparse.RawDescriptionHelpFormatter
    g = subparsers.add_parser(
        "generate",
        help="write every diagram of the specs below an output directory",
        description="Write every view of every spec in every format and language below\n"
        "DIR, atomically. Unchanged files are not rewritten; files protodoc wrote\n"
        "earlier for views or specs that no longer exist are removed.",
        epilog=LAYOUT_HELP + "\n" + CONFIG_HELP + "\n" + GENERATE_EXIT_HELP,
        formatter_class=fmt,
    )
    _common(g)
    g.add_argument(
        "--force",
        action="store_true",
        help="overwrite files in the way that protodoc did not write",
    )
    g.set_defaults(func=run_generate)
    c = subparsers.add_parser(
        "check",
        help="fail if the generated diagrams are out of date (for CI and pre-commit)",
        description="Generate in memory and compare with DIR; list every stale, missing or\n"
        "extra file and print the command that updates them. Images are compared by\n"
        "the content of a fresh (deterministic, cached) render.",
        epilog=LAYOUT_HELP + "\n" + CONFIG_HELP + "\n" + CHECK_EXIT_HELP,
        formatter_class=fmt,
    )
    _common(c)
    c.add_argument(
        "--diff", action="store_true", help="print a unified diff of each text file that differs"
    )
    c.set_defaults(func=run_check)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m protodoc.generate``: the two commands without the rest of the CLI."""
    parser = argparse.ArgumentParser(prog="protodoc")
    add_arguments(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("protodoc: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
