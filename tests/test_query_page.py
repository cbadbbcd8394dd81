"""The query page for people in a browser: /sparql and /queries/<name> show results as
tables whose resources link to their pages, download links for every format, errors
inline at their line and column, hostile text escaped; other clients get the protocol's
answers exactly as before."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from bs4 import BeautifulSoup
from rdflib import Graph, URIRef

from cop_graph.config import load_config
from cop_graph.sparql.engine import QueryRequest
from cop_graph.web import create_app
from cop_graph.web.links import resource_url

from .conftest import BASE

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
MEMBERS_2021 = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?member ?name WHERE {
  ?m org:member ?member ; org:organization ?c ; org:memberDuring <https://w3id.org/b-tech-cop/period/2021-05-12> .
  ?member rdfs:label ?name .
} ORDER BY ?name"""
LABELS = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a schema:Corporation ; rdfs:label ?l }"
HOSTILE = "</textarea><script>alert(1)</script>"


@pytest.fixture(scope="module")
def tight_client():
    """An app with a tiny row limit and a short time limit on the memory store (whichever
    store the session is on), with one query worker: a query running inside Oxigraph is
    stopped at the time limit with its worker process."""
    app = create_app(load_config(store="memory", workers=1, max_rows=5, query_timeout=0.5))
    yield app.test_client()
    app.extensions["cop_engine"].close()


def page(client, path: str = "/sparql", **params: str):
    response = client.get(path, query_string=params, headers=BROWSER)
    return response, BeautifulSoup(response.get_data(as_text=True), "html.parser")


def editor(soup: BeautifulSoup) -> str:
    # The page writes a newline after <textarea> that an HTML parser drops (html.parser keeps it).
    return soup.select_one("textarea#query").text.removeprefix("\n")


def table(soup: BeautifulSoup) -> tuple[list[str], list[list]]:
    found = soup.select_one("section.results table.results-table")
    headers = [th.get_text() for th in found.select("thead th")]
    return headers, [row.select("td") for row in found.select("tbody tr")]


EDITOR_SCRIPTS = {"/static/vendor/yasgui/yasgui.min.js", "/static/sparql-editor.js"}


def assert_no_script_runs(soup: BeautifulSoup) -> None:
    """Only the editor's own external scripts (served here), no inline script, no event
    handler attributes."""
    scripts = soup.find_all("script")
    assert {s.get("src") for s in scripts} <= EDITOR_SCRIPTS and all(not s.string for s in scripts)
    for element in soup.find_all(True):
        assert not [a for a in element.attrs if a.lower().startswith("on")], element
        for attribute in ("href", "src", "action"):
            assert not str(element.get(attribute, "")).strip().lower().startswith("javascript:"), element


# --- results -----------------------------------------------------------------------

def test_a_select_from_a_browser_is_a_table_whose_resources_link_to_their_pages(app, client):
    response, soup = page(client, query=MEMBERS_2021)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Accept" in response.vary
    headers, rows = table(soup)
    assert headers == ["member", "name"]
    assert len(rows) == 12 and soup.select_one(".result-count .rows").get_text() == "12"
    apple = next(row for row in rows if row[1].get_text() == "Apple")
    link = apple[0].select_one("a.iri")
    with app.test_request_context():
        assert link["href"] == resource_url(URIRef(BASE + "org/apple")) == "/org/apple"
    assert link.get_text() == "<org/apple>" and link["title"] == BASE + "org/apple"
    assert apple[1].select_one("span.literal").get_text() == "Apple" and not apple[1].select("a")
    assert editor(soup) == MEMBERS_2021
    assert_no_script_runs(soup)


def test_literals_show_their_language_and_datatype_apart_from_the_value(client):
    query = 'SELECT ?a ?b ?c ?d WHERE { BIND("Hallo"@de AS ?a) BIND("2022-05-17"^^xsd:date AS ?b) ' \
            'BIND("plain" AS ?c) BIND(<https://w3id.org/b-tech-cop/org/apple> AS ?d) }'
    _, soup = page(client, query=query)
    _, [row] = table(soup)
    assert row[0].select_one(".literal").get_text() == "Hallo" and row[0].select_one("small.lang").get_text() == "@de"
    assert row[1].select_one(".literal").get_text() == "2022-05-17"
    assert row[1].select_one("small.datatype").get_text() == "xsd:date"
    assert not row[2].select("small")  # xsd:string is not worth a mention
    assert row[3].select_one("a.iri")["href"] == "/org/apple"


