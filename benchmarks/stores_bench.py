"""The stores side by side with `oxigraph serve`, on the synthetic COP-shaped graph.

For each size: generate the data; load it into each of our stores (time and peak memory)
and, with `oxigraph load`, into a reference Oxigraph; start `cop-graph serve` on each
store and `oxigraph serve-read-only` on the reference; then send every named query
(with its default values, written out as VALUES) to both endpoints and compare the
median latencies, time resource pages, and measure /sparql throughput under concurrent
clients. Everything runs on 127.0.0.1 in one run, so the ratios compare like with like.

    python benchmarks/stores_bench.py --triples 10000 100000 --stores memory oxigraph

Results are printed and written to benchmarks/results/stores.{md,json}.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from report import command_line, per_size, publish

from cop_graph.config import CANONICAL_BASE, load_config
from cop_graph.sparql.library import load_library
from cop_graph.store.dataset import load_dataset
from cop_graph.store.text import store_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
JSON = "application/sparql-results+json"


def tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name) or sys.exit(f"{name} is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed_child(argv: list[str], env: dict | None = None) -> tuple[float, float]:
    """Run a command; its wall time in seconds and its peak memory in MiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        sys.exit(f"{' '.join(argv)} failed: {proc.stderr.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def get(url: str, accept: str = JSON, timeout: float = 120) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


@contextmanager
def server(argv: list[str], probe: str, env: dict | None = None):
    """Start a server, yield (seconds until it answered, process), stop it."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        while True:
            try:
                get(probe, timeout=5)
                break
            except OSError:
                if proc.poll() is not None:
                    sys.exit(f"{argv[0]} exited: {proc.stderr.read().decode()[-500:]}")
                time.sleep(0.02)
        yield time.perf_counter() - started, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def peak_memory_mib(pid: int) -> float:
    """Peak resident memory of a process and its children (the query workers)."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for each in pids:
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except OSError:
            continue
        line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), None)
        total += int(line.split()[1]) / 1024 if line else 0
    return total


def median_ms(url: str, rounds: int, timeout: float) -> tuple[float | None, float | None]:
    """(first request, median of the following ones) in milliseconds; None where a request
    failed or outlasted ``timeout``, so one slow query does not sink the whole run."""
    times = []
    for _ in range(rounds + 1):
        started = time.perf_counter()
        try:
            get(url, timeout=timeout)
        except (OSError, urllib.error.HTTPError) as error:
            print(f"  no answer in {timeout:.0f} s or failed ({error}): {url[:100]}", file=sys.stderr)
            return (times[0] if times else None), None
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times[1:])


def throughput(urls: list[str], clients: int, seconds: float, timeout: float) -> tuple[float, int]:
    """(answers per second, failed requests) with ``clients`` concurrent clients cycling
    through ``urls``; the clock runs until the last request in flight has finished."""
    started = time.perf_counter()
    deadline = started + seconds

    def client(offset: int) -> tuple[int, int]:
        done = failed = 0
        while time.perf_counter() < deadline:
            try:
                get(urls[(offset + done + failed) % len(urls)], timeout=timeout)
                done += 1
            except (OSError, urllib.error.HTTPError):
                failed += 1
        return done, failed

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        counts = list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - started
    return sum(d for d, _ in counts) / elapsed, sum(f for _, f in counts)


def query_texts() -> dict[str, str]:
    """Every named query with its default values written out, as a client would send it."""
    library = load_library(ROOT / "queries")
    return {name: store_text(q.text, q.bindings({}, CANONICAL_BASE), declare=True)
            for name, q in sorted(library.items())}


