"""Benchmark: project and measure a synthetic COP-shaped graph of 10^4 .. 10^6 triples.

Prints, per size, the seconds for each projection and its measures and the process's
peak memory, with the ratios against the targets (30 s and 4 GB at 10^6 triples).

    python benchmarks/network_bench.py                    # 10^4 and 10^5 triples
    python benchmarks/network_bench.py --triples 1000000  # the target size
    python benchmarks/network_bench.py --store oxigraph   # the graph in an Oxigraph store

With ``--store memory`` (the default) the synthetic triples go straight into rdflib; with
``--store oxigraph`` they are written to a file (``cop-graph generate``) and loaded with the
bundled data into a fresh Oxigraph store, whose load time is printed apart.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from rdflib import Dataset, URIRef

from cop_graph import network, synthetic
from cop_graph.config import load_config
from cop_graph.dataset import CopDataset, SourceFile, load_dataset
from cop_graph.generate import write_synthetic

TARGET_SECONDS = 30.0
TARGET_BYTES = 4 * 1024**3
MEASURES = ("degree", "weighted_degree", "pagerank", "community", "betweenness")


def dataset_of(size: int) -> CopDataset:
    config = load_config()
    loaded = CopDataset(config=config, dataset=Dataset(default_union=True))
    name = URIRef(config.base + "graph/synthetic")
    target = loaded.dataset.graph(name)
    for triple in synthetic.triples(size):
        target.add(triple)
    loaded.files.append(SourceFile(Path("synthetic.ttl"), name, len(target), "", False))
    return loaded


def peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def stored_dataset_of(size: int, work: Path) -> CopDataset:
    data = work / f"synthetic-{size}.nt"
    write_synthetic(size, data, 0, "nt", lambda _: None)
    started = time.perf_counter()
    loaded = load_dataset([data], config=load_config(store="oxigraph", store_path=str(work / "store")))
    print(f"\n{len(loaded):,} triples loaded into an Oxigraph store in {time.perf_counter() - started:.1f} s")
    return loaded


def run(size: int, store: str, work: Path) -> None:
    started = time.perf_counter()
    if store == "oxigraph":
        loaded = stored_dataset_of(size, work)
    else:
        loaded = dataset_of(size)
        print(f"\n{len(loaded):,} triples generated in {time.perf_counter() - started:.1f} s")
    print(f"{'projection':<10} {'nodes':>8} {'edges':>9} {'project s':>10} {'measure s':>10}")
    total = 0.0
    for name in ("orgs", "topics", "org-topic", "full"):
        t0 = time.perf_counter()
        graph = network.projection(loaded, name)
        t1 = time.perf_counter()
        network.measure(graph, MEASURES if name != "full" else ("degree", "pagerank", "component"))
        t2 = time.perf_counter()
        total += t2 - t0
        print(f"{name:<10} {graph.number_of_nodes():>8,} {graph.number_of_edges():>9,} "
              f"{t1 - t0:>10.2f} {t2 - t1:>10.2f}")
    peak = peak_bytes()
    print(f"all projections and measures: {total:.1f} s (ratio to the {TARGET_SECONDS:g} s target: "
          f"{total / TARGET_SECONDS:.2f}); peak memory {peak / 1024**2:,.0f} MiB (ratio to 4 GiB: "
          f"{peak / TARGET_BYTES:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[10**4, 10**5])
    parser.add_argument("--store", choices=["memory", "oxigraph"], default="memory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cop-graph-network-") as work:
        for size in args.triples:
            run(size, args.store, Path(work))


if __name__ == "__main__":
    main()
