"""The W3C SPARQL 1.0/1.1 query suites through `cop-graph serve`'s /sparql and through
`oxigraph serve-read-only`, side by side on the same tests (tests/w3c_query_suite.py: each
data file a named graph named by its file IRI, selected with default-graph-uri and
named-graph-uri).

    python benchmarks/conformance_bench.py

Prints passes per kind of test for both, the ratio, and every test one passes and the other
does not; keeps the result in benchmarks/results/conformance.{md,json}.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
from report import command_line, publish
from stores_bench import free_port, server, tool

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import w3c_query_suite as suite

from cop_graph.config import load_config
from cop_graph.errors import CopGraphError
from cop_graph.store.dataset import load_dataset

OUT = Path(__file__).parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def ours_refuses(files: list[Path]) -> dict[Path, str]:
    """The data files cop-graph's loader refuses, with its reason."""
    refused = {}
    config = load_config()
    for path in files:
        try:
            load_dataset([path], config=config, bundled=False).store.close()
        except CopGraphError as exc:
            refused[path] = str(exc).replace(f"{ROOT}/", "")
    return refused


def oxigraph_store(files: list[Path], folder: Path) -> dict[Path, str]:
    """Each file loaded into an Oxigraph store on disk as its own graph; the refused ones."""
    store, refused = ox.Store(str(folder)), {}
    for path in files:
        try:
            store.load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix.lstrip(".")),
                       base_iri=path.as_uri(), to_graph=ox.NamedNode(path.as_uri()))
        except (SyntaxError, ValueError, OSError) as exc:
            refused[path] = f"{type(exc).__name__}: {exc}".replace(f"{ROOT}/", "")
    store.flush()
    del store
    return refused


def run_all(endpoint: str, cases: list[suite.Case], refused: dict[Path, str]) -> suite.Tally:
    graph_of = {p: p.as_uri() for p in suite.data_files(cases)}
    tally = suite.Tally()
    for case in cases:
        tally.outcomes.append(suite.run(endpoint, case, graph_of, refused))
    return tally


def main() -> None:
    cases = suite.cases()
    files = suite.data_files(cases)
    mine_refused = ours_refuses(files)
    loadable = [p for p in files if p not in mine_refused]
    with tempfile.TemporaryDirectory(prefix="cop-graph-conformance-") as work:
        theirs_refused = oxigraph_store(files, Path(work) / "oxigraph")
        port, their_port = free_port(), free_port()
        ours_argv = [tool("cop-graph"), "serve", "--port", str(port), "--query-timeout", "20",
                     *[arg for p in loadable for arg in ("--data", str(p))]]
        theirs_argv = [tool("oxigraph"), "serve-read-only", "--location", str(Path(work) / "oxigraph"),
                       "--bind", f"127.0.0.1:{their_port}"]
        with server(ours_argv, f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D"), \
                server(theirs_argv, f"http://127.0.0.1:{their_port}/query?query=ASK%7B%7D"):
            ours = run_all(f"http://127.0.0.1:{port}/sparql", cases, mine_refused)
            theirs = run_all(f"http://127.0.0.1:{their_port}/query", cases, theirs_refused)
    lines = ["| tests | cop-graph /sparql | oxigraph serve | ratio |", "|---|---|---|---|"]
    rows = []
    for label, kind in (("evaluation", "evaluation"), ("syntax", "syntax"), ("all", None)):
        mine, their, total = ours.passed(kind), theirs.passed(kind), ours.total(kind)
        lines.append(f"| {label} ({total}) | {mine} ({mine / total:.1%}) | {their} ({their / total:.1%}) | "
                     f"{mine / their:.3f}x |")
        rows.append({"tests": label, "total": total, "ours": mine, "oxigraph": their})
    only_theirs = sorted(set(ours.failures()) - set(theirs.failures()))
    only_ours = sorted(set(theirs.failures()) - set(ours.failures()))
    lines += ["", f"Passed by oxigraph serve, failed here ({len(only_theirs)}):", ""]
    lines += [f"- `{name}`: {ours.failures()[name]}" for name in only_theirs]
    lines += ["", f"Passed here, failed by oxigraph serve ({len(only_ours)}):", ""]
    lines += [f"- `{name}`: {theirs.failures()[name]}" for name in only_ours]
    lines += ["", f"Failed by both ({len(set(ours.failures()) & set(theirs.failures()))}):", ""]
    lines += [f"- `{name}`: {ours.failures()[name]}" for name in sorted(set(ours.failures()) & set(theirs.failures()))]
    version = subprocess.run([tool("oxigraph"), "--version"], capture_output=True, text=True).stdout.strip()
    text = f"W3C SPARQL query suites through /sparql and {version} (same tests, same data)\n\n" + "\n".join(lines)
    publish(OUT, "conformance", command_line("conformance_bench.py"), text,
            [*rows, {"failures": ours.failures(), "oxigraph_failures": theirs.failures()}])


if __name__ == "__main__":
    main()
