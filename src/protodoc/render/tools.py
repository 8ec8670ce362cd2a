"""The one place that spawns external programs (dot, rsvg-convert, fc-list).

Every call: list arguments, no shell, a timeout, the program's stderr in the error,
and a :class:`ToolMissingError` naming the Debian package when it is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence

from ..errors import RenderError, ToolMissingError

PACKAGES = {
    "dot": "graphviz",
    "rsvg-convert": "librsvg2-bin",
    "fc-list": "fontconfig",
    "fc-match": "fontconfig",
}
"""Program -> the Debian package that provides it."""


def which(program: str) -> str:
    """The path of ``program``, or :class:`ToolMissingError` naming its package."""
    path = shutil.which(program)
    if path is None:
        package = PACKAGES.get(program, program)
        raise ToolMissingError(
            f"'{program}' is not installed; install the '{package}' package"
            f" (Debian: apt-get install {package})"
        )
    return path


def run_tool(
    argv: Sequence[str],
    *,
    input: bytes | None = None,
    timeout: float,
    env: Mapping[str, str] | None = None,
    what: str = "",
) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` (``argv[0]`` looked up with :func:`which`), feed it ``input`` and
    return the finished process (``stdout``, ``stderr`` as bytes). A non-zero exit, a
    signal or the timeout raise :class:`RenderError` carrying the program's stderr."""
    program = argv[0]
    exe = which(program)
    label = what or program
    try:
        proc = subprocess.run(
            [exe, *argv[1:]],
            input=input,
            capture_output=True,
            timeout=timeout,
            env=dict(env) if env is not None else None,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        # subprocess.run kills and reaps the child before raising.
        raise RenderError(f"{label}: '{program}' did not finish within {timeout:g} s") from e
    except OSError as e:
        raise RenderError(f"{label}: could not run '{program}': {e}") from e
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        how = f"exit status {proc.returncode}" if proc.returncode > 0 else "killed by a signal"
        raise RenderError(f"{label}: '{program}' failed ({how}): {err or 'no message'}")
    return proc
