"""Rendering: diagram text (Mermaid, DOT) to SVG, PNG and PDF, offline and cached.

    from protodoc.render import Renderer, RenderJob
    with Renderer() as r:
        svg = r.render(text, engine="mermaid", fmt="svg", theme="light")
        results = r.render_many([RenderJob(text, "graphviz", "png"), ...])

Graphviz runs the real ``dot``; Mermaid runs the pinned Mermaid JavaScript in one
headless Chromium per :class:`Renderer`, started on the first Mermaid render that the
cache cannot answer. PNGs are drawn from the SVG by ``rsvg-convert``, PDFs printed from
it by Chromium (which embeds only the glyphs used of a CJK font). Output is
deterministic byte for byte. This package knows nothing of protodoc's model: it takes
text and gives bytes. See ``docs/guide/rendering.md``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from .. import __version__
from ..errors import RenderError, ToolMissingError
from . import browser as _browser
from .cache import Cache, cache_key, default_cache_dir
from .convert import FORMATS, PNG_ZOOM, convert_svg, rsvg_version
from .fonts import font_fingerprint, has_cjk, require_cjk_font
from .graphviz import dot_version, render_dot_svg
from .mermaid import RENDER_REVISION, clean_svg, mermaid_config, svg_id
from .theme import THEMES, background, darken_graphviz_svg

__all__ = [
    "ENGINES",
    "FORMATS",
    "THEMES",
    "RenderError",
    "RenderJob",
    "Renderer",
    "ToolMissingError",
    "default_cache_dir",
]

ENGINES = ("mermaid", "graphviz")
ENGINE_ALIASES = {"mermaid": "mermaid", "graphviz": "graphviz", "dot": "graphviz"}
"""Engine names accepted; ``dot`` (the name of the text format) means Graphviz."""

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One image to render. ``origin`` (e.g. ``specs/tcp.yaml:1:1: view sequence``),
    when given, starts the message of the job's :class:`RenderError`."""

    source: str
    engine: str
    fmt: str = "svg"
    theme: str = "light"
    origin: str | None = None


def _engine(name: str) -> str:
    try:
        return ENGINE_ALIASES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}: use 'mermaid' or 'graphviz'") from None


def _check(job: RenderJob) -> RenderJob:
    engine = _engine(job.engine)
    if job.fmt not in FORMATS:
        raise ValueError(f"unknown format {job.fmt!r}: use 'svg', 'png' or 'pdf'")
    if job.theme not in THEMES:
        raise ValueError(f"unknown theme {job.theme!r}: use 'light' or 'dark'")
    return RenderJob(job.source, engine, job.fmt, job.theme, job.origin)


def _file_id(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"path": str(path), "size": st.st_size, "mtime": int(st.st_mtime)}


