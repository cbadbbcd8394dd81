"""The /sparql endpoint as the SPARQL 1.1 Protocol specifies it, driven on a real server
with a real client (SPARQLWrapper) and raw HTTP, answers compared with rdflib's own."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, N3, TSV, TURTLE, XML, SPARQLWrapper

from cop_graph.sparql.evaluate import run_query

from .conftest import BASE

SELECT = "SELECT ?member ?name WHERE { ?m org:member ?member ; org:organization ?c . " \
         "?c a org:OrganizationalCollaboration . ?member rdfs:label ?name } ORDER BY ?name ?member"
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a schema:Corporation ; rdfs:label ?l }"
PREFIXES = "PREFIX org: <http://www.w3.org/ns/org#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" \
           "PREFIX schema: <https://schema.org/>\n"


def http(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.read().decode("utf-8"), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), exc.headers


def get(endpoint: str, headers: dict | None = None, **params: str | list[str]):
    return http(f"{endpoint}/sparql?{urllib.parse.urlencode(params, doseq=True)}", headers=headers)


def wrapper(endpoint: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(f"{endpoint}/sparql")
    client.setQuery(PREFIXES + query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def expected_rows(loaded) -> list[tuple[str, str]]:
    return [(str(r.member), str(r.name)) for r in run_query(loaded, PREFIXES + SELECT)]


# --- a real client, every result format ------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json_matches_rdflib(endpoint, loaded, method):
    result = wrapper(endpoint, SELECT, JSON, method).query().convert()
    rows = [(b["member"]["value"], b["name"]["value"]) for b in result["results"]["bindings"]]
    assert rows == expected_rows(loaded)
    assert len({m for m, _ in rows}) == 13


def test_sparqlwrapper_select_xml_csv_tsv_match_rdflib(endpoint, loaded):
    expected = expected_rows(loaded)
    xml = wrapper(endpoint, SELECT, XML).query().convert()
    names = [n.firstChild.data for n in xml.getElementsByTagName("literal")]
    assert names == [name for _, name in expected]
    table = list(csv.DictReader(io.StringIO(wrapper(endpoint, SELECT, CSV).query().convert().decode("utf-8"))))
    assert [(r["member"], r["name"]) for r in table] == expected
    tsv = wrapper(endpoint, SELECT, TSV).query().convert().decode("utf-8").splitlines()
    assert tsv[0] == "?member\t?name"
    assert tsv[1:] == [f'<{m}>\t"{n}"' for m, n in expected]


def test_sparqlwrapper_ask(endpoint):
    assert wrapper(endpoint, 'ASK { ?s rdfs:label "Telefónica" }', JSON).query().convert()["boolean"] is True
    assert wrapper(endpoint, 'ASK { ?s rdfs:label "Nokia" }', JSON).query().convert()["boolean"] is False
    xml = wrapper(endpoint, 'ASK { ?s rdfs:label "Telefónica" }', XML).query().convert()
    assert xml.getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_describe_and_construct_parse_as_graphs(endpoint, loaded):
    described = wrapper(endpoint, f"DESCRIBE <{BASE}session/2022-06-21>", TURTLE).queryAndConvert()
    graph = Graph().parse(data=described, format="turtle") if isinstance(described, (bytes, str)) else described
    assert (URIRef(BASE + "session/2022-06-21"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("COP Special Session")) in graph
    constructed = wrapper(endpoint, CONSTRUCT, XML).queryAndConvert()
    assert isomorphic(constructed, run_query(loaded, PREFIXES + CONSTRUCT).graph)


@pytest.mark.parametrize(("fmt", "accept", "syntax"), [
    (TURTLE, "text/turtle", "turtle"), (N3, "application/n-triples", "nt"),
    (None, "application/ld+json", "json-ld"), (XML, "application/rdf+xml", "xml"), (None, "application/trig", "trig"),
])
def test_construct_in_every_rdf_syntax_matches_rdflib(endpoint, loaded, fmt, accept, syntax):
    status, body, headers = get(endpoint, {"Accept": accept}, query=PREFIXES + CONSTRUCT)
    assert status == 200 and headers["Content-Type"] == f"{accept}; charset=utf-8"
    expected = run_query(loaded, PREFIXES + CONSTRUCT).graph
    assert isomorphic(Graph().parse(data=body, format=syntax), expected)
    assert len(expected) == 13
    if fmt:
        client = wrapper(endpoint, CONSTRUCT, fmt)
        client.setOnlyConneg(False)
        assert client.query().response.status == 200


def test_describe_returns_the_resource(endpoint):
    status, body, _ = get(endpoint, {"Accept": "text/turtle"}, query=f"DESCRIBE <{BASE}org/telefonica>")
    graph = Graph().parse(data=body, format="turtle")
    assert status == 200
    assert (URIRef(BASE + "org/telefonica"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("Telefónica")) in graph


# --- the protocol's request forms ---------------------------------------------------

def test_query_by_get_form_post_and_direct_post(endpoint):
    query = PREFIXES + SELECT
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        get(endpoint, accept, query=query),
        http(f"{endpoint}/sparql", "POST", urllib.parse.urlencode({"query": query}).encode(),
             {**accept, "Content-Type": "application/x-www-form-urlencoded"}),
        http(f"{endpoint}/sparql", "POST", query.encode("utf-8"),
             {**accept, "Content-Type": "application/sparql-query"}),
    ]
    bodies = {json.dumps(json.loads(body), sort_keys=True) for status, body, _ in answers if status == 200}
    assert len(bodies) == 1 and all(status == 200 for status, _, _ in answers)


def _count(endpoint: str, query: str, **params: str | list[str]) -> int:
    status, body, _ = get(endpoint, {"Accept": "application/sparql-results+json"}, query=query, **params)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_default_graph_uri_selects_our_named_graphs(endpoint, loaded):
    experts = f"{BASE}graph/data/experts"
    members = f"{BASE}graph/data/members"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    sizes = {str(s.graph): s.triples for s in loaded.files}
    assert _count(endpoint, count) == len(loaded)
    assert _count(endpoint, count, **{"default-graph-uri": experts}) == sizes[experts]
    assert _count(endpoint, count, **{"default-graph-uri": [experts, members]}) == sizes[experts] + sizes[members]


def test_named_graph_uri_and_protocol_dataset_overrides_the_query(endpoint, loaded):
    experts = f"{BASE}graph/data/experts"
    count_named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    sizes = {str(s.graph): s.triples for s in loaded.files}
    assert _count(endpoint, count_named, **{"named-graph-uri": experts}) == sizes[experts]
    overridden = f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/data/members> WHERE {{ ?s ?p ?o }}"
    assert _count(endpoint, overridden, **{"default-graph-uri": experts}) == sizes[experts]


def test_a_graph_that_is_not_ours_is_empty(endpoint):
    assert _count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                  **{"default-graph-uri": "https://example.org/not-ours"}) == 0


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+json;q=0, text/csv;q=0.1", "text/csv"),
    ("*/*", "application/sparql-results+json"),
])
def test_accept_with_q_values_chooses_the_format(endpoint, accept, expected):
    status, _, headers = get(endpoint, {"Accept": accept}, query="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert status == 200 and headers["Content-Type"] == f"{expected}; charset=utf-8"
    assert "Accept" in headers["Vary"]


def test_format_parameter_overrides_accept(endpoint):
    status, body, _ = get(endpoint, {"Accept": "text/csv"}, query="ASK {}", format="json")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_nothing_acceptable_is_406(endpoint):
    status, body, _ = get(endpoint, {"Accept": "image/png"}, query="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert status == 406 and "application/sparql-results+json" in body
    status, _, _ = get(endpoint, {"Accept": "text/csv"}, query="CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1")
    assert status == 406


# --- bad requests: 4xx with a message, never 500 --------------------------------

@pytest.mark.parametrize(("method", "body", "headers", "params", "status", "fragment"), [
    ("GET", None, {}, {"query": "SELECT * WHERE {\n  ?s ?p\n}"}, 400, "line 3, column 2"),
    ("GET", None, {}, {"query": ["ASK {}", "ASK {}"]}, 400, "2 'query' parameters"),
    ("POST", b"", {"Content-Type": "application/x-www-form-urlencoded"}, {}, 400, "no 'query'"),
    ("POST", b"ASK {}", {"Content-Type": "text/plain"}, {}, 415, "application/sparql-query"),
    ("POST", "ASK {}".encode("utf-16"), {"Content-Type": "application/sparql-query; charset=utf-16"}, {}, 415, "UTF-8"),
    ("POST", b"\xff\xfe ASK", {"Content-Type": "application/sparql-query"}, {}, 400, "UTF-8"),
    ("PUT", b"ASK {}", {"Content-Type": "application/sparql-query"}, {}, 405, "Method Not Allowed"),
    ("DELETE", None, {}, {}, 405, "Method Not Allowed"),
    ("GET", None, {}, {"query": "SELECT * WHERE { ?s nope:p ?o }"}, 400, "Unknown namespace prefix"),
    ("GET", None, {}, {"query": "SELECT (" + "(" * 300 + "1" + ")" * 300 + " AS ?x) {}"}, 400, "nests too deeply"),
    ("GET", None, {}, {"query": "SELECT * WHERE " + "{" * 300 + "}" * 300}, 400, "nests too deeply"),
])
def test_malformed_requests_get_a_4xx_a_person_can_act_on(endpoint, method, body, headers, params, status, fragment):
    url = f"{endpoint}/sparql" + (f"?{urllib.parse.urlencode(params, doseq=True)}" if params else "")
    got, text, response_headers = http(url, method, body, headers)
    assert got == status, text
    assert fragment in text and "Traceback" not in text
    assert response_headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(("method", "body", "headers", "params"), [
    ("POST", b"update=DROP+ALL", {"Content-Type": "application/x-www-form-urlencoded"}, {}),
    ("POST", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", {"Content-Type": "application/sparql-update"}, {}),
    ("GET", None, {}, {"update": "CLEAR DEFAULT"}),
    ("GET", None, {}, {"query": "LOAD <http://127.0.0.1:9/x.ttl>"}),
    ("GET", None, {}, {"query": "DROP ALL"}),
])
def test_updates_are_refused_and_nothing_changes(endpoint, loaded, method, body, headers, params):
    url = f"{endpoint}/sparql" + (f"?{urllib.parse.urlencode(params)}" if params else "")
    status, text, _ = http(url, method, body, headers)
    assert status == 403 and "read-only" in text
    assert _count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == len(loaded)


def test_head_and_options_are_answered_with_cors(endpoint):
    status, body, headers = http(f"{endpoint}/sparql?query=ASK%7B%7D", "HEAD")
    assert status == 200 and body == ""
    status, _, headers = http(f"{endpoint}/sparql", "OPTIONS", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    _, _, headers = get(endpoint, {"Origin": "https://yasgui.example"}, query="ASK {}")
    assert headers["Access-Control-Allow-Origin"] == "*"


# --- without a query ---------------------------------------------------------------

def test_service_description_for_rdf_clients(endpoint, loaded):
    status, body, headers = get(endpoint, {"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    service = URIRef(f"{endpoint}/sparql")
    assert (service, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(sd + "Service")) in graph
    names = set(graph.objects(None, URIRef(sd + "name")))
    assert names == {s.graph for s in loaded.files}
    formats = {str(f).rsplit("/", 1)[-1] for f in graph.objects(service, URIRef(sd + "resultFormat"))}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
            "Turtle"} <= formats


def test_a_browser_gets_the_query_page(endpoint):
    status, body, headers = get(endpoint, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<textarea id="query" name="query"' in body and "PREFIX cop:" in body
    assert "<script>" not in body  # only external scripts, as the CSP requires


def test_unicode_round_trips_in_every_result_format(endpoint):
    query = 'SELECT ?name WHERE { ?s rdfs:label ?name FILTER(CONTAINS(?name, "Tür")) }'
    for accept in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                   "text/tab-separated-values"):
        status, body, _ = get(endpoint, {"Accept": accept}, query=PREFIXES + query)
        assert status == 200 and "Volker Türk" in body, accept


# --- regressions from probing the endpoint ----------------------------------------------

def test_select_star_columns_come_in_query_order_from_every_worker(endpoint):
    headers = {get(endpoint, {"Accept": "text/csv"}, query="SELECT * WHERE { ?s ?p ?o } LIMIT 1")[1].splitlines()[0]
               for _ in range(6)}
    assert headers == {"s,p,o"}


def test_accept_parameters_other_than_q_do_not_block_a_match(endpoint):
    status, _, headers = get(endpoint, {"Accept": "application/sparql-results+json;charset=utf-8"}, query="ASK {}")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")


def test_sparqlwrapper_rdfxml_for_graphs(endpoint, loaded):
    from SPARQLWrapper import RDFXML

    graph = wrapper(endpoint, CONSTRUCT, RDFXML).queryAndConvert()
    assert isomorphic(graph, run_query(loaded, PREFIXES + CONSTRUCT).graph)


def test_tsv_abbreviates_only_numbers_turtle_can_read_back(endpoint):
    query = 'SELECT ?i ?d ?f WHERE { BIND(1 AS ?i) BIND("1"^^xsd:decimal AS ?d) BIND(1.5e0 AS ?f) }'
    _, body, _ = get(endpoint, {"Accept": "text/tab-separated-values"}, query=query)
    row = body.splitlines()[1].split("\t")
    assert row[0] == "1"
    assert row[1] == '"1"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert row[2] in ("1.5e0", "1.5E0", '"1.5"^^<http://www.w3.org/2001/XMLSchema#double>')


def test_form_post_reads_dataset_parameters_from_the_url(endpoint):
    url = f"{endpoint}/sparql?" + urllib.parse.urlencode({"default-graph-uri": f"{BASE}graph/data/cop"})
    body = urllib.parse.urlencode({"query": f"ASK {{ <{BASE}session/2022-05-03> a ?t }}"}).encode()
    status, text, _ = http(url, "POST", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(text)["boolean"] is False


def test_cors_exposes_the_result_headers(endpoint):
    _, _, headers = get(endpoint, {"Origin": "https://yasgui.example"}, query="ASK {}")
    assert "X-Result-Rows" in headers["Access-Control-Expose-Headers"]


def test_a_comment_only_query_is_a_syntax_error_not_an_update(endpoint):
    status, text, _ = get(endpoint, query="# nothing here")
    assert status == 400 and "syntax error" in text


def test_a_result_xml_cannot_carry_is_refused_not_sent_malformed(endpoint):
    query = 'SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }'
    status, text, _ = get(endpoint, {"Accept": "application/sparql-results+xml"}, query=query)
    assert status == 406 and "XML 1.0" in text
    status, body, _ = get(endpoint, {"Accept": "application/sparql-results+json"}, query=query)
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["x"]["value"] == "a\u0001b"
