"""The directives: ``protodoc-diagram``, ``protodoc-spec`` and ``protodoc-index``."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .. import pipeline
from ..errors import ProtodocError, SpecError
from ..model import Protocol, Text
from . import specs, tables
from .i18n import build_lang, label
from .markdown import to_nodes
from .nodes import protodoc_diagram

logger = logging.getLogger(__name__)

ENGINES = {"mermaid": "mermaid", "graphviz": "graphviz", "dot": "graphviz"}
"""Directive ``:engine:`` values -> render engine names."""

PIPELINE_ENGINE = {"mermaid": "mermaid", "graphviz": "dot"}
"""Render engine name -> :func:`protodoc.pipeline.source` engine."""

_warned_specs: set[tuple[str, tuple[str, ...]]] = set()


def _engine(value: str) -> str:
    return directives.choice(value.strip().lower(), tuple(ENGINES))


def _align(value: str) -> str:
    return directives.choice(value, ("left", "center", "right"))


def _lang(value: str) -> str:
    from ..model import norm_lang

    try:
        return norm_lang(value.strip())
    except ValueError as err:
        raise ValueError(f"{err}") from None


def diagram_key(engine: str, theme: str, code: str) -> str:
    """Content hash naming a diagram's rendered files: same inputs, same name."""
    data = f"protodoc-1\n{engine}\n{theme}\n{code}".encode()
    return hashlib.sha256(data).hexdigest()[:24]


def record_diagram(env: object, docname: str, entry: tuple[str, str, str, int]) -> None:
    store: dict[str, list[tuple[str, str, str, int]]] = env.__dict__.setdefault(
        "protodoc_diagrams", {}
    )
    store.setdefault(docname, []).append(entry)


class _ProtodocDirective(SphinxDirective):
    """What both directives share: finding and loading the spec, language, engine."""

    required_arguments = 1
    final_argument_whitespace = True

    def spec_path(self) -> str:
        arg = self.arguments[0].strip()
        _rel, abs_path = self.env.relfn2path(arg, self.env.docname)
        if not os.path.exists(abs_path):
            spec_dir = self.config.protodoc_spec_dir
            if spec_dir and not arg.startswith("/"):
                candidate = os.path.join(self.env.app.confdir, spec_dir, arg)
                if os.path.exists(candidate):
                    abs_path = candidate
        return os.path.normpath(os.path.abspath(abs_path))

    def load_spec(self) -> Protocol | None:
        path = self.spec_path()
        result, files = specs.load(path, strict=self.config.protodoc_strict)
        for f in sorted(files):
            self.env.note_dependency(f)
        where = f"{self.name} at {self.get_location()}"
        if isinstance(result, SpecError):
            for d in result.diagnostics:
                loc = f"{d.pos.file}:{d.pos.line}:{d.pos.col}" if d.pos else f"{path}:1:1"
                logger.warning(
                    "%s (%s)", d.message, where, location=loc, type="protodoc", subtype="spec"
                )
            return None
        seen = (path, tuple(str(d) for d in result.warnings))
        if result.warnings and seen not in _warned_specs:
            _warned_specs.add(seen)  # once per process while the warnings stay the same
            for d in result.warnings:
                loc = f"{d.pos.file}:{d.pos.line}:{d.pos.col}" if d.pos else f"{path}:1:1"
                logger.warning(
                    "%s (%s)", d.message, where, location=loc, type="protodoc", subtype="spec"
                )
        return result.protocol

    def lang(self) -> str:
        if "lang" in self.options:
            return self.options["lang"]
        if self.config.protodoc_lang:
            return build_lang(self.config.protodoc_lang)
        return build_lang(self.config.language)

    def engine(self) -> str:
        return ENGINES[self.options.get("engine") or self.config.protodoc_engine]

    def diagram(
        self,
        protocol: Protocol,
        view: pipeline.View,
        *,
        lang: str,
        engine: str,
        fallback: bool,
        alt: str | None = None,
        align: str = "center",
    ) -> protodoc_diagram:
        code = pipeline.source(protocol, view, PIPELINE_ENGINE[engine], lang)
        key = diagram_key(engine, self.config.protodoc_theme, code)
        docname = self.env.docname
        serial = self.env.new_serialno("protodoc")
        doc_hash = hashlib.sha1(docname.encode()).hexdigest()[:6]
        if alt is None:
            alt = _view_title(protocol, view, lang)
        node = protodoc_diagram(
            engine=engine,
            code=code,
            key=key,
            prefix=f"pd{doc_hash}-{serial}-",
            alt=alt,
            align=align,
            view=view.key,
            spec=protocol.id,
        )
        self.set_source_info(node)
        if fallback:
            if view.kind == "sequence":
                node += tables.message_table(protocol, lang, description=False)
            elif view.machine is not None:
                node += tables.transition_table(view.machine, lang)
            tables.untranslatable(node)
        record_diagram(self.env, docname, (key, engine, code, self.lineno))
        return node

    def figure(
        self, diagram: protodoc_diagram, caption: str | None, *, translatable: bool
    ) -> nodes.Element:
        """Wrap in a figure when there is a caption (figures are numbered for ``:numref:``)."""
        if caption is None:
            return diagram
        figure = nodes.figure("", diagram, classes=["protodoc-figure"])
        figure["align"] = diagram["align"]
        parsed, _messages = self.parse_inline(caption, lineno=self.lineno)
        cap = nodes.caption(caption, "", *parsed)
        self.set_source_info(cap)
        if not translatable:
            cap["translatable"] = False
        figure += cap
        return figure


