"""Benchmark: project and measure a synthetic COP-shaped graph of 10^4 .. 10^6 triples.

For each size: generate the data (``cop-graph generate``) and, with ``--store oxigraph``, build
its store once (timed apart). Then, for each projection, each in a fresh process:
- the step: ``network.projection``, ``network.measure`` with the projection's default
  measures and ``network.summary``, as ``cop-graph network`` calls them, with the process's
  peak memory;
- ``cop-graph network --projection P --format csv`` end to end (start, open the store,
  project, measure, print).

Each is compared with the targets at 10^6 triples: 30 s and 4 GiB.

With ``--web`` it measures the explorer instead (``cop-graph serve`` on the same data and
store, over HTTP): for each network page and resource page, the first request, which builds
the drawing and keeps it in the dataset's memo, then ``--rounds`` more, with their median and
95th percentile; the target is a 95th percentile under 1 s at 10^6 triples.

    python benchmarks/network_bench.py                                        # 10^4 and 10^5, memory store
    python benchmarks/network_bench.py --triples 1000000 --store oxigraph     # the target size
    python benchmarks/network_bench.py --web --triples 10000 100000 1000000 --store oxigraph

Results are printed and written to benchmarks/results/network.{md,json} (with ``--web``,
network-web.{md,json}).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from report import child, command_line, per_size, publish

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TARGET_SECONDS = 30.0
TARGET_BYTES = 4 * 1024**3
TARGET_P95 = 1.0  # seconds, a network page at 10^6 triples once its drawing is built
SYNTHETIC = "https://w3id.org/b-tech-cop/"
# The explorer's network pages, and resource pages with their neighbourhood: a company, a
# topic that hundreds of sessions link to, and a session (synthetic IRIs, cop-graph generate).
WEB_PAGES = [
    ("/network", "the whole COP (default)"),
    ("/network.json", "the whole COP, JSON twin"),
    ("/network?projection=orgs", "organisations"),
    ("/network?projection=topics", "topics"),
    ("/network?projection=org-topic", "organisations and topics"),
    ("/network?projection=people", "people"),
    ("/network?projection=full", "every resource"),
    ("/org/synthetic-0", "a company's page"),
    ("/topic/synthetic-0", "a topic's page"),
    ("/session/synthetic-0-2021-0", "a session's page"),
    ("/network?resource=" + quote(SYNTHETIC + "topic/synthetic-0", safe=""), "a topic's neighbourhood"),
]

STEP = """
import json, resource, sys, time
from cop_graph.analysis import network
from cop_graph.config import load_config
from cop_graph.store.dataset import load_dataset
loaded = load_dataset(sys.argv[2:], config=load_config())
name = sys.argv[1]
started = time.perf_counter()
try:
    graph = network.projection(loaded, name)
