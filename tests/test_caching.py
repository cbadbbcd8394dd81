"""HTTP caching and compression: every answer built from the data carries a weak ETag
from the dataset version and the request, and Last-Modified from the load; a client whose
copy is current gets 304 without the page being rendered or the query run; text answers
are gzipped for clients that accept it; errors carry no validator."""

from __future__ import annotations

import gzip
import http.client
import time
import urllib.parse
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from cop_graph.web.caching import server_digest

from .conftest import running_server

SELECT = "SELECT ?name WHERE { ?org a schema:Corporation ; rdfs:label ?name } ORDER BY ?name"
LABELS = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label"
ASK = 'ASK { ?s rdfs:label "Telefónica" }'
# A cartesian product (2 x 10^7 solutions): about two seconds on the bundled data, well past a 0.3 s limit.
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a a ?x . ?b a ?y . "
        "?c a <http://www.w3.org/2004/02/skos/core#ConceptScheme> }")
RESULTS = "application/sparql-results+json"
HTML = "text/html,application/xhtml+xml,*/*;q=0.8"
FORM = "application/x-www-form-urlencoded"
FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"


def sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


# Every kind of answer built from the data: explorer pages and their JSON twins, resource
# pages in each format, query results, named queries, the service and dataset descriptions.
ANSWERS = [
    ("/", HTML), ("/index.json", None), ("/classes", HTML), ("/timeline.json", None), ("/topics", HTML),
    ("/search?q=apple", HTML), ("/network", HTML),
    ("/org/telefonica", HTML), ("/org/telefonica", "application/json"), ("/org/telefonica", "text/turtle"),
    ("/org/telefonica.jsonld", None), ("/org/telefonica.nt", None), ("/org/telefonica.rdf", None),
    ("/resource?iri=http%3A%2F%2Fwww.w3.org%2Fns%2Forg%23Membership", HTML),
    (sparql(SELECT), RESULTS), (sparql(SELECT), "text/csv"), (sparql(SELECT), HTML),
    ("/sparql", "text/turtle"), ("/sparql", HTML),
    ("/queries", HTML), ("/queries/members-in-year?year=2021", RESULTS), ("/queries/members-in-year", HTML),
    ("/.well-known/void", "text/turtle"),
]


def get(client, url: str, accept: str | None = None, **headers: str):
    if accept:
        headers["Accept"] = accept
    return client.get(url, headers={k.replace("_", "-"): v for k, v in headers.items()})


@pytest.fixture
def engine_calls(app, monkeypatch):
    """The queries the shared app's engine is asked to run during one test."""
    engine, calls = app.extensions["cop_engine"], []

    class Counting:
        def answer(self, query, client=None):
            calls.append(query)
            return engine.answer(query, client=client)

    monkeypatch.setitem(app.extensions, "cop_engine", Counting())
    return calls


# --- validators ---------------------------------------------------------------------

@pytest.mark.parametrize(("url", "accept"), ANSWERS)
def test_an_answer_has_a_weak_etag_from_the_dataset_version_and_is_revalidated_with_304(app, client, url, accept):
    first = get(client, url, accept)
    assert first.status_code == 200
    tag, weak = first.get_etag()
    assert weak and tag.startswith(app.extensions["cop_dataset"].version + "-")
    assert first.last_modified == app.extensions["cop_caching"].loaded_at
    assert first.headers["Cache-Control"] == "no-cache" and "Accept" in first.vary

    again = get(client, url, accept, If_None_Match=first.headers["ETag"])
    assert again.status_code == 304 and again.data == b""
    for header in ("ETag", "Cache-Control", "Vary"):
        assert again.headers[header] == first.headers[header]


def test_the_same_request_gets_the_same_etag_and_head_gets_that_of_get(client):
    tags = {get(client, "/org/apple", HTML).headers["ETag"] for _ in range(3)}
    tags.add(client.head("/org/apple", headers={"Accept": HTML}).headers["ETag"])
    assert len(tags) == 1