class Renderer:
    """Renders diagram texts; holds at most one browser, the cache and tool versions.

    ``cache_dir``: where images are cached (default :func:`default_cache_dir`);
    ``cache=False`` renders everything afresh and stores nothing. ``chromium``: the
    browser executable (default ``$PROTODOC_CHROMIUM`` or ``chromium`` on PATH).
    ``timeout``: seconds one diagram may take in one tool. ``pages``: how many pages
    of the one browser draw Mermaid diagrams at once in a long :meth:`render_many`
    (default: 2 with four cores or more, else 1). Use as a context manager:
    the browser is stopped on exit, also when an exception leaves the block.
    """

    def __init__(
        self,
        cache_dir: Path | str | None = None,
        chromium: str | None = None,
        *,
        cache: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        mermaid_js: str | os.PathLike[str] | None = None,
        workers: int | None = None,
        pages: int | None = None,
    ) -> None:
        self.cache = Cache(cache_dir) if cache else None
        self._timeout = timeout
        self._chromium = chromium
        self._mermaid_js = mermaid_js
        if pages is None:
            # A second page pays only where cores are to spare: Python, Playwright's
            # driver and Chromium's browser process need CPU too.
            pages = 2 if (os.cpu_count() or 1) >= 4 else 1
        self._browser = _browser.MermaidBrowser(chromium, mermaid_js, timeout=timeout, pages=pages)
        self._workers = workers or max(1, min(4, os.cpu_count() or 1))
        self._ids: dict[str, dict[str, Any]] = {}
        self._cjk_font_ok = False

    # -- life cycle ---------------------------------------------------------

    def close(self) -> None:
        self._browser.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def timeout(self) -> float:
        """Seconds one diagram may take in one tool (browser, dot, rsvg-convert)."""
        return self._timeout

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        self._timeout = seconds
        self._browser.timeout = seconds

    @property
    def browser_starts(self) -> int:
        """How many times this renderer started Chromium (0 when the cache or Graphviz
        answered everything)."""
        return self._browser.starts

    # -- what the cache key holds -------------------------------------------

    def _identity(self, what: str) -> dict[str, Any]:
        """Versions of one tool, looked up once per renderer."""
        if what not in self._ids:
            if what == "graphviz":
                ident: dict[str, Any] = {"dot": dot_version(self.timeout)}
            elif what == "mermaid":
                js = _browser.find_mermaid_js(self._mermaid_js)
                chromium = Path(_browser.find_chromium(self._chromium))
                ident = {
                    "mermaid": _browser.mermaid_version(js),
                    "bundle": hashlib.sha256(js.read_bytes()).hexdigest()[:16],
                    "chromium": _file_id(chromium.resolve()),
                }
            elif what == "pdf":
                chromium = Path(_browser.find_chromium(self._chromium))
                ident = {
                    "chromium": _file_id(chromium.resolve()),
                    "source_date_epoch": _source_date_epoch(),
                }
            elif what == "convert":
                ident = {"rsvg": rsvg_version(self.timeout), "png_zoom": PNG_ZOOM}
            else:  # "fonts"
                ident = {"fonts": font_fingerprint()}
            self._ids[what] = ident
        return self._ids[what]

    def _key(self, job: RenderJob) -> str:
        parts: dict[str, Any] = {
            "protodoc": __version__,
            "revision": RENDER_REVISION,
            "text": job.source,
            "engine": job.engine,
            "tool": self._identity(job.engine),
            "fmt": job.fmt,
            "theme": job.theme,
            "fonts": self._identity("fonts"),
        }
        if job.engine == "mermaid":
            parts["options"] = mermaid_config(job.theme)
        if job.fmt == "png":
            parts["convert"] = self._identity("convert")
        elif job.fmt == "pdf":
            parts["convert"] = self._identity("pdf")
        return cache_key(parts)

    # -- rendering ----------------------------------------------------------

    def render(self, source: str, *, engine: str, fmt: str, theme: str = "light") -> bytes:
        """The image of ``source`` (``engine`` ``mermaid`` or ``graphviz``, ``fmt``
        ``svg``, ``png`` or ``pdf``). Raises :class:`RenderError` (the engine's message)
        or :class:`ToolMissingError` (what to install)."""
        job = _check(RenderJob(source, engine, fmt, theme))
        result = self.render_many([job])[0]
        if isinstance(result, RenderError):
            raise result
        return result

    def render_many(self, jobs: Sequence[RenderJob]) -> list[bytes | RenderError]:
        """Render every job; a job that fails gives its :class:`RenderError` in its
        place and the others are still rendered. Identical jobs are rendered once.
        Mermaid diagrams and PDFs go through the one browser in this thread; Graphviz
        and PNG conversions run in a few threads meanwhile."""
        checked = [_check(j) for j in jobs]
        done: dict[tuple[str, str, str, str], bytes | RenderError] = {}
        work: list[tuple[tuple[str, str, str, str], RenderJob, str]] = []
        for job in checked:
            ident = _ident(job)
            if ident in done:
                continue
            try:
                key = self._key(job)
                cached = self.cache.get(key, job.fmt) if self.cache else None
            except RenderError as e:
                done[ident] = _located(e, job)
                continue
            if cached is not None:
                done[ident] = cached
            else:
                done[ident] = b""  # placeholder, filled below
                work.append((ident, job, key))
        if work:
            # Threads only pay off for more than one image to make.
            with ThreadPoolExecutor(self._workers) if len(work) > 1 else _Inline() as pool:
                self._produce(work, done, pool)
        return [done[_ident(job)] for job in checked]

    def _produce(
        self,
        work: list[tuple[tuple[str, str, str, str], RenderJob, str]],
        done: dict[tuple[str, str, str, str], bytes | RenderError],
        pool: ThreadPoolExecutor | _Inline,
    ) -> None:
        svgs: dict[tuple[str, str, str, str], Future[bytes] | bytes | RenderError] = {}
        for ident, job, _ in work:
            if job.engine == "graphviz":
                svgs[ident] = pool.submit(self._graphviz_svg, job)
        mermaid = [(ident, job) for ident, job, _ in work if job.engine == "mermaid"]
        for (ident, _), result in zip(
            mermaid, self._mermaid_svgs([job for _, job in mermaid]), strict=True
        ):
            svgs[ident] = result
        pngs: dict[tuple[str, str, str, str], tuple[RenderJob, Future[bytes]]] = {}
        for ident, job, key in work:
            try:
                svg = _resolve(svgs[ident])
                if job.fmt == "svg":
                    done[ident] = svg
                elif job.fmt == "png":
                    pngs[ident] = (job, pool.submit(self._png, job, key, svg))
                else:
                    done[ident] = self._pdf(job, key, svg)
            except RenderError as e:
                done[ident] = _located(e, job)
        for ident, (job, future) in pngs.items():
            try:
                done[ident] = _resolve(future)
            except RenderError as e:
                done[ident] = _located(e, job)

    def _svg_key(self, job: RenderJob) -> str:
        return self._key(RenderJob(job.source, job.engine, "svg", job.theme))

    def _mermaid_svgs(self, jobs: list[RenderJob]) -> list[bytes | RenderError]:
        """The SVG of each Mermaid job, from the cache or the browser (calling thread
        only). A diagram needed in several formats is drawn once."""
        out: list[tuple[int, bytes | RenderError]] = []
        todo: dict[str, list[int]] = {}  # svg cache key -> jobs that need it
        for i, job in enumerate(jobs):
            key = self._svg_key(job)
            cached = self.cache.get(key, "svg") if self.cache is not None else None
            if cached is not None:
                out.append((i, cached))
                continue
            try:
                self._require_cjk(job.source)
            except RenderError as e:
                out.append((i, e))
                continue
            todo.setdefault(key, []).append(i)
        if not todo:
            return [r for _, r in sorted(out, key=lambda p: p[0])]
        keys = list(todo)
        items = []
        for key in keys:
            job = jobs[todo[key][0]]
            config = mermaid_config(job.theme)
            items.append((job.source, config, svg_id(job.source, config)))
        try:
            raws: list[str | RenderError] = self._browser.render_svgs(items)
        except RenderError as e:  # no browser at all (missing, failed to start)
            raws = [e] * len(items)
        for key, raw in zip(keys, raws, strict=True):
            first = jobs[todo[key][0]]
            result: bytes | RenderError
            if isinstance(raw, RenderError):
                result = raw
            else:
                result = clean_svg(raw, first.theme).encode("utf-8")
                if self.cache is not None:
                    self.cache.put(key, "svg", result)
            out.extend((i, result) for i in todo[key])
        return [r for _, r in sorted(out, key=lambda p: p[0])]

    def _graphviz_svg(self, job: RenderJob) -> bytes:
        key = self._svg_key(job)
        if self.cache is not None:
            cached = self.cache.get(key, "svg")
            if cached is not None:
                return cached
        self._require_cjk(job.source)
        text = render_dot_svg(job.source, timeout=self.timeout)
        if job.theme == "dark":
            text = darken_graphviz_svg(text)
        svg = text.encode("utf-8")
        if self.cache is not None:
            self.cache.put(key, "svg", svg)
        return svg

    def _require_cjk(self, text: str) -> None:
        """A CJK font must be installed to draw Chinese text (checked once)."""
        if not self._cjk_font_ok and has_cjk(text):
            require_cjk_font()
            self._cjk_font_ok = True

    def _png(self, job: RenderJob, key: str, svg: bytes) -> bytes:
        data = convert_svg(svg, "png", job.theme, timeout=self.timeout)
        if self.cache is not None:
            self.cache.put(key, "png", data)
        return data

    def _pdf(self, job: RenderJob, key: str, svg: bytes) -> bytes:
        """Printed by Chromium (calling thread only)."""
        data = self._browser.svg_to_pdf(
            svg.decode("utf-8"), background(job.theme), source_date_epoch=_source_date_epoch()
        )
        if self.cache is not None:
            self.cache.put(key, "pdf", data)
        return data


def _ident(job: RenderJob) -> tuple[str, str, str, str]:
    return (job.source, job.engine, job.fmt, job.theme)


def _resolve(value: Future[bytes] | bytes | RenderError) -> bytes:
    if isinstance(value, RenderError):
        raise value
    if isinstance(value, Future):
        return value.result()
    return value


def _source_date_epoch() -> int:
    """``$SOURCE_DATE_EPOCH`` (reproducible builds), else 0."""
    try:
        return int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        return 0


class _Inline:
    """An executor that runs each call at once, in the calling thread."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Callable[..., bytes], *args: Any) -> Future[bytes]:
        f: Future[bytes] = Future()
        try:
            f.set_result(fn(*args))
        except Exception as e:  # noqa: BLE001 - handed to the caller through the future
            f.set_exception(e)
        return f


def _located(e: RenderError, job: RenderJob) -> RenderError:
    """``e`` with the job's origin in front of its message (same class)."""
    if not job.origin:
        return e
    new = type(e)(f"{job.origin}: {e}")
    new.__cause__ = e
    return new
