"""The spec language's vocabulary: one table per object, shared by the loader
(unknown keys, required keys, "did you mean") and the published JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import BlockKind, MessageKind


@dataclass(frozen=True, slots=True)
class F:
    """A field of a spec object: its type name (a key of ``TYPES``), whether it
    is required, and a one-line description for the schema."""

    type: str
    required: bool = False
    doc: str = ""


ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"
SPEC_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

OBJECTS: dict[str, dict[str, F]] = {
    "spec": {
        "protodoc": F("version", True, "Format version of the spec language: 1."),
        "id": F("spec_id", True, "The spec's id: lowercase letters, digits and '-'."),
        "title": F("text", True, "Title of the protocol."),
        "summary": F("text", False, "Summary, in Markdown."),
        "references": F("references", False, "RFCs and other sources."),
        "imports": F("imports", False, "Other specs by alias: alias -> relative path."),
        "participants": F("participants", False, "Who takes part."),
        "sequence": F("steps", False, "The ordered steps of the protocol."),
        "machines": F("machines", False, "Declared state machines by id."),
    },
    "reference": {
        "text": F("str", True, "What is referenced, e.g. 'RFC 9293 section 3.5'."),
        "url": F("str", False, "Where to read it."),
    },
    "participant": {
        "id": F("id", True, "Identifier used in steps."),
        "name": F("text", True, "Display name."),
        "description": F("text", False, "What this participant is."),
        "machine": F("str", False, "Declared machine it follows: 'tcp' or 'alias.tcp'."),
        "initial": F("str", False, "State before the sequence starts."),
    },
    "message": {
        "message": F("token_text", True, "The message's label, e.g. SYN or GET /index.html."),
        "from": F("id", True, "Sender."),
        "to": F("id", True, "Receiver."),
        "kind": F("message_kind", False, "How it travels (default: async)."),
        "fields": F("fields", False, "Header fields: a list ['seq=j'] or a mapping {seq: j}."),
        "flags": F("str_list", False, "Flags, e.g. [SYN, ACK]."),
        "description": F("text", False, "What the message means."),
        "then": F(
            "then", False, "States entered: the sender's on sending, the receiver's on receipt."
        ),
        "create": F("bool", False, "The receiver comes into being with this message."),
    },
    "event": {
        "event": F("token_text", True, "What happens, e.g. listen() or 2MSL."),
        "at": F("id", True, "Where it happens."),
        "timer": F("bool", False, "True when a timer expires."),
        "fields": F("fields", False, "Arguments: a list ['port=80'] or a mapping {port: 80}."),
        "description": F("text", False, "What it means."),
        "then": F("then", False, "State entered: {participant: STATE}."),
    },
    "note": {
        "note": F("text", True, "The note's text."),
        "over": F("ids", True, "One participant id or a list of them."),
        "position": F("note_position", False, "over (default), left or right."),
    },
    "phase": {"phase": F("text", True, "Divider between phases of the sequence.")},
    "gap": {"gap": F("text", True, "Time passing, e.g. '2MSL later'.")},
    "loop": {
        "loop": F("text", True, "What repeats, e.g. 'every 30 s'."),
        "steps": F("steps", True, "The repeated steps."),
    },
    "opt": {
        "opt": F("text", True, "When the steps happen."),
        "steps": F("steps", True, "The optional steps."),
    },
    "alt": {"alt": F("branches", True, "Alternatives: exactly one branch happens.")},
    "par": {"par": F("branches", True, "Branches in flight together.")},
    "branch": {
        "when": F("text", True, "Label of the branch."),
        "steps": F("steps", True, "The branch's steps."),
    },
    "include": {
        "include": F("str", True, "Alias of an imported spec whose sequence is spliced here."),
        "participants": F("id_map", False, "Their participant id -> our participant id."),
    },
    "machine": {
        "title": F("text", False, "Title of the machine."),
        "initial": F("str", True, "Initial state."),
        "final": F("str_list", False, "Final states."),
        "states": F("states", True, "State name -> bilingual description (or empty)."),
        "transitions": F("transitions", True, "The transitions."),
    },
    "transition": {
        "from": F("str", True, "Source state."),
        "to": F("str", True, "Target state."),
        "event": F("str", False, "What causes it, e.g. 'rcv SYN'."),
        "action": F("str", False, "What is done, e.g. 'snd SYN,ACK'."),
        "description": F("text", False, "A condition or remark on the transition."),
    },
}

STEP_KINDS = ("message", "event", "note", "phase", "gap", "loop", "opt", "alt", "par", "include")
"""Every step is a mapping whose defining key is one of these (the object's name)."""

assert {k.value for k in BlockKind} <= set(STEP_KINDS)

NOTE_POSITIONS = ("over", "left", "right")
LANG_KEYS = ("en", "zh")


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _type_schema(type_name: str) -> dict[str, Any]:
    text = _ref("text")
    s: dict[str, Any]
    match type_name:
        case "version":
            s = {"const": 1}
        case "spec_id":
            s = {"type": "string", "pattern": SPEC_ID_PATTERN}
        case "id":
            s = {"type": "string", "pattern": ID_PATTERN}
        case "str":
            s = {"type": "string"}
        case "bool":
            s = {"type": "boolean"}
        case "text":
            s = text
        case "token_text":
            s = {"anyOf": [{"type": "string"}, text]}
        case "str_list":
            s = {"type": "array", "items": {"type": "string"}}
        case "ids":
            idp = {"type": "string", "pattern": ID_PATTERN}
            s = {"anyOf": [idp, {"type": "array", "items": idp, "minItems": 1}]}
        case "id_map":
            s = {"type": "object", "additionalProperties": {"type": "string"}}
        case "message_kind":
            s = {"enum": [k.value for k in MessageKind]}
        case "note_position":
            s = {"enum": list(NOTE_POSITIONS)}
        case "fields":
            s = {
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                ]
            }
        case "then":
            s = {"type": "object", "additionalProperties": {"type": "string"}}
        case "references":
            s = {"type": "array", "items": {"anyOf": [{"type": "string"}, _ref("reference")]}}
        case "imports":
            s = {"type": "object", "additionalProperties": {"type": "string"}}
        case "participants":
            s = {"type": "array", "items": _ref("participant")}
        case "steps":
            s = {"type": "array", "items": _ref("step")}
        case "branches":
            s = {"type": "array", "items": _ref("branch"), "minItems": 1}
        case "machines":
            s = {"type": "object", "additionalProperties": _ref("machine")}
        case "states":
            s = {"type": "object", "additionalProperties": {"anyOf": [text, {"type": "null"}]}}
        case "transitions":
            s = {"type": "array", "items": _ref("transition")}
        case _:  # pragma: no cover - a table entry without a schema is a bug
            raise KeyError(type_name)
    return s


def _object_schema(name: str) -> dict[str, Any]:
    fields = OBJECTS[name]
    props = {}
    for key, f in fields.items():
        schema = dict(_type_schema(f.type))
        if f.doc:
            schema = (
                {**schema, "description": f.doc}
                if "$ref" not in schema
                else {
                    "allOf": [schema],
                    "description": f.doc,
                }
            )
        props[key] = schema
    return {
        "type": "object",
        "properties": props,
        "required": [k for k, f in fields.items() if f.required],
        "additionalProperties": False,
    }


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec file, generated from ``OBJECTS``."""
    defs: dict[str, Any] = {name: _object_schema(name) for name in OBJECTS if name != "spec"}
    defs["text"] = {
        "description": "Human-readable text in English and Simplified Chinese.",
        "type": "object",
        "properties": {lang: {"type": "string"} for lang in LANG_KEYS},
        "required": list(LANG_KEYS),
        "additionalProperties": False,
    }
    defs["step"] = {"oneOf": [_ref(kind) for kind in STEP_KINDS]}
    root = _object_schema("spec")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "protodoc spec",
        **root,
        "$defs": dict(sorted(defs.items())),
    }