@pytest.mark.parametrize(("url", "accept", "other_url", "other_accept"), [
    ("/org/apple", HTML, "/org/apple", "text/turtle"),
    ("/org/apple", "text/turtle", "/org/apple", "application/ld+json"),
    (sparql(SELECT), RESULTS, sparql(SELECT), "text/csv"),
    (sparql(SELECT), RESULTS, sparql(SELECT + " LIMIT 3"), RESULTS),
    ("/queries/members-in-year?year=2021", RESULTS, "/queries/members-in-year?year=2022", RESULTS),
    ("/org/apple", HTML, "/org/meta", HTML),
    ("/timeline", HTML, "/timeline?year=2022", HTML),
])
def test_what_changes_the_answer_changes_the_etag(client, url, accept, other_url, other_accept):
    one, other = get(client, url, accept), get(client, other_url, other_accept)
    assert one.status_code == other.status_code == 200
    assert one.headers["ETag"] != other.headers["ETag"]
    assert get(client, other_url, other_accept, If_None_Match=one.headers["ETag"]).status_code == 200


@pytest.mark.parametrize("url", [sparql(SELECT), "/queries/members-in-year?year=2021"])
def test_revalidating_a_query_result_does_not_run_the_query(client, engine_calls, url):
    tag = get(client, url, RESULTS).headers["ETag"]
    assert len(engine_calls) == 1
    for _ in range(3):
        assert get(client, url, RESULTS, If_None_Match=tag).status_code == 304
    assert len(engine_calls) == 1


def test_revalidating_the_query_page_of_a_browser_does_not_run_the_query(client, engine_calls):
    tag = get(client, sparql(SELECT), HTML).headers["ETag"]
    assert get(client, sparql(SELECT), HTML, If_None_Match=tag).status_code == 304
    assert len(engine_calls) == 1


@pytest.mark.parametrize("header", [
    '"{tag}"', 'W/"{tag}"', 'W/"other", W/"{tag}"', '"other" , W/"{tag}" ,"more"',
])
def test_if_none_match_compares_weakly_and_accepts_a_list(client, header):
    tag, _ = get(client, "/org/apple", HTML).get_etag()
    assert get(client, "/org/apple", HTML, If_None_Match=header.format(tag=tag)).status_code == 304


def test_if_none_match_star_is_304_only_when_there_is_an_answer(client):
    assert get(client, "/org/apple", HTML, If_None_Match="*").status_code == 304
    missing = get(client, "/org/no-such-company", HTML, If_None_Match="*")
    assert missing.status_code == 404 and "ETag" not in missing.headers


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def test_if_modified_since_is_304_from_the_load_time_on(app, client):
    loaded_at = app.extensions["cop_caching"].loaded_at
    assert get(client, "/org/apple", HTML, If_Modified_Since=_http_date(loaded_at)).status_code == 304
    assert get(client, "/org/apple", HTML, If_Modified_Since=FUTURE).status_code == 304
    earlier = get(client, "/org/apple", HTML, If_Modified_Since=_http_date(loaded_at - timedelta(seconds=1)))
    assert earlier.status_code == 200 and earlier.data
    assert get(client, "/org/apple", HTML, If_Modified_Since="yesterday").status_code == 200


def test_if_none_match_takes_precedence_over_if_modified_since(client):
    answer = get(client, "/org/apple", HTML, If_None_Match='W/"not-this"', If_Modified_Since=FUTURE)
    assert answer.status_code == 200


@pytest.mark.parametrize(("url", "accept", "status"), [
    ("/org/no-such-company", HTML, 404),
    ("/org/no-such-company", "text/turtle", 404),
    ("/org/apple", "image/png", 406),
    (sparql("SELECT ?x WHERE {"), RESULTS, 400),
    ("/queries/members-in-year?year=twenty", RESULTS, 400),
    ("/queries/no-such-query", RESULTS, 404),
    ("/.well-known/void", "image/png", 406),
    ("/static/no-such-file.css", None, 404),
])
def test_errors_carry_no_validators(client, url, accept, status):
    answer = get(client, url, accept)
    assert answer.status_code == status
    assert "ETag" not in answer.headers and "Last-Modified" not in answer.headers


def test_a_tag_from_another_dataset_version_is_not_current(client):
    tag, _ = get(client, "/org/apple", HTML).get_etag()
    old = "0" * 16 + tag[16:]
    assert get(client, "/org/apple", HTML, If_None_Match=f'W/"{old}"').status_code == 200


