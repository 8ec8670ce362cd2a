"""Benchmark: protodoc's renderer against one browser per diagram, and against dot.

    .venv/bin/python bench/bench_render.py [--n 100] [--mmdc-sample 5]

Mermaid: renders N distinct diagrams (the shipped specs' views in both languages, then
numbered variants) with one protodoc Renderer, cache off, browser start included, once
one at a time with render() (per-diagram times) and once as one render_many() batch
(the way generate and Sphinx call it; several pages of the one browser); then a
sample of the same diagrams with mermaid-cli's ``mmdc``, one process per diagram as
sphinxcontrib-mermaid runs it (mmdc drives the same Debian Chromium through puppeteer).
Graphviz: the same count of DOT texts through protodoc and through ``dot -Tsvg`` directly,
one call per diagram each, interleaved so that the machine's load hits both alike. Prints per-diagram times and the ratios. Needs ``npm ci``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from protodoc import pipeline
from protodoc.render import Renderer, RenderJob
from protodoc.render.browser import find_chromium
from protodoc.render.mermaid import mermaid_config


def spec_sources(text_engine: str) -> list[str]:
    out = []
    for spec in sorted((ROOT / "specs").glob("*.yaml")):
        protocol = pipeline.load(spec).protocol
        for view in pipeline.views(protocol):
            for lang in ("en", "zh"):
                out.append(pipeline.source(protocol, view, text_engine, lang))
    return out


def distinct(sources: list[str], n: int, text_engine: str) -> list[str]:
    """``n`` distinct texts: the given ones, then numbered variants of them."""
    out = list(dict.fromkeys(sources))
    i = 0
    while len(out) < n:
        base = sources[i % len(sources)]
        k = i // len(sources) + 1
        if text_engine == "mermaid" and base.startswith("sequenceDiagram"):
            variant = base.rstrip("\n") + f"\n    Note over p0: variant {k}\n"
        elif text_engine == "mermaid":
            variant = base.rstrip("\n") + f"\n    note right of s0 : variant {k}\n"
        else:
            variant = base.rstrip().rstrip("}") + f'    variant{k} [label="variant {k}"];\n}}\n'
        if variant not in out:
            out.append(variant)
        i += 1
    return out[:n]


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def bench_mermaid(texts: list[str], sample: int, pages: int | None) -> tuple[float, float]:
    print(f"== Mermaid: {len(texts)} distinct diagrams")
    times = []
    t0 = time.perf_counter()
    with Renderer(cache=False, pages=1) as r:
        for text in texts:
            t = time.perf_counter()
            r.render(text, engine="mermaid", fmt="svg")
            times.append(time.perf_counter() - t)
    one_by_one = time.perf_counter() - t0
    print(f"protodoc render(), one at a time: total {one_by_one:.2f} s, 1 browser start")
    print(f"  first diagram (browser start + Mermaid load): {fmt_ms(times[0])}")
    rest = times[1:]
    if rest:
        print(
            f"  next {len(rest)}: median {fmt_ms(statistics.median(rest))},"
            f" min {fmt_ms(min(rest))}, max {fmt_ms(max(rest))}"
        )
    print(f"  per diagram, all included: {fmt_ms(one_by_one / len(texts))}")
    t0 = time.perf_counter()
    with Renderer(cache=False, pages=pages) as r:
        results = r.render_many([RenderJob(t, "mermaid") for t in texts])
        starts = r.browser_starts
    batch = time.perf_counter() - t0
    assert all(isinstance(x, bytes) for x in results)
    per = batch / len(texts)
    used = pages if pages is not None else "default"
    print(
        f"protodoc render_many() (pages={used}): total {batch:.2f} s,"
        f" {starts} browser start(s), {fmt_ms(per)} per diagram, all included"
    )

    mmdc = ROOT / "node_modules" / ".bin" / "mmdc"
    if not mmdc.exists():
        print("mmdc: not installed (run npm ci); no ratio")
        return per, float("nan")
    chosen = [texts[int(i * len(texts) / sample)] for i in range(sample)]
    mmdc_times = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "puppeteer.json").write_text(
            json.dumps(
                {"executablePath": find_chromium(), "args": ["--no-sandbox", "--disable-gpu"]}
            )
        )
        (tmp / "mermaid.json").write_text(json.dumps(mermaid_config("light")))
        for i, text in enumerate(chosen):
            src, out = tmp / f"d{i}.mmd", tmp / f"d{i}.svg"
            src.write_text(text, encoding="utf-8")
            argv = [str(mmdc), "-q", "-p", str(tmp / "puppeteer.json")]
            argv += ["-c", str(tmp / "mermaid.json"), "-i", str(src), "-o", str(out)]
            t = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True, timeout=120)
            mmdc_times.append(time.perf_counter() - t)
            print(f"  mmdc diagram {i + 1}/{sample}: {fmt_ms(mmdc_times[-1])}")
    mmdc_per = statistics.mean(mmdc_times)
    print(f"mmdc: mean {fmt_ms(mmdc_per)} per diagram (one process and browser each)")
    print(
        f"ratio mmdc / protodoc per diagram: {mmdc_per / per:.1f}x with render_many(),"
        f" {mmdc_per * len(texts) / one_by_one:.1f}x one at a time (target >= 30x)"
    )
    return per, mmdc_per / per


def bench_graphviz(texts: list[str]) -> float:
    print(f"== Graphviz: {len(texts)} distinct DOT texts, one call each, interleaved")
    direct = ours = 0.0
    with Renderer(cache=False) as r:
        r.render(texts[0], engine="graphviz", fmt="svg")  # tool versions, looked up once
        for k, text in enumerate(texts * 2):
            runs = ["dot", "protodoc"] if k % 2 == 0 else ["protodoc", "dot"]
            for who in runs:
                t = time.perf_counter()
                if who == "dot":
                    subprocess.run(
                        ["dot", "-Tsvg"], input=text.encode(), capture_output=True, check=True
                    )
                    direct += time.perf_counter() - t
                else:
                    r.render(text, engine="graphviz", fmt="svg")
                    ours += time.perf_counter() - t
    t0 = time.perf_counter()
    with Renderer(cache=False) as r:
        r.render_many([RenderJob(t, "graphviz") for t in texts])
    many = time.perf_counter() - t0
    n = 2 * len(texts)
    print(f"dot -Tsvg directly:       {fmt_ms(direct / n)} per diagram")
    print(f"protodoc render():        {fmt_ms(ours / n)} per diagram")
    print(f"protodoc render_many():   {fmt_ms(many / len(texts))} per diagram (threads)")
    ratio = ours / direct
    print(f"ratio protodoc render() / dot: {ratio:.2f}x (target <= 1.2x)")
    return ratio


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="diagrams per engine (default 100)")
    ap.add_argument("--mmdc-sample", type=int, default=5, help="diagrams drawn with mmdc")
    ap.add_argument("--pages", type=int, default=None, help="browser pages for render_many")
    args = ap.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    texts = distinct(spec_sources("mermaid"), args.n, "mermaid")
    bench_mermaid(texts, args.mmdc_sample, args.pages)
    bench_graphviz(distinct(spec_sources("dot"), args.n, "dot"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