def test_unbound_variables_are_empty_cells(client):
    _, soup = page(client, query="SELECT ?x ?y WHERE { BIND(1 AS ?x) }")
    _, [row] = table(soup)
    assert row[0].select_one(".literal").get_text() == "1" and row[1].get_text() == ""


@pytest.mark.parametrize(("query", "answer"), [("ASK { ?s ?p ?o }", "yes"), ("ASK { <urn:x> <urn:y> <urn:z> }", "no")])
def test_ask_shows_yes_or_no(client, query, answer):
    response, soup = page(client, query=query)
    assert response.status_code == 200
    assert soup.select_one("section.results .boolean").get_text() == answer
    assert not soup.select("table.results-table")


def test_construct_shows_its_triples_as_subject_predicate_object(app, client):
    _, soup = page(client, query=LABELS)
    headers, rows = table(soup)
    assert headers == ["subject", "predicate", "object"]
    turtle = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    assert len(rows) == len(graph) > 10
    shown = {(s.select_one("a")["title"], p.select_one("a")["title"], o.select_one(".literal").get_text())
             for s, p, o in rows}
    assert shown == {(str(s), str(p), str(o)) for s, p, o in graph}
    assert {row[1].select_one("a").get_text() for row in rows} == {"rdfs:label"}
    assert soup.select_one(".result-count").get_text().strip() == f"{len(graph)} triples."


def test_describe_shows_triples_about_the_resource(client):
    _, soup = page(client, query=f"DESCRIBE <{BASE}org/apple>")
    headers, rows = table(soup)
    assert headers == ["subject", "predicate", "object"] and rows
    assert any(row[0].select_one("a") and row[0].select_one("a")["href"] == "/org/apple" for row in rows)


def test_a_result_cut_at_the_row_limit_says_so(tight_client):
    _, soup = page(tight_client, query="SELECT * WHERE { ?s ?p ?o }")
    _, rows = table(soup)
    assert len(rows) == 5
    notice = soup.select_one("section.results .truncated")
    assert notice is not None and "row limit" in notice.get_text() and "5 rows" in " ".join(notice.get_text().split())


def test_a_result_within_the_limit_has_no_notice(client):
    _, soup = page(client, query=MEMBERS_2021)
    assert soup.select_one("section.results .truncated") is None


# --- downloads ---------------------------------------------------------------------

@pytest.mark.parametrize(("query", "labels"), [
    (MEMBERS_2021, ["JSON", "XML", "CSV", "TSV", "Text table"]),
    ("ASK { ?s ?p ?o }", ["JSON", "XML", "CSV", "TSV", "Text table"]),
    (LABELS, ["Turtle", "N-Triples", "JSON-LD", "RDF/XML", "TriG"]),
])
def test_every_download_link_returns_its_format(client, query, labels):
    _, soup = page(client, query=query)
    links = soup.select("section.results .downloads a")
    assert [a.get_text() for a in links] == labels
    for link in links:
        # A browser follows the link with its own Accept header: the format parameter wins.
        response = client.get(link["href"], headers=BROWSER)
        assert response.status_code == 200, link
        assert response.mimetype == link["type"], link
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(link["href"]).query)["query"] == [query]


def test_download_links_keep_the_dataset_parameters(client):
    graph = BASE + "graph/data/memberships-2021"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    _, soup = page(client, query=query, **{"default-graph-uri": graph})
    link = soup.select_one("section.results .downloads a[type='application/sparql-results+json']")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(link["href"]).query)["default-graph-uri"] == [graph]
    assert soup.select_one("form#query-form input[name='default-graph-uri']")["value"] == graph
    shown = table(soup)[1][0][0].select_one(".literal").get_text()
    downloaded = json.loads(client.get(link["href"]).get_data(as_text=True))
    assert downloaded["results"]["bindings"][0]["n"]["value"] == shown != "0"


# --- errors inline -----------------------------------------------------------------

