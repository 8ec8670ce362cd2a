"""`protodoc generate` and `protodoc check`, through the real command line, on copies
of the shipped specs in a temporary directory."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from protodoc import cli
from protodoc.generate import MANIFEST, Options, check
from protodoc.progress import Progress

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "specs"
FORMATS = "mermaid,dot"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work in a fresh project directory with a private cache, outside any CI."""
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()  # the config search stops here
    monkeypatch.chdir(project)
    monkeypatch.setenv("PROTODOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CI", raising=False)


PING = """\
protodoc: 1
id: ping
title: {en: Ping, zh: 探测}
participants:
  - id: client
    name: {en: Client, zh: 客户端}
    initial: IDLE
  - id: server
    name: {en: Server, zh: 服务器}
    initial: READY
sequence:
  - message: PING
    from: client
    to: server
    then: {client: WAITING}
  - message: PONG
    from: server
    to: client
    kind: reply
    then: {client: IDLE}
"""


@pytest.fixture
def specs() -> Path:
    """The shipped TCP handshake (which imports the TCP state machine) and a small
    spec of our own, ``ping``."""
    d = Path("specs")
    d.mkdir()
    for name in ("tcp-handshake.yaml", "tcp-state-machine.yaml"):
        shutil.copy(SHIPPED / name, d / name)
    (d / "ping.yaml").write_text(PING, encoding="utf-8")
    return d


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def gen(capsys, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "generate", "specs", "--out", "out", "--format", FORMATS, *extra)


def chk(capsys, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "check", "specs", "--out", "out", "--format", FORMATS, *extra)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*")}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- layout and the basic round trip -------------------------------------------------


def test_generate_then_check_is_clean(capsys, specs):
    code, _, err = gen(capsys)
    assert code == 0, err
    files = tree(Path("out"))
    assert "tcp-handshake/sequence.en.mmd" in files
    assert "tcp-handshake/sequence.zh.dot" in files
    assert "tcp-handshake/state-client.en.mmd" in files
    assert "tcp-state-machine/machine-tcp.zh.mmd" in files
    assert "ping/sequence.en.mmd" in files
    manifest = json.loads(files.pop(MANIFEST))
    listed = {f for entry in manifest["specs"].values() for f in entry["files"]}
    assert listed == set(files)
    assert manifest["specs"]["tcp-handshake"]["source"] == "../specs/tcp-handshake.yaml"
    assert "All done" in err and "written" in err
    code, out, err = chk(capsys)
    assert code == 0, err
    assert f"{len(files)} unchanged" in err
    assert out == ""


def test_text_files_are_what_the_pipeline_emits(capsys, specs):
    from protodoc import pipeline

    assert gen(capsys)[0] == 0
    loaded = pipeline.load(specs / "tcp-handshake.yaml")
    view = pipeline.views(loaded.protocol)[0]
    expected = pipeline.source(loaded.protocol, view, "mermaid", "zh")
    assert Path(f"out/tcp-handshake/{view.key}.zh.mmd").read_text(encoding="utf-8") == expected


def test_generate_twice_is_byte_identical_and_rewrites_nothing(capsys, specs):
    assert gen(capsys)[0] == 0
    first, first_times = tree(Path("out")), mtimes(Path("out"))
    code, _, err = gen(capsys)
    assert code == 0
    assert "0 diagrams written, 0 removed" in err
    assert tree(Path("out")) == first
    assert mtimes(Path("out")) == first_times
    # A fresh output directory gets the very same bytes.
    code, _, _ = run(capsys, "generate", "specs", "--out", "out2", "--format", FORMATS)
    assert code == 0
    assert tree(Path("out2")) == first


