"""The `protodoc-check` hook of `.pre-commit-hooks.yaml` in a real pre-commit run:
pre-commit builds its own virtualenv with protodoc installed from this repository
(pip reaches PyPI for the dependencies) and runs the hook in a temporary git repo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

PYPROJECT = """\
[project]
name = "my-protocols"
version = "1"

[tool.protodoc]
specs = ["specs"]
out = "docs/diagrams"
formats = ["mermaid", "dot"]
langs = ["en", "zh"]
"""


def test_hook_definitions():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"protodoc-check", "protodoc-generate"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
    pattern = re.compile(hooks["protodoc-check"]["files"])
    for name in ("specs/tcp.yaml", "specs/a.yml", "pyproject.toml", "docs/d/x/sequence.en.mmd"):
        assert pattern.search(name), name
    assert not pattern.search("src/app.py")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.skipif(
    not PRE_COMMIT.exists() and not os.environ.get("CI"), reason="pre-commit is not installed"
)
def test_protodoc_check_hook_in_a_real_pre_commit_run(tmp_path: Path):
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    for name in ("tcp-handshake.yaml", "tcp-state-machine.yaml"):
        shutil.copy(ROOT / "specs" / name, repo / "specs" / name)
    (repo / "pyproject.toml").write_text(PYPROJECT)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PROTODOC_CACHE_DIR": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "CI": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    git(repo, "init", "-q")
    generate = [sys.executable, "-m", "protodoc.cli", "generate"]
    subprocess.run(generate, cwd=repo, env=env, check=True, capture_output=True)
    assert (repo / "docs/diagrams/tcp-handshake/sequence.zh.mmd").exists()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "specs and diagrams")

    def hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PRE_COMMIT), "try-repo", str(ROOT), "protodoc-check", "--all-files"],
            check=False,
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    result = hook()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout

    spec = repo / "specs/tcp-handshake.yaml"
    spec.write_text(spec.read_text().replace("fields: [seq=j]", "fields: [seq=j, mss=1460]"))
    git(repo, "add", "specs")
    result = hook()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "stale: docs/diagrams/tcp-handshake/sequence.en.mmd" in result.stdout
    assert "To update them, run: protodoc generate" in result.stdout

    subprocess.run(generate, cwd=repo, env=env, check=True, capture_output=True)
    git(repo, "add", "-A")
    result = hook()
    assert result.returncode == 0, result.stdout + result.stderr
