"""Load a spec file into a :class:`~protodoc.model.Protocol`, keeping positions.

YAML is composed (not constructed) with PyYAML's C loader when available, so
every node keeps its line and column and every scalar stays a string: a bare
``on`` or ``no`` is a word here, never a boolean. All problems of a file are
collected and raised together as one :class:`SpecError`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import yaml

from ..errors import Diagnostic, Pos, SpecError, did_you_mean
from ..model import (
    Block,
    BlockKind,
    Branch,
    Event,
    Gap,
    Machine,
    Message,
    MessageKind,
    Note,
    Participant,
    Phase,
    Protocol,
    Reference,
    State,
    Step,
    Text,
    Transition,
)
from .schema import ID_PATTERN, LANG_KEYS, NOTE_POSITIONS, OBJECTS, SPEC_ID_PATTERN, STEP_KINDS

_NULL = "tag:yaml.org,2002:null"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_KIND_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's C parser, composing nodes only. Every plain scalar is a string
    (only an empty value or ``~``/``null`` is null): the spec language has no
    YAML 1.1 booleans, and skipping the implicit resolvers saves time."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0] and value in _NULLS:
            return _NULL
        return _KIND_TAGS[kind]


_ID = re.compile(ID_PATTERN)
_SPEC_ID = re.compile(SPEC_ID_PATTERN)


def display_path(path: Path) -> str:
    """The path as users see it in messages: relative to the cwd when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if rel.startswith("..") else rel


class _Abort(Exception):
    """Stop reading one object; its diagnostic is already recorded."""


