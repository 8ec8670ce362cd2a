"""Mermaid in one headless Chromium: parse and render many diagrams per browser start.

One :class:`MermaidBrowser` starts Chromium (Debian's ``chromium``, or the one named by
``PROTODOC_CHROMIUM``) through Playwright for Python, opens one local page with no
network (every request is aborted), and loads the pinned Mermaid bundle
(``node_modules/mermaid/dist/mermaid.min.js``, or ``PROTODOC_MERMAID_JS``) into it once.

Determinism. Mermaid keeps module-wide state between diagrams drawn in one page: the
sequence renderer numbers actors ``actor0``, ``actor1``... in a counter nothing resets.
Evaluating the bundle again gives a fresh Mermaid (V8 keeps the compiled script, so it
takes about 20 ms), but a fresh Mermaid also runs cold, unoptimised code: about 40 ms
more per diagram than a warm one. So sequence and state diagrams, whose leftover state is
known, are drawn by the warm Mermaid and their actor ids renumbered from 0
(:func:`renumber_sequence_ids`); any other diagram type gets a fresh Mermaid before it
and one after it. ``MermaidBrowser(fresh=True)`` evaluates the bundle before every
diagram; the tests check that both ways give the same bytes.

Entity codes. Mermaid replaces ``#35;``-style codes with private placeholders
(``ﬂ°°35¶ß``) before parsing (``encodeEntities`` in ``Diagram.fromText``) and turns
them back into ``&#35;`` only in the final SVG string (``decodeEntities`` in
``cleanUpSvgCode``). The diagram database therefore holds placeholders;
:meth:`MermaidBrowser.parse` turns them into ``&#35;`` and then decodes character
references as an HTML parser does, so it returns the text a reader sees (``#``).
The state renderer with ``htmlLabels: false`` decodes transition labels too early and
leaves ``&amp;#59;`` in the SVG; :func:`protodoc.render.mermaid.clean_svg` repairs that.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from ..errors import RenderError, ToolMissingError

CHROMIUM_ENV = "PROTODOC_CHROMIUM"
MERMAID_JS_ENV = "PROTODOC_MERMAID_JS"

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

DEFAULT_TIMEOUT = 30.0
"""Seconds one parse or render may take before the browser is killed."""

START_TIMEOUT = 60.0
"""Seconds the browser may take to start and load Mermaid."""

RECYCLE_EVERY = 500
"""Open a fresh page after this many renders, so that memory stays bounded."""

WATCHDOG_GRACE = 2.0
"""Seconds past the time limit (at most the limit again) after which a page stuck in
JavaScript gets Chromium killed; the page's own timer handles a Mermaid that waits
forever, but not one that never yields."""

PARALLEL_MIN = 8
"""A batch this long is spread over several pages (when ``pages`` > 1)."""

MERMAID_JS_REL = Path("node_modules") / "mermaid" / "dist" / "mermaid.min.js"


def find_chromium(chromium: str | None = None) -> str:
    """The Chromium executable: ``chromium``, else ``$PROTODOC_CHROMIUM``, else on PATH."""
    wanted = chromium or os.environ.get(CHROMIUM_ENV)
    if wanted:
        found = shutil.which(wanted)
        if found is None:
            raise ToolMissingError(
                f"Chromium not found at {wanted!r}"
                f" (from {'the chromium argument' if chromium else CHROMIUM_ENV});"
                " install Debian's 'chromium' package or point"
                f" {CHROMIUM_ENV} at a Chromium or Chrome executable"
            )
        return found
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ToolMissingError(
        "Chromium is needed to render Mermaid diagrams and was not found on PATH;"
        f" install it (Debian: apt-get install chromium) or set {CHROMIUM_ENV}"
        " to a Chromium or Chrome executable"
    )


def _walk_up(start: Path) -> Iterator[Path]:
    start = start.resolve()
    yield start
    yield from start.parents


def find_mermaid_js(path: str | os.PathLike[str] | None = None) -> Path:
    """The Mermaid bundle: ``path``, else ``$PROTODOC_MERMAID_JS``, else
    ``node_modules/mermaid/dist/mermaid.min.js`` in the current directory or a parent,
    or beside the protodoc package or a parent of it (a source checkout)."""
    wanted = path or os.environ.get(MERMAID_JS_ENV)
    if wanted:
        p = Path(wanted)
        if not p.is_file():
            raise ToolMissingError(
                f"Mermaid JavaScript not found at {str(p)!r}"
                f" (from {'the mermaid_js argument' if path else MERMAID_JS_ENV});"
                " point it at mermaid.min.js, or run 'npm ci' in the protodoc checkout"
            )
        return p.resolve()
    seen: set[Path] = set()
    for start in (Path.cwd(), Path(__file__).parent):
        for d in _walk_up(start):
            if d in seen:
                continue
            seen.add(d)
            candidate = d / MERMAID_JS_REL
            if candidate.is_file():
                return candidate
    raise ToolMissingError(
        "Mermaid JavaScript (node_modules/mermaid/dist/mermaid.min.js) not found in the"
        " current directory, the protodoc checkout or their parents; run 'npm ci' where"
        f" protodoc's package.json is, or set {MERMAID_JS_ENV} to a mermaid.min.js"
    )


def mermaid_version(js: Path) -> str:
    """The version in the ``package.json`` of the Mermaid package holding ``js``,
    or ``"unknown"`` for a bare bundle."""
    for d in list(js.parents)[:3]:
        pkg = d / "package.json"
        if pkg.is_file():
            try:
                data = json.loads(pkg.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if data.get("name") == "mermaid":
                return str(data.get("version", "unknown"))
    return "unknown"


# The helpers live in the page once; the Mermaid bundle is evaluated again before each
# render (see the module docstring). Placeholders are Mermaid's: see encodeEntities.
_PAGE_JS = r"""
(src) => {
  window.__pdSrc = src;
  const LOAD = () => {
    const s = document.createElement('script');
    s.textContent = window.__pdSrc;
    document.head.appendChild(s);
    s.remove();
  };
  const ta = document.createElement('textarea');
  const decode = (s) => {
    if (typeof s !== 'string') return s;
    s = s.replace(/\uFB02\u00B0\u00B0/g, '&#').replace(/\uFB02\u00B0/g, '&')
         .replace(/\u00B6\u00DF/g, ';');
    ta.innerHTML = s;
    return ta.value;
  };
  const errText = (e) => {
    if (e === null || e === undefined) return 'unknown error';
    const m = (e.message !== undefined) ? e.message : (e.str !== undefined ? e.str : e);
    return String(m);
  };
  const nameOf = (table, value) => {
    for (const [k, v] of Object.entries(table || {})) if (v === value) return k;
    return value === undefined ? null : String(value);
  };
  const seqData = (db) => {
    const actors = [];
    for (const [id, a] of db.getActors()) {
      actors.push({id, name: a.name, description: decode(a.description), type: a.type});
    }
    const messages = db.getMessages().map((m) => ({
      from: m.from === undefined ? null : m.from,
      to: m.to === undefined ? null : m.to,
      text: typeof m.message === 'string' ? decode(m.message) : null,
      type: m.type === undefined ? null : m.type,
      type_name: nameOf(db.LINETYPE, m.type),
      placement: m.placement === undefined ? null : nameOf(db.PLACEMENT, m.placement),
    }));
    return {actors, messages};
  };
  const asList = (v) => (Array.isArray(v) ? v : (v ? [v] : []));
  const stateData = (db) => {
    // getData (Mermaid 11, stateDiagram-v2) flattens nested states and notes.
    const g = db.getData();
    const isNote = (n) => n.shape === 'note' || n.shape === 'noteGroup';
    const noteIds = new Set(g.nodes.filter(isNote).map((n) => n.id));
    const states = g.nodes.filter((n) => !isNote(n)).map((n) => ({
      id: n.id,
      label: decode(String(n.label === undefined || n.label === null ? n.id : n.label)),
      descriptions: asList(n.description).map((d) => decode(String(d))),
      shape: n.shape,
      parent: n.parentId === undefined ? null : n.parentId,
    }));
    const notes = [];
    const transitions = [];
    for (const e of g.edges) {
      const noteEnd = noteIds.has(e.end) ? e.end : (noteIds.has(e.start) ? e.start : null);
      if (noteEnd !== null) {
        const n = g.nodes.find((x) => x.id === noteEnd);
        notes.push({state: noteEnd === e.end ? e.start : e.end, text: decode(String(n.label))});
      } else {
        transitions.push({from: e.start, to: e.end, label: decode(e.label || '')});
      }
    }
    return {states, transitions, notes};
  };
  const SETTLED = ['sequence', 'stateDiagram'];
  window.__pd = {
    parse: async (text, config) => {
      try {
        if (!window.mermaid) LOAD();
        window.mermaid.initialize(config);
        const d = await window.mermaid.mermaidAPI.getDiagramFromText(text);
        const out = {type: d.type};
        if (d.type === 'sequence') Object.assign(out, seqData(d.db));
        else if (d.type === 'stateDiagram' || d.type === 'state') Object.assign(out, stateData(d.db));
        return {ok: out};
      } catch (e) {
        return {error: errText(e)};
      }
    },
    // One call at a time per page: start() keeps the promise, finish() awaits it; the
    // time limit covers Mermaid waiting on something that never comes.
    start: (fn, args, ms) => {
      let timer;
      const limit = new Promise((resolve) => {
        timer = setTimeout(() => resolve({timeout: true}), ms);
      });
      window.__pdJob = Promise.race([window.__pd[fn](...args), limit])
        .finally(() => clearTimeout(timer));
      return 0;
    },
    finish: () => window.__pdJob,
    // fresh: evaluate the bundle again before this diagram. Otherwise only diagram
    // types whose page-wide state is known (SETTLED) reuse the warm Mermaid; any other
    // type gets a fresh one before it and leaves the page dirty for the next diagram.
    render: async (id, text, config, fresh) => {
      try {
        document.body.innerHTML = '';
        let loaded = false;
        if (fresh || window.__pdDirty) { LOAD(); loaded = true; }
        window.mermaid.initialize(config);
        let type = null;
        try { type = window.mermaid.detectType(text, config); } catch (e) { type = null; }
        const settled = SETTLED.includes(type);
        if (!settled && !loaded) { LOAD(); window.mermaid.initialize(config); }
        window.__pdDirty = !settled;
        const r = await window.mermaid.render(id, text);
        return {ok: r.svg};
      } catch (e) {
        window.__pdDirty = true;
        return {error: errText(e)};
      } finally {
        document.body.innerHTML = '';
      }
    },
  };
  LOAD();
  return typeof window.mermaid.render;
}
"""

# Playwright's sync API allows one running instance per thread; browsers of the same
# thread share it (counted), so that several MermaidBrowser objects can be open at once.
_local = threading.local()


def _acquire_playwright(factory: Any) -> Any:
    if getattr(_local, "pid", None) != os.getpid():  # a forked child: not our driver
        _local.pid, _local.users, _local.pw = os.getpid(), 0, None
    if _local.users == 0:
        _local.pw = factory().start()
    _local.users += 1
    return _local.pw


def _release_playwright() -> None:
    if getattr(_local, "pid", None) != os.getpid():
        return
    _local.users -= 1
    if _local.users == 0:
        pw, _local.pw = _local.pw, None
        with contextlib.suppress(Exception):
            pw.stop()


_BASE_CONFIG: dict[str, Any] = {"startOnLoad": False, "suppressErrorRendering": True}


@dataclass
class _Slot:
    """One page with Mermaid loaded, in its own browser context (and renderer process)."""

    page: Any
    renders: int = 0


class _Rejected(Exception):
    """Mermaid rejected a diagram (the browser is fine)."""


class MermaidBrowser:
    """One headless Chromium with Mermaid loaded, started on first use.

    ``pages``: how many pages (each its own renderer process) :meth:`render_svgs` may
    keep busy at once for a long batch. Use as a context manager (or call
    :meth:`close`): the browser and Playwright's driver are stopped on exit, also when
    an exception leaves the block. Not thread-safe; one instance per thread.
    """

    def __init__(
        self,
        chromium: str | None = None,
        mermaid_js: str | os.PathLike[str] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        fresh: bool = False,
        pages: int = 1,
    ) -> None:
        self._chromium_arg = chromium
        self._mermaid_js_arg = mermaid_js
        self.timeout = timeout
        self.fresh = fresh
        """Evaluate the Mermaid bundle again before every diagram (slower; the fast
        path is checked against it in the tests)."""
        self.pages = max(1, pages)
        self._pw: Any = None
        self._browser: Any = None
        self._slots: list[_Slot] = []
        self._pdf_page: Any = None
        self._pid: int | None = None
        self._killed = False
        self._src: str | None = None
        self.starts = 0
        """How many times a browser was started (tests check the cache with it)."""
        self._thread = threading.get_ident()

    # -- life cycle ---------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._browser is not None

    def start(self) -> None:
        """Start Chromium (:meth:`launch`) and load Mermaid into one page, unless done."""
        if self._browser is not None and self._slots:
            return
        js = find_mermaid_js(self._mermaid_js_arg)  # before a browser is started
        if self._src is None:
            self._src = js.read_text(encoding="utf-8")
        self.launch()
        try:
            self._slots = [self._new_slot()]
        except Exception as e:
            self.close()
            raise RenderError(f"Chromium failed while loading Mermaid: {_first_line(e)}") from e

    def launch(self) -> None:
        """Start Chromium, without Mermaid (enough to print PDFs), unless running."""
        if self._browser is not None:
            return
        chromium = find_chromium(self._chromium_arg)
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as e:  # pragma: no cover - depends on the installation
            raise ToolMissingError(
                "the Python package 'playwright' is needed to drive Chromium;"
                " install protodoc with the 'render' extra (pip install 'protodoc[render]')"
            ) from e
        self.starts += 1
        marker = f"--protodoc-instance={os.getpid()}-{id(self)}-{self.starts}"
        try:
            self._pw = _acquire_playwright(sync_playwright)
            self._browser = self._pw.chromium.launch(
                executable_path=chromium,
                args=[*CHROMIUM_ARGS, marker],
                env={**os.environ, "TZ": "UTC"},  # PDF dates are written in UTC
                timeout=START_TIMEOUT * 1000,
            )
            self._pid = _find_process(marker)
            self._killed = False
        except Exception as e:
            self.close()
            raise RenderError(f"could not start Chromium ({chromium}): {_first_line(e)}") from e

    def _plain_page(self) -> Any:
        context = self._browser.new_context(offline=True, device_scale_factor=1)
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(max(self.timeout, 1.0) * 1000)
        return page

    def _new_slot(self) -> _Slot:
        context = self._browser.new_context(
            java_script_enabled=True, offline=True, device_scale_factor=1
        )
        # No network at all: whatever Mermaid or a diagram asks for is refused.
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(START_TIMEOUT * 1000)
        page.set_content(
            "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body></body></html>"
        )
        page.evaluate(_PAGE_JS, self._src)
        return _Slot(page)

    def _add_slots(self, wanted: int) -> None:
        try:
            while len(self._slots) < wanted:
                self._slots.append(self._new_slot())
        except Exception as e:
            self.close()
            raise RenderError(f"Chromium failed while opening a page: {_first_line(e)}") from e

    def _recycle(self, slot: _Slot) -> _Slot:
        """A fresh page for one that drew many diagrams (memory stays bounded)."""
        with contextlib.suppress(Exception):
            slot.page.context.close()
        try:
            fresh = self._new_slot()
        except Exception as e:
            raise self._fatal(e, "opening a page") from e
        self._slots[self._slots.index(slot)] = fresh
        return fresh

    def close(self) -> None:
        """Stop the browser and Playwright's driver; safe to call twice."""
        browser, pw = self._browser, self._pw
        self._browser = self._pw = self._pid = self._pdf_page = None
        self._slots = []
        if browser is not None:
            with contextlib.suppress(Exception):
                browser.close()
        if pw is not None:
            _release_playwright()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # last resort; __exit__/close is the way
        if self._browser is not None and threading.get_ident() == self._thread:
            with contextlib.suppress(Exception):
                self.close()

    # -- one call in one page -----------------------------------------------

    def _kill(self) -> None:
        """Watchdog: the page is stuck in JavaScript that never yields; kill Chromium."""
        self._killed = True
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)

    def _fatal(self, e: BaseException | None, what: str) -> RenderError:
        """Stop the browser after a timeout or a crash; the next call starts a new one."""
        timed_out = self._killed or e is None
        self.close()
        if timed_out:
            return RenderError(
                f"Mermaid in Chromium did not finish {what} within {self.timeout:g} s;"
                " the browser was stopped"
            )
        return RenderError(f"Chromium failed while {what}: {_first_line(e)}")

    @contextlib.contextmanager
    def _watchdog(self) -> Iterator[None]:
        timer = threading.Timer(self.timeout + min(WATCHDOG_GRACE, self.timeout), self._kill)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _start_job(self, slot: _Slot, fn: str, args: list[Any], what: str) -> None:
        try:
            with self._watchdog():
                slot.page.evaluate(
                    "([f, a, ms]) => window.__pd.start(f, a, ms)",
                    [fn, args, max(1, int(self.timeout * 1000))],
                )
        except Exception as e:
            raise self._fatal(e, what) from e

    def _finish_job(self, slot: _Slot, what: str) -> Any:
        """The result of the page's call; :class:`_Rejected` when Mermaid refused the
        diagram, :class:`RenderError` (browser stopped) on a timeout or a crash."""
        try:
            with self._watchdog():
                result = slot.page.evaluate("() => window.__pd.finish()")
        except Exception as e:
            raise self._fatal(e, what) from e
        return self._result(result, what)

    def _result(self, result: dict[str, Any], what: str) -> Any:
        if result.get("timeout"):
            raise self._fatal(None, what)
        if "error" in result:
            raise _Rejected(f"Mermaid: {result['error']}")
        return result["ok"]

    def _run_job(self, slot: _Slot, fn: str, args: list[Any], what: str) -> Any:
        """:meth:`_start_job` and :meth:`_finish_job` in one round trip."""
        try:
            with self._watchdog():
                result = slot.page.evaluate(
                    "([f, a, ms]) => { window.__pd.start(f, a, ms); return window.__pd.finish(); }",
                    [fn, args, max(1, int(self.timeout * 1000))],
                )
        except Exception as e:
            raise self._fatal(e, what) from e
        return self._result(result, what)

    def _call(self, fn: str, args: list[Any], what: str) -> Any:
        self.start()
        try:
            return self._run_job(self._slots[0], fn, args, what)
        except _Rejected as e:
            raise RenderError(str(e)) from None

    # -- the API --------------------------------------------------------------

    def parse(self, text: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
        """What the real Mermaid parser understood of ``text``.

        Sequence diagrams: ``{"type": "sequence", "actors": [{id, name, description,
        type}], "messages": [{from, to, text, type, type_name, placement}]}`` where
        ``type`` is Mermaid's LINETYPE number and ``type_name`` its name (``SOLID``,
        ``DOTTED_OPEN``, ``NOTE``, ``LOOP_START``...). State diagrams (v2): ``{"type":
        "stateDiagram", "states": [{id, label, descriptions, shape, parent}],
        "transitions": [{from, to, label}], "notes": [{state, text}]}``, nested states
        included (``parent`` is the composite state's id; ``[*]`` appear as
        ``root_start``/``root_end`` or ``<parent>_start`` with shape ``stateStart``/
        ``stateEnd``). Texts are decoded as a reader sees them (see the module
        docstring). Other diagram types give only ``type``. Raises
        :class:`RenderError` with Mermaid's message when the text is rejected.
        """
        cfg = {**_BASE_CONFIG, **(config or {})}
        return self._call("parse", [text, cfg], "parsing")

    def render_svg(self, text: str, config: dict[str, Any], *, svg_id: str = "protodoc") -> str:
        """Mermaid's SVG for ``text`` with ``config`` (passed to ``mermaid.initialize``),
        actor ids renumbered (:func:`renumber_sequence_ids`); the SVG element gets the
        id ``svg_id``. Raises :class:`RenderError`."""
        result = self.render_svgs([(text, config, svg_id)])[0]
        if isinstance(result, RenderError):
            raise result
        return result

    def render_svgs(
        self, items: Sequence[tuple[str, dict[str, Any], str]]
    ) -> list[str | RenderError]:
        """:meth:`render_svg` for many ``(text, config, svg_id)``, in up to
        :attr:`pages` pages at once for a long batch. A diagram Mermaid rejects gives
        its :class:`RenderError` in its place. After a timeout or a crash the browser
        is started again for the diagrams still to draw (those that were in flight
        are tried once more)."""
        results: list[str | RenderError | None] = [None] * len(items)
        if not items:
            return []
        self.start()
        wanted = self.pages if len(items) >= PARALLEL_MIN else 1
        self._add_slots(wanted)
        pending = deque(range(len(items)))
        retried: set[int] = set()
        free = list(self._slots)
        inflight: deque[tuple[int, _Slot]] = deque()
        while pending or inflight:
            current = -1  # the diagram whose call failed, if one does
            try:
                single = len(self._slots) == 1
                while free and pending:
                    current = pending.popleft()
                    slot = free.pop(0)
                    if slot.renders >= RECYCLE_EVERY:
                        slot = self._recycle(slot)
                    inflight.append((current, slot))
                    if not single:  # one page: start and finish in one round trip
                        self._start_job(
                            slot, "render", self._render_args(items[current]), "rendering"
                        )
                current, slot = inflight.popleft()
                try:
                    if single:
                        svg = self._run_job(
                            slot, "render", self._render_args(items[current]), "rendering"
                        )
                    else:
                        svg = self._finish_job(slot, "rendering")
                    results[current] = renumber_sequence_ids(str(svg))
                except _Rejected as e:
                    results[current] = RenderError(str(e))
                slot.renders += 1
                free.append(slot)
            except RenderError as e:  # the browser was stopped
                results[current] = e
                for j, _ in inflight:
                    if j == current:
                        continue
                    if j in retried:
                        results[j] = e
                    else:
                        retried.add(j)
                        pending.appendleft(j)
                inflight.clear()
                if pending:
                    try:
                        self.start()
                        self._add_slots(wanted)
                    except RenderError as again:  # no browser any more: the rest fail
                        for j in pending:
                            results[j] = again
                        break
                    free = list(self._slots)
        return [r if r is not None else RenderError("not rendered") for r in results]

    def svg_to_pdf(self, svg: str, background: str, *, source_date_epoch: int = 0) -> bytes:
        """``svg`` printed to a one-page PDF of its own size on ``background``, by
        Chromium (Skia keeps text as text and embeds only the glyphs used, where cairo
        embeds most of a CJK font). Creation and modification dates are set to
        ``source_date_epoch``, so the bytes are the same on every run."""
        self.launch()
        start = svg.find("<svg")
        body = svg[start:] if start >= 0 else svg
        html = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>diagram</title>"
            "<style>@page { margin: 0 } html, body { margin: 0; padding: 0; background: "
            f"{background} }} svg {{ display: block }}</style></head><body>{body}</body></html>"
        )
        try:
            with self._watchdog():
                if self._pdf_page is None:
                    self._pdf_page = self._plain_page()
                page = self._pdf_page
                page.set_content(html)
                width, height = page.evaluate(_SVG_SIZE_JS)
                pdf = page.pdf(
                    width=f"{width}px",
                    height=f"{height}px",
                    print_background=True,
                    page_ranges="1",
                    margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
                )
        except Exception as e:
            raise self._fatal(e, "printing a PDF") from e
        return fix_pdf_dates(pdf, source_date_epoch)

    def _render_args(self, item: tuple[str, dict[str, Any], str]) -> list[Any]:
        text, config, svg_id = item
        return [svg_id, text, {**_BASE_CONFIG, **config}, self.fresh]


