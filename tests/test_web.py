"""The explorer served for real by `cop-graph serve` on 127.0.0.1, read with a real HTTP client."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest


@pytest.fixture(scope="module")
def server(endpoint):
    return endpoint


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _get(url: str, accept: str = BROWSER) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=30) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), dict(exc.headers)


def test_home_describes_the_dataset_and_leads_into_it(server):
    status, body, headers = _get(server + "/")
    assert status == 200
    assert "<title>B-Tech Company Community of Practice knowledge graph" in body
    assert 'href="/queries"' in body and 'href="/timeline"' in body and 'action="/search"' in body
    assert "Most connected organisations" not in body  # every company had the same degree: it said nothing
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_a_named_query_runs_with_its_form_values(server):
    status, body, _ = _get(server + "/queries/members-in-year?year=2021")
    assert status == 200
    assert body.count("<tr>") == 13  # header + 12 members
    assert "Telefónica" not in body


def test_a_bad_parameter_is_a_400_with_the_reason_never_a_500(server):
    status, body, _ = _get(server + "/queries/members-in-year?year=%3Cscript%3E")
    assert status == 400
    assert "must be a year such as 2022" in body
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_an_unknown_query_is_a_404(server):
    assert _get(server + "/queries/nope")[0] == 404


def test_the_network_view_draws_the_projection_as_svg_with_links(server):
    status, body, _ = _get(server + "/network?projection=topics&year=2022")
    assert status == 200
    drawing = body.split("<svg viewBox")[1].split("</svg>")[0]
    assert drawing.count("<circle cx=") == 10 and drawing.count("<line ") == 8
    assert drawing.count('<a href="/topic/') == 10  # each node links to its resource page
    assert "<script" not in body.split("<svg viewBox")[1]


def test_the_network_view_has_a_json_twin_built_from_the_same_data(server):
    status, body, _ = _get(server + "/network?projection=topics&year=2022&format=json", accept="application/json")
    data = json.loads(body)
    assert status == 200 and len(data["nodes"]) == 10 and len(data["edges"]) == 8
    assert {"iri", "label", "type", "x", "y", "degree"} <= set(data["nodes"][0])


@pytest.mark.parametrize(("query", "fragment"), [
    ("projection=friends", "unknown projection 'friends'"),
    ("year=1999", "no data for year 1999"),
])
def test_bad_network_requests_are_400(server, query, fragment):
    status, body, _ = _get(server + "/network?" + query)
    assert status == 400 and fragment in body
