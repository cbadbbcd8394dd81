"""Explorer pages over hostile data through the real server: huge values are cut on pages
(and kept whole in the RDF), every page carries the content security policy, and paths
that climb out of the site are refused."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from bs4 import BeautifulSoup
from rdflib import Graph, URIRef

from cop_graph.web import CSP
from cop_graph.web.text import PAGE_VALUE_CHARS
from tests.conftest import BASE, running_server

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HUGE = 2_000_000
SUBJECT = URIRef(BASE + "org/huge")


@pytest.fixture(scope="module")
def huge_server(cop_graph_bin, tmp_path_factory):
    data = tmp_path_factory.mktemp("huge") / "huge.ttl"
    data.write_text(f'<{SUBJECT}> a <http://www.w3.org/ns/org#Organization> ;\n'
                    f'  <http://www.w3.org/2000/01/rdf-schema#label> "{"L" * 50_000}" ;\n'
                    f'  <http://purl.org/dc/terms/description> "{"d" * HUGE}" .\n', encoding="utf-8")
    with running_server(cop_graph_bin, "--data", str(data)) as url:
        yield url


def _get(url: str, accept: str = HTML) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_a_huge_value_is_cut_on_its_page_and_says_how_much_was_left_out(huge_server):
    status, _, body = _get(huge_server + "/org/huge")
    assert status == 200
    assert len(body) < 200_000  # two 10,000-character values and the page around them
    text = body.decode("utf-8")
    assert f"… [{HUGE - PAGE_VALUE_CHARS:,} more characters not shown]" in text
    assert f"… [{50_000 - PAGE_VALUE_CHARS:,} more characters not shown]" in text
    heading = BeautifulSoup(text, "html.parser").h1.get_text()
    assert heading.startswith("L" * PAGE_VALUE_CHARS + "…")


def test_the_rdf_of_the_same_page_carries_the_huge_value_whole(huge_server):
    status, _, body = _get(huge_server + "/org/huge", "text/turtle")
    assert status == 200
    graph = Graph().parse(data=body, format="turtle")
    assert [len(v) for v in graph.objects(SUBJECT, URIRef("http://purl.org/dc/terms/description"))] == [HUGE]


def test_a_long_query_stays_whole_in_the_editor(huge_server):
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * (PAGE_VALUE_CHARS * 2)
    status, _, body = _get(huge_server + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 200
    soup = BeautifulSoup(body, "html.parser")
    assert soup.select_one("textarea#query").get_text().strip() == query
    downloads = [a["href"] for a in soup.select(".downloads a")]
    assert downloads and all(urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["query"] == [query]
                             for href in downloads)  # links are never cut


PAGES = ["/", "/org/huge", "/classes", "/topics", "/timeline", "/search?q=huge", "/sparql", "/queries",
         "/queries/members-in-year", "/network", "/no/such/page", "/resource?iri=%20"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_and_error_page_carries_the_content_security_policy(huge_server, path):
    status, headers, _ = _get(huge_server + path)
    assert status in (200, 400, 404)
    assert headers["Content-Security-Policy"] == CSP and "script-src 'self'" in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/pyproject.toml",
                                  "/static/..%2f..%2fconfig.py", "/..%2f..%2fetc%2fpasswd",
                                  "/static/%252e%252e/__init__.py"])
def test_paths_that_climb_out_of_the_site_are_refused(huge_server, path):
    status, _, body = _get(huge_server + path)
    assert status in (400, 404)
    assert b"root:" not in body and b"[project]" not in body and b"import " not in body