def _view_title(protocol: Protocol, view: pipeline.View, lang: str) -> str:
    colon = "：" if lang == "zh" else ": "
    if view.kind == "sequence":
        return f"{protocol.title.get(lang)}{colon}{label('sequence', lang)}"
    title = view.title.get(lang) if isinstance(view.title, Text) else ""
    if not title and view.machine is not None:
        title = view.machine.id
    return f"{title}{colon}{label('state_diagram', lang)}"


class DiagramDirective(_ProtodocDirective):
    """``.. protodoc-diagram:: path/to/spec.yaml`` -- one diagram of a spec."""

    option_spec: ClassVar[dict] = {
        "view": directives.unchanged,
        "participant": directives.unchanged,
        "engine": _engine,
        "lang": _lang,
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "align": _align,
        "alt": directives.unchanged,
        "class": directives.class_option,
    }

    def run(self) -> list[nodes.Node]:
        protocol = self.load_spec()
        if protocol is None:
            return []
        lang = self.lang()
        try:
            view = pipeline.find_view(
                protocol, self.options.get("view", "sequence"), self.options.get("participant")
            )
        except SpecError as err:
            logger.warning(
                "%s (%s at %s)", err.first.message, self.name, self.get_location(),
                location=self.get_location(), type="protodoc", subtype="view",
            )  # fmt: skip
            return []
        try:
            diagram = self.diagram(
                protocol,
                view,
                lang=lang,
                engine=self.engine(),
                fallback=True,
                alt=self.options.get("alt"),
                align=self.options.get("align", "center"),
            )
        except ProtodocError as err:
            logger.warning("%s", err, location=self.get_location(), type="protodoc")
            return []
        diagram["classes"] += self.options.get("class", [])
        caption = self.options.get("caption")
        if caption is None and "name" in self.options:
            caption = _view_title(protocol, view, lang)
            node = self.figure(diagram, caption, translatable=False)
        else:
            node = self.figure(diagram, caption, translatable=True)
        self.add_name(node)
        return [node]


