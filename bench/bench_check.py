"""How long `protodoc check` takes on 500 specs, next to the floor of only parsing
the same YAML files with PyYAML's C loader, in the same run.

    .venv/bin/python bench/bench_check.py [--specs 500] [--repeat 3]

The specs are copies of the shipped ones (new ids; each group of
variants keeps its imports), written to a temporary directory. The diagrams are
generated once (text formats: Mermaid and DOT, English and Chinese); then

- floor:        yaml.load(text, Loader=yaml.CSafeLoader) of every spec file
- check, cold:  protodoc.generate.check() with an empty load cache
- check, warm:  the same again: unchanged specs come from the load cache
- CLI, cold/warm: `protodoc check` in a subprocess (interpreter start included)

Targets (issue 5): cold within 3x of the floor, warm within 1.5x. Each figure is
the least CPU time (user + system) of --repeat runs: the machines this runs on are
shared, and wall-clock time would mostly measure the neighbours. Prints a profile of the cold check with --profile.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from protodoc.emit import dot, escape

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "specs"


def make_specs(dest: Path, count: int) -> list[Path]:
    """``count`` spec files: groups of copies of every shipped spec (new ids), each group in
    its own directory so that imports resolve to the same group's copies."""
    shipped = sorted(SHIPPED.glob("*.yaml"))
    standalone = [p for p in shipped if not re.search(r"^imports:", p.read_text(), re.MULTILINE)]
    files: list[Path] = []
    group = 0
    while len(files) < count:
        left = count - len(files)
        chosen = shipped if left >= len(shipped) else standalone[:left]
        if not chosen:
            break
        d = dest / f"v{group:03d}"
        d.mkdir(parents=True)
        for src in chosen:
            text = src.read_text(encoding="utf-8")
            text = re.sub(r"^id: (\S+)", rf"id: \1-v{group:03d}", text, count=1, flags=re.MULTILINE)
            (d / src.name).write_text(text, encoding="utf-8")
            files.append(d / src.name)
        group += 1
    return files


def best(fn, repeat: int) -> float:
    """The least CPU time (user + system, this process and its children) of ``repeat``
    calls: on a shared machine wall-clock time mostly measures the neighbours."""
    times = []
    for _ in range(repeat):
        before = _cpu()
        fn()
        times.append(_cpu() - before)
    return min(times)


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-cli", action="store_true", help="skip the subprocess timings")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="protodoc-bench-"))
    os.environ["PROTODOC_CACHE_DIR"] = str(tmp / "cache")
    os.environ["CI"] = "1"
    try:
        from protodoc.generate import Options, apply, build_plan, check, compare

        files = make_specs(tmp / "specs", args.specs)
        opts = Options(paths=(tmp / "specs",), out=tmp / "out", formats=("mermaid", "dot"))
        t = time.perf_counter()
        plan = build_plan(Options(**{**_fields(opts), "cache": False}))
        assert not plan.errors, "\n".join(plan.errors[:10])
        apply(plan, compare(plan))
        generated = time.perf_counter() - t  # wall clock: it waits for the disk
        n_files = len(plan.outputs)

        def floor() -> None:
            for f in files:
                with open(f, encoding="utf-8") as fh:
                    yaml.load(fh.read(), Loader=yaml.CSafeLoader)

        def cold() -> None:
            shutil.rmtree(tmp / "cache", ignore_errors=True)
            for memo in (escape.mermaid_text, escape.dot_string, dot._pairs):
                memo.cache_clear()  # as in a new process: no label escaped yet
            _, cmp = check(opts)
            assert cmp.clean

        def warm() -> None:
            plan, cmp = check(opts)
            assert cmp.clean and all(r.cached for r in plan.specs)

        t_floor = best(floor, args.repeat)
        t_cold = best(cold, args.repeat)
        check(opts)  # fill the cache
        t_warm = best(warm, args.repeat)

        print(f"{len(files)} specs, {n_files} diagram files (mermaid+dot, en+zh)")
        print(f"generate (first, writes every file):  {generated * 1000:8.1f} ms wall clock")
        print("CPU time, least of", args.repeat, "runs:")
        print(f"floor: yaml.load CSafeLoader:          {t_floor * 1000:8.1f} ms")
        print(
            f"check, cold (no cache):                {t_cold * 1000:8.1f} ms"
            f"   {t_cold / t_floor:5.2f}x floor (target 3x)"
        )
        print(
            f"check, warm (unchanged specs):         {t_warm * 1000:8.1f} ms"
            f"   {t_warm / t_floor:5.2f}x floor (target 1.5x)"
        )
        if not args.no_cli:
            argv = [sys.executable, "-m", "protodoc.cli", "check", str(tmp / "specs")]
            argv += ["--out", str(tmp / "out"), "--format", "mermaid,dot"]

            def cli_run() -> None:
                done = subprocess.run(argv, check=False, capture_output=True, text=True)
                if done.returncode != 0:
                    raise SystemExit(f"protodoc check failed:\n{done.stderr[-2000:]}")

            def cli_cold() -> None:
                shutil.rmtree(tmp / "cache", ignore_errors=True)
                cli_run()

            def startup() -> None:
                subprocess.run([sys.executable, "-c", "import protodoc.cli"], check=True)

            t_start = best(startup, args.repeat)
            c_cold = best(cli_cold, args.repeat)
            cli_run()
            c_warm = best(cli_run, args.repeat)
            print(f"python -c 'import protodoc.cli':       {t_start * 1000:8.1f} ms")
            print(f"protodoc check (subprocess), cold:     {c_cold * 1000:8.1f} ms")
            print(f"protodoc check (subprocess), warm:     {c_warm * 1000:8.1f} ms")
        if args.profile:
            import cProfile
            import pstats

            shutil.rmtree(tmp / "cache", ignore_errors=True)
            prof = cProfile.Profile()
            prof.runcall(check, opts)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _fields(opts) -> dict:
    import dataclasses

    return {f.name: getattr(opts, f.name) for f in dataclasses.fields(opts)}


if __name__ == "__main__":
    sys.exit(main())
