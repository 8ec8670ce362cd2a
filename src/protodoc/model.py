"""The protocol model: frozen data, no I/O, no rendering.

A loaded spec becomes a :class:`Protocol`. Every element keeps the :class:`Pos`
of the YAML node it came from, so later stages can point at the source.
Included steps are flattened into ``Protocol.steps`` (participants already
mapped); their positions still point into the included file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .errors import Pos

LANGS = ("en", "zh")
"""The languages every human-readable text is written in."""


def norm_lang(lang: str) -> str:
    """Map a language tag (``en``, ``en_US``, ``zh``, ``zh_CN``, ``zh-Hans``) to ``en``/``zh``."""
    tag = (lang or "en").replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh"
    if tag.startswith("en") or tag == "":
        return "en"
    raise ValueError(f"unsupported language {lang!r}: use 'en' or 'zh'")


@dataclass(frozen=True, kw_only=True, slots=True)
class Text:
    """A human-readable text in English and Simplified Chinese.

    Protocol tokens (``SYN``, ``GET /``) are single-language: ``en == zh``.
    """

    en: str
    zh: str
    pos: Pos | None = field(default=None, compare=False)

    @classmethod
    def token(cls, value: str, pos: Pos | None = None) -> Text:
        return cls(en=value, zh=value, pos=pos)

    def get(self, lang: str) -> str:
        return self.zh if norm_lang(lang) == "zh" else self.en


class MessageKind(str, Enum):
    """How a message travels; the one table of message kinds."""

    SYNC = "sync"  # caller waits for the answer
    ASYNC = "async"  # fire and forget (the default: a packet on the wire)
    REPLY = "reply"  # an answer to an earlier message
    LOST = "lost"  # sent, never received

    @property
    def received(self) -> bool:
        return self is not MessageKind.LOST


class BlockKind(str, Enum):
    """Grouping blocks of a sequence; the one table of block kinds."""

    LOOP = "loop"  # one branch, repeated
    OPT = "opt"  # one branch, maybe taken
    ALT = "alt"  # several branches, exactly one taken
    PAR = "par"  # several branches in flight together


@dataclass(frozen=True, kw_only=True, slots=True)
class Reference:
    text: str
    url: str | None = None
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class State:
    name: str
    description: Text | None = None
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Transition:
    """``source --event / action--> target`` (RFC 9293 style: "rcv SYN / snd SYN,ACK")."""

    source: str
    target: str
    event: Text | None = None  # declared: a token such as "rcv SYN"; projected: "snd <label>"
    action: Text | None = None
    description: Text | None = None  # a condition or remark ("only after a passive OPEN")
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Machine:
    """A state machine, declared in a spec or projected from a sequence."""

    id: str
    title: Text | None = None
    states: tuple[State, ...] = ()
    initial: str | None = None
    final: tuple[str, ...] = ()
    transitions: tuple[Transition, ...] = ()
    origin: str = ""  # path of the spec that declared it ("" when projected)
    pos: Pos | None = field(default=None, compare=False)

    def state(self, name: str) -> State | None:
        for s in self.states:
            if s.name == name:
                return s
        return None

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)


@dataclass(frozen=True, kw_only=True, slots=True)
class Participant:
    id: str
    name: Text
    description: Text | None = None
    initial: str | None = None  # state before the sequence starts
    machine: Machine | None = None  # declared machine this participant follows
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Message:
    """``sender -> receiver``. ``sender_state`` is entered on sending,
    ``receiver_state`` on receipt (never, if the message is lost)."""

    label: Text
    sender: str
    receiver: str
    kind: MessageKind = MessageKind.ASYNC
    fields: tuple[str, ...] = ()  # "seq=j", "ack=j+1", in written order
    flags: tuple[str, ...] = ()
    description: Text | None = None
    sender_state: str | None = None
    receiver_state: str | None = None
    creates: bool = False  # the receiver comes into being with this message
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """Something that happens at one participant without a message:
    an API call (``listen()``) or, with ``timer=True``, a timer expiring."""

    label: Text
    at: str
    timer: bool = False
    fields: tuple[str, ...] = ()  # "addr=192.0.2.10", "port=80", in written order
    state: str | None = None  # state entered
    description: Text | None = None
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Note:
    text: Text
    over: tuple[str, ...]  # one or more participant ids
    position: str = "over"  # "over", "left", "right" (left/right: one participant)
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Phase:
    """A divider between phases of a sequence (handshake / data / teardown)."""

    label: Text
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Gap:
    """Time passes (``2MSL later``, ``30 s``)."""

    label: Text
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Branch:
    label: Text | None
    steps: tuple[Step, ...]
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Block:
    kind: BlockKind
    branches: tuple[Branch, ...]  # loop/opt: exactly one
    pos: Pos | None = field(default=None, compare=False)


Step = Message | Event | Note | Phase | Gap | Block


@dataclass(frozen=True, kw_only=True, slots=True)
class Protocol:
    id: str
    title: Text
    summary: Text | None = None
    references: tuple[Reference, ...] = ()
    participants: tuple[Participant, ...] = ()
    steps: tuple[Step, ...] = ()
    machines: tuple[Machine, ...] = ()  # declared in this spec
    path: str = ""
    pos: Pos | None = field(default=None, compare=False)

    def participant(self, pid: str) -> Participant | None:
        for p in self.participants:
            if p.id == pid:
                return p
        return None


def walk(steps: tuple[Step, ...]):
    """Yield every step, depth first, blocks before their contents."""
    for step in steps:
        yield step
        if isinstance(step, Block):
            for branch in step.branches:
                yield from walk(branch.steps)


def messages(protocol: Protocol) -> list[Message]:
    """Every message of the sequence, in document order."""
    return [s for s in walk(protocol.steps) if isinstance(s, Message)]
