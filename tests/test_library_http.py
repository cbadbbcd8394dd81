"""The named query library over HTTP: /queries lists them (HTML and JSON), and each runs
at /queries/<name> with its parameters checked, in any result format."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from .test_sparql_protocol import http

JSON_ACCEPT = {"Accept": "application/json"}
RESULTS = {"Accept": "application/sparql-results+json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_the_library_is_listed_as_json_with_parameters(endpoint):
    status, body, headers = http(f"{endpoint}/queries", headers=JSON_ACCEPT)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    queries = {q["name"]: q for q in json.loads(body)["queries"]}
    assert len(queries) >= 15
    year = queries["members-in-year"]["parameters"][0]
    assert (year["name"], year["type"], year["default"]) == ("year", "xsd:gYear", "2022")
    assert queries["members-in-year"]["url"] == f"{endpoint}/queries/members-in-year"


def test_the_library_is_listed_as_html_for_browsers(endpoint):
    status, body, _ = http(f"{endpoint}/queries", headers=BROWSER)
    assert status == 200 and 'href="/queries/sessions-on-topic"' in body


def test_every_named_query_runs_over_http(endpoint):
    queries = json.loads(http(f"{endpoint}/queries", headers=JSON_ACCEPT)[1])["queries"]
    for query in queries:
        accept = RESULTS if query["form"] in ("SELECT", "ASK") else {"Accept": "text/turtle"}
        status, body, _ = http(f"{endpoint}/queries/{query['name']}", headers=accept)
        assert status == 200, (query["name"], body)


def test_a_named_query_with_parameters_in_any_format(endpoint):
    status, body, _ = http(f"{endpoint}/queries/members-in-year?year=2021", headers=RESULTS)
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 12
    status, body, headers = http(f"{endpoint}/queries/members-in-year?year=2021&format=csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and len(body.splitlines()) == 13


def test_the_html_form_runs_the_query_for_browsers(endpoint):
    status, body, _ = http(f"{endpoint}/queries/sessions-on-topic?topic=topic%2Fremedy", headers=BROWSER)
    assert status == 200
    assert 'name="topic" value="topic/remedy"' in body and "COP Q2 Session 2" in body
    assert body.count("<tr>") == 2


@pytest.mark.parametrize(("name", "params", "status", "fragment"), [
    ("members-in-year", {"year": "twenty"}, 400, "a year such as 2022"),
    ("members-in-year", {"year": '2022") } UNION { ?s ?p ?o } #'}, 400, "a year such as 2022"),
    ("provenance", {"resource": "org/apple> ?p ?o } #"}, 400, "an IRI"),
    ("members-in-year", {"month": "5"}, 400, "has no parameter 'month'"),
    ("no-such-query", {}, 404, "no named query 'no-such-query'"),
])
def test_bad_parameters_and_names_are_4xx_with_the_reason(endpoint, name, params, status, fragment):
    got, body, _ = http(f"{endpoint}/queries/{name}?{urllib.parse.urlencode(params)}", headers=RESULTS)
    assert got == status and fragment in body


def test_an_injection_attempt_through_a_string_parameter_is_inert(endpoint):
    hostile = 'x" ) } UNION { ?resource ?p ?label } #'
    status, body, _ = http(f"{endpoint}/queries/labels-missing-in-language?lang={urllib.parse.quote(hostile)}",
                           headers=RESULTS)
    assert status == 200
    rows = json.loads(body)["results"]["bindings"]
    only_tagged = json.loads(http(f"{endpoint}/queries/labels-missing-in-language?lang=zz", headers=RESULTS)[1])
    assert len(rows) == len(only_tagged["results"]["bindings"])  # the text is a value, nothing more


def test_clients_that_accept_anything_get_data_not_a_page(endpoint):
    status, _, headers = http(f"{endpoint}/queries/members-in-year", headers={"Accept": "*/*"})
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    assert http(f"{endpoint}/queries/members-in-year?year=2021&year=2022", headers=RESULTS)[0] == 400
