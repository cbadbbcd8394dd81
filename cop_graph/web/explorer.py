"""Explorer pages: home, classes and their instances, the topic hierarchy and the
timeline. Each page's data comes from ``cop_graph.web.pages`` and is served as HTML or as
its JSON twin (``.json``, ``Accept: application/json``, ``?format=json``)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request, url_for
from rdflib import URIRef

from cop_graph.errors import ParameterError
from cop_graph.rdf.labels import display_name, short
from cop_graph.rdf.namespaces import PREFIXES
from cop_graph.store.dataset import CopDataset
from cop_graph.web import twin
from cop_graph.web.links import checked_iri, resource_url
from cop_graph.web.pages.home import Entry, Source, dataset_description, home_page
from cop_graph.web.pages.listing import class_index, class_page
from cop_graph.web.pages.resource import is_known
from cop_graph.web.pages.timeline import Events, events
from cop_graph.web.pages.timeline import timeline as build_timeline
from cop_graph.web.pages.topics import topic_tree
from cop_graph.web.params import whole_number
from cop_graph.web.prepared import prepared

explorer = Blueprint("explorer", __name__)


def _dataset() -> CopDataset:
    return current_app.extensions["cop_dataset"]


def class_url(iri: str, **args: object) -> str:
    """A class's listing: by prefixed name when it has one, else by IRI."""
    name = short(URIRef(iri))
    if not name.startswith("<"):
        return url_for("explorer.class_listing", name=name, **args)
    return url_for("explorer.classes", iri=iri, **args)


ENTRIES = (
    ("Companies", "schema:Corporation", "the companies that took part"),
    ("Memberships", "org:Membership", "who took part in which year, and the High Commissioners' terms"),
    ("Sessions", "cop:Session", "the COP's sessions with their dates and themes"),
    ("Outside experts", "org:Organization", "the expert organisations that joined sessions"),
    ("Developments", "cop:Development", "what affected the COP"),
    ("People", "schema:Person", "the people the sources name"),
    ("Documents", "dcterms:BibliographicResource", "the sources, with the year-end review's full text"),
)


@explorer.get("/.json")
@explorer.get("/index.json")
@explorer.get("/")  # registered first, so url_for gives "/"
def home() -> Response:
    loaded = _dataset()
    about = dataset_description(loaded)
    sources = [Source(iri, display_name(loaded.dataset, URIRef(iri), loaded.config.base),
                      resource_url(iri)) for iri in about["sources"]]
    entries = [Entry(name, class_url(_expand(curie)), text) for name, curie, text in ENTRIES]
    entries += [Entry("Timeline", url_for("explorer.timeline"), "sessions, developments and memberships by date"),
                Entry("Topics", url_for("explorer.topics"), "the session themes as a tree, with session counts"),
                Entry("Network", url_for("network_view.view"), "who took part with whom, on what"),
                Entry("Ranking Digital Rights", url_for("rdr_view.comparison"),
                      "COP members and other companies on RDR's due diligence, stakeholder and remedy scores"),
                Entry("Questions", url_for("library.index"), "ready-made questions with forms and downloads"),
                Entry("SPARQL", url_for("sparql.endpoint"), "write your own query")]
    years = _events(loaded).years
    page = home_page(loaded, about, sources, years, entries,
                     resource_url(about["iri"]) if about["iri"] else None, resource_url)
    return twin.respond(page, "home.html")


def _expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return str(PREFIXES[prefix]) + local


@explorer.get("/classes.json")
@explorer.get("/classes")
def classes() -> Response:
    """All classes with their instance counts; with ``?iri=`` one class's instances."""
    if "iri" in request.args:
        return _class_response(checked_iri(request.args["iri"], "iri"))
    loaded = _dataset()
    return twin.respond(prepared(loaded, "class index", build=lambda: class_index(loaded, resource_url, class_url)),
                        "classes.html")


@explorer.get("/classes/<path:name>")
def class_listing(name: str) -> Response:
    if name.endswith(".json"):
        name = name[: -len(".json")]
    prefix, _, local = name.partition(":")
    if prefix not in PREFIXES or not local:
        raise ParameterError(f"unknown class {name!r}: give a prefixed name such as org:Membership "
                             f"(prefixes: {', '.join(PREFIXES)}) or use /classes?iri=…")
    return _class_response(str(PREFIXES[prefix]) + local)


def _class_response(iri: str) -> Response:
    sort = request.args.get("sort") or None
    loaded = _dataset()
    page = class_page(loaded, iri, sort, whole_number("page", 1, 1, 10**9), resource_url)
    if page.total == 0 and not is_known(loaded, iri):
        abort(404, description=f"no class {iri} in the graph; see /classes for the classes it uses")
    return twin.respond(page, "class.html", class_url=class_url)


@explorer.get("/topics.json")
@explorer.get("/topics")
def topics() -> Response:
    loaded = _dataset()
    return twin.respond(prepared(loaded, "topic tree", build=lambda: topic_tree(loaded, resource_url)), "topics.html")


@explorer.get("/timeline.json")
@explorer.get("/timeline")
def timeline() -> Response:
    year = request.args.get("year") or None
    loaded = _dataset()
    page = build_timeline(_events(loaded), year, whole_number("page", 1, 1, 10**9),
                          lambda **args: url_for("explorer.timeline", **args))
    return twin.respond(page, "timeline.html")


@explorer.get("/status")
def status() -> Response:
    """For health checks and operators: what is served, from which store, and how much of
    it this process had to parse to start (0 when a persistent store was reused)."""
    loaded = _dataset()
    store = loaded.store
    body = {
        "status": "ok",
        "store": store.name if store is not None else "memory",
        "triples": len(loaded),
        "graphs": len(loaded.files),
        "version": loaded.version,
        "files_parsed": store.parsed if store is not None else len(loaded.files),
        "loaded_at": current_app.extensions["cop_caching"].loaded_at.isoformat(),
    }
    response = current_app.json.response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _events(loaded: CopDataset) -> Events:
    """Every dated resource by year, once per data version (the timeline and the home page)."""
    return prepared(loaded, "timeline", build=lambda: events(loaded, resource_url))
