"""The search page, ``/search?q=…`` (and its JSON twin): labels and alternative labels,
ranked, filterable by type; the matching itself lives in :mod:`cop_graph.analysis.search`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request
from rdflib import URIRef

from cop_graph.analysis import search as finder
from cop_graph.errors import ParameterError
from cop_graph.rdf.labels import short
from cop_graph.web.links import resource_url
from cop_graph.web.params import whole_number
from cop_graph.web.prepared import prepared
from cop_graph.web.text import CONTROL
from cop_graph.web.twin import respond

search_view = Blueprint("search", __name__)

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_TYPES = 20


@dataclass(frozen=True)
class SearchPage:
    """One search: the same object feeds the template and the JSON twin."""

    query: str
    type: list[str]
    limit: int
    hits: list[dict]
    total: int
    suggestions: list[dict]
    type_options: list[tuple[str, int]]

    def as_json(self) -> dict:
        return {"query": self.query, "type": self.type, "limit": self.limit, "count": len(self.hits),
                "total": self.total, "hits": self.hits, "suggestions": self.suggestions}


@search_view.get("/search.json")
@search_view.get("/search")  # registered first, so url_for gives "/search"
def page() -> Response:
    query, limit, values = _query(), _limit(), _type_values()
    loaded = current_app.extensions["cop_dataset"]
    index = prepared(loaded, "search index", build=lambda: finder.build_index(loaded))
    types = [finder.resolve_type(value, index.base) for value in values]
    found = prepared(loaded, "search matches", query, tuple(types), keep=256,
                     build=lambda: finder.matches(index, query, types))
    suggestions = (prepared(loaded, "search suggestions", query, keep=256, build=lambda: finder.suggest(loaded, query))
                   if query.strip() and not found else [])
    shown = [short(URIRef(t), index.base) for t in types]
    result = SearchPage(query, shown, limit, [_as_dict(hit) for hit in found[:limit]], len(found),
                        [_as_dict(hit) for hit in suggestions],
                        _type_options(prepared(loaded, "search types", build=index.type_counts), shown))
    return respond(result, "search.html", default_limit=DEFAULT_LIMIT)


def _type_options(options: list[tuple[str, int]], chosen: list[str]) -> list[tuple[str, int]]:
    """Every type in the data with its count, plus any chosen one the data does not have."""
    present = {name for name, _ in options}
    return options + [(name, 0) for name in chosen if name not in present]


def _query() -> str:
    """``q``, refused with a 400 when it could never be a label: too long or with control characters."""
    text = request.args.get("q", "")
    if len(text) > finder.MAX_QUERY_LENGTH:
        raise ParameterError(f"parameter 'q' must be at most {finder.MAX_QUERY_LENGTH} characters; "
                             f"got {len(text):,}")
    if CONTROL.search(text):
        raise ParameterError("parameter 'q' must not contain control characters (such as NUL)")
    return text


def _limit() -> int:
    return whole_number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)


def _type_values() -> list[str]:
    values = [value for value in request.args.getlist("type") if value.strip()]
    if len(values) > MAX_TYPES:
        raise ParameterError(f"parameter 'type' may be given at most {MAX_TYPES} times; got {len(values)}")
    return values


def _as_dict(hit: finder.Hit) -> dict:
    return {"iri": hit.iri, "label": hit.label, "matched": hit.matched, "types": list(hit.types),
            "match": hit.match, "rank": hit.rank, "url": resource_url(hit.iri)}

