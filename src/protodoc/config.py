"""Project configuration: the ``[tool.protodoc]`` table of ``pyproject.toml``.

The table is looked up by walking up from the current directory: the first
``pyproject.toml`` that has a ``[tool.protodoc]`` table wins; the walk stops at
the root of a repository (a directory holding ``.git`` or ``.hg``). Paths in the
table are relative to the directory of that ``pyproject.toml``.

.. code-block:: toml

    [tool.protodoc]
    specs = ["specs"]             # files or directories (searched for *.yaml, *.yml)
    out = "docs/diagrams"
    formats = ["mermaid", "dot"]  # mermaid, dot, svg, png, pdf
    langs = ["en", "zh"]
    engine = "auto"               # image engine: auto, mermaid, graphviz
    strict = true                 # a missing translation is an error
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import ProtodocError, did_you_mean

KEYS = ("specs", "out", "formats", "langs", "engine", "strict")
"""The keys of ``[tool.protodoc]``; the one table of them."""


class ConfigError(ProtodocError):
    """``[tool.protodoc]`` is malformed. A usage error (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Config:
    """Settings from ``[tool.protodoc]``; ``None`` where the table is silent."""

    path: Path | None = None  # the pyproject.toml they came from
    specs: tuple[Path, ...] | None = None
    out: Path | None = None
    formats: tuple[str, ...] | None = None
    langs: tuple[str, ...] | None = None
    engine: str | None = None
    strict: bool | None = None


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.protodoc]`` table, or ``None``."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _has_table(candidate):
            return candidate
        if (directory / ".git").exists() or (directory / ".hg").exists():
            return None
    return None


def _has_table(path: Path) -> bool:
    try:
        data = _read(path)
    except ConfigError:
        return True  # report the broken file rather than silently skipping it
    return isinstance(data.get("tool"), dict) and "protodoc" in data["tool"]


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from e
    except OSError as e:
        raise ConfigError(f"{path}: {e.strerror}") from e


def load_config(start: Path | None = None) -> Config:
    """Read ``[tool.protodoc]`` of the nearest configured project.

    Returns an empty :class:`Config` when there is none; raises
    :class:`ConfigError` (naming the file and the key) when the table is malformed.
    """
    path = find_pyproject(start)
    if path is None:
        return Config()
    return parse_config(_read(path).get("tool", {}).get("protodoc", {}), path)


def parse_config(table: object, path: Path) -> Config:
    """Validate one ``[tool.protodoc]`` table read from ``path``."""
    where = f"{path}: [tool.protodoc]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key '{key}'{did_you_mean(key, KEYS)}")
    base = path.parent

    def strings(key: str) -> tuple[str, ...] | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: '{key}' must be a string or a list of strings")
        return tuple(value)

    specs = strings("specs")
    out = table.get("out")
    if out is not None and not isinstance(out, str):
        raise ConfigError(f"{where}: 'out' must be a string (a directory)")
    engine = table.get("engine")
    if engine is not None and not isinstance(engine, str):
        raise ConfigError(f"{where}: 'engine' must be a string")
    strict = table.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise ConfigError(f"{where}: 'strict' must be true or false")
    return Config(
        path=path,
        specs=None if specs is None else tuple(base / s for s in specs),
        out=None if out is None else base / out,
        formats=strings("formats"),
        langs=strings("langs"),
        engine=engine,
        strict=strict,
    )