def test_edited_spec_is_stale_with_a_diff_naming_the_lines(capsys, specs):
    assert gen(capsys)[0] == 0
    edit(specs / "tcp-handshake.yaml", "fields: [seq=j]", "fields: [seq=j, win=64240]")
    code, out, err = chk(capsys, "--diff")
    assert code == 1
    assert "stale: out/tcp-handshake/sequence.en.mmd" in err
    assert "out/ping" not in err  # the other spec is current
    assert "would be regenerated" in err
    fix = f"protodoc generate specs --out out --format {FORMATS}"
    assert f"To update them, run: {fix}" in err
    # The diff shows the old line and the new one, and nothing from unchanged files.
    assert "--- out/tcp-handshake/sequence.en.mmd\t(on disk)" in out
    assert "+++ out/tcp-handshake/sequence.en.mmd\t(generated)" in out
    removed = [line for line in out.splitlines() if line.startswith("-") and "seq=j" in line]
    added = [line for line in out.splitlines() if line.startswith("+") and "win=64240" in line]
    assert removed and added
    # Without --diff nothing goes to stdout; running the printed command fixes it.
    assert chk(capsys)[1] == ""
    assert gen(capsys)[0] == 0
    assert chk(capsys)[0] == 0


def test_missing_and_hand_edited_files_are_reported(capsys, specs):
    assert gen(capsys)[0] == 0
    Path("out/ping/sequence.en.mmd").unlink()
    Path("out/ping/sequence.zh.dot").write_text("digraph {}\n")
    code, _, err = chk(capsys)
    assert code == 1
    assert "missing: out/ping/sequence.en.mmd" in err
    assert "stale: out/ping/sequence.zh.dot" in err
    assert "2 diagrams would be regenerated" in err
    assert gen(capsys)[0] == 0
    assert chk(capsys)[0] == 0


def test_deleted_spec_loses_exactly_its_files(capsys, specs):
    assert gen(capsys)[0] == 0
    before = tree(Path("out"))
    times = mtimes(Path("out"))
    (specs / "ping.yaml").unlink()
    code, _, err = chk(capsys)
    assert code == 1
    assert "extra: out/ping/sequence.en.mmd" in err
    assert "would be removed" in err
    code, _, err = gen(capsys)
    assert code == 0, err
    after = tree(Path("out"))
    gone = {k for k in before if k.startswith("ping/")}
    assert gone and set(before) - set(after) == gone
    assert not Path("out/ping").exists()  # its directory is empty, so removed too
    for name, data in after.items():
        if name != MANIFEST:
            assert data == before[name] and mtimes(Path("out"))[name] == times[name]
    assert "ping" not in json.loads(after[MANIFEST])["specs"]
    assert chk(capsys)[0] == 0


def test_renamed_spec_id_replaces_its_files(capsys, specs):
    assert gen(capsys)[0] == 0
    edit(specs / "ping.yaml", "id: ping", "id: pong")
    assert gen(capsys)[0] == 0
    names = set(tree(Path("out")))
    assert not any(n.startswith("ping/") for n in names)
    assert "pong/sequence.en.mmd" in names


def test_removed_format_and_language_files_go(capsys, specs):
    assert gen(capsys)[0] == 0
    code, _, _ = run(capsys, "generate", "specs", "--out", "out", "--format", "dot", "--lang", "en")
    assert code == 0
    names = set(tree(Path("out"))) - {MANIFEST}
    assert names and all(n.endswith(".en.dot") for n in names)


def test_a_run_on_some_specs_leaves_the_others_alone(capsys, specs):
    assert gen(capsys)[0] == 0
    before, times = tree(Path("out")), mtimes(Path("out"))
    code, _, err = run(capsys, "generate", "specs/ping.yaml", "--out", "out", "--format", FORMATS)
    assert code == 0, err
    assert tree(Path("out")) == before
    assert mtimes(Path("out")) == times
    code, _, _ = run(capsys, "check", "specs/ping.yaml", "--out", "out", "--format", FORMATS)
    assert code == 0


def test_files_protodoc_did_not_write_are_never_touched(capsys, specs):
    Path("out/ping").mkdir(parents=True)
    foreign = {
        "out/README.md": b"my notes\n",
        "out/ping/extra.mmd": b"hand made\n",
        "out/ping/.sequence.en.mmd.tmp": b"not ours either\n",
    }
    for name, data in foreign.items():
        Path(name).write_bytes(data)
    assert gen(capsys)[0] == 0
    (specs / "ping.yaml").unlink()
    assert gen(capsys)[0] == 0
    assert chk(capsys)[0] == 0
    for name, data in foreign.items():
        assert Path(name).read_bytes() == data