# Mermaid's SVG says width="100%" (it scales to its container): give it its own size.
_SVG_SIZE_JS = """
() => {
  const s = document.querySelector('svg');
  const vb = s.viewBox && s.viewBox.baseVal;
  if (s.getAttribute('width') === '100%' && vb && vb.width) {
    s.setAttribute('width', String(vb.width));
    s.setAttribute('height', String(vb.height));
    s.style.maxWidth = 'none';
  }
  const r = s.getBoundingClientRect();
  return [Math.max(1, Math.ceil(r.width)), Math.max(1, Math.ceil(r.height))];
}
"""

_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})")


def fix_pdf_dates(pdf: bytes, epoch: int = 0) -> bytes:
    """``pdf`` with its creation and modification dates set to ``epoch`` (same length,
    so the cross-reference offsets stay right)."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch)).encode()
    return _PDF_DATE.sub(lambda m: b"/" + m.group(1) + b" (D:" + stamp, pdf)


def _find_process(marker: str) -> int | None:
    """The pid of the browser process started with ``marker`` on its command line
    (Linux /proc), for the watchdog; None elsewhere."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    want = marker.encode()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if want in args and not any(a.startswith(b"--type=") for a in args):
            return int(entry.name)
    return None


_ID_ATTR = re.compile(r'(\s(?:id|onclick)=")([^"]*)(")')
_ACTOR_REF = re.compile(r"\b(actor|root-)(\d+)(?=$|_popup|['\"])")


