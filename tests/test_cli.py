"""The command line end to end: images through the real engines, usage and view errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from protodoc.cli import main

SPECS = Path(__file__).parent.parent / "specs"


@pytest.mark.parametrize("engine", ["mermaid", "graphviz"])
def test_render_svg_with_chinese_labels(engine, tmp_path, capsys):
    out = tmp_path / "hs.svg"
    argv = ["render", str(SPECS / "tcp-handshake.yaml"), "--format", "svg", "--lang", "zh"]
    assert main([*argv, "--engine", engine, "-o", str(out)]) == 0
    root = ET.fromstring(out.read_bytes())
    text = "".join(root.itertext())
    assert "客户端" in text and "SYN seq=j" in text.replace("\xa0", " ")


def test_render_png_and_pdf(tmp_path):
    spec = str(SPECS / "tcp-state-machine.yaml")
    for fmt, magic in (("png", b"\x89PNG"), ("pdf", b"%PDF")):
        out = tmp_path / f"m.{fmt}"
        args = ["render", spec, "--view", "state", "--engine", "graphviz"]
        assert main([*args, "--format", fmt, "-o", str(out)]) == 0
        assert out.read_bytes().startswith(magic)


def test_unknown_view_names_the_choices(capsys):
    spec = str(SPECS / "tcp-handshake.yaml")
    assert main(["render", spec, "--view", "state", "--participant", "clinet"]) == 1
    err = capsys.readouterr().err
    assert "has no participant or machine 'clinet' with states (did you mean 'client'?)" in err
    assert "its views: sequence, state-client, state-server" in err


def test_version_and_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.startswith("protodoc ")
    with pytest.raises(SystemExit) as info:
        main(["render"])
    assert info.value.code == 2


def test_text_output_to_a_text_only_stdout(monkeypatch):
    """Sphinx extensions and notebooks capture stdout with a StringIO (no .buffer)."""
    import io

    fake = io.StringIO()
    monkeypatch.setattr("sys.stdout", fake)
    assert main(["schema"]) == 0
    assert '"title": "protodoc spec"' in fake.getvalue()