def test_a_foreign_file_in_the_way_is_left_alone_unless_forced(capsys, specs):
    Path("out/ping").mkdir(parents=True)
    mine = Path("out/ping/sequence.en.mmd")
    mine.write_bytes(b"my own diagram\n")
    code, _, err = gen(capsys)
    assert code == 123
    assert "out/ping/sequence.en.mmd: not written by protodoc" in err
    assert mine.read_bytes() == b"my own diagram\n"
    assert Path("out/ping/sequence.zh.mmd").exists()  # the rest is written
    manifest = json.loads(Path("out", MANIFEST).read_text())
    assert "ping/sequence.en.mmd" not in manifest["specs"]["ping"]["files"]
    code, _, err = chk(capsys)
    assert code == 1 and "not written by protodoc" in err
    assert gen(capsys, "--force")[0] == 0
    assert mine.read_bytes() != b"my own diagram\n"
    assert chk(capsys)[0] == 0


def test_an_identical_unlisted_file_is_adopted(capsys, specs):
    assert gen(capsys)[0] == 0
    Path("out", MANIFEST).unlink()  # e.g. never committed
    code, _, err = chk(capsys)
    assert code == 1 and f"stale: out/{MANIFEST}" in err
    assert gen(capsys)[0] == 0
    assert chk(capsys)[0] == 0


def test_no_specs_is_not_an_error_and_writes_nothing(capsys):
    Path("specs").mkdir()
    code, _, err = gen(capsys)
    assert code == 0
    assert "No spec files found" in err
    assert not Path("out").exists() or not any(Path("out").iterdir())
    assert chk(capsys)[0] == 0


def test_a_manifest_pointing_outside_its_directory_is_refused(capsys, specs):
    victim = Path("victim.txt")
    victim.write_text("keep me\n")
    Path("out").mkdir()
    bad = {
        "generator": "protodoc",
        "manifest": 1,
        "specs": {"gone": {"source": "../specs/gone.yaml", "files": ["../victim.txt"]}},
    }
    Path("out", MANIFEST).write_text(json.dumps(bad))
    code, _, err = gen(capsys)
    assert code == 123
    assert f"{MANIFEST}:1:1: not a protodoc manifest" in err
    assert victim.read_text() == "keep me\n"


# -- errors and exit codes ------------------------------------------------------------------


def test_broken_spec_is_reported_and_the_others_are_written(capsys, specs):
    (specs / "broken.yaml").write_text("protodoc: 1\nid: broken\ntitle: [unclosed\n")
    code, _, err = gen(capsys)
    assert code == 123
    assert "specs/broken.yaml:4:1: invalid YAML" in err  # file:line:col
    assert "Traceback" not in err
    assert "1 spec failed" in err
    assert Path("out/tcp-handshake/sequence.en.mmd").exists()
    assert Path("out/ping/sequence.en.mmd").exists()
    code, _, err = chk(capsys)
    assert code == 123
    assert "specs/broken.yaml:4:1:" in err


def test_a_spec_that_breaks_keeps_its_old_files(capsys, specs):
    assert gen(capsys)[0] == 0
    before = tree(Path("out"))
    edit(specs / "ping.yaml", "id: ping", "id: [ping")
    assert gen(capsys)[0] == 123
    assert tree(Path("out")) == before


