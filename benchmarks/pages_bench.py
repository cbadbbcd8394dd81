"""Benchmark: every kind of explorer page, served by ``cop-graph serve`` over HTTP, on the
bundled data and on synthetic data of 10^4, 10^5 and 10^6 triples.

For each size the server is started, and at once:

- every page kind is asked for until it answers (a page whose data is still being
  computed answers 503 "being prepared" within the query time limit); the time until each
  kind first answered 200 is printed;
- meanwhile ``/status`` is asked every 50 ms: its p50, p95 and slowest answer while the
  pages are busy;
- then each page kind is asked ``--rounds`` more times: p50 and p95.

The targets, printed beside the figures with their ratio: p50 under 50 ms per page on the
bundled data; p95 under 1 s for every page kind at 10^6 triples; ``/status`` under 100 ms
while the pages are busy.

    python benchmarks/pages_bench.py [--triples 0 10000 100000 1000000] [--store oxigraph] [--rounds 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from report import command_line, per_size, publish

BIN = Path(sys.executable).parent
BASE = "https://w3id.org/b-tech-cop/"  # the bundled data's base
HTML = {"Accept": "text/html"}
PAGE_P50 = 0.050  # s, bundled data
PAGE_P95 = 1.0  # s, at 10^6 triples
STATUS_P95 = 0.100  # s, while pages are busy

# (kind, URL, status it should answer): one or two URLs per page kind.
PAGES: list[tuple[str, str, int]] = [
    ("home", "/", 200),
    ("classes", "/classes", 200),
    ("class listing", "/classes/cop:Session", 200),
    ("topics", "/topics", 200),
    ("timeline", "/timeline", 200),
    ("timeline of a year", "/timeline?year=2022", 200),
    ("search", "/search?q=telefonica", 200),
    ("network", "/network", 200),
    ("network projection", "/network?projection=org-topic", 200),
    ("neighbourhood", "/network?resource=" + quote(BASE + "topic/remedy", safe=""), 200),
    ("company page", "/org/telefonica", 200),
    ("session page", "/session/2022-05-17", 200),
    ("topic page", "/topic/remedy", 200),
    ("resource as JSON", "/org/telefonica.json", 200),
    ("resource as Turtle", "/org/telefonica.ttl", 200),
    ("source document", "/document/review-2022", 200),
    ("questions", "/queries", 200),
    ("question answered", "/queries/joined-in-year?year=2022", 200),
    ("SPARQL editor", "/sparql", 200),
    ("downloads", "/dumps", 200),
    ("dataset description", "/.well-known/void", 200),
    ("not found", "/org/no-such-company", 404),
]


def get(url: str, timeout: float = 120) -> tuple[float, int]:
    """(seconds, status) of one GET with a browser's Accept header."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=HTML), timeout=timeout) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    except (TimeoutError, urllib.error.URLError, OSError):  # refused, reset, timed out
        status = 0
    return time.perf_counter() - started, status


def quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_s": statistics.median(ordered), "p95_s": ordered[max(0, round(0.95 * len(ordered)) - 1)],
            "max_s": ordered[-1], "n": len(ordered)}