def test_a_syntax_error_is_a_400_shown_above_the_editor_with_line_and_column(client):
    query = "PREFIX ex: <urn:ex:>\nSELECT ?x WHERE {\n\t?x ?y ) }\nLIMIT 2"
    response, soup = page(client, query=query)
    assert response.status_code == 400 and response.mimetype == "text/html"
    error = soup.select_one(".query-error")
    assert error is not None and error.find_next("textarea") is not None  # above the editor
    assert "400 Bad Request" in error.select_one(".status").get_text()
    # Oxigraph's position: where it stopped reading (the brace after the stray parenthesis)
    assert (error.select_one(".line").get_text(), error.select_one(".column").get_text()) == ("3", "10")
    assert error.select_one("mark.error-line").get_text() == "        ?x ?y ) }"  # a tab is one column, shown as 8
    assert error.select_one(".caret").get_text() == " " * 16 + "^"
    assert editor(soup) == query
    offset = int(soup.select_one("textarea#query")["data-error-offset"])
    assert query[offset:offset + 1] == "}"  # where the script puts the cursor
    assert not soup.select("section.results")


@pytest.mark.parametrize("params", [
    {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
    {"update": "DELETE WHERE { ?s ?p ?o }"},
    {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"},
])
def test_refused_operations_are_a_403_shown_inline(client, params):
    response, soup = page(client, **params)
    assert response.status_code == 403
    error = soup.select_one(".query-error")
    assert "403 Forbidden" in error.get_text() and "not allowed" in error.get_text()
    assert editor(soup) == next(iter(params.values()))


def test_a_query_stopped_at_the_time_limit_is_a_503_shown_inline(tight_client):
    response, soup = page(tight_client, query="SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert response.status_code == 503
    assert "time limit" in soup.select_one(".query-error").get_text()


@pytest.mark.parametrize(("params", "status", "fragment"), [
    ({"query": "   "}, 400, "the query is empty"),
    ({"query": ["ASK {}", "ASK {}"]}, 400, "exactly one"),
    ({"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70000}, 413, "size limit"),
    ({"example": "no-such-query"}, 404, "no named query 'no-such-query'"),
])
def test_protocol_errors_are_shown_inline_with_their_status(client, params, status, fragment):
    response, soup = page(client, **params)
    assert response.status_code == status
    assert fragment in soup.select_one(".query-error .message").get_text()
    assert soup.select_one("textarea#query") is not None


# --- hostile text ------------------------------------------------------------------

def test_hostile_query_text_comes_back_escaped_in_the_editor(client):
    response, soup = page(client, query=HOSTILE)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<script>alert" not in body and "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert editor(soup) == HOSTILE
    assert_no_script_runs(soup)


@pytest.mark.parametrize("expression", [
    '"</td><script>alert(1)</script>"',
    '"\\"><img src=x onerror=alert(1)>"',
    "IRI(\"javascript:alert(1)\")",
    "IRI(\"https://w3id.org/b-tech-cop/x\\\" onmouseover=\\\"alert(1)\")",
    "IRI(\"https://w3id.org/b-tech-cop/x'><script>alert(1)</script>\")",
])
def test_hostile_values_in_results_are_shown_as_text(client, store, expression):
    query = f"SELECT ?x WHERE {{ BIND({expression} AS ?x) }}"
    response, soup = page(client, query=query)
    assert response.status_code == 200
    _, rows = table(soup)
    # Oxigraph refuses to make an IRI with " < > and leaves ?x unbound: no row (a remote
    # store may make it: then it is shown as text)
    assert len(rows) == 1 or ("IRI(" in expression and ("<" in expression or '\\"' in expression) and not rows)
    for row in rows:
        assert not row[0].select("script, img")
        link = row[0].select_one("a")
        if link is not None:
            assert link["href"].startswith("/")  # a resource page here, never the IRI itself
    assert_no_script_runs(soup)


def test_a_nul_byte_in_the_query_is_a_400_with_its_place(client):
    query = "SELECT ?x WHERE {\n  ?x ?p \x00 }"
    response, soup = page(client, query=query)
    assert response.status_code == 400
    error = soup.select_one(".query-error")
    assert "NUL character" in error.get_text()
    assert (error.select_one(".line").get_text(), error.select_one(".column").get_text()) == ("2", "9")
    assert "\x00" not in response.get_data(as_text=True)
    assert editor(soup) == query.replace("\x00", "\ufffd")


def test_a_nul_character_in_the_data_is_shown_visibly(client):
    response, soup = page(client, query='SELECT ?x WHERE { BIND("a\\u0000b" AS ?x) }')
    assert response.status_code == 200 and "\x00" not in response.get_data(as_text=True)
    assert table(soup)[1][0][0].get_text() == "a\u2400b"


# --- the editor and its examples ----------------------------------------------------

def test_the_editor_has_prefixes_and_every_named_query_as_an_example_grouped_by_task(app, client):
    response, soup = page(client)
    assert response.status_code == 200 and "Accept" in response.vary
    assert editor(soup).startswith("PREFIX cop: <https://w3id.org/b-tech-cop/ontology/>")
    assert {s["src"] for s in soup.select("script[src]")} == EDITOR_SCRIPTS
    assert soup.select_one("form#query-form")["data-terms"] == "/sparql/terms.json"
    # the network view's own queries are in the library, not among the examples
    library = {name: q for name, q in app.extensions["cop_queries"].items() if not name.startswith("network-")}
    assert len(library) < len(app.extensions["cop_queries"])
    links = {a.get_text(): a for a in soup.select("ul.examples a.example")}
    assert set(links) == {q.title for q in library.values()} and len(links) == len(library)
    groups = {h3.get_text(): h3.find_next_sibling("ul") for h3 in soup.select("h3.example-group")}
    assert {"Members and organisations", "Sessions and topics", "The data itself"} <= set(groups)
    assert groups["Members and organisations"].select_one("a[href='/sparql?example=members-in-year']") is not None
    assert groups["The data itself"].select_one("a[href='/sparql?example=instances-per-class']") is not None
    for query in library.values():
        link = links[query.title]
        assert link["href"] == f"/sparql?example={query.name}"
        assert query.description in link.parent.get_text()
        assert link.parent.select_one("a.example-form")["href"] == f"/queries/{query.name}"
        assert ("# title: " + query.title) in link["data-sparql"]
    assert not soup.select("section.results")
    assert_no_script_runs(soup)


def test_the_default_query_answers_the_13_members_of_2022_once_each(client):
    _, soup = page(client)
    text = editor(soup)
    response = client.get("/sparql", query_string={"query": text},
                          headers={"Accept": "application/sparql-results+json"})
    rows = json.loads(response.get_data(as_text=True))["results"]["bindings"]
    members = [row["member"]["value"] for row in rows]
    assert len(members) == len(set(members)) == 13
    assert {row["name"]["value"] for row in rows} >= {"Apple", "Telefónica", "Vodafone"}
    assert not text.startswith("#")  # the file's header stays in the file


def test_the_editor_completes_from_this_datasets_terms(app, client):
    response = client.get("/sparql/terms.json")
    assert response.status_code == 200 and response.mimetype == "application/json" and response.headers["ETag"]
    terms = json.loads(response.get_data(as_text=True))
    classes = {t["curie"]: t for t in terms["classes"]}
    properties = {t["curie"]: t for t in terms["properties"]}
    assert classes["cop:Session"]["label"] == "COP session"
    assert classes["cop:Session"]["iri"] == "https://w3id.org/b-tech-cop/ontology/Session"
    assert classes["org:Membership"]["uses"] == 27 and "schema:Corporation" in classes
    assert {"org:member", "org:memberDuring", "rdfs:label", "cop:theme"} <= set(properties)
    assert not set(classes) & {"foaf:Person", "schema:Movie"}  # only what this dataset uses or declares
    uses = [t["uses"] for t in terms["properties"]]
    assert uses == sorted(uses, reverse=True)  # most used first
    assert terms["prefixes"]["cop"] == "https://w3id.org/b-tech-cop/ontology/" and terms["base"] == BASE
    # what the result table links IRIs by, as web/links.py does
    assert {"sparql", "static", "resource"} <= set(terms["links"]["reserved"]) and ".ttl" in terms["links"]["suffixes"]
    from cop_graph.web.sparql import editor_terms

    loaded = app.extensions["cop_dataset"]
    assert editor_terms(loaded) is editor_terms(loaded)  # built once per dataset


def test_an_internal_query_is_not_listed_but_still_loads_by_name(app, client):
    _, soup = page(client, example="network-links")
    assert editor(soup) == app.extensions["cop_queries"]["network-links"].text
    assert not soup.select("a.example[href='/sparql?example=network-links']")


def test_an_example_link_loads_its_query_into_the_editor_without_running_it(app, client):
    _, soup = page(client, example="sessions-per-year")
    assert editor(soup) == app.extensions["cop_queries"]["sessions-per-year"].text
    assert soup.select_one(".loaded-example") is not None and not soup.select("section.results")
    example = soup.select_one("a.example[href='/sparql?example=sessions-per-year']")
    assert example["data-sparql"] == editor(soup)  # the script loads the same text in place


def test_an_example_with_parameters_links_its_form(client):
    _, soup = page(client, example="members-in-year")
    assert soup.select_one(".loaded-example a")["href"] == "/queries/members-in-year"
    assert "VALUES ?year" in editor(soup)


def test_every_example_runs_as_loaded_to_the_named_query_answer_with_its_defaults(app, client):
    engine = app.extensions["cop_engine"]
    answered = 0
    for query in app.extensions["cop_queries"].values():
        if not query.parameters:
            continue
        _, soup = page(client, example=query.name)
        loaded = engine.answer(QueryRequest(editor(soup), format="json"))
        named = engine.answer(QueryRequest(query.text, query.bindings({}, BASE), format="json"))
        rows = [json.loads(a.body)["results"]["bindings"] for a in (loaded, named)]
        assert rows[0] == rows[1], query.name
        answered += bool(rows[1])
    assert answered >= 5  # the comparison means something: most defaults have an answer


# --- /queries/<name> for browsers -----------------------------------------------------

def test_a_named_query_page_links_resources_and_downloads_with_the_current_values(client):
    response, soup = page(client, "/queries/members-in-year", year="2021")
    assert response.status_code == 200 and "Accept" in response.vary
    headers, rows = table(soup)
    assert headers == ["member", "name", "membership"] and len(rows) == 12
    assert {row[0].select_one("a")["href"] for row in rows} >= {"/org/apple", "/org/microsoft"}
    assert rows[0][2].select_one("a")["href"].startswith("/membership/2021/")
    links = soup.select("section.results .downloads a")
    assert [a.get_text() for a in links] == ["JSON", "XML", "CSV", "TSV", "Text table"]
    for link in links:
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(link["href"]).query)["year"] == ["2021"]
        download = client.get(link["href"], headers=BROWSER)
        assert download.status_code == 200 and download.mimetype == link["type"]
    csv = client.get(soup.select_one(".downloads a[type='text/csv']")["href"]).get_data(as_text=True)
    assert len(csv.splitlines()) == 13
    assert soup.select_one("a[href='/sparql?example=members-in-year']") is not None


@pytest.mark.parametrize(("params", "fragment"), [
    ({"year": "<script>alert(1)</script>"}, "must be a year such as 2022"),
    ({"year": ["2021", "2022"]}, "given more than once"),
    ({"month": "5"}, "has no parameter 'month'"),
    ({"year": "20\x0022"}, "NUL character"),
])
def test_a_named_query_page_shows_bad_parameters_inline_as_400(client, params, fragment):
    response, soup = page(client, "/queries/members-in-year", **params)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert fragment in soup.select_one(".query-error .message").get_text()
    assert "<script>alert" not in body and "\x00" not in body
    assert soup.select_one("form input[name='year']") is not None
    assert_no_script_runs(soup)


# --- other clients: the protocol, unchanged ----------------------------------------------

@pytest.mark.parametrize(("headers", "params", "media_type"), [
    ({"Accept": "application/sparql-results+json"}, {}, "application/sparql-results+json"),
    ({"Accept": "*/*"}, {}, "application/sparql-results+json"),
    ({}, {}, "application/sparql-results+json"),
    ({"Accept": "text/csv"}, {}, "text/csv"),
    (BROWSER, {"format": "json"}, "application/sparql-results+json"),
    (BROWSER, {"format": "csv"}, "text/csv"),
])
def test_other_clients_get_the_protocol_answer(client, headers, params, media_type):
    response = client.get("/sparql", query_string={"query": MEMBERS_2021, **params}, headers=headers)
    assert response.status_code == 200 and response.mimetype == media_type
    if media_type.endswith("json"):
        assert len(json.loads(response.get_data(as_text=True))["results"]["bindings"]) == 12


def test_other_clients_still_get_errors_as_plain_text(client):
    response = client.get("/sparql", query_string={"query": HOSTILE},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400 and response.mimetype == "text/plain"


def test_the_service_description_is_still_there_for_json_clients(client):
    response = client.get("/sparql", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/ld+json"


def test_a_named_query_still_answers_other_clients_with_data(client):
    response = client.get("/queries/members-in-year?year=2021", headers={"Accept": "*/*"})
    assert response.mimetype == "application/sparql-results+json"
    assert len(json.loads(response.get_data(as_text=True))["results"]["bindings"]) == 12
