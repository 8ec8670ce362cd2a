"""The one place protodoc writes files: atomically, and only when content changes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` so that readers see the old file or the new one,
    never a partial one. Returns False (and leaves the file and its mtime alone)
    when the content is already ``data``.

    The rename makes the write atomic against a crash or a signal. There is no
    fsync: like black, protodoc leaves durability against power loss to the
    file system, since thousands of syncs made a large ``generate`` I/O-bound."""
    path = Path(path)
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return True
