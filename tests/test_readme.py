"""The README's tutorial works as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from protodoc.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def tutorial(tmp_path, monkeypatch):
    spec = re.search(r"Write `specs/ping.yaml`:\n\n```yaml\n(.*?)```", README, re.DOTALL).group(1)
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "ping.yaml").write_text(spec, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "specs" / "ping.yaml"


def test_tutorial_spec_is_valid_and_renders_text(tutorial, capsys):
    assert main(["validate", "specs/ping.yaml"]) == 0
    for argv in (
        ["--format", "mermaid"],
        ["--format", "mermaid", "--lang", "zh"],
        ["--view", "state", "--participant", "client", "--format", "dot"],
    ):
        assert main(["render", "specs/ping.yaml", *argv]) == 0
    out = capsys.readouterr().out
    assert "sequenceDiagram" in out and "digraph" in out and "服务器" in out


def test_tutorial_error_example_is_what_protodoc_says(tutorial, capsys):
    example = re.search(r"\n(specs/ping.yaml:\d+:\d+: .*)\n", README).group(1)
    tutorial.write_text(tutorial.read_text(encoding="utf-8").replace("to: server", "to: sever"))
    assert main(["validate", "specs/ping.yaml"]) == 1
    assert example in capsys.readouterr().err.splitlines()


def test_spec_language_guide_example_is_valid(tmp_path, monkeypatch):
    root = Path(__file__).parent.parent
    guide = (root / "docs/guide/spec-language.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(protodoc: 1.*?)```", guide, re.DOTALL).group(1)
    (tmp_path / "example.yaml").write_text(example, encoding="utf-8")
    machine = (root / "specs/tcp-state-machine.yaml").read_text(encoding="utf-8")
    (tmp_path / "tcp-state-machine.yaml").write_text(machine, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "example.yaml"]) == 0
