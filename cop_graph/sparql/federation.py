"""SERVICE clauses, called by our own HTTP client before the query runs.

Each allowed clause's pattern is sent to its endpoint as ``SELECT * WHERE { pattern }`` with
the query's prefixes, and the clause is replaced by its answer as inline data (``VALUES``),
which the rest of the query joins as SPARQL 1.1 Federated Query defines. The endpoint is
the IRI the checks allowed, a redirect is a failure, and ``SILENT`` turns a failure into
the one empty solution the specification gives it. The query's time limit bounds the
calls; the socket timeout is a last resort where no time limit applies.
"""

from __future__ import annotations

import http.client
import json
import re

from cop_graph.errors import QueryError
from cop_graph.sparql.prepare import Prepared
from cop_graph.store.http import failure, sparql_request
from cop_graph.store.text import DECLARED

SERVICE_SOCKET_TIMEOUT = 60.0
_ONE_EMPTY_SOLUTION = "VALUES () { () }"


def inline_services(prepared: Prepared) -> str:
    """The query's text with every outermost SERVICE clause replaced by its answer."""
    text, pieces, done = prepared.text, [], 0
    for service in prepared.scanned.services:
        if service.start < done:
            continue  # inside a clause already sent: the endpoint runs it
        opened, closed = service.group
        if opened < 0:
            raise QueryError(f"SERVICE {service.target} needs a group pattern {{ … }} after it")
        pattern = text[opened + 1:closed - 1]
        query = f"{DECLARED}{prepared.scanned.prologue}\nSELECT * WHERE {{{pattern}}}"
        try:
            block = _values(*_call(str(service.iri), query))
        except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError, AttributeError) as exc:
            if not service.silent:
                raise QueryError(f"SERVICE <{service.iri}> failed: {failure(exc)}") from None
            block = _ONE_EMPTY_SOLUTION
        pieces += [text[done:service.start], "{ ", block, " }"]
        done = closed
    return "".join(pieces) + text[done:]


def _call(endpoint: str, query: str) -> tuple[list[str], list[dict]]:
    body = sparql_request(endpoint, query, "application/sparql-results+json", SERVICE_SOCKET_TIMEOUT)
    answer = json.loads(body)
    return list(answer["head"]["vars"]), list(answer["results"]["bindings"])


def _values(names: list[str], rows: list[dict]) -> str:
    variables = " ".join(f"?{name}" for name in names if _VARIABLE.fullmatch(name))
    if len(variables.split()) != len(names):
        raise ValueError("a variable name that is not SPARQL")
    lines = (" ".join(_term(row.get(name)) for name in names) for row in rows)
    return f"VALUES ({variables}) {{ " + " ".join(f"({line})" for line in lines) + " }"


_VARIABLE = re.compile(r"[A-Za-z_0-9\u00B7-\uFFFF]+")


def _term(value: dict | None) -> str:
    """A SPARQL JSON result term as query syntax; blank nodes become IRIs (inline data cannot
    hold blank nodes), each the same within one answer."""
    if value is None:
        return "UNDEF"
    kind, text = value["type"], value["value"]
    if kind == "uri":
        return f"<{_iri(text)}>"
    if kind == "bnode":
        return f"<urn:x-service-bnode:{_iri(text)}>"
    if kind not in ("literal", "typed-literal"):
        raise ValueError(f"an unknown term type {kind!r}")
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
    if value.get("xml:lang"):
        return f"{quoted}@{value['xml:lang']}"
    if value.get("datatype"):
        return f"{quoted}^^<{_iri(value['datatype'])}>"
    return quoted


def _iri(text: str) -> str:
    if re.search(r'[<>"{}|^`\\\x00-\x20]', text):
        raise ValueError("an IRI with characters an IRI cannot hold")
    return text
