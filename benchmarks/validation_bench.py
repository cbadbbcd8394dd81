"""SHACL validation on the synthetic COP-shaped graph: plain pyshacl against ours, cold and warm.

For each size: generate the data plus a small extra file; then time, each in its own process,
- plain pyshacl: the files parsed into one rdflib graph, then ``pyshacl.validate`` with the
  bundled shapes (advanced, no inference), as a user would run it;
- ours, the validation step alone (``validate`` without a cache, data already loaded);
- ``cop-graph validate`` end to end: cold (empty cache), warm (nothing changed), and warm
  after the small file is edited (its one label changed).

    python benchmarks/validation_bench.py --triples 10000 100000 --store oxigraph

Results are printed and written to benchmarks/results/validation.{md,json}.
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
FINISHED = (0, 1)  # 1: the data has violations, a finished run

EDIT = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
<https://w3id.org/b-tech-cop/org/edited> a schema:Corporation ; rdfs:label "Edited {n}" .
"""

PLAIN = """
import json, sys, time
from pyshacl import validate
from rdflib import Graph
from cop_graph.config import load_config
from cop_graph.store.dataset import load_dataset
config = load_config(store="memory")
files = [s.path for s in load_dataset(config=config).files] + [__import__("pathlib").Path(p) for p in sys.argv[1:]]
started = time.perf_counter()
graph = Graph()
for path in files:
    graph.parse(path, format="nt" if path.suffix == ".nt" else "turtle")
parsed = time.perf_counter()
shapes = Graph().parse(config.shapes_file)
validate(graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
print(json.dumps({"parse_s": parsed - started, "validate_s": time.perf_counter() - parsed}))
"""

OURS = """
import json, sys, time
from cop_graph.config import load_config
from cop_graph.store.dataset import load_dataset
from cop_graph.validation.validate import validate
loaded = load_dataset(sys.argv[1:], config=load_config())
started = time.perf_counter()
report = validate(loaded)
print(json.dumps({"validate_s": time.perf_counter() - started, "results": len(report.results)}))
"""


def bench_size(triples: int, store: str, timeout: float, work: Path) -> dict:
    data = work / f"cop-{triples}.nt"
    subprocess.run([str(BIN / "cop-graph"), "generate", "--triples", str(triples), "-o", str(data), "--format", "nt"],
                   check=True, capture_output=True)
    edit = work / "edited.ttl"
    edit.write_text(EDIT.format(n=0), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    env.update(COP_GRAPH_STORE=store, COP_GRAPH_STORE_PATH=str(work / f"store-{triples}"),
               COP_GRAPH_VALIDATION_CACHE=str(work / f"cache-{triples}"))
    files = ["--data", str(data), "--data", str(edit)]
    result: dict = {"triples": triples, "store": store}
    if store == "oxigraph":
        result["store_build_s"] = child([str(BIN / "cop-graph"), "stats", *files], env, timeout)[0]
    _, out = child([sys.executable, "-c", PLAIN, str(data), str(edit)], env, timeout, FINISHED)
    result["plain"] = json.loads(out) if out else None
    _, out = child([sys.executable, "-c", OURS, str(data), str(edit)], env, timeout, FINISHED)
    result["ours_step"] = json.loads(out) if out else None
    validate = [str(BIN / "cop-graph"), "validate", *files]
    result["cold_s"] = child(validate, env, timeout, FINISHED)[0]
    result["warm_s"] = child(validate, env, timeout, FINISHED)[0]
    edit.write_text(EDIT.format(n=1), encoding="utf-8")
    result["after_edit_s"] = child(validate, env, timeout, FINISHED)[0]
    return result


def seconds(value: float | None, timeout: float) -> str:
    return f"{value:.2f} s" if value is not None else f"> {timeout:.0f} s"


def ratio(ours: float | None, theirs: float | None, timeout: float) -> str:
    if ours is None:
        return "-"
    if theirs is None:
        return f"< {ours / timeout:.2f}x"
    return f"{ours / theirs:.2f}x"


def markdown(results: list[dict], command: str, timeout: float) -> str:
    lines = [f"Made by `{command}` on {platform.node() or 'this machine'} ({os.cpu_count()} cores, "
             f"Python {platform.python_version()}), {time.strftime('%Y-%m-%d')}. Each figure is one run in a "
             "fresh process; the cold and warm runs are `cop-graph validate` end to end (start, load, "
             "validate, report).", "",
             "| triples | store | plain pyshacl: validate | ours: validate step (÷ plain) | `cop-graph validate` cold "
             "| warm, unchanged | warm, one small file edited |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        plain = (r["plain"] or {}).get("validate_s")
        step = (r["ours_step"] or {}).get("validate_s")
        lines.append(f"| {r['triples']:,} | {r['store']} | {seconds(plain, timeout)} | {seconds(step, timeout)} "
                     f"({ratio(step, plain, timeout)}) | {seconds(r['cold_s'], timeout)} "
                     f"| {seconds(r['warm_s'], timeout)} | {seconds(r['after_edit_s'], timeout)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--store", choices=["memory", "oxigraph"], default="oxigraph")
    parser.add_argument("--timeout", type=float, default=900.0, help="Seconds before a run is recorded as unfinished.")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    command = command_line("validation_bench.py")
    results = per_size(args.triples, lambda triples, work: bench_size(triples, args.store, args.timeout, work))
    publish(args.out, "validation", command, markdown(results, command.strip(), args.timeout), results)

if __name__ == "__main__":
    main()