class _Loader:
    """Builds one Protocol from one file; imports load through ``cache``."""

    def __init__(
        self,
        path: Path,
        strict: bool,
        stack: tuple[Path, ...],
        cache: ImportCache,
        diags: list[Diagnostic],
    ) -> None:
        self.path = path
        self.file = display_path(path)
        self.strict = strict
        self.stack = stack
        self.cache = cache
        self.sources: list[Path] = [path]
        self.diags = diags
        self.imports: dict[str, Protocol | None] = {}
        self.participants: dict[str, Participant] = {}
        self.machines: dict[str, Machine] = {}

    # -- diagnostics -----------------------------------------------------

    def pos(self, node: yaml.Node) -> Pos:
        return Pos(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def error(self, node: yaml.Node | Pos | None, message: str) -> None:
        pos = node if isinstance(node, Pos) or node is None else self.pos(node)
        self.diags.append(Diagnostic(pos, message))

    def warn(self, node: yaml.Node, message: str) -> None:
        self.diags.append(Diagnostic(self.pos(node), message, "warning"))

    def fail(self, node: yaml.Node | Pos | None, message: str) -> _Abort:
        self.error(node, message)
        return _Abort()

    # -- scalar and structure readers -------------------------------------

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise self.fail(k, f"{what}: keys must be plain words")
            if k.value in out:
                self.error(k, f"{what}: duplicate key '{k.value}'")
                continue
            out[k.value] = (k, v)
        return out

    def obj(self, node: yaml.Node, kind: str, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping checked against ``OBJECTS[kind]``: unknown and missing keys."""
        m = self.mapping(node, what)
        fields = OBJECTS[kind]
        for key, (knode, vnode) in m.items():
            if key not in fields:
                hint = did_you_mean(key, fields)
                if not hint and node.flow_style and vnode.tag == _NULL:
                    hint = " (inside {...} a ',' starts a new key: quote a value that has one)"
                self.error(knode, f"{what}: unknown key '{key}'{hint}")
        missing = [k for k, f in fields.items() if f.required and k not in m]
        if missing:
            raise self.fail(node, f"{what}: missing required key '{missing[0]}'")
        return m

    def seq(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def string(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL:
            raise self.fail(node, f"{what} must be a string")
        return node.value

    def ident(self, node: yaml.Node, what: str) -> str:
        value = self.string(node, what)
        if not _ID.match(value):
            raise self.fail(node, f"{what} '{value}' is not a valid id (letters, digits, '_', '-')")
        return value

    def text(self, node: yaml.Node, what: str) -> Text:
        """A bilingual text: ``{en: ..., zh: ...}``; a missing language is an error
        (a warning when not strict, then the other language stands in)."""
        pos = self.pos(node)
        if isinstance(node, yaml.ScalarNode) and node.tag != _NULL:
            message = f"{what}: needs a translation: write {{en: ..., zh: ...}}"
            if self.strict:
                raise self.fail(node, message)
            self.warn(node, message)
            return Text(en=node.value, zh=node.value, pos=pos)
        m = self.mapping(node, what)
        for key, (knode, _) in m.items():
            if key not in LANG_KEYS:
                self.error(knode, f"{what}: unknown language '{key}'{did_you_mean(key, LANG_KEYS)}")
        values = {
            lang: self.string(m[lang][1], f"{what}.{lang}") for lang in LANG_KEYS if lang in m
        }
        if not values:
            raise self.fail(node, f"{what}: needs 'en' and 'zh'")
        for lang in LANG_KEYS:
            if lang not in values:
                message = f"{what}: missing '{lang}' translation"
                if self.strict:
                    raise self.fail(node, message)
                self.warn(node, message)
                values[lang] = next(iter(values.values()))
        return Text(en=values["en"], zh=values["zh"], pos=pos)

    def token_text(self, node: yaml.Node, what: str) -> Text:
        if isinstance(node, yaml.MappingNode):
            return self.text(node, what)
        return Text.token(self.string(node, what), self.pos(node))

    def str_list(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            return (self.string(node, what),)
        return tuple(self.string(n, what) for n in self.seq(node, what))

    def boolean(self, node: yaml.Node, what: str) -> bool:
        value = self.string(node, what).lower()
        if value not in ("true", "false"):
            raise self.fail(node, f"{what} must be true or false")
        return value == "true"

    def opt(self, m: dict, key: str, reader, what: str):
        """Read ``m[key]`` with ``reader`` if present; a bad value is recorded, not raised."""
        if key not in m:
            return None
        try:
            return reader(m[key][1], what)
        except _Abort:
            return None

    # -- the spec ----------------------------------------------------------

    def load(self) -> Protocol | None:
        try:
            with open(self.path, encoding="utf-8") as f:
                source = f.read()
        except FileNotFoundError:
            self.error(Pos(self.file, 1, 1), "file not found")
            return None
        except (OSError, UnicodeDecodeError) as e:
            self.error(Pos(self.file, 1, 1), f"cannot read: {e}")
            return None
        try:
            root = yaml.compose(source, Loader=Loader)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            pos = Pos(self.file, mark.line + 1, mark.column + 1) if mark else Pos(self.file, 1, 1)
            problem = " ".join(filter(None, [e.problem, e.context and f"({e.context})"]))
            self.error(pos, f"invalid YAML: {problem or e}")
            return None
        except yaml.YAMLError as e:
            self.error(Pos(self.file, 1, 1), f"invalid YAML: {e}")
            return None
        if root is None:
            self.error(Pos(self.file, 1, 1), "empty spec")
            return None
        try:
            return self.protocol(root)
        except _Abort:
            return None

    def protocol(self, root: yaml.Node) -> Protocol:
        m = self.obj(root, "spec", "spec")
        version_node = m["protodoc"][1]
        if self.string(version_node, "protodoc") != "1":
            raise self.fail(
                version_node, "protodoc: unsupported format version (this protodoc reads 1)"
            )
        spec_id = self.string(m["id"][1], "id")
        if not _SPEC_ID.match(spec_id):
            self.error(m["id"][1], f"id '{spec_id}' must be lowercase letters, digits and '-'")
        title = self.opt(m, "title", self.text, "title")
        summary = self.opt(m, "summary", self.text, "summary")
        references = self.opt(m, "references", self.references, "references") or ()
        if "imports" in m:
            self.read_imports(m["imports"][1])
        if "machines" in m:
            self.read_machines(m["machines"][1])
        if "participants" in m:
            self.read_participants(m["participants"][1])
        steps = self.opt(m, "sequence", self.steps, "sequence") or ()
        return Protocol(
            id=spec_id,
            title=title or Text.token(spec_id),
            summary=summary,
            references=references,
            participants=tuple(self.participants.values()),
            steps=steps,
            machines=tuple(self.machines.values()),
            path=str(self.path),
            pos=self.pos(root),
        )

    def references(self, node: yaml.Node, what: str) -> tuple[Reference, ...]:
        out = []
        for item in self.seq(node, what):
            if isinstance(item, yaml.ScalarNode):
                out.append(Reference(text=self.string(item, what), pos=self.pos(item)))
                continue
            try:
                r = self.obj(item, "reference", "reference")
                url = self.opt(r, "url", self.string, "reference.url")
                out.append(
                    Reference(
                        text=self.string(r["text"][1], "reference.text"),
                        url=url,
                        pos=self.pos(item),
                    )
                )
            except _Abort:
                pass
        return tuple(out)

    # -- imports -----------------------------------------------------------

    def read_imports(self, node: yaml.Node) -> None:
        for alias, (knode, vnode) in self.mapping(node, "imports").items():
            try:
                rel = self.string(vnode, f"imports.{alias}")
            except _Abort:
                continue
            target = (self.path.parent / rel).resolve()
            if target in self.stack:
                chain = " -> ".join(display_path(p) for p in (*self.stack, target))
                self.error(vnode, f"import cycle: {chain}")
                self.imports[alias] = None
                continue
            if not target.is_file():
                self.error(vnode, f"imports.{alias}: file not found: {rel}")
                self.imports[alias] = None
                continue
            key = (target, self.strict)
            if key not in self.cache:
                sub_diags: list[Diagnostic] = []
                sub = _Loader(target, self.strict, (*self.stack, target), self.cache, sub_diags)
                protocol = sub.load()
                self.cache[key] = _Imported(protocol, tuple(sub_diags), tuple(sub.sources))
            entry = self.cache[key]
            self.diags.extend(entry.diags)
            self.sources.extend(entry.sources)
            self.imports[alias] = entry.protocol

    def imported(self, node: yaml.Node, alias: str, what: str) -> Protocol | None:
        """The imported spec ``alias``; None (already reported) if it failed."""
        if alias not in self.imports:
            raise self.fail(
                node, f"{what}: unknown import '{alias}'{did_you_mean(alias, self.imports)}"
            )
        return self.imports[alias]

    # -- machines ------------------------------------------------------------

    def read_machines(self, node: yaml.Node) -> None:
        for mid, (knode, vnode) in self.mapping(node, "machines").items():
            if not _ID.match(mid):
                self.error(knode, f"machine id '{mid}' is not a valid id")
                continue
            try:
                self.machines[mid] = self.machine(mid, vnode)
            except _Abort:
                pass

    def machine(self, mid: str, node: yaml.Node) -> Machine:
        what = f"machines.{mid}"
        m = self.obj(node, "machine", what)
        states: list[State] = []
        for name, (knode, vnode) in self.mapping(m["states"][1], f"{what}.states").items():
            desc = None
            if not (isinstance(vnode, yaml.ScalarNode) and vnode.tag == _NULL):
                desc = self.opt({name: (knode, vnode)}, name, self.text, f"{what}.states.{name}")
            states.append(State(name=name, description=desc, pos=self.pos(knode)))
        names = [s.name for s in states]

        def known(n: yaml.Node, label: str) -> str:
            value = self.string(n, label)
            if value not in names:
                raise self.fail(n, f"{label}: unknown state '{value}'{did_you_mean(value, names)}")
            return value

        initial = self.opt(m, "initial", known, f"{what}.initial")
        final: tuple[str, ...] = ()
        if "final" in m:
            fnode = m["final"][1]
            items = (
                [fnode] if isinstance(fnode, yaml.ScalarNode) else self.seq(fnode, f"{what}.final")
            )
            final = tuple(
                x
                for x in (self.opt({"f": (n, n)}, "f", known, f"{what}.final") for n in items)
                if x
            )
        transitions = []
        for tnode in self.seq(m["transitions"][1], f"{what}.transitions"):
            try:
                t = self.obj(tnode, "transition", f"{what}.transitions[]")
                src = known(t["from"][1], "from")
                dst = known(t["to"][1], "to")
                event = self.opt(t, "event", self.token_text, "event")
                action = self.opt(t, "action", self.token_text, "action")
                description = self.opt(t, "description", self.text, "description")
                transitions.append(
                    Transition(
                        source=src,
                        target=dst,
                        event=event,
                        action=action,
                        description=description,
                        pos=self.pos(tnode),
                    )
                )
            except _Abort:
                pass
        title = self.opt(m, "title", self.text, f"{what}.title")
        return Machine(
            id=mid,
            title=title,
            states=tuple(states),
            initial=initial,
            final=final,
            transitions=tuple(transitions),
            origin=self.file,
            pos=self.pos(node),
        )

    def machine_ref(self, node: yaml.Node, what: str) -> Machine | None:
        ref = self.string(node, what)
        if "." in ref:
            alias, mid = ref.split(".", 1)
            other = self.imported(node, alias, what)
            if other is None:
                return None
            table = {m.id: m for m in other.machines}
        else:
            mid, table = ref, self.machines
        if mid not in table:
            raise self.fail(node, f"{what}: unknown machine '{ref}'{did_you_mean(mid, table)}")
        return table[mid]

    # -- participants ----------------------------------------------------------

    def read_participants(self, node: yaml.Node) -> None:
        for pnode in self.seq(node, "participants"):
            try:
                m = self.obj(pnode, "participant", "participant")
                pid = self.ident(m["id"][1], "participant id")
                if pid in self.participants:
                    raise self.fail(m["id"][1], f"duplicate participant id '{pid}'")
                name = self.text(m["name"][1], f"participants.{pid}.name")
                self.participants[pid] = Participant(
                    id=pid,
                    name=name,
                    description=self.opt(
                        m, "description", self.text, f"participants.{pid}.description"
                    ),
                    initial=self.opt(m, "initial", self.string, f"participants.{pid}.initial"),
                    machine=self.opt(m, "machine", self.machine_ref, f"participants.{pid}.machine"),
                    pos=self.pos(pnode),
                )
            except _Abort:
                pass

    def participant_id(self, node: yaml.Node, what: str) -> str:
        pid = self.string(node, what)
        if pid not in self.participants:
            raise self.fail(
                node, f"{what}: unknown participant '{pid}'{did_you_mean(pid, self.participants)}"
            )
        return pid

    # -- steps -------------------------------------------------------------------

    def steps(self, node: yaml.Node, what: str) -> tuple[Step, ...]:
        out: list[Step] = []
        for snode in self.seq(node, what):
            try:
                out.extend(self.step(snode))
            except _Abort:
                pass
        return tuple(out)

    def step(self, node: yaml.Node) -> Iterator[Step]:
        m = self.mapping(node, "step")
        kinds = [k for k in m if k in STEP_KINDS]
        if len(kinds) != 1:
            if kinds:
                raise self.fail(node, f"a step has one kind, this one has {', '.join(kinds)}")
            first = next(iter(m), "")
            hint = did_you_mean(first, STEP_KINDS)
            raise self.fail(
                node, f"unknown step '{first}'{hint}; a step is one of: {', '.join(STEP_KINDS)}"
            )
        kind = kinds[0]
        m = self.obj(node, kind, kind)
        pos = self.pos(node)
        value = m[kind][1]
        if kind == "message":
            yield self.message(m, pos)
        elif kind == "event":
            at = self.participant_id(m["at"][1], "at")
            then = self.then(m, (at,))
            yield Event(
                label=self.token_text(value, "event"),
                at=at,
                timer=self.opt(m, "timer", self.boolean, "timer") or False,
                fields=self.opt(m, "fields", self.fields, "fields") or (),
                state=then.get(at),
                description=self.opt(m, "description", self.text, "description"),
                pos=pos,
            )
        elif kind == "note":
            onode = m["over"][1]
            over = tuple(
                self.participant_id(n, "over")
                for n in (
                    [onode] if isinstance(onode, yaml.ScalarNode) else self.seq(onode, "over")
                )
            )
            position = self.opt(m, "position", self.string, "position") or "over"
            if position not in NOTE_POSITIONS:
                raise self.fail(
                    m["position"][1],
                    f"position must be one of {', '.join(NOTE_POSITIONS)}{did_you_mean(position, NOTE_POSITIONS)}",
                )
            if position != "over" and len(over) != 1:
                raise self.fail(onode, f"a note {position} of participants names exactly one")
            if not over:
                raise self.fail(onode, "over: names at least one participant")
            yield Note(text=self.text(value, "note"), over=over, position=position, pos=pos)
        elif kind == "phase":
            yield Phase(label=self.text(value, "phase"), pos=pos)
        elif kind == "gap":
            yield Gap(label=self.text(value, "gap"), pos=pos)
        elif kind in ("loop", "opt"):
            label = self.text(value, kind)
            branch = Branch(label=label, steps=self.steps(m["steps"][1], f"{kind}.steps"), pos=pos)
            yield Block(kind=BlockKind(kind), branches=(branch,), pos=pos)
        elif kind in ("alt", "par"):
            branches = []
            for bnode in self.seq(value, kind):
                b = self.obj(bnode, "branch", f"{kind} branch")
                branches.append(
                    Branch(
                        label=self.text(b["when"][1], f"{kind}.when"),
                        steps=self.steps(b["steps"][1], f"{kind}.steps"),
                        pos=self.pos(bnode),
                    )
                )
            if not branches:
                raise self.fail(value, f"{kind}: needs at least one branch")
            yield Block(kind=BlockKind(kind), branches=tuple(branches), pos=pos)
        else:  # include
            yield from self.include(m, value)

    def message(self, m: dict, pos: Pos) -> Message:
        sender = self.participant_id(m["from"][1], "from")
        receiver = self.participant_id(m["to"][1], "to")
        kind = MessageKind.ASYNC
        if "kind" in m:
            value = self.string(m["kind"][1], "kind")
            names = [k.value for k in MessageKind]
            if value not in names:
                raise self.fail(
                    m["kind"][1],
                    f"kind: unknown message kind '{value}'{did_you_mean(value, names)}; one of {', '.join(names)}",
                )
            kind = MessageKind(value)
        then = self.then(m, (sender, receiver))
        if kind is MessageKind.LOST and receiver in then and receiver != sender:
            self.error(m["then"][1], f"then: a lost message never reaches '{receiver}'")
        creates = self.opt(m, "create", self.boolean, "create") or False
        if creates and (receiver == sender or kind is MessageKind.LOST):
            self.error(
                m["create"][1], "create: only a message that reaches another participant creates it"
            )
        return Message(
            label=self.token_text(m["message"][1], "message"),
            sender=sender,
            receiver=receiver,
            kind=kind,
            fields=self.opt(m, "fields", self.fields, "fields") or (),
            flags=self.opt(m, "flags", self.str_list, "flags") or (),
            description=self.opt(m, "description", self.text, "description"),
            sender_state=then.get(sender),
            receiver_state=then.get(receiver) if receiver != sender else None,
            creates=creates,
            pos=pos,
        )

    def fields(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if isinstance(node, yaml.MappingNode):
            return tuple(
                f"{k}={self.string(v, f'{what}.{k}')}"
                for k, (_, v) in self.mapping(node, what).items()
            )
        return self.str_list(node, what)

    def then(self, m: dict, allowed: tuple[str, ...]) -> dict[str, str]:
        if "then" not in m:
            return {}
        out = {}
        for pid, (knode, vnode) in self.mapping(m["then"][1], "then").items():
            if pid not in allowed:
                who = " or ".join(f"'{a}'" for a in dict.fromkeys(allowed))
                self.error(
                    knode,
                    f"then: '{pid}' does not take part in this step (only {who}){did_you_mean(pid, allowed)}",
                )
                continue
            try:
                out[pid] = self.string(vnode, f"then.{pid}")
            except _Abort:
                pass
        return out

    def include(self, m: dict, value: yaml.Node) -> Iterator[Step]:
        alias = self.string(value, "include")
        other = self.imported(value, alias, "include")
        if other is None:
            return
        mapping: dict[str, str] = {}
        if "participants" in m:
            theirs = {p.id for p in other.participants}
            for their, (knode, vnode) in self.mapping(m["participants"][1], "participants").items():
                if their not in theirs:
                    self.error(
                        knode,
                        f"participants: '{alias}' has no participant '{their}'{did_you_mean(their, theirs)}",
                    )
                    continue
                mapping[their] = self.participant_id(vnode, f"participants.{their}")
        for p in other.participants:
            ours = mapping.setdefault(p.id, p.id)
            if ours not in self.participants:
                raise self.fail(
                    value,
                    f"include {alias}: its participant '{p.id}' is not mapped to one of ours"
                    f" (add participants: {{{p.id}: ...}}){did_you_mean(p.id, self.participants)}",
                )
        yield from (_rename(s, mapping) for s in other.steps)


def _rename(step: Step, mapping: dict[str, str]) -> Step:
    """A copy of ``step`` with participant ids mapped (included sequences)."""
    r = dataclasses.replace
    if isinstance(step, Message):
        return r(step, sender=mapping[step.sender], receiver=mapping[step.receiver])
    if isinstance(step, Event):
        return r(step, at=mapping[step.at])
    if isinstance(step, Note):
        return r(step, over=tuple(mapping[p] for p in step.over))
    if isinstance(step, Block):
        return r(
            step,
            branches=tuple(
                r(b, steps=tuple(_rename(s, mapping) for s in b.steps)) for b in step.branches
            ),
        )
    return step


@dataclasses.dataclass(frozen=True, slots=True)
class _Imported:
    protocol: Protocol | None
    diags: tuple[Diagnostic, ...]
    sources: tuple[Path, ...]


ImportCache = dict[tuple[Path, bool], _Imported]
"""Imported specs by (resolved path, strict). Share one between loads of a run
(``generate`` over many specs) so a common import is read once; never across
runs, since files may change."""


class LoadResult(NamedTuple):
    protocol: Protocol
    warnings: list[Diagnostic]
    sources: tuple[Path, ...]  # every file read: the spec, then its imports (resolved)


def load_spec(
    path: str | os.PathLike[str], *, strict: bool = True, cache: ImportCache | None = None
) -> LoadResult:
    """Load one spec (and the specs it imports).

    Returns the protocol, its warnings and the files read; raises
    :class:`SpecError` with every error found, in the order found.
    """
    resolved = Path(path).resolve()
    diags: list[Diagnostic] = []
    loader = _Loader(resolved, strict, (resolved,), {} if cache is None else cache, diags)
    loader.file = (
        display_path(Path(path)) if not Path(path).is_absolute() else display_path(resolved)
    )
    protocol = loader.load()
    diags = list(dict.fromkeys(diags))  # a diamond of imports reports its errors once
    errors = [d for d in diags if d.severity == "error"]
    if errors or protocol is None:
        raise SpecError(errors or [Diagnostic(None, f"{path}: could not be loaded")])
    sources = tuple(dict.fromkeys(loader.sources))
    return LoadResult(protocol, [d for d in diags if d.severity == "warning"], sources)
