"""Load test of `cop-graph serve` (waitress and the query workers) on 127.0.0.1 with locust.

1. Ramp: light traffic (benchmarks/locustfile.py ``Reader``: pages, search, a named query,
   small SPARQL queries) at each number of users in ``--levels``, ``--seconds`` each.
2. Soak: the light traffic of the first level again, with ``--hostile`` users of one abusive
   client (another loopback address) sending queries that run until the time limit, each
   one different so no cache helps. Meanwhile a third client sends a small query the cache
   has never seen, once a second.
3. After: a fresh small query must be answered (the workers recovered).

Prints, per kind of request, the requests, errors, p50 and p99 in ms and requests per
second; for the soak, the light traffic's p50 and p99 against the ramp's at the same number
of users. Results are written to ``--out``/load.{md,json}.

    python benchmarks/load_bench.py                      # the documented run, a few minutes
    python benchmarks/load_bench.py --levels 2 4 --seconds 5 --soak-seconds 10 --query-timeout 2
"""

from __future__ import annotations

import argparse
import csv
import http.client
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from report import command_line, publish
from stores_bench import free_port, server, tool

HERE = Path(__file__).resolve().parent
LIGHT_KINDS = ("page", "search", "named query", "light query")
PROBE_ADDRESS = "127.0.0.3"


def locust(url: str, users: int, seconds: float, classes: list[str], hostile: int, work: Path) -> dict[str, dict]:
    """One headless locust run; its statistics per kind of request."""
    prefix = work / f"run-{users}-{hostile}-{time.monotonic_ns()}"
    env = {**os.environ, "COP_LOAD_HOSTILE": str(hostile)}
    argv = [tool("locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--host", url,
            "--users", str(users + hostile), "--spawn-rate", str(users + hostile), "--run-time", f"{seconds:g}s",
            "--stop-timeout", "0", "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR", *classes]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=seconds + 120)
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        sys.exit(f"locust did not run: {proc.stderr[-800:]}")
    kinds = {}
    with stats.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated" or not row["Request Count"]:
                continue
            kinds[row["Name"]] = {"requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
                                  "p50_ms": float(row["50%"]), "p99_ms": float(row["99%"]),
                                  "rps": round(float(row["Requests/s"]), 1)}
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                kinds.setdefault(row["Name"], {}).setdefault("failures", []).append(
                    f"{row['Occurrences']} x {row['Error'][:160]}")
    return kinds


def get(url: str, timeout: float = 60, source: str | None = None) -> int:
    """A GET's status; from ``source``, a loopback address of a client of its own."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                            source_address=(source, 0) if source else None)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def fresh_query(url: str, n: int) -> str:
    """A small query no cache has seen."""
    query = f"SELECT ?s WHERE {{ ?s a <http://www.w3.org/ns/org#Organization> }} LIMIT {n + 1}"
    return url + "/sparql?" + urllib.parse.urlencode({"query": query})


def probe(url: str, stop: threading.Event, seen: list[int]) -> None:
    n = 1_000_000
    while not stop.wait(1.0):
        n += 1
        seen.append(get(fresh_query(url, n), source=PROBE_ADDRESS))


def table(title: str, kinds: dict[str, dict]) -> list[str]:
    lines = [f"### {title}", "", "| requests of | count | errors | p50 ms | p99 ms | per s |",
             "|---|---|---|---|---|---|"]
    for name in sorted(kinds):
        k = kinds[name]
        lines.append(f"| {name} | {k.get('requests', 0):,} | {k.get('errors', 0):,} | {k.get('p50_ms', 0):g} | "
                     f"{k.get('p99_ms', 0):g} | {k.get('rps', 0):g} |")
        lines += [f"|   {failure} | | | | | |" for failure in k.get("failures", [])]
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[2, 4, 8, 16], help="Light users per ramp step.")
    parser.add_argument("--seconds", type=float, default=30.0, help="Length of each ramp step.")
    parser.add_argument("--soak-seconds", type=float, default=120.0)
    parser.add_argument("--hostile", type=int, default=4, help="Users sending runaway queries in the soak.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--query-timeout", type=float, default=10.0)
    parser.add_argument("--store", choices=["memory", "oxigraph"], default="memory")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    with tempfile.TemporaryDirectory(prefix="cop-graph-load-") as folder:
        work = Path(folder)
        argv = [tool("cop-graph"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers",
                str(args.workers), "--query-timeout", f"{args.query_timeout:g}", "--store", args.store]
        if args.store == "oxigraph":
            argv += ["--store-path", str(work / "store")]
        with server(argv, url + "/sparql?query=ASK%7B%7D", env):
            for users in args.levels[:1]:  # warm the pages and the answers every run shares
                locust(url, users, 3, ["Reader"], 0, work)
            ramp = []
            for users in args.levels:
                print(f"ramp: {users} users for {args.seconds:g} s …", file=sys.stderr, flush=True)
                ramp.append({"users": users, "kinds": locust(url, users, args.seconds, ["Reader"], 0, work)})
            print(f"soak: {args.levels[0]} users and {args.hostile} hostile for {args.soak_seconds:g} s …",
                  file=sys.stderr, flush=True)
            stop, seen = threading.Event(), []
            prober = threading.Thread(target=probe, args=(url, stop, seen), daemon=True)
            prober.start()
            soak = locust(url, args.levels[0], args.soak_seconds, ["Reader", "Hostile"], args.hostile, work)
            stop.set()
            prober.join()
            time.sleep(args.query_timeout + 3)  # the last runaway queries end
            after = get(fresh_query(url, 0))

    base = ramp[0]["kinds"]
    ratios = {k: {"p50": round(soak[k]["p50_ms"] / max(base[k]["p50_ms"], 1), 2),
                  "p99": round(soak[k]["p99_ms"] / max(base[k]["p99_ms"], 1), 2)}
              for k in LIGHT_KINDS if k in soak and k in base}
    results = {"ramp": ramp, "soak": {"users": args.levels[0], "hostile": args.hostile, "kinds": soak,
                                      "light_ratio_to_ramp": ratios,
                                      "fresh_probe": {"answered": seen.count(200),
                                                      "refused": len(seen) - seen.count(200),
                                                      "statuses": sorted(set(seen))}},
               "after": after, "settings": {"workers": args.workers, "query_timeout": args.query_timeout,
                                            "store": args.store},
               "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    lines = ["## Load test", "", f"`{command_line('load_bench.py')}` — {results['machine']}, "
             f"{args.workers} query workers, time limit {args.query_timeout:g} s, {args.store} store.", ""]
    for step in ramp:
        lines += table(f"{step['users']} users, light traffic", step["kinds"])
    lines += table(f"Soak: {args.levels[0]} users and {args.hostile} sending runaway queries", soak)
    lines += ["Light traffic in the soak against the ramp at the same users (p50, p99): "
              + ", ".join(f"{k} x{v['p50']:g}, x{v['p99']:g}" for k, v in ratios.items()) + ".", "",
              f"A small query no cache had seen, sent once a second from a third client during the soak: "
              f"{results['soak']['fresh_probe']['answered']} answered, {results['soak']['fresh_probe']['refused']} "
              f"refused ({', '.join(map(str, results['soak']['fresh_probe']['statuses'])) or 'none sent'}).", "",
              f"After the soak a fresh query got {after}."]
    publish(args.out, "load", command_line("load_bench.py"), "\n".join(lines), [results])


if __name__ == "__main__":
    main()
