"""A content-addressed cache of rendered images.

The key is a SHA-256 over everything that changes the bytes: the diagram text, the
engine and its version (``dot -V``; the Mermaid package version and a hash of its
bundle, plus the Chromium executable), the format and its converter's version, the
theme, the options, the installed fonts, and protodoc's render revision. The value is
the image, stored at ``<dir>/<key[:2]>/<key>.<fmt>`` and written atomically (a
temporary file in the same directory, then :func:`os.replace`), so a crash never leaves
a half-written entry behind.

The directory is ``$PROTODOC_CACHE_DIR``, else ``$XDG_CACHE_HOME/protodoc``, else
``~/.cache/protodoc``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..writer import write_atomic

CACHE_DIR_ENV = "PROTODOC_CACHE_DIR"


def default_cache_dir() -> Path:
    explicit = os.environ.get(CACHE_DIR_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "protodoc"


def cache_key(parts: dict[str, Any]) -> str:
    """SHA-256 of ``parts`` in a canonical JSON form."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Cache:
    """Images by key in a directory; a missing or unreadable entry is a miss."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def path(self, key: str, fmt: str) -> Path:
        return self.directory / key[:2] / f"{key}.{fmt}"

    def get(self, key: str, fmt: str) -> bytes | None:
        try:
            return self.path(key, fmt).read_bytes()
        except OSError:
            return None

    def put(self, key: str, fmt: str, data: bytes) -> None:
        """Store ``data``; a cache that cannot be written is skipped silently (the
        image was rendered, only the next run will be slower)."""
        target = self.path(key, fmt)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data)
        except OSError:
            return
