"""The corpus of broken specs: each file's first line says the exact message it must give."""

from __future__ import annotations

from pathlib import Path

import pytest

from protodoc import pipeline
from protodoc.cli import main
from protodoc.errors import SpecError

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p.name for p in BROKEN.glob("[a-z]*.yaml"))


def expected(name: str) -> str:
    first = (BROKEN / name).read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), name
    return first.removeprefix("# expect: ")


@pytest.mark.parametrize("name", CASES)
def test_broken_spec_message(name, monkeypatch):
    monkeypatch.chdir(BROKEN)
    with pytest.raises(SpecError) as info:
        pipeline.load(name)
    assert str(info.value.first) == expected(name)


@pytest.mark.parametrize("name", CASES)
def test_validate_prints_message_not_traceback(name, monkeypatch, capsys):
    monkeypatch.chdir(BROKEN)
    assert main(["validate", name]) == 1
    err = capsys.readouterr().err
    assert expected(name) in err.splitlines()
    assert "Traceback" not in err
    assert err.splitlines()[-1] == "1 spec checked: 0 valid, 1 invalid"


def test_every_error_is_reported_not_only_the_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("two.yaml").write_text(
        "protodoc: 1\nid: two\ntitle: {en: T, zh: T}\n"
        "participants:\n  - {id: a, name: {en: A, zh: 甲}, colour: red}\n"
        "sequence:\n  - {message: X, from: a, to: z}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as info:
        pipeline.load("two.yaml")
    assert [str(d) for d in info.value.diagnostics] == [
        "two.yaml:5:35: participant: unknown key 'colour'",
        "two.yaml:7:31: to: unknown participant 'z'",
    ]


def test_non_strict_turns_missing_translation_into_warning(monkeypatch, capsys):
    monkeypatch.chdir(BROKEN)
    loaded = pipeline.load("missing-translation.yaml", strict=False)
    assert loaded.protocol.participants[0].name.zh == "Alice"
    assert [str(w) for w in loaded.warnings] == [
        "missing-translation.yaml:6:19: warning: participants.a.name: missing 'zh' translation"
    ]
    assert main(["validate", "--no-strict", "missing-translation.yaml"]) == 0


def test_validate_directory_counts_every_file(monkeypatch, capsys):
    monkeypatch.chdir(BROKEN)
    assert main(["validate", "."]) == 1
    err = capsys.readouterr().err
    total = len(list(BROKEN.glob("*.yaml")))
    assert err.splitlines()[-1] == f"{total} specs checked: 1 valid, {total - 1} invalid"


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2
    assert main(["validate", "no/such/dir"]) == 2
