"""Linked Data: every resource has a URL that serves its page to browsers and its
description to RDF clients. IRIs under the base live at their own path (``BASE/org/apple``
at ``/org/apple``); others at ``/resource?iri=…``. A suffix (``.ttl``, ``.jsonld``, ``.nt``,
``.rdf``, ``.json``) or ``?format=`` asks for one format; otherwise the Accept header decides.
The same URL also answers a citation of the resource (CSL-JSON, BibTeX, RIS) to a client that
asks for one by its media type or ``?format=``."""

from __future__ import annotations

import datetime

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from cop_graph.analysis.search import suggest
from cop_graph.errors import NotAcceptable, ParameterError, Preparing
from cop_graph.publish.citation import CITATION_FORMATS, CITATIONS
from cop_graph.rdf.formats import RDF_SYNTAXES, RESOURCE_SYNTAXES, serialize_graph
from cop_graph.rdf.parsing import BAD_IRI
from cop_graph.store.dataset import CopDataset
from cop_graph.web import twin
from cop_graph.web.errors import html_answer, text_error
from cop_graph.web.links import SUFFIXES, checked_iri, resource_url
from cop_graph.web.negotiation import PAGE_NAMES, PAGE_TYPES, choose
from cop_graph.web.pages.citation import citation_fields
from cop_graph.web.pages.network import Drawing, neighbourhood_drawing
from cop_graph.web.pages.resource import description, resource_page
from cop_graph.web.prepared import prepared

resources = Blueprint("resources", __name__)

# What a resource's URL can answer; the first entry is what "*/*" gets (data, for programs).
RESOURCE_TYPES = {"text/turtle": "turtle", **PAGE_TYPES}
for _syntax in RESOURCE_SYNTAXES:
    for _media_type in (_syntax.media_type, *_syntax.also):
        RESOURCE_TYPES.setdefault(_media_type, _syntax.name)
FORMAT_NAMES = dict(PAGE_NAMES)
for _syntax in RESOURCE_SYNTAXES:
    for _name in (_syntax.name, *_syntax.aliases):
        FORMAT_NAMES.setdefault(_name, _syntax.name)
# Citations, by their own media types and names (never "*/*": what that gets stays data).
for _citation in CITATIONS:
    for _media_type in (_citation.media_type, *_citation.also):
        RESOURCE_TYPES.setdefault(_media_type, _citation.name)
    for _name in (_citation.name, *_citation.aliases):
        FORMAT_NAMES.setdefault(_name, _citation.name)
# Each RDF format a page links to as an alternate, with its suffix.
ALTERNATES = (*((s.label, s.suffixes[0], s.name) for s in RESOURCE_SYNTAXES), ("JSON (page data)", ".json", "json"))


def _dataset() -> CopDataset:
    return current_app.extensions["cop_dataset"]


@resources.get("/resource", defaults={"suffix": ""})
@resources.get(f"/resource<any({','.join(repr(s) for s in SUFFIXES)}):suffix>")
def outside(suffix: str) -> Response:
    """A resource by its full IRI (any IRI, under the base or not)."""
    return _serve(checked_iri(request.args.get("iri", ""), "iri"), SUFFIXES.get(suffix))


@resources.get("/<path:path>")
def local(path: str) -> Response:
    """A resource under the base, at its own path."""
    base = _dataset().config.base
    fmt = None
    for suffix, name in SUFFIXES.items():
        if path.endswith(suffix):
            fmt, path = name, path[: -len(suffix)]
            break
    if BAD_IRI.search(path):
        raise ParameterError(f"the path {path!r} cannot be part of an IRI "
                             "(spaces, control characters or <>\"{}|\\^`)")
    return _serve(base + path, fmt)


def _serve(iri: str, fmt: str | None) -> Response:
    fmt = fmt or choose(request.accept_mimetypes, RESOURCE_TYPES, FORMAT_NAMES, request.args.getlist("format"))
    if fmt is None:
        raise NotAcceptable("a resource is available as: " + ", ".join(RESOURCE_TYPES))
    loaded = _dataset()
    if fmt in CITATION_FORMATS:
        return _citation(loaded, iri, fmt)
    if fmt in ("html", "json"):
        page = resource_page(loaded, iri, resource_url)
        if page is None:
            return _not_found(loaded, iri, fmt)
        alternates = [(name, resource_url(iri, suffix)) for name, suffix, _ in ALTERNATES]
        neighbourhood = _neighbourhood(loaded, iri) if fmt == "html" else None
        if fmt == "json":  # the twin, with where to get each citation
            response = jsonify({**twin.as_json(page), "cite": {c.name: cite_url(iri, c.name) for c in CITATIONS}})
        else:
            cite = [(c.label, c.media_type, cite_url(iri, c.name)) for c in CITATIONS]
            response = twin.respond(page, "resource.html", json=False, alternates=alternates,
                                    neighbourhood=neighbourhood, cite=cite)
    else:
        graph = description(loaded, iri)
        if len(graph) == 0:
            return _not_found(loaded, iri, fmt)
        response = Response(serialize_graph(graph, fmt), content_type=f"{RDF_SYNTAXES[fmt][0]}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


def cite_url(iri: str, name: str) -> str:
    """The resource's URL asking for a citation format by name (``/org/apple?format=bibtex``)."""
    url = resource_url(iri)
    return f"{url}{'&' if '?' in url else '?'}format={name}"


def _citation(loaded: CopDataset, iri: str, fmt: str) -> Response:
    """The resource's citation. Its accessed date is today's (UTC), so the answer is not to be
    stored: it carries no validators (web/caching.py) and ``Cache-Control: no-store``."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    fields = citation_fields(loaded, iri, lambda other: request.host_url.rstrip("/") + resource_url(other), today)
    if fields is None:
        return _not_found(loaded, iri, fmt)
    citation = CITATION_FORMATS[fmt]
    response = Response(citation.write(fields), content_type=f"{citation.media_type}; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{fields["key"]}{citation.suffix}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept"
    return response


def _not_found(loaded: CopDataset, iri: str, fmt: str) -> Response:
    suggestions = _suggestions(loaded, iri)
    message = f"no resource {iri} in the graph"
    if fmt == "html":
        response = html_answer(render_template("not_found.html", iri=iri, suggestions=suggestions), 404)
    elif fmt == "json":
        response = jsonify({"error": message, "suggestions": suggestions})
        response.status_code = 404
    else:
        response = text_error(404, f"404 Not Found: {message}")
    response.headers["Vary"] = "Accept"
    return response


def _neighbourhood(loaded: CopDataset, iri: str) -> Drawing | None:
    """The resource's neighbourhood drawing; while it is still being prepared the page
    answers without it rather than wait (its statements are what the reader came for)."""
    try:
        return neighbourhood_drawing(loaded, iri)
    except Preparing:
        return None


def _suggestions(loaded: CopDataset, iri: str) -> list[dict]:
    """What the reader may have meant; none while the search index is still being prepared."""
    text = iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
    try:
        hits = prepared(loaded, "search suggestions", text, keep=256, build=lambda: suggest(loaded, text, 5))
    except Preparing:
        return []
    return [{"iri": hit.iri, "label": hit.label, "url": resource_url(hit.iri)} for hit in hits[:5]]

