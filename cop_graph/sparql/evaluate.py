"""Evaluation of a checked query by the store (Oxigraph in memory or on disk, or a remote
SPARQL store), and the app's own query rows.

The default graph is the union of all files. Graphs named by the SPARQL Protocol's
``default-graph-uri`` / ``named-graph-uri`` replace the query's own FROM / FROM NAMED, and
either way only graphs already loaded are used: nothing is fetched or read.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from rdflib import URIRef
from rdflib.query import Result
from rdflib.term import Node

from cop_graph.errors import CopGraphError, QueryError
from cop_graph.sparql.federation import inline_services
from cop_graph.sparql.library import NamedQuery, named
from cop_graph.sparql.prepare import Prepared, prepare
from cop_graph.store.base import Graphs, Written
from cop_graph.store.dataset import CopDataset


def evaluate(loaded: CopDataset, prepared: Prepared, bindings: dict[str, Node] | None = None,
             default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = (),
             rows: int | None = None) -> Result:
    """The store's answer to a checked query; given ``rows``, the store may stop after one
    row more than that (enough to tell that the answer is cut at ``rows``), so that a huge
    answer never reaches Python whole."""
    text = inline_services(prepared) if prepared.scanned.services else prepared.text
    try:
        result = loaded.store.query(text, dict(bindings or {}), _graphs(loaded, prepared, default_graphs, named_graphs),
                                    rows, prepared.form)
    except CopGraphError:
        raise
    except RecursionError:
        raise QueryError("the query nests too deeply") from None
    if result.type == "SELECT" and _SELECT_STAR.search(prepared.text):
        _in_order_of_appearance(result, prepared.text)
    return result


def evaluate_written(loaded: CopDataset, prepared: Prepared, fmt: str, bindings: dict[str, Node] | None = None,
                     default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = (),
                     rows: int = 10_000) -> Written | None:
    """A checked SELECT query's answer as the store writes it in ``fmt`` itself, or None where
    it cannot (another form or format, ``SELECT *`` whose columns we order, an answer longer
    than ``rows``): then :func:`evaluate` answers it."""
    if prepared.form != "SELECT" or _SELECT_STAR.search(prepared.text):
        return None
    text = inline_services(prepared) if prepared.scanned.services else prepared.text
    try:
        return loaded.store.written(text, dict(bindings or {}),
                                    _graphs(loaded, prepared, default_graphs, named_graphs), fmt, rows)
    except CopGraphError:
        raise
    except RecursionError:
        raise QueryError("the query nests too deeply") from None


_SELECT_STAR = re.compile(r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$]([A-Za-z_0-9\u00B7-\uFFFF]+)")


def _in_order_of_appearance(result: Result, text: str) -> None:
    """SELECT * lists its variables as Oxigraph sorts them; people (and the SPARQL result
    tests) expect them in the order they first appear in the query."""
    first: dict[str, int] = {}
    for match in _VARIABLE.finditer(text):
        first.setdefault(match.group(1), match.start())
    result.vars = sorted(result.vars or [], key=lambda v: first.get(str(v), len(text)))


def _graphs(loaded: CopDataset, prepared: Prepared, default_graphs: tuple[str, ...],
            named_graphs: tuple[str, ...]) -> Graphs | None:
    """The (default, named) graphs the protocol or the query's FROM / FROM NAMED chose, among
    the loaded ones; None for the whole dataset (the union of the files as default graph,
    each file named)."""
    if default_graphs or named_graphs:
        chosen = (default_graphs, named_graphs)
    elif prepared.scanned.dataset is not None:
        chosen = prepared.scanned.dataset
    else:
        return None
    loaded_graphs = {str(source.graph) for source in loaded.files}

    def among_loaded(iris: tuple[str, ...]) -> list[URIRef]:
        absolute = (urljoin(loaded.config.base, iri) for iri in iris)  # relative to the base, as Oxigraph reads them
        return [URIRef(iri) for iri in absolute if iri in loaded_graphs]

    return among_loaded(tuple(chosen[0])), among_loaded(tuple(chosen[1]))


def run_query(loaded: CopDataset, text: str, bindings: dict[str, Node] | None = None) -> Result:
    """Check and evaluate in one step, without limits (for trusted, in-process use)."""
    return evaluate(loaded, prepare(text), bindings)


def run_named(loaded: CopDataset, query: NamedQuery, values: dict[str, str]) -> Result:
    return run_query(loaded, query.text, query.bindings(values, loaded.config.base))


def select(loaded: CopDataset, name: str, **values: str) -> list[dict[str, Node]]:
    """The rows of one of the app's own queries (``queries/pages/``: the explorer's pages,
    the search index) as dictionaries, unbound variables left out."""
    query = named(loaded, name, "pages")
    return [{str(k): v for k, v in row.asdict().items()} for row in run_named(loaded, query, values)]