def renumber_sequence_ids(svg: str) -> str:
    """Number the sequence renderer's actor ids (``actor3``, ``root-3``,
    ``actor3_popup``) from 0, as a freshly loaded Mermaid does.

    Mermaid counts actors in a module-wide counter that no reset clears, so in a warm
    page the ids of a diagram are shifted by the actors drawn before it. Only ``id``
    and ``onclick`` attributes are touched, never text."""
    head = svg[: svg.find(">")]
    if 'aria-roledescription="sequence"' not in head:
        return svg
    numbers = [
        int(m.group(2))
        for attr in _ID_ATTR.finditer(svg)
        for m in _ACTOR_REF.finditer(attr.group(2))
    ]
    if not numbers or min(numbers) == 0:
        return svg
    offset = min(numbers)

    def fix_attr(a: re.Match[str]) -> str:
        value = _ACTOR_REF.sub(lambda m: f"{m.group(1)}{int(m.group(2)) - offset}", a.group(2))
        return a.group(1) + value + a.group(3)

    return _ID_ATTR.sub(fix_attr, svg)


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


_shared: MermaidBrowser | None = None


def parse(text: str) -> dict[str, Any]:
    """:meth:`MermaidBrowser.parse` with one browser shared by the process (started on
    first use, stopped at exit). Handy in tests of the emitters."""
    global _shared
    if _shared is None:
        import atexit

        _shared = MermaidBrowser()
        atexit.register(_shared.close)
    return _shared.parse(text)
