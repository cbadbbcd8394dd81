"""Benchmark: how fast the explorer renders its pages on the shipped data.

Renders every resource page (each IRI under the base that is the subject of a statement)
and the other pages through the app in-process (no HTTP), after one warm-up pass, and
prints the median and 95th percentile per kind of page with the ratio to the targets:
median under 50 ms for resource pages, under 200 ms for the whole-network view.

    python benchmarks/pages_bench.py [--rounds 5] [--data EXTRA.ttl ...]
"""

from __future__ import annotations

import argparse
import statistics
import time

from rdflib import URIRef

from cop_graph.config import load_config
from cop_graph.web import create_app
from cop_graph.web.links import local_path, reserved_segments

TARGETS = {"resource": 0.050, "network": 0.200}
HTML = {"Accept": "text/html"}


def timed(client, url: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.data[:200]!r}")
    return elapsed


def pages(app) -> dict[str, list[str]]:
    loaded = app.extensions["cop_dataset"]
    base = loaded.config.base
    subjects = sorted({str(s) for s in loaded.dataset.subjects() if isinstance(s, URIRef) and str(s).startswith(base)})
    reserved = reserved_segments(app)
    resources = ["/" + p for p in (local_path(s, base, reserved) for s in subjects) if p]
    return {
        "resource": resources,
        "resource (json)": [r + ".json" for r in resources[:50]],
        "resource (turtle)": [r + ".ttl" for r in resources[:50]],
        "home": ["/"], "classes": ["/classes", "/classes/org:Membership", "/classes/cop:Session?sort=date"],
        "topics": ["/topics"], "timeline": ["/timeline"], "search": ["/search?q=telefonica", "/search?q=remedy"],
        "network": ["/network"], "neighbourhood": ["/network?resource=" + base + "org/telefonica"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", action="append", default=[])
    args = parser.parse_args()
    started = time.perf_counter()
    app = create_app(load_config(workers=0), data=args.data)
    print(f"app ready in {time.perf_counter() - started:.2f} s")
    client = app.test_client()
    kinds = pages(app)
    for urls in kinds.values():  # warm-up: caches filled once per dataset version, as in a server
        for url in urls:
            timed(client, url, HTML)
    print(f"{'page':<18} {'pages':>6} {'median ms':>10} {'p95 ms':>8}  target")
    for kind, urls in kinds.items():
        samples = sorted(timed(client, url, HTML) for _ in range(args.rounds) for url in urls)
        median = statistics.median(samples)
        p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
        target = TARGETS.get(kind)
        verdict = f"{target * 1000:.0f} ms, ratio {median / target:.2f}" if target else ""
        print(f"{kind:<18} {len(urls):>6} {median * 1000:>10.1f} {p95 * 1000:>8.1f}  {verdict}")


if __name__ == "__main__":
    main()
