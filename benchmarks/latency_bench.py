"""First-time query latency: `cop-graph serve` (/sparql, the default store in memory) against
`oxigraph serve-read-only` on the same synthetic COP-shaped data, each query text sent for the
first time (a counter in a comment keeps either side from answering from a cache).

    python benchmarks/latency_bench.py --triples 100000 1000000 --rounds 9

Six kinds of query (point lookup, join, GROUP BY, FILTER over labels, ORDER BY, OPTIONAL);
per kind the median of ``--rounds`` requests on each side and their ratio (ours ÷ oxigraph),
then the median ratio over the kinds, and apart from it a repeated text (our answer cache).
Results in benchmarks/results/latency.{md,json}.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import subprocess
import time
import urllib.parse
from pathlib import Path

from report import command_line, per_size, publish
from stores_bench import free_port, get, server, tool

from cop_graph.config import CANONICAL_BASE
from cop_graph.store.text import DECLARED

OUT = Path(__file__).parent / "results"
B = CANONICAL_BASE
QUERIES = {
    "point lookup": f"SELECT ?p ?o WHERE {{ <{B}org/synthetic-1> ?p ?o }}",
    "join": "SELECT ?org ?name ?c WHERE { ?m org:member ?org ; org:organization ?c . ?org rdfs:label ?name . "
            "?c a org:OrganizationalCollaboration }",
    "GROUP BY": "SELECT ?c (COUNT(DISTINCT ?org) AS ?n) WHERE { ?m org:member ?org ; org:organization ?c } GROUP BY ?c",
    "FILTER over labels": 'SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), "session 1")) }',
    "ORDER BY": "SELECT ?s ?l WHERE { ?s a schema:Event ; rdfs:label ?l } ORDER BY ?l LIMIT 100",
    "OPTIONAL": "SELECT ?s ?l ?d WHERE { ?s rdfs:label ?l OPTIONAL { ?s schema:startDate ?d } } LIMIT 1000",
}
JSON = "application/sparql-results+json"
_COUNTER = itertools.count()


def timed(url: str) -> float:
    started = time.perf_counter()
    get(url, JSON, timeout=300)
    return (time.perf_counter() - started) * 1000


def first_time(endpoint: str, text: str, rounds: int) -> float:
    """Median milliseconds of ``rounds`` requests, each a text neither side has seen."""
    return statistics.median(timed(f"{endpoint}?{urllib.parse.urlencode({'query': f'{text} # {next(_COUNTER)}'})}")
                             for _ in range(rounds))


def measure(triples: int, work: Path, rounds: int) -> dict:
    data = work / f"synthetic-{triples}.nt"
    subprocess.run([tool("cop-graph"), "generate", "--triples", str(triples), "-o", str(data), "--format", "nt"],
                   check=True, capture_output=True)
    location = work / f"oxigraph-{triples}"
    subprocess.run([tool("oxigraph"), "load", "--location", str(location), "--file", str(data)],
                   check=True, capture_output=True)
    ours, theirs = free_port(), free_port()
    ours_url, theirs_url = f"http://127.0.0.1:{ours}/sparql", f"http://127.0.0.1:{theirs}/query"
    ours_argv = [tool("cop-graph"), "serve", "--port", str(ours), "--data", str(data)]
    theirs_argv = [tool("oxigraph"), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{theirs}"]
    with server(ours_argv, ours_url + "?query=ASK%7B%7D"), server(theirs_argv, theirs_url + "?query=ASK%7B%7D"):
        rows = []
        for kind, text in QUERIES.items():
            mine = first_time(ours_url, text, rounds)
            reference = first_time(theirs_url, DECLARED + text, rounds)  # oxigraph serve knows no default prefixes
            rows.append({"query": kind, "ours_ms": round(mine, 2), "oxigraph_ms": round(reference, 2),
                         "ratio": round(mine / reference, 3)})
        repeated = f"{QUERIES['join']} # repeated"
        url = f"{ours_url}?{urllib.parse.urlencode({'query': repeated})}"
        timed(url)
        cached = statistics.median(timed(url) for _ in range(rounds))
    return {"triples": triples, "queries": rows, "median_ratio": round(statistics.median(r["ratio"] for r in rows), 3),
            "cached_ms": round(cached, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    results = per_size(args.triples, lambda triples, work: measure(triples, work, args.rounds))
    version = subprocess.run([tool("oxigraph"), "--version"], capture_output=True, text=True).stdout.strip()
    lines = [f"First-time query texts, median of {args.rounds}, ours (/sparql, memory store) ÷ {version} "
             "(serve-read-only), same data", "",
             "| triples | query | /sparql ms | oxigraph ms | ratio |", "|---|---|---|---|---|"]
    for result in results:
        for row in result["queries"]:
            lines.append(f"| {result['triples']:,} | {row['query']} | {row['ours_ms']} | {row['oxigraph_ms']} | "
                         f"{row['ratio']}x |")
        lines.append(f"| {result['triples']:,} | **median ratio** | | | **{result['median_ratio']}x** |")
    lines += ["", "Repeated text (our answer cache): " + ", ".join(
        f"{r['triples']:,} triples {r['cached_ms']} ms" for r in results)]
    publish(OUT, "latency", command_line("latency_bench.py"), "\n".join(lines), results)


if __name__ == "__main__":
    main()