class StatusProbe(threading.Thread):
    """Asks ``/status`` every 50 ms until stopped, keeping each answer's time."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.url, self.times, self.failed = base + "/status", [], 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            elapsed, status = get(self.url, timeout=30)
            if status == 200:
                self.times.append(elapsed)
            else:
                self.failed += 1
            self.stop.wait(0.05)


def measure(triples: int, store: str, rounds: int, work: Path) -> dict:
    data: list[str] = []
    if triples:
        path = work / f"cop-{triples}.nt"
        subprocess.run([str(BIN / "cop-graph"), "generate", "--triples", str(triples), "-o", str(path),
                        "--format", "nt"], check=True, capture_output=True)
        data = ["--data", str(path)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    store_args = ["--store", store] + (["--store-path", str(work / f"store-{triples}")] if store == "oxigraph" else [])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen([str(BIN / "cop-graph"), "serve", "--port", str(port), "--no-access-log",
                               *store_args, *data], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    result: dict = {"triples": triples, "store": store, "rounds": rounds, "pages": {}}
    try:
        while get(base + "/status", 5)[1] != 200:
            if server.poll() is not None or time.perf_counter() - started > 900:
                sys.exit(f"cop-graph serve did not start: {server.stderr.read().decode()[-500:]}")
            time.sleep(0.2)
        ready = time.perf_counter()
        result["ready_s"] = ready - started
        probe = StatusProbe(base)
        probe.start()
        waiting = {kind: (url, expected) for kind, url, expected in PAGES}
        first: dict[str, dict] = {}
        while waiting:  # the busy phase: every kind asked for until it answers
            for kind, (url, expected) in list(waiting.items()):
                elapsed, status = get(base + url)
                entry = first.setdefault(kind, {"first_s": elapsed, "first_status": status, "preparing": 0})
                if status == 503:
                    entry["preparing"] += 1
                elif status == expected:
                    entry["answered_after_s"] = time.perf_counter() - ready
                    del waiting[kind]
                else:
                    sys.exit(f"{url} answered {status}, not {expected}")
            if time.perf_counter() - ready > 1800:
                sys.exit(f"never answered: {', '.join(waiting)}")
        probe.stop.set()
        probe.join()
        result["status_busy"] = quantiles(probe.times) | {"failed": probe.failed}
        result["busy_s"] = time.perf_counter() - ready
        for kind, url, expected in PAGES:  # steady: what a visitor meets from then on
            times = []
            for _ in range(rounds):
                elapsed, status = get(base + url)
                if status != expected:
                    sys.exit(f"{url} answered {status}, not {expected}")
                times.append(elapsed)
            result["pages"][kind] = {"url": url, **first[kind], **quantiles(times)}
        print(f"  ready in {result['ready_s']:.1f} s; every page answering after {result['busy_s']:.1f} s; "
              f"/status p95 {result['status_busy']['p95_s'] * 1000:.1f} ms meanwhile", file=sys.stderr, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return result


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def size_name(triples: int) -> str:
    return "bundled" if not triples else f"10^{len(str(triples)) - 1}" if str(triples).strip("0") == "1" \
        else f"{triples:,}"


def ratio(page: dict | None, figure: str, target: float) -> str:
    return f"{page[figure] / target:.2f}x" if page else "-"


def markdown(results: list[dict], command: str) -> str:
    sizes = [size_name(r["triples"]) for r in results]
    lines = [f"# Explorer pages, served over HTTP (`{command}`)", "",
             "p50 / p95 in ms over the steady requests, after every page kind has answered once. "
             "Targets: p50 < 50 ms on the bundled data; p95 < 1,000 ms at 10^6 triples.", "",
             "| page | " + " | ".join(sizes) + " | bundled p50 vs 50 ms | 10^6 p95 vs 1 s |",
             "|---|" + "---|" * len(sizes) + "---|---|"]
    by_size = {size_name(r["triples"]): r for r in results}
    for kind, url, _ in PAGES:
        cells = [f"{r['pages'][kind]['p50_s'] * 1000:.1f} / {r['pages'][kind]['p95_s'] * 1000:.1f}" for r in results]
        bundled = by_size.get("bundled", {}).get("pages", {}).get(kind)
        big = by_size.get("10^6", {}).get("pages", {}).get(kind)
        lines.append(f"| {kind} (`{url[:40]}`) | " + " | ".join(cells)
                     + f" | {ratio(bundled, 'p50_s', PAGE_P50)} | {ratio(big, 'p95_s', PAGE_P95)} |")
    lines += ["", "While the pages were being prepared (the first requests after the server started):", "",
              "| data | store | server ready | every page answering after | pages still being prepared "
              "(503 answers) | slowest first answer | /status p50 / p95 / max | /status p95 vs 100 ms |",
              "|---|---|---|---|---|---|---|---|"]
    for r in results:
        status = r["status_busy"]
        preparing = sum(p["preparing"] for p in r["pages"].values())
        slowest = max(r["pages"].items(), key=lambda item: item[1]["first_s"])
        lines.append(f"| {size_name(r['triples'])} | {r['store']} | {r['ready_s']:.1f} s | {r['busy_s']:.1f} s | "
                     f"{preparing} | {slowest[0]}: {slowest[1]['first_s'] * 1000:.0f} ms | "
                     f"{status['p50_s'] * 1000:.1f} / {status['p95_s'] * 1000:.1f} / {status['max_s'] * 1000:.1f} ms"
                     f" | {status['p95_s'] / STATUS_P95:.2f}x |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[0, 10_000, 100_000, 1_000_000],
                        help="sizes of synthetic data added to the bundled data (0: the bundled data alone)")
    parser.add_argument("--store", default="oxigraph", choices=["memory", "oxigraph"])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    results = per_size(args.triples, lambda triples, work: measure(triples, args.store, args.rounds, work))
    publish(args.out, "pages", command_line("pages_bench.py"), markdown(results, command_line("pages_bench.py")),
            results)


if __name__ == "__main__":
    main()