def bench_size(triples: int, stores: list[str], rounds: int, clients: int, seconds: float, timeout: float,
               memory_up_to: int, work: Path) -> dict:
    data = work / f"cop-{triples}.nt"
    subprocess.run([tool("cop-graph"), "generate", "--triples", str(triples), "-o", str(data), "--format", "nt"],
                   check=True, capture_output=True)
    result: dict = {"triples": triples, "stores": {}}
    bundled = load_dataset(config=load_config(store="memory"))
    reference = work / f"reference-{triples}"
    for source in bundled.files:
        subprocess.run([tool("oxigraph"), "load", "--location", str(reference), "--file", str(source.path),
                        "--graph", str(source.graph)], check=True, capture_output=True)
    load_s, load_mib = timed_child([tool("oxigraph"), "load", "--location", str(reference), "--file", str(data),
                                    "--graph", data.resolve().as_uri()])
    result["reference"] = {"load_s": load_s, "load_peak_mib": load_mib}
    texts = query_texts()
    port = free_port()
    ref_url = f"http://127.0.0.1:{port}/query"
    with server([tool("oxigraph"), "serve-read-only", "--location", str(reference), "--bind", f"127.0.0.1:{port}",
                 "--union-default-graph"], ref_url + "?query=ASK%7B%7D") as (_, _ref):
        reference_ms = {name: median_ms(f"{ref_url}?query={urllib.parse.quote(text)}", rounds, timeout)
                        for name, text in texts.items()}
        light = [name for name, (_, warm) in reference_ms.items() if warm is not None]
        ref_urls = [f"{ref_url}?query={urllib.parse.quote(texts[name])}" for name in light]
        result["reference"]["throughput_rps"], result["reference"]["throughput_failed"] = throughput(
            ref_urls, clients, seconds, timeout)
    result["reference"]["queries_ms"] = reference_ms
    env = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    env["COP_GRAPH_QUERY_TIMEOUT"] = str(timeout)  # the same patience as the reference gets
    for store in stores:
        if store == "memory" and triples > memory_up_to:
            print(f"  memory store skipped above {memory_up_to:,} triples (--memory-up-to)", file=sys.stderr)
            continue
        options = ["--store", store, "--data", str(data)]
        if store == "oxigraph":
            options += ["--store-path", str(work / f"store-{triples}")]
        if store == "sparql":
            continue  # measured against the reference itself: see docs/stores.md
        load_s, load_mib = timed_child([tool("cop-graph"), "query", "-e", "ASK {}", *options], env)
        entry: dict = {"load_s": load_s, "load_peak_mib": load_mib}
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with server([tool("cop-graph"), "serve", "--port", str(port), "--workers", "2", *options],
                    url + "/status", env) as (ready_s, proc):
            status = json.loads(get(url + "/status"))
            entry.update(ready_s=ready_s, files_parsed_at_start=status["files_parsed"])
            ours = {name: median_ms(f"{url}/sparql?query={urllib.parse.quote(text)}", rounds, timeout)
                    for name, text in texts.items()}
            entry["queries_ms"] = ours
            resources = json.loads(get(f"{url}/sparql?query=" + urllib.parse.quote(
                "SELECT ?s WHERE { ?s a <https://schema.org/Corporation> } ORDER BY ?s LIMIT 40")))
            pages = [b["s"]["value"] for b in resources["results"]["bindings"]]
            page_ms = []
            for iri in pages:
                started = time.perf_counter()
                get(f"{url}/resource?iri={urllib.parse.quote(iri)}", accept="text/html")
                page_ms.append((time.perf_counter() - started) * 1000)
            entry["resource_page_p50_ms"] = statistics.median(page_ms) if page_ms else None
            our_urls = [f"{url}/sparql?query={urllib.parse.quote(texts[name])}" for name in light]
            entry["throughput_rps"], entry["throughput_failed"] = throughput(our_urls, clients, seconds, timeout)
            entry["serving_peak_mib"] = peak_memory_mib(proc.pid)
        result["stores"][store] = entry
    return result


def ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}x" if ours is not None and theirs else "-"


