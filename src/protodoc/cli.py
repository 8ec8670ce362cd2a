"""The ``protodoc`` command line: ``main(argv) -> int``.

Exit codes: 0 success, 1 invalid spec (or a diagram an engine rejected),
2 usage error; ``check`` documents its own (black's: 0, 1, 123).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from . import __version__, generate, pipeline
from .errors import Diagnostic, ProtodocError, SpecError
from .export import to_json
from .spec.schema import json_schema
from .writer import write_atomic

TEXT_FORMATS = {"mermaid": "mermaid", "dot": "dot"}
IMAGE_FORMATS = ("svg", "png", "pdf")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2, as documented
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _print_diags(diags: Iterable[Diagnostic]) -> None:
    for d in diags:
        print(d, file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"protodoc: no such file or directory: {missing[0]}", file=sys.stderr)
        return 2
    files = pipeline.find_specs(args.paths)
    bad = warnings = 0
    for f in files:
        try:
            loaded = pipeline.load(f, strict=not args.no_strict)
        except SpecError as e:
            bad += 1
            _print_diags(e.diagnostics)
            continue
        warnings += len(loaded.warnings)
        _print_diags(loaded.warnings)
    ok = len(files) - bad
    summary = f"{len(files)} spec{'s' * (len(files) != 1)} checked: {ok} valid, {bad} invalid"
    if warnings:
        summary += f", {warnings} warning{'s' * (warnings != 1)}"
    print(summary, file=sys.stderr)
    return 1 if bad else 0


def cmd_render(args: argparse.Namespace) -> int:
    try:
        loaded = pipeline.load(args.spec, strict=not args.no_strict)
        protocol = loaded.protocol
        _print_diags(loaded.warnings)
        view = pipeline.find_view(protocol, args.view, args.participant)
    except SpecError as e:
        _print_diags(e.diagnostics)
        return 1
    if args.format in TEXT_FORMATS:
        data = pipeline.source(protocol, view, args.format, args.lang).encode()
    else:
        from .render import Renderer  # the browser stack is loaded only for images

        engine = args.engine or "mermaid"
        text = pipeline.source(
            protocol, view, "dot" if engine == "graphviz" else "mermaid", args.lang
        )
        try:
            with Renderer() as r:
                data = r.render(text, engine=engine, fmt=args.format, theme=args.theme)
        except ProtodocError as e:
            where = protocol.pos.file if protocol.pos else protocol.path
            print(f"{where}: {view.key}: {e}", file=sys.stderr)
            return 1
    return _output(args, data)


def cmd_export(args: argparse.Namespace) -> int:
    try:
        loaded = pipeline.load(args.spec, strict=not args.no_strict)
    except SpecError as e:
        _print_diags(e.diagnostics)
        return 1
    _print_diags(loaded.warnings)
    return _output(args, _json(to_json(loaded.protocol)))


def cmd_schema(args: argparse.Namespace) -> int:
    return _output(args, _json(json_schema()))


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def _output(args: argparse.Namespace, data: bytes) -> int:
    """Write a command's result to ``-o FILE`` (atomically) or to stdout."""
    if args.output in (None, "-"):
        binary = getattr(sys.stdout, "buffer", None)  # absent when stdout is a StringIO
        if binary is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            sys.stdout.flush()
            binary.write(data)
        sys.stdout.flush()
    else:
        write_atomic(Path(args.output), data)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="protodoc",
        description="Turn declarative protocol specs into sequence and state diagrams.",
        epilog="Exit codes: 0 success, 1 invalid spec or failed render, 2 usage error"
        " (check: see 'protodoc check --help').",
    )
    parser.add_argument("--version", action="version", version=f"protodoc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def strictness(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--no-strict",
            action="store_true",
            help="a missing translation is a warning (the other language is used)",
        )

    p = sub.add_parser(
        "validate",
        help="check specs; report every error",
        description="Check spec files (or directories of them). "
        "Exit 0 all valid, 1 any invalid, 2 usage error.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    strictness(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "render",
        help="one diagram of a spec as Mermaid, DOT, SVG, PNG or PDF",
        description="Write one view of a spec. Views: 'sequence'; 'state' with "
        "--participant ID (a participant or a declared machine); or a view key.",
    )
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--view", default="sequence", help="sequence (default), state, or a view key")
    p.add_argument("--participant", metavar="ID", help="participant (or machine) for --view state")
    p.add_argument("--format", default="mermaid", choices=[*TEXT_FORMATS, *IMAGE_FORMATS])
    p.add_argument(
        "--engine",
        choices=["mermaid", "graphviz"],
        help="engine for svg/png/pdf (default: mermaid)",
    )
    p.add_argument("--theme", default="light", choices=["light", "dark"])
    p.add_argument("--lang", default="en", choices=["en", "zh"])
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write here (atomically) instead of stdout"
    )
    strictness(p)
    p.set_defaults(func=cmd_render)

    p = sub.add_parser(
        "export",
        help="the resolved model as JSON",
        description="Print the resolved model: participants, steps, and the "
        "states and transitions of every participant and declared machine.",
    )
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--format", default="json", choices=["json"])
    p.add_argument("-o", "--output", metavar="FILE")
    strictness(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "schema",
        help="the JSON Schema of the spec language",
        description="Print the JSON Schema of spec files (for editors).",
    )
    p.add_argument("-o", "--output", metavar="FILE")
    p.set_defaults(func=cmd_schema)

    generate.add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("protodoc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
