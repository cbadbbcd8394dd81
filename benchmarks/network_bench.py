"""Benchmark: project and measure a synthetic COP-shaped graph of 10^4 .. 10^6 triples.

For each size: generate the data (``cop-graph generate``) and, with ``--store oxigraph``, build
its store once (timed apart). Then, for each projection, each in a fresh process:
- the step: ``network.projection``, ``network.measure`` with the projection's default
  measures and ``network.summary``, as ``cop-graph network`` calls them, with the process's
  peak memory;
- ``cop-graph network --projection P --format csv`` end to end (start, open the store,
  project, measure, print).

Each is compared with the targets at 10^6 triples: 30 s and 4 GiB.

    python benchmarks/network_bench.py                                        # 10^4 and 10^5, memory store
    python benchmarks/network_bench.py --triples 1000000 --store oxigraph     # the target size

Results are printed and written to benchmarks/results/network.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from report import child, command_line, per_size, publish

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TARGET_SECONDS = 30.0
TARGET_BYTES = 4 * 1024**3

STEP = """
import json, resource, sys, time
from cop_graph.analysis import network
from cop_graph.config import load_config
from cop_graph.store.dataset import load_dataset
loaded = load_dataset(sys.argv[2:], config=load_config())
name = sys.argv[1]
started = time.perf_counter()
graph = network.projection(loaded, name)
projected = time.perf_counter()
values = network.measure(graph, network.default_measures(name))
measured = time.perf_counter()
stats = network.summary(graph, values)
print(json.dumps({"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
                  "measures": list(network.default_measures(name)), "project_s": projected - started,
                  "measure_s": measured - projected, "step_s": time.perf_counter() - started,
                  "communities": stats.get("communities"),
                  "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def bench_size(triples: int, store: str, projections: list[str], timeout: float, work: Path) -> dict:
    data = work / f"cop-{triples}.nt"
    subprocess.run([str(BIN / "cop-graph"), "generate", "--triples", str(triples), "-o", str(data), "--format", "nt"],
                   check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    env.update(COP_GRAPH_STORE=store, COP_GRAPH_STORE_PATH=str(work / f"store-{triples}"))
    result: dict = {"triples": triples, "store": store, "projections": {}}
    if store == "oxigraph":
        result["store_build_s"] = child([str(BIN / "cop-graph"), "stats", "--data", str(data)], env, timeout)[0]
    for name in projections:
        _, out = child([sys.executable, "-c", STEP, name, str(data)], env, timeout)
        step = json.loads(out) if out else None
        cli = child([str(BIN / "cop-graph"), "network", "--projection", name, "--format", "csv", "--data", str(data)],
                    env, timeout)[0]
        result["projections"][name] = {"step": step, "cli_s": cli}
        print(f"  {name}: {step and round(step['step_s'], 2)} s step, {cli and round(cli, 2)} s end to end",
              file=sys.stderr, flush=True)
    return result


def seconds(value: float | None, timeout: float) -> str:
    return f"{value:.2f} s" if value is not None else f"> {timeout:.0f} s"


def markdown(results: list[dict], command: str, timeout: float) -> str:
    lines = [f"Made by `{command}` on {platform.node() or 'this machine'} ({os.cpu_count()} cores, "
             f"Python {platform.python_version()}), {time.strftime('%Y-%m-%d')}. Each figure is one run in a "
             f"fresh process; ratios are to the targets at 10^6 triples ({TARGET_SECONDS:g} s, 4 GiB).", ""]
    for r in results:
        build = f"; store built in {r['store_build_s']:.1f} s" if r.get("store_build_s") else ""
        lines += [f"**{r['triples']:,} triples, {r['store']} store**{build}", "",
                  "| projection | nodes | edges | measures | project | measure | step (÷ 30 s) "
                  "| `cop-graph network` end to end (÷ 30 s) | peak memory (÷ 4 GiB) |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, p in r["projections"].items():
            step, cli = p["step"], p["cli_s"]
            if step is None:
                lines.append(f"| {name} | | | | | | > {timeout:.0f} s | {seconds(cli, timeout)} | |")
                continue
            ratio = f" ({cli / TARGET_SECONDS:.2f})" if cli is not None else ""
            lines.append(f"| {name} | {step['nodes']:,} | {step['edges']:,} | {', '.join(step['measures'])} "
                         f"| {step['project_s']:.2f} s | {step['measure_s']:.2f} s "
                         f"| {step['step_s']:.2f} s ({step['step_s'] / TARGET_SECONDS:.2f}) "
                         f"| {seconds(cli, timeout)}{ratio} "
                         f"| {step['peak_bytes'] / 1024**2:,.0f} MiB ({step['peak_bytes'] / TARGET_BYTES:.2f}) |")
        lines.append("")
    return "\n".join(lines).rstrip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--store", choices=["memory", "oxigraph"], default="memory")
    parser.add_argument("--projection", dest="projections", action="append",
                        choices=["orgs", "topics", "org-topic", "people", "full", "cop"],
                        help="Only these projections (repeatable) [default: all].")
    parser.add_argument("--timeout", type=float, default=900.0, help="Seconds before a run is recorded as unfinished.")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    projections = args.projections or ["orgs", "topics", "org-topic", "people", "full", "cop"]
    command = command_line("network_bench.py")
    results = per_size(args.triples,
                       lambda triples, work: bench_size(triples, args.store, projections, args.timeout, work))
    publish(args.out, "network", command, markdown(results, command.strip(), args.timeout), results)


if __name__ == "__main__":
    main()
