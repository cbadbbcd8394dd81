"""Evaluation of a prepared query over the loaded dataset, and the app's own query rows."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterable
from functools import lru_cache

import rdflib.plugins.sparql.evaluate as rdflib_evaluate
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import FrozenBindings, Query, QueryContext
from rdflib.query import Result
from rdflib.term import Node

from cop_graph.errors import CopGraphError, QueryError
from cop_graph.sparql.library import NamedQuery, named
from cop_graph.sparql.prepare import prepare, service_clauses
from cop_graph.store.dataset import CopDataset
from cop_graph.store.http import failure, sparql_request

# rdflib's own SERVICE evaluation reads the endpoint back from the clause's text with a
# pattern that a GRAPH <…> { } inside the clause confuses, finds no rows at all for SERVICE
# SILENT, and follows redirects anywhere. Clauses are evaluated here instead (rdflib looks
# the function up by name, so like SPARQL_LOAD_GRAPHS above this holds process-wide): the
# endpoint is the parsed IRI that prepare checked against the allowlist, the pattern is the
# clause's own text, a redirect is a failure, and SILENT turns a failure into the one empty
# solution the SPARQL 1.1 Federated Query spec gives it. The query's time limit bounds the
# call; the socket timeout is a last resort where no time limit applies.
SERVICE_SOCKET_TIMEOUT = 60.0


def _evaluate_service(ctx: QueryContext, part: CompValue) -> Iterable[FrozenBindings]:
    endpoint = str(part.term)
    text = part["service_string"]
    service_query = rdflib_evaluate._buildQueryStringForServiceCall(ctx, text[text.index("{") + 1:text.rindex("}")])
    try:
        names, rows = _call_service(endpoint, service_query)
        return [bound for row in rows for bound in rdflib_evaluate._yieldBindingsFromServiceCallResult(ctx, row, names)]
    except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError, AttributeError) as exc:
        if "silent" in part:
            return [FrozenBindings(ctx, {})]
        raise QueryError(f"SERVICE <{endpoint}> failed: {failure(exc)}") from None


def _call_service(endpoint: str, query: str) -> tuple[list[str], list[dict]]:
    body = sparql_request(endpoint, query, "application/sparql-results+json", SERVICE_SOCKET_TIMEOUT)
    answer = json.loads(body)
    return answer["head"]["vars"], answer["results"]["bindings"]


rdflib_evaluate.evalServiceQuery = _evaluate_service


def evaluate(loaded: CopDataset, query: Query, bindings: dict[str, Node] | None = None,
             default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = (),
             text: str | None = None, rows: int | None = None) -> Result:
    """Evaluate a prepared query over the loaded dataset.

    The default graph is the union of all files. Graphs named by the SPARQL Protocol's
    ``default-graph-uri`` / ``named-graph-uri`` replace the query's own FROM / FROM NAMED,
    and either way only graphs already loaded are used: nothing is fetched or read.
    Given the query's ``text``, a store that evaluates queries itself answers it; given
    ``rows``, it may stop after one row more than that (enough to tell that the answer is
    cut at ``rows``), so that a huge answer never reaches Python whole.
    """
    if default_graphs or named_graphs:
        query.algebra["datasetClause"] = (
            [CompValue("DatasetClause", default=URIRef(g)) for g in default_graphs]
            + [CompValue("DatasetClause", named=URIRef(g)) for g in named_graphs])
    init = {Variable(k): v for k, v in (bindings or {}).items()}
    try:
        result = None
        if loaded.store is not None and text is not None and not service_clauses(query.algebra):
            # SERVICE calls stay with rdflib, where our checked client makes them
            result = loaded.store.query(text, query, dict(bindings or {}), _graphs(query), rows)
            if result is not None and result.type == "SELECT" and "PV" in query.algebra \
                    and set(result.vars or ()) == set(query.algebra.PV):
                result.vars = list(query.algebra.PV)  # SELECT * in the order rdflib gives (see _order_select_star)
        if result is None:
            result = loaded.dataset.query(query, initBindings=init)
        if result.type == "SELECT":
            result.bindings  # evaluate now, so errors surface here and not mid-output  # noqa: B018
        return result
    except RecursionError:
        raise QueryError("the query nests too deeply") from None
    except CopGraphError:  # ours, from the query checks or the store
        raise
    except Exception as exc:  # evaluation errors from rdflib (e.g. unsupported functions)
        raise QueryError(f"the query failed while running: {exc}") from None


def _graphs(query: Query) -> tuple[list[URIRef], list[URIRef]] | None:
    """The (default, named) graphs a query's FROM / FROM NAMED or the protocol chose; None
    for the whole dataset (the union of the files as default graph, each file named)."""
    clauses = query.algebra.get("datasetClause")
    if not clauses:
        return None
    return [c["default"] for c in clauses if "default" in c], [c["named"] for c in clauses if "named" in c]


def run_query(loaded: CopDataset, text: str, bindings: dict[str, Node] | None = None) -> Result:
    """Parse and evaluate in one step, without limits (for trusted, in-process use).

    Parsing costs more than evaluating a small query, so each text is parsed once; the
    prepared query is only read by evaluation (values come in as bindings)."""
    return evaluate(loaded, _prepared(text), bindings, text=text)


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepare(text)


def run_named(loaded: CopDataset, query: NamedQuery, values: dict[str, str]) -> Result:
    return run_query(loaded, query.text, query.bindings(values, loaded.config.base))


def select(loaded: CopDataset, name: str, **values: str) -> list[dict[str, Node]]:
    """The rows of one of the app's own queries (``queries/pages/``: the explorer's pages,
    the search index) as dictionaries, unbound variables left out."""
    query = named(loaded, name, "pages")
    return [{str(k): v for k, v in row.asdict().items()} for row in run_named(loaded, query, values)]
