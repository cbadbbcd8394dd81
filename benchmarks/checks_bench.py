"""What the safety checks cost a query: :func:`cop_graph.sparql.prepare.prepare` (size,
nesting, read-only, SERVICE allowlist, the graphs FROM names) on each query text, beside
what Oxigraph takes to parse the same text (on an empty store: nothing to evaluate).

    python benchmarks/checks_bench.py --rounds 9

Three sets of texts: the small queries of the latency benchmark, the project's named
queries (``queries/``), and every query of the W3C SPARQL 1.0/1.1 test suites in the
repository (``tests/w3c/sparql``; syntax tests included, the texts that fail a check too).
Per set: the median and the 99th percentile over the texts of each text's median time,
and the target (the checks add under 0.5 ms to a small query). Results in
benchmarks/results/checks.{md,json}.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from latency_bench import QUERIES
from report import command_line, publish

from cop_graph.config import load_config
from cop_graph.errors import CopGraphError
from cop_graph.rdf.namespaces import PREFIXES
from cop_graph.sparql.library import load_library
from cop_graph.sparql.prepare import prepare

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).parent / "results"
TARGET_MS = 0.5
EMPTY = ox.Store()  # Oxigraph parses a text here, with nothing to evaluate it on
DECLARED = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def texts() -> dict[str, list[str]]:
    suite = sorted((ROOT / "tests" / "w3c" / "sparql").rglob("*.rq"))
    return {
        "latency benchmark's queries": list(QUERIES.values()),
        "named queries": [q.text for q in load_library(ROOT / "queries").values()],
        "W3C query suites": [p.read_text(encoding="utf-8", errors="replace") for p in suite],
    }


def timed(work: Callable[[], object], rounds: int) -> float:
    """Median milliseconds of ``rounds`` runs; a refusal counts as a run (it is the answer)."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        with contextlib.suppress(CopGraphError, SyntaxError, RuntimeError, ValueError):
            work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    config = load_config()
    results = []
    for name, queries in texts().items():
        checks = [timed(lambda t=t: prepare(t, config.service_allowlist, config.max_query_bytes), args.rounds)
                  for t in queries]
        parses = [timed(lambda t=t: EMPTY.query(t, prefixes=DECLARED), args.rounds) for t in queries]
        results.append({"texts": name, "count": len(queries),
                        "checks_median_ms": round(statistics.median(checks), 4),
                        "checks_p99_ms": round(percentile(checks, 0.99), 4),
                        "checks_max_ms": round(max(checks), 4),
                        "oxigraph_parse_median_ms": round(statistics.median(parses), 4),
                        "ratio": round(statistics.median(checks) / statistics.median(parses), 3)})
    lines = [f"The checks on each query text (median of {args.rounds} runs per text) beside Oxigraph's parse "
             f"of the same text; target: under {TARGET_MS} ms on a small query", "",
             "| texts | count | checks median ms | checks p99 ms | checks max ms | Oxigraph parse median ms | "
             "checks ÷ parse |", "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['texts']} | {r['count']} | {r['checks_median_ms']} | {r['checks_p99_ms']} | "
                     f"{r['checks_max_ms']} | {r['oxigraph_parse_median_ms']} | {r['ratio']}x |")
    small = results[0]
    lines += ["", f"Small queries: {small['checks_p99_ms']} ms at the 99th percentile, "
                  f"{'under' if small['checks_p99_ms'] < TARGET_MS else 'OVER'} the target of {TARGET_MS} ms"]
    publish(OUT, "checks", command_line("checks_bench.py"), "\n".join(lines), results)


if __name__ == "__main__":
    main()