def test_static_files_keep_flasks_own_validators(client):
    answer = client.get("/static/style.css")
    tag, weak = answer.get_etag()
    assert answer.status_code == 200 and not weak
    assert client.get("/static/style.css", headers={"If-None-Match": f'"{tag}"'}).status_code == 304


def test_the_server_digest_follows_settings_that_shape_answers_only(config):
    digest = server_digest(config)
    assert server_digest(replace(config, workers=7, query_timeout=1, queue_timeout=1)) == digest
    assert server_digest(replace(config, max_rows=5)) != digest
    assert server_digest(replace(config, base="https://example.org/cop/")) != digest


# --- SPARQL queries by POST -----------------------------------------------------------

def post(client, body: bytes, content_type: str, **headers: str):
    headers = {"Accept": RESULTS, "Content-Type": content_type, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return client.post("/sparql", data=body, headers=headers)


POST_BODIES = {
    FORM: lambda query: urllib.parse.urlencode({"query": query}).encode(),
    "application/sparql-query": lambda query: query.encode(),
}


@pytest.mark.parametrize("content_type", POST_BODIES)
def test_a_post_query_matching_if_none_match_is_412_and_not_run(client, engine_calls, content_type):
    body = POST_BODIES[content_type]
    first = post(client, body(SELECT), content_type)
    assert first.status_code == 200 and first.get_etag()[1]
    matched = post(client, body(SELECT), content_type, If_None_Match=first.headers["ETag"])
    assert matched.status_code == 412 and "ETag" not in matched.headers
    assert len(engine_calls) == 1
    other = post(client, body(SELECT + " LIMIT 2"), content_type, If_None_Match=first.headers["ETag"])
    assert other.status_code == 200 and len(engine_calls) == 2


def test_a_post_query_ignores_if_modified_since(client):
    body = urllib.parse.urlencode({"query": ASK}).encode()
    answer = post(client, body, FORM, If_Modified_Since=FUTURE)
    assert answer.status_code == 200 and b"true" in answer.data


def test_a_post_and_a_get_of_the_same_query_have_different_tags(client):
    by_get = get(client, sparql(SELECT), RESULTS).headers["ETag"]
    by_post = post(client, urllib.parse.urlencode({"query": SELECT}).encode(), FORM).headers["ETag"]
    assert by_get != by_post


# --- compression ----------------------------------------------------------------------

@pytest.mark.parametrize(("url", "accept"), [
    ("/", HTML), ("/index.json", None), ("/document/review-2022", "text/turtle"), ("/session/2022-05-17.jsonld", None),
    (sparql(LABELS), RESULTS), (sparql(LABELS), "text/csv"), ("/.well-known/void", "text/turtle"),
])
def test_text_answers_are_gzipped_to_the_same_bytes(client, url, accept):
    plain = get(client, url, accept)
    packed = get(client, url, accept, Accept_Encoding="gzip")
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.vary
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.vary
    assert len(packed.data) < len(plain.data) and gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    assert packed.headers["ETag"] == plain.headers["ETag"]


@pytest.mark.parametrize(("accept_encoding", "expected"), [
    ("gzip", "gzip"), ("gzip, deflate, br, zstd", "gzip"), ("br, gzip;q=0.5", "gzip"), ("*", "gzip"),
    ("identity", None), ("br", None), ("deflate", None), ("", None),
])
def test_the_client_chooses_the_encoding(client, accept_encoding, expected):
    answer = get(client, "/", HTML, Accept_Encoding=accept_encoding)
    assert answer.headers.get("Content-Encoding") == expected


def test_small_answers_304s_and_errors_are_not_compressed(client):
    small = get(client, sparql(ASK), RESULTS, Accept_Encoding="gzip")
    assert small.status_code == 200 and len(small.data) < 1024 and "Content-Encoding" not in small.headers
    tag = get(client, "/", HTML).headers["ETag"]
    unchanged = get(client, "/", HTML, Accept_Encoding="gzip", If_None_Match=tag)
    assert unchanged.status_code == 304 and "Content-Encoding" not in unchanged.headers
    assert "Accept-Encoding" in unchanged.vary
    error = get(client, "/org/no-such-company", HTML, Accept_Encoding="gzip")
    assert error.status_code == 404 and "Content-Encoding" not in error.headers


# --- on a real server -----------------------------------------------------------------

def fetch(base: str, path: str, method: str = "GET", body: bytes | None = None, **headers: str):
    """One request over a fresh connection: status, headers, body and seconds taken."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = connection.getresponse()
        return response.status, response.headers, response.read(), time.perf_counter() - started
    finally:
        connection.close()


def test_a_real_server_revalidates_pages_and_results(endpoint):
    for path, accept in (("/org/telefonica", HTML), (sparql(SELECT), RESULTS), ("/.well-known/void", "text/turtle")):
        status, headers, body, _ = fetch(endpoint, path, Accept=accept)
        assert status == 200 and body and headers["ETag"].startswith('W/"')
        status, again, body, _ = fetch(endpoint, path, Accept=accept, If_None_Match=headers["ETag"])
        assert (status, body, again["ETag"]) == (304, b"", headers["ETag"])


def test_a_real_server_gzips_to_the_same_bytes(endpoint):
    _, plain_headers, plain, _ = fetch(endpoint, "/", Accept=HTML)
    _, headers, packed, _ = fetch(endpoint, "/", Accept=HTML, Accept_Encoding="gzip")
    assert "Content-Encoding" not in plain_headers
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(packed) == plain
    assert len(packed) * 2 < len(plain)


def _tags(url: str) -> list[str]:
    """The tags of a few answers, asked for under one public name (answers hold absolute
    links, so the host name is part of what the tag covers; the test servers' ports vary)."""
    pages = [("/org/telefonica", {"Accept": HTML}), ("/index.json", {}), (sparql(SELECT), {"Accept": RESULTS})]
    return [fetch(url, path, Host=PUBLIC, **headers)[1]["ETag"] for path, headers in pages]


PUBLIC = "cop.example.org"


@pytest.mark.full
def test_a_restarted_server_on_the_same_data_keeps_its_tags_and_answers_304_without_running_the_query(
        cop_graph_bin, tmp_path):
    with running_server(cop_graph_bin, "--workers", "1", "--query-timeout", "60") as url:
        tags = _tags(url)
        status, headers, _, slow = fetch(url, sparql(SLOW), Host=PUBLIC, Accept=RESULTS)
        assert status == 200
    # The same data, with a time limit the query cannot meet: the tag still holds, and
    # only a client without it makes the server try the query.
    with running_server(cop_graph_bin, "--workers", "1", "--query-timeout", "0.3") as url:
        assert _tags(url) == tags
        status, _, body, quick = fetch(url, sparql(SLOW), Host=PUBLIC, Accept=RESULTS, If_None_Match=headers["ETag"])
        assert (status, body) == (304, b"") and quick < slow
        assert fetch(url, sparql(SLOW), Host=PUBLIC, Accept=RESULTS)[0] == 503
    extra = tmp_path / "extra.nt"
    extra.write_text('<https://example.org/thing> <http://www.w3.org/2000/01/rdf-schema#label> "thing" .\n')
    with running_server(cop_graph_bin, "--workers", "1", "--data", str(extra)) as url:
        assert not set(_tags(url)) & set(tags)


# --- answers kept between requests ---------------------------------------------------

def test_an_answer_is_kept_by_dataset_version_and_request_and_errors_are_not(app, client, monkeypatch):
    cached = app.extensions["cop_engine"]
    engine, asked = cached.engine, []

    class Counting:
        def answer(self, query, client=None):
            asked.append(query.text)
            return engine.answer(query, client=client)

    monkeypatch.setattr(cached, "engine", Counting())
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # kept"
    first = client.get("/sparql", query_string={"query": text}, headers={"Accept": "text/csv"})
    again = client.get("/sparql", query_string={"query": text}, headers={"Accept": "text/csv"})
    other_format = client.get("/sparql", query_string={"query": text}, headers={"Accept": "application/json"})
    assert first.status_code == again.status_code == other_format.status_code == 200
    assert first.data == again.data and first.data.startswith(b"n\r\n")
    assert asked == [text, text]  # the second csv request was answered from the cache
    for _ in range(2):
        assert client.get("/sparql", query_string={"query": "BROKEN {"}).status_code == 400
    assert asked.count("BROKEN {") == 2