def test_duplicate_spec_ids_are_an_error_naming_both_files(capsys, specs):
    shutil.copy(specs / "ping.yaml", specs / "ping-copy.yaml")
    code, _, err = gen(capsys)
    assert code == 123
    assert "specs/ping-copy.yaml:1:1: duplicate spec id 'ping' (also in specs/ping.yaml)" in err
    assert "specs/ping.yaml:1:1: duplicate spec id 'ping'" in err
    assert Path("out/tcp-handshake/sequence.en.mmd").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "--out", "out"], "no spec paths given"),
        (["check", "specs"], "no output directory given"),
        (["check", "nowhere", "--out", "out"], "no such file or directory: nowhere"),
        (["generate", "specs", "--out", "out", "--format", "jpeg"], "unknown format 'jpeg'"),
        (["generate", "specs", "--out", "out", "--lang", "fr"], "unsupported language 'fr'"),
        (["check", "specs", "--out", "specs/ping.yaml"], "is not a directory"),
    ],
)
def test_usage_errors_exit_2(capsys, specs, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert not Path("out").exists()


def test_argparse_usage_errors_exit_2(capsys, specs):
    with pytest.raises(SystemExit) as e:
        cli.main(["check", "specs", "--out", "out", "--engine", "paint"])
    assert e.value.code == 2


def test_help_documents_exit_codes_and_layout(capsys):
    for command in ("check", "generate"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        out = capsys.readouterr().out
        assert "exit codes:" in out and "123" in out
        assert "OUT/<spec id>/<view>.<lang>.<ext>" in out
    assert "1    a diagram is stale, missing or extra" in run_help(capsys, "check")


def run_help(capsys, command: str) -> str:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    return capsys.readouterr().out


def test_worker_processes_give_the_same_files(capsys, specs):
    for n in range(30):
        (specs / f"ping-{n}.yaml").write_text(PING.replace("id: ping", f"id: ping-{n}"))
    (specs / "broken.yaml").write_text("protodoc: 1\nid: [broken\n")
    code, _, err = gen(capsys)
    assert code == 123
    code, _, err2 = run(
        capsys, "generate", "specs", "--out", "out2", "--format", FORMATS, "--workers", "3"
    )
    assert code == 123
    assert err2.replace("out2/", "out/") == err
    assert tree(Path("out2")) == tree(Path("out"))
    assert (
        run(capsys, "check", "specs", "--out", "out2", "--format", FORMATS, "--workers", "0")[0]
        == 123
    )
    assert run(capsys, "check", "specs", "--out", "o", "--workers", "-1")[0] == 2


def test_images_are_rendered_once_and_compared_by_content(capsys, specs):
    argv = ["specs/ping.yaml", "--out", "out", "--format", "svg,png,mermaid", "--lang", "en"]
    code, _, err = run(capsys, "generate", *argv)
    assert code == 0, err
    files = tree(Path("out"))
    assert files["ping/sequence.en.png"].startswith(b"\x89PNG")
    assert b"<svg" in files["ping/sequence.en.svg"]  # by Mermaid (engine auto)
    assert b"Generated by graphviz" in files["ping/state-client.en.svg"]
    assert run(capsys, "check", *argv)[0] == 0
    edit(specs / "ping.yaml", "message: PONG", "message: PONG-2")
    code, out, err = run(capsys, "check", *argv, "--diff")
    assert code == 1
    assert "stale: out/ping/sequence.en.png" in err
    assert "stale: out/ping/sequence.en.svg" in err
    assert "Binary file out/ping/sequence.en.png differs" in out
    assert run(capsys, "generate", *argv)[0] == 0
    assert run(capsys, "check", *argv)[0] == 0


def test_graphviz_engine_draws_every_image(capsys, specs):
    argv = ["specs/ping.yaml", "--out", "out", "--format", "svg", "--engine", "graphviz"]
    assert run(capsys, "generate", *argv)[0] == 0
    assert b"Generated by graphviz" in Path("out/ping/sequence.zh.svg").read_bytes()
    assert run(capsys, "check", *argv)[0] == 0
    # Another engine is another picture: the files are stale.
    code, _, err = run(capsys, "check", *argv[:-2])
    assert code == 1 and "stale: out/ping/sequence.zh.svg" in err


# -- configuration -------------------------------------------------------------------------


def test_pyproject_configuration_needs_no_arguments(capsys, specs):
    Path("pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n'
        "[tool.protodoc]\n"
        'specs = ["specs"]\n'
        'out = "docs/diagrams"\n'
        'formats = ["mermaid"]\n'
        'langs = "en"\n'
    )
    os.chdir("specs")  # found by walking up
    code, _, err = run(capsys, "generate")
    assert code == 0, err
    os.chdir("..")
    names = set(tree(Path("docs/diagrams"))) - {MANIFEST}
    assert names and all(n.endswith(".en.mmd") for n in names)
    assert run(capsys, "check")[0] == 0
    # Arguments override the table; the fix command repeats them.
    code, _, err = run(capsys, "check", "--lang", "zh")
    assert code == 1
    assert "To update them, run: protodoc generate --lang zh" in err
    (specs / "ping.yaml").unlink()
    code, _, err = run(capsys, "check")
    assert code == 1
    assert "To update them, run: protodoc generate\n" in err


def test_bad_configuration_is_a_usage_error(capsys, specs):
    Path("pyproject.toml").write_text('[tool.protodoc]\nspecs = ["specs"]\nouts = "x"\n')
    code, _, err = run(capsys, "check")
    assert code == 2
    assert "unknown key 'outs' (did you mean 'out'?)" in err


# -- the cache -----------------------------------------------------------------------------


def _options() -> Options:
    return Options(paths=(Path("specs"),), out=Path("out"), formats=("mermaid", "dot"))


def test_second_check_uses_the_cache_and_still_sees_changes(capsys, specs):
    assert gen(capsys)[0] == 0
    plan, cmp = check(_options())  # the first check fills the cache ...
    assert cmp.clean
    plan, cmp = check(_options())  # ... the second uses it
    assert cmp.clean and all(r.cached for r in plan.specs)
    # An edited output is seen although the spec is unchanged.
    Path("out/ping/sequence.en.mmd").write_text("sequenceDiagram\n")
    plan, cmp = check(_options())
    assert [c.rel for c in cmp.changes] == ["ping/sequence.en.mmd"]
    assert not next(r for r in plan.specs if r.id == "ping").cached
    assert gen(capsys)[0] == 0
    # Editing an imported spec (even a comment) invalidates the specs that import it.
    check(_options())
    with (specs / "tcp-state-machine.yaml").open("a") as f:
        f.write("# touched\n")
    plan, cmp = check(_options())
    cached = {r.id: r.cached for r in plan.specs}
    assert cached == {"ping": True, "tcp-handshake": False, "tcp-state-machine": False}
    assert cmp.clean


def test_cached_check_sees_an_edited_spec(capsys, specs):
    assert gen(capsys)[0] == 0
    check(_options())
    edit(specs / "ping.yaml", "id: ping", "id: ping-two")
    _, cmp = check(_options())
    kinds = {c.kind for c in cmp.changes}
    assert kinds == {"create", "remove"}


def test_no_cache_option_loads_every_spec(capsys, specs):
    assert gen(capsys)[0] == 0
    check(_options())
    plan, _ = check(
        Options(paths=(Path("specs"),), out=Path("out"), formats=("mermaid", "dot"), cache=False)
    )
    assert not any(r.cached for r in plan.specs)


# -- progress --------------------------------------------------------------------------------


class _Terminal:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> int:
        self.text += s
        return len(s)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_plain_lines_in_ci(monkeypatch):
    term = _Terminal()
    with Progress(4, "specs", stream=term, delay=0) as bar:
        bar.advance(2)
        bar.line("wrote x")
    assert "[" in term.text and "2/4 specs" in term.text and "wrote x\n" in term.text
    monkeypatch.setenv("CI", "true")
    term = _Terminal()
    with Progress(4, "specs", stream=term, delay=0) as bar:
        bar.advance(2)
        bar.line("wrote x")
    assert term.text == "wrote x\n"


def test_check_output_in_ci_has_no_bar(capsys, specs, monkeypatch):
    monkeypatch.setenv("CI", "1")
    gen(capsys)
    code, _, err = chk(capsys)
    assert code == 0
    assert "\r" not in err
