"""A `protodoc generate` stopped by a signal half way leaves every file either its old
or its new version: a real subprocess on a few hundred specs, SIGINT or SIGKILL
sent once it has written a good number of files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from protodoc import cli
from protodoc.generate import MANIFEST

SPECS = 300
PING = """\
protodoc: 1
id: ping-{n:03d}
title: {{en: Ping {n}, zh: 探测 {n}}}
participants:
  - id: client
    name: {{en: Client, zh: 客户端}}
    initial: IDLE
  - id: server
    name: {{en: Server, zh: 服务器}}
    initial: READY
sequence:
  - message: {label}
    from: client
    to: server
    then: {{client: WAITING, server: BUSY}}
  - message: PONG
    from: server
    to: client
    kind: reply
    then: {{client: IDLE, server: READY}}
"""


def write_specs(d: Path, label: str) -> None:
    d.mkdir(exist_ok=True)
    for n in range(SPECS):
        (d / f"ping-{n:03d}.yaml").write_text(PING.format(n=n, label=label), encoding="utf-8")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PROTODOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CI", "1")
    return tmp_path


ARGS = ["specs", "--format", "mermaid,dot"]


def interrupted_run(project: Path, sig: int) -> tuple[dict[str, bytes], dict[str, bytes], int]:
    """Generate the old files, change every spec, start generating the new files in
    a subprocess and send ``sig`` after 300 files. Returns old, new, exit code."""
    write_specs(project / "specs", "PING")
    assert cli.main(["generate", *ARGS, "--out", "out"]) == 0
    old = tree(project / "out")
    write_specs(project / "specs", "ECHO-REQUEST")
    assert cli.main(["generate", *ARGS, "--out", "expected"]) == 0
    new = tree(project / "expected")
    assert len(new) > 3000
    proc = subprocess.Popen(
        [sys.executable, "-m", "protodoc.cli", "generate", *ARGS, "--out", "out"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stderr is not None
    written = 0
    for line in proc.stderr:
        if line.startswith(b"wrote "):
            written += 1
            if written == 300:
                proc.send_signal(sig)
                break
    proc.stderr.read()
    code = proc.wait(timeout=120)
    return old, new, code


def assert_old_or_new(out: Path, old: dict[str, bytes], new: dict[str, bytes]) -> dict[str, int]:
    seen = {"old": 0, "new": 0}
    for name, data in tree(out).items():
        if name == MANIFEST or name.endswith(".tmp"):
            continue
        if data == new[name]:
            seen["new"] += 1
        else:
            assert data == old[name], f"{name} is neither its old nor its new version"
            seen["old"] += 1
    return seen


def test_sigint_leaves_old_or_new_files_and_no_temporary_files(project):
    old, new, code = interrupted_run(project, signal.SIGINT)
    out = project / "out"
    assert code == 130
    seen = assert_old_or_new(out, old, new)
    assert seen["new"] >= 300 and seen["old"] > 0  # really stopped half way
    assert not [p for p in out.rglob("*.tmp")]
    manifest = json.loads((out / MANIFEST).read_text())  # complete and valid
    listed = {f for e in manifest["specs"].values() for f in e["files"]}
    assert set(tree(out)) - {MANIFEST} <= listed
    assert cli.main(["check", *ARGS, "--out", "out"]) == 1
    assert cli.main(["generate", *ARGS, "--out", "out"]) == 0
    assert cli.main(["check", *ARGS, "--out", "out"]) == 0
    assert {k: v for k, v in tree(out).items() if k != MANIFEST} == {
        k: v for k, v in new.items() if k != MANIFEST
    }


def test_sigkill_leaves_old_or_new_files_and_the_next_run_cleans_up(project):
    old, new, code = interrupted_run(project, signal.SIGKILL)
    out = project / "out"
    assert code == -signal.SIGKILL
    seen = assert_old_or_new(out, old, new)
    assert seen["new"] >= 300 and seen["old"] > 0
    json.loads((out / MANIFEST).read_text())  # the manifest is whole, too
    (out / "notes.tmp").write_text("not ours\n")
    assert cli.main(["generate", *ARGS, "--out", "out"]) == 0
    assert cli.main(["check", *ARGS, "--out", "out"]) == 0
    assert [p.name for p in out.rglob("*.tmp")] == ["notes.tmp"]