class SpecDirective(_ProtodocDirective):
    """``.. protodoc-spec:: path/to/spec.yaml`` -- a whole reference section."""

    option_spec: ClassVar[dict] = {
        "engine": _engine,
        "lang": _lang,
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        protocol = self.load_spec()
        if protocol is None:
            return []
        lang = self.lang()
        engine = self.engine()
        document = self.state.document

        def section(title: str, slug: str) -> nodes.section:
            base = nodes.make_id(f"{protocol.id}-{slug}" if slug else protocol.id)
            ident, n = base, 1
            while ident in document.ids:
                n += 1
                ident = f"{base}-{n}"
            sec = nodes.section(ids=[ident])
            document.ids[ident] = sec
            sec += nodes.title(title, title)
            self.set_source_info(sec)
            return sec

        top = section(protocol.title.get(lang), "")
        top["classes"].append("protodoc-spec")
        if protocol.summary is not None:
            top += to_nodes(protocol.summary.get(lang))

        if protocol.participants:
            sec = section(label("participants", lang), "participants")
            sec += tables.participant_table(protocol, lang)
            top += sec

        all_views = pipeline.views(protocol)
        seq = [v for v in all_views if v.kind == "sequence"]
        if seq:
            sec = section(label("messages", lang), "messages")
            diagram = self.diagram(protocol, seq[0], lang=lang, engine=engine, fallback=False)
            sec += self.figure(diagram, _view_title(protocol, seq[0], lang), translatable=False)
            sec += tables.message_table(protocol, lang)
            top += sec

        machines = [v for v in all_views if v.kind == "state" and v.machine is not None]
        if machines:
            sec = section(label("states", lang), "states")
            for v in machines:
                assert v.machine is not None
                title = v.title.get(lang) if v.title is not None else v.machine.id
                sub = section(title, v.key)
                diagram = self.diagram(protocol, v, lang=lang, engine=engine, fallback=False)
                sub += self.figure(diagram, _view_title(protocol, v, lang), translatable=False)
                sub += tables.state_table(v.machine, lang)
                if v.machine.transitions:
                    sub += tables.transition_table(v.machine, lang)
                sec += sub
            top += sec

        if protocol.references:
            sec = section(label("references", lang), "references")
            items = nodes.bullet_list(bullet="*")
            for ref in protocol.references:
                para = nodes.paragraph()
                if ref.url:
                    para += nodes.reference(ref.text, ref.text, refuri=ref.url)
                else:
                    para += nodes.Text(ref.text)
                items += nodes.list_item("", para)
            sec += items
            top += sec

        tables.untranslatable(top)
        if "name" in self.options:
            self.add_name(top)
        return [top]


class IndexDirective(_ProtodocDirective):
    """``.. protodoc-index::`` with one spec path a line: the index page of generated
    reference pages (a title, a table of protocols, a hidden toctree). Each spec's
    page is the document named after the spec file, next to the index."""

    required_arguments = 0
    has_content = True
    option_spec: ClassVar[dict] = {"lang": _lang, "title": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        lang = self.lang()
        title = self.options.get("title") or label("reference_index", lang)
        sec = nodes.section(ids=[nodes.make_id("protodoc-reference")])
        sec += nodes.title(title, title)
        rows: list[list[str | nodes.Node]] = []
        entries: list[str] = []
        from sphinx import addnodes

        for line in self.content:
            arg = line.strip()
            if not arg:
                continue
            self.arguments = [arg]
            protocol = self.load_spec()
            docname = Path(arg).stem
            entries.append(docname)
            if protocol is None:
                continue
            target = str(Path(self.env.docname).parent / docname).replace("\\", "/")
            ref = addnodes.pending_xref(
                "",
                nodes.inline(protocol.title.get(lang), protocol.title.get(lang)),
                refdomain="std",
                reftype="doc",
                reftarget="/" + target.lstrip("./"),
                refexplicit=True,
                refdoc=self.env.docname,
            )
            summary = protocol.summary.get(lang) if protocol.summary else ""
            first = summary.split("\n\n", 1)[0]
            para = nodes.paragraph()
            para += ref
            rows.append([para, nodes.paragraph("", "", *_inline_md(first))])
        self.arguments = []
        sec += tables.table(
            [label("protocol", lang), label("summary", lang)], rows, [30, 70], ["protodoc-index"]
        )
        toctree = "\n".join([".. toctree::", "   :hidden:", ""] + [f"   {e}" for e in entries])
        sec += self.parse_text_to_nodes(toctree)
        tables.untranslatable(sec)
        return [sec]


def _inline_md(text: str) -> list[nodes.Node]:
    parsed = to_nodes(text)
    if parsed and isinstance(parsed[0], nodes.paragraph):
        return list(parsed[0].children)
    return [nodes.Text(text)]