def ms(value: float | None, timeout: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if value is not None else f"> {timeout:.0f} s"


def summary(ours: dict, theirs: dict, which: int) -> tuple[float | None, float | None]:
    """Median over the named queries both sides answered (``which``: 0 first request, 1 warm)."""
    both = [name for name in theirs if theirs[name][which] is not None and ours[name][which] is not None]
    if not both:
        return None, None
    return (statistics.median(ours[name][which] for name in both),
            statistics.median(theirs[name][which] for name in both))


def markdown(results: list[dict], command: str, timeout: float) -> str:
    lines = [f"Made by `{command}` on {platform.node() or 'this machine'} "
             f"({os.cpu_count()} cores, Python {platform.python_version()}), "
             f"{time.strftime('%Y-%m-%d')}. Ratios are ours ÷ `oxigraph serve` in the same run; medians are "
             f"over the named queries both answered within {timeout:.0f} s.", ""]
    for result in results:
        ref = result["reference"]
        lines += [f"### {result['triples']:,} triples", "",
                  "| store | load | load ÷ `oxigraph load` | load peak | serve ready | files parsed at start "
                  "| /sparql median, warm (÷ oxigraph) | first request (÷ oxigraph) | resource page p50 "
                  "| throughput (÷ oxigraph) | serving peak |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for store, entry in result["stores"].items():
            warm, ref_warm = summary(entry["queries_ms"], ref["queries_ms"], 1)
            first, ref_first = summary(entry["queries_ms"], ref["queries_ms"], 0)
            page = entry["resource_page_p50_ms"]
            lines.append(
                f"| {store} | {entry['load_s']:.2f} s | {ratio(entry['load_s'], ref['load_s'])} "
                f"| {entry['load_peak_mib']:.0f} MiB | {entry['ready_s']:.2f} s | {entry['files_parsed_at_start']} "
                f"| {ms(warm, timeout)} ms ({ratio(warm, ref_warm)}) | {ms(first, timeout, 1)} ms "
                f"({ratio(first, ref_first)}) | {ms(page, timeout, 1)} ms | {entry['throughput_rps']:.0f}/s "
                f"({ratio(entry['throughput_rps'], ref['throughput_rps'])}) | {entry['serving_peak_mib']:.0f} MiB |")
        mine = result["stores"].get("oxigraph") or next(iter(result["stores"].values()))
        warm, ref_warm = summary(mine["queries_ms"], ref["queries_ms"], 1)
        first, ref_first = summary(mine["queries_ms"], ref["queries_ms"], 0)
        lines.append(f"| `oxigraph serve` | {ref['load_s']:.2f} s | 1.00x | {ref['load_peak_mib']:.0f} MiB | - | - "
                     f"| {ms(ref_warm, timeout)} ms | {ms(ref_first, timeout, 1)} ms | - "
                     f"| {ref['throughput_rps']:.0f}/s | - |")
        lines += ["", "Per named query, median warm / first request in ms (ours on the oxigraph store ÷ "
                  "`oxigraph serve`):", "", "| query | oxigraph store | `oxigraph serve` | ratio warm | ratio first |",
                  "|---|---|---|---|---|"]
        for name, (first_ref, warm_ref) in ref["queries_ms"].items():
            first_ours, warm_ours = mine["queries_ms"][name]
            lines.append(f"| {name} | {ms(warm_ours, timeout)} / {ms(first_ours, timeout, 1)} "
                         f"| {ms(warm_ref, timeout)} / {ms(first_ref, timeout, 1)} "
                         f"| {ratio(warm_ours, warm_ref)} | {ratio(first_ours, first_ref)} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--stores", nargs="+", default=["memory", "oxigraph"], choices=["memory", "oxigraph"])
    parser.add_argument("--rounds", type=int, default=5, help="Timed requests per query after the first.")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients for the throughput test.")
    parser.add_argument("--seconds", type=float, default=5.0, help="Length of the throughput test.")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="Seconds a request may take before it is recorded as unanswered.")
    parser.add_argument("--memory-up-to", type=int, default=100_000,
                        help="Largest size the in-memory store is measured at (it needs minutes at 10^6).")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    command = command_line("stores_bench.py")
    results = per_size(args.triples, lambda triples, work: bench_size(
        triples, args.stores, args.rounds, args.clients, args.seconds, args.timeout, args.memory_up_to, work))
    publish(args.out, "stores", command, markdown(results, command.strip(), args.timeout), results)

if __name__ == "__main__":
    main()
