"""Content negotiation at the endpoint as a matrix: every query form against every media type

we write and a few we do not, with q=0 exclusions; and Unicode that must come back the same
from every result and graph format, read with rdflib's own parsers."""

from __future__ import annotations

import io
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.query import Result

from cop_graph.web.negotiation import GRAPH_TYPES, RESULT_TYPES

pytestmark = pytest.mark.full

FORMS = {
    "SELECT": "SELECT ?s WHERE { ?s a <http://www.w3.org/ns/org#Organization> } LIMIT 2",
    "ASK": "ASK { ?s a <http://www.w3.org/ns/org#Organization> }",
    "CONSTRUCT": "CONSTRUCT { ?s a <http://www.w3.org/ns/org#Organization> } WHERE "
                 "{ ?s a <http://www.w3.org/ns/org#Organization> } LIMIT 2",
    "DESCRIBE": "DESCRIBE <https://w3id.org/b-tech-cop/org/apple>",
}
RESULT_PARSERS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"}
GRAPH_PARSERS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml", "trig": "trig"}
OTHER = ["image/png", "application/pdf", "text/x-unknown"]


def _get(endpoint: str, query: str, accept: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(endpoint + "/sparql?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def _reads_as(name: str, body: bytes, graph_form: bool) -> None:
    if graph_form:
        (Dataset() if name == "trig" else Graph()).parse(data=body, format=GRAPH_PARSERS[name])
    elif name == "table":
        assert body.decode("utf-8").strip()
    else:
        Result.parse(io.BytesIO(body), format=RESULT_PARSERS[name])


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("media", sorted({*RESULT_TYPES, *GRAPH_TYPES, *OTHER}))
def test_every_form_against_every_media_type(endpoint, form, media):
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    table = GRAPH_TYPES if graph_form else RESULT_TYPES
    status, content_type, body = _get(endpoint, FORMS[form], media)
    if media in table:
        assert status == 200, body[:300]
        # An alias (application/json, text/n3 …) is answered in its format's own media type.
        assert content_type.split(";")[0] == next(m for m, name in table.items() if name == table[media])
        _reads_as(table[media], body, graph_form)
    else:
        assert status == 406, body[:300]
        assert content_type.startswith("text/plain") and next(iter(table)).encode() in body


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("excluded", ["application/sparql-results+json", "text/turtle", "text/csv", "text/plain"])
def test_a_type_refused_with_q0_is_never_chosen(endpoint, form, excluded):
    status, content_type, _ = _get(endpoint, FORMS[form], f"{excluded};q=0, */*;q=0.5")
    assert status == 200 and content_type.split(";")[0] != excluded


@pytest.mark.parametrize("form", sorted(FORMS))
def test_only_refused_types_is_406(endpoint, form):
    table = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else RESULT_TYPES
    accept = ", ".join(f"{media};q=0" for media in table) + ", image/png"
    assert _get(endpoint, FORMS[form], accept)[0] == 406


TEXT = "Tür ü (e\u0301) 😀 \U0001f3f3\ufe0f\u200d\U0001f308 עברית \u202e Ω ≠ \\ \" ' < & \t tab"


@pytest.mark.parametrize("media", sorted(m for m, n in RESULT_TYPES.items() if n != "table"))
def test_unicode_comes_back_the_same_from_every_result_format(endpoint, media):
    literal = Literal(TEXT, lang="he")
    status, _, body = _get(endpoint, f"SELECT ?v WHERE {{ BIND({literal.n3()} AS ?v) }}", media)
    assert status == 200
    rows = list(Result.parse(io.BytesIO(body), format=RESULT_PARSERS[RESULT_TYPES[media]]))
    assert [str(row[0]) for row in rows] == [TEXT]


@pytest.mark.parametrize("media", sorted(GRAPH_TYPES))
def test_unicode_comes_back_the_same_from_every_graph_format(endpoint, media):
    literal = Literal(TEXT, lang="he")
    subject = URIRef("https://example.org/ünïcödé/😀")
    query = f"CONSTRUCT {{ <{subject}> <https://example.org/p> ?v }} WHERE {{ BIND({literal.n3()} AS ?v) }}"
    status, _, body = _get(endpoint, query, media)
    assert status == 200, body[:300]
    name = GRAPH_TYPES[media]
    graph = Dataset() if name == "trig" else Graph()
    graph.parse(data=body, format=GRAPH_PARSERS[name])
    triples = [(s, o) for s, _, o in graph.triples((None, None, None))] if name != "trig" else \
        [(s, o) for s, _, o, _ in graph.quads((None, None, None, None))]
    assert triples == [(subject, literal)]