except network.EmptyProjection as empty:  # org-topic: the synthetic data, too, ties no organisation to a session
    print(json.dumps({"empty": str(empty), "project_s": time.perf_counter() - started}))
    sys.exit(0)
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
                    env, timeout, finished=(0, 2))[0]  # 2: an empty projection, said so
        result["projections"][name] = {"step": step, "cli_s": cli}
        print(f"  {name}: {step and round(step.get('step_s', step['project_s']), 2)} s step, "
              f"{cli and round(cli, 2)} s end to end", file=sys.stderr, flush=True)
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, timeout: float) -> tuple[float | None, int]:
    """(seconds, bytes) of one GET, or (None, status) when it fails or outlasts ``timeout``."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"}),
                                    timeout=timeout) as answer:
            size = len(answer.read())
    except urllib.error.HTTPError as error:
        return None, error.code
    except (TimeoutError, urllib.error.URLError):
        return None, 0
    return time.perf_counter() - started, size


def bench_web(triples: int, store: str, rounds: int, timeout: float, work: Path) -> dict:
    """``cop-graph serve`` on the data: each page's first request, then ``rounds`` more."""
    data = work / f"cop-{triples}.nt"
    if not data.exists():
        subprocess.run([str(BIN / "cop-graph"), "generate", "--triples", str(triples), "-o", str(data),
                        "--format", "nt"], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    store_args = ["--store", store] + (["--store-path", str(work / f"store-{triples}")] if store == "oxigraph" else [])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen([str(BIN / "cop-graph"), "serve", "--port", str(port), "--no-access-log", *store_args,
                               "--data", str(data)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    result: dict = {"triples": triples, "store": store, "rounds": rounds, "pages": {}}
    try:
        while _get(base + "/sparql?query=ASK%7B%7D", 5)[0] is None:
            if server.poll() is not None or time.perf_counter() - started > timeout:
                sys.exit(f"cop-graph serve did not start: {server.stderr.read().decode()[-500:]}")
            time.sleep(0.5)
        result["ready_s"] = time.perf_counter() - started
        for path, what in WEB_PAGES:
            first, size = _get(base + path, timeout)
            times = [t for t in (_get(base + path, timeout)[0] for _ in range(rounds)) if t is not None]
            page = {"what": what, "first_s": first, "bytes": size, "answered": len(times)}
            if times:
                ordered = sorted(times)
                page.update(p50_s=statistics.median(ordered), p95_s=ordered[max(0, round(0.95 * len(ordered)) - 1)])
            result["pages"][path] = page
            print(f"  {path}: first {first and round(first, 2)} s, p50 {page.get('p50_s', 0):.3f} s, "
                  f"p95 {page.get('p95_s', 0):.3f} s", file=sys.stderr, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return result


def web_markdown(results: list[dict], command: str, timeout: float) -> str:
    lines = [f"Made by `{command}` on {platform.node() or 'this machine'} ({os.cpu_count()} cores, "
             f"Python {platform.python_version()}), {time.strftime('%Y-%m-%d')}, load average "
             f"{os.getloadavg()[0]:.1f} at the end. `cop-graph serve` over HTTP: the first request to a page "
             "builds its drawing (kept in the dataset's memo); the median and 95th percentile are of the "
             f"{results[0]['rounds'] if results else 0} requests after it; the ratio is to the target, "
             f"{TARGET_P95:g} s at the 95th percentile.", ""]
    for r in results:
        lines += [f"**{r['triples']:,} triples, {r['store']} store**; server ready in {r['ready_s']:.1f} s", "",
                  "| page | first request | median | 95th percentile (÷ 1 s) | size |", "|---|---|---|---|---|"]
        for path, p in r["pages"].items():
            shown = path if len(path) < 48 else path[:45] + "…"
            head = f"| {p['what']} (`{shown}`) | {seconds(p['first_s'], timeout)} "
            if not p["answered"]:
                lines.append(head + f"| | | status {p['bytes']} |")
                continue
            lines.append(head + f"| {p['p50_s'] * 1000:.0f} ms | {p['p95_s'] * 1000:.0f} ms "
                         f"({p['p95_s'] / TARGET_P95:.2f}) | {p['bytes'] / 1024:,.0f} KiB |")
        lines.append("")
    return "\n".join(lines).rstrip()


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
            if "empty" in step:
                why = step["empty"].split(": ", 1)[-1]
                lines.append(f"| {name} | 0 | 0 | (empty: {why}) | {step['project_s']:.2f} s "
                             f"| | | {seconds(cli, timeout)} | |")
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
    parser.add_argument("--web", action="store_true", help="Time the explorer's network and resource pages instead.")
    parser.add_argument("--rounds", type=int, default=20, help="With --web: requests per page after the first.")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    projections = args.projections or ["orgs", "topics", "org-topic", "people", "full", "cop"]
    command = command_line("network_bench.py")
    if args.web:
        results = per_size(args.triples, lambda triples, work: bench_web(triples, args.store, args.rounds,
                                                                          args.timeout, work))
        publish(args.out, "network-web", command, web_markdown(results, command.strip(), args.timeout), results)
        return
    results = per_size(args.triples,
                       lambda triples, work: bench_size(triples, args.store, projections, args.timeout, work))
    publish(args.out, "network", command, markdown(results, command.strip(), args.timeout), results)


if __name__ == "__main__":
    main()
