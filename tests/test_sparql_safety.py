"""The endpoint's safety rules, each with a test that fails if the rule is removed:
no outbound request or local file read because of a query, a time limit that stops a
runaway query while other requests are served, a row cap that says so, size limits."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.client import HTTPConnection

import pytest

from cop_graph.web.results import client_of

from .conftest import running_server
from .test_sparql_protocol import get, http

ACCEPT_JSON = {"Accept": "application/sparql-results+json"}


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<{url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}/a> {{ SERVICE <{url}/b> {{ ?s ?p ?o }} }} }} }}",
])
def test_service_is_refused_without_contacting_the_host(endpoint, listener, template):
    server, url = listener
    status, body, _ = get(endpoint, ACCEPT_JSON, query=template.format(url=url))
    # nested SERVICE never gets past rdflib's translation (it recurses without end): a 400
    assert (status, "not allowed" in body) == (403, True) or (status, "nests too deeply" in body) == (400, True)
    assert server.requests == []


@pytest.mark.parametrize(("query", "params"), [
    ("SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}", {}),
    ("SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
    ("SELECT * WHERE {{ GRAPH <{url}/data.ttl> {{ ?s ?p ?o }} }}", {}),
    ("SELECT * WHERE {{ ?s ?p ?o }}", {"default-graph-uri": "{url}/data.ttl"}),
    ("SELECT * WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {"named-graph-uri": "{url}/data.ttl"}),
])
def test_dataset_iris_never_fetch_anything(endpoint, listener, query, params):
    server, url = listener
    params = {k: v.format(url=url) for k, v in params.items()}
    status, body, _ = get(endpoint, ACCEPT_JSON, query=query.format(url=url), **params)
    assert status == 200
    assert json.loads(body)["results"]["bindings"] == []
    assert server.requests == [] and "LEAKED" not in body


def test_a_local_file_is_never_read(endpoint, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text('<urn:secret> <urn:p> "TOP-SECRET" .\n', encoding="utf-8")
    uri = secret.as_uri()
    answers = [
        get(endpoint, ACCEPT_JSON, query=f"SELECT * FROM <{uri}> WHERE {{ ?s ?p ?o }}"),
        get(endpoint, ACCEPT_JSON, query="SELECT * WHERE { ?s ?p ?o }", **{"default-graph-uri": uri}),
        get(endpoint, ACCEPT_JSON, query=f"SELECT * WHERE {{ GRAPH <{uri}> {{ ?s ?p ?o }} }}"),
        get(endpoint, ACCEPT_JSON, query=f"LOAD <{uri}>"),
    ]
    for status, body, _ in answers:
        assert status in (200, 403) and "TOP-SECRET" not in body


ANY = "(!<urn:none>|^!<urn:none>)"  # any link, either way: a path over every cycle in the graph


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # the Fuseki timeout test


@pytest.mark.every_store
def test_a_runaway_query_is_stopped_while_other_requests_are_answered(endpoint):
    _stopped_while_others_are_answered(endpoint, RUNAWAY)


@pytest.fixture(scope="module")
def default_endpoint(cop_graph_bin):
    """On the default store: a runaway query over the sparql store sends the remote one a
    request per pattern, thousands a second, which says nothing more about the time limit."""
    with running_server(cop_graph_bin, "--query-timeout", "3") as url:
        yield url


@pytest.mark.full
@pytest.mark.parametrize("runaway", [
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?x " + ANY + "* ?y }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } OFFSET 1000000000000",
], ids=["ORDER BY over a product", "path over the cycles", "huge OFFSET"])
def test_other_runaway_queries_are_stopped_too(default_endpoint, runaway):
    _stopped_while_others_are_answered(default_endpoint, runaway)


def _stopped_while_others_are_answered(endpoint: str, runaway: str) -> None:
    outcome: dict = {}

    def slow() -> None:
        started = time.monotonic()
        outcome["answer"] = get(endpoint, ACCEPT_JSON, query=runaway)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    status, body, _ = from_address("127.0.0.2", endpoint, "ASK { ?s ?p ?o }")  # another client
    answered_while_running = thread.is_alive()
    thread.join(timeout=60)
    assert status == 200 and json.loads(body)["boolean"] is True
    assert answered_while_running, "the light query waited for the runaway one"
    status, text, _ = outcome["answer"]
    assert status == 503 and "time limit of 3 s" in text
    assert outcome["seconds"] < 3 + 5
    # the worker that ran it is back (or replaced): both workers answer again
    for _ in range(4):
        assert get(endpoint, ACCEPT_JSON, query="ASK {}")[0] == 200


@pytest.fixture(scope="module")
def limited(cop_graph_bin):
    with running_server(cop_graph_bin, "--max-rows", "5", env={"COP_GRAPH_MAX_QUERY_BYTES": "2000"}) as url:
        yield url


def test_results_over_the_row_cap_are_cut_and_say_so(limited):
    status, body, headers = get(limited, ACCEPT_JSON, query="SELECT ?s WHERE { ?s ?p ?o }")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5
    assert headers["X-Result-Truncated"].startswith("true")
    status, body, headers = get(limited, {"Accept": "application/n-triples"}, query="CONSTRUCT WHERE { ?s ?p ?o }")
    assert status == 200 and len(body.strip().splitlines()) == 5 and headers["X-Result-Truncated"]
    status, _, headers = get(limited, ACCEPT_JSON, query="SELECT * WHERE { ?s a <https://schema.org/Person> }")
    assert status == 200 and "X-Result-Truncated" not in headers and headers["X-Result-Rows"] == "3"


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_the_row_cap_and_count_hold_in_every_result_format(limited, accept):
    """JSON and XML are written by Oxigraph itself, the others from the rows read: the cap
    and the count in the headers are the same either way."""
    status, body, headers = get(limited, {"Accept": accept}, query="SELECT ?s ?o WHERE { ?s rdfs:label ?o }")
    assert status == 200 and headers["X-Result-Truncated"].startswith("true") and headers["X-Result-Rows"] == "5"
    people = "SELECT ?s WHERE { ?s a <https://schema.org/Person> }"
    status, body, headers = get(limited, {"Accept": accept}, query=people)
    assert status == 200 and "X-Result-Truncated" not in headers and headers["X-Result-Rows"] == "3"
    assert body.count("/person/") == 3


def test_requests_over_the_size_limit_are_refused_before_parsing(limited):
    big = "SELECT * WHERE { ?s ?p ?o } " + "#" * 5000
    status, text, _ = http(f"{limited}/sparql", "POST", big.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 413 and "2,000 bytes" in text
    form = urllib.parse.urlencode({"query": big}).encode()
    assert http(f"{limited}/sparql", "POST", form, {"Content-Type": "application/x-www-form-urlencoded"})[0] == 413
    status, _, _ = get(limited, ACCEPT_JSON, query="SELECT * WHERE { ?s ?p ?o } " + "x" * 10000)
    assert status == 414
    huge_body = b"x" * 50000
    assert http(f"{limited}/sparql", "POST", huge_body, {"Content-Type": "application/sparql-query"})[0] == 413


def test_an_allowlisted_service_cannot_smuggle_another_endpoint_in_a_literal(cop_graph_bin, listener):
    server, url = listener
    with running_server(cop_graph_bin, "--allow-service", f"{url}/ok") as allowed:
        smuggled = (f'SELECT * {{ BIND("SERVICE <{url}/EVIL> {{ ?s ?p ?o }}" AS ?x) '
                    f"SERVICE <{url}/ok> {{ ?s ?p ?o }} }}")
        status, body, _ = get(allowed, ACCEPT_JSON, query=smuggled)
        assert status == 403 and "EVIL" in body
        assert server.requests == []


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "text"])
def test_a_lone_surrogate_in_a_result_is_a_400_in_every_format(endpoint, fmt):
    """"\\uD800" is legal query syntax but no Unicode text: a clear 400, never a 500 or a
    malformed document (XML writers would escape it as &#55296;, which XML forbids)."""
    status, body, _ = get(endpoint, query='SELECT ?x WHERE { BIND("a\\uD800b" AS ?x) }', format=fmt)
    assert status == 400 and "lone surrogate" in body
    status, body, _ = get(endpoint, query='SELECT ?x WHERE { BIND("a\\uD7FFb" AS ?x) }', format=fmt)
    assert status == 200


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def from_address(address: str, url: str, query: str) -> tuple[int, str, dict]:
    """A GET of the endpoint from another loopback address: a client of its own to the server."""
    parts = urllib.parse.urlsplit(url)
    connection = HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(address, 0))
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}), headers=ACCEPT_JSON)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8"), dict(response.headers)
    finally:
        connection.close()


def _flood(queries: list) -> list:
    answers: list = []
    threads = [threading.Thread(target=lambda q=q: answers.append(q())) for q in queries]
    for thread in threads:
        thread.start()
    return threads, answers


def test_a_lone_clients_light_query_is_answered_while_its_own_heavy_one_runs(cop_graph_bin):
    """The per-client limit is a fair share: with nobody else waiting, a client's second query
    gets the second worker instead of a 429."""
    with running_server(cop_graph_bin, "--workers", "2", env={"COP_GRAPH_QUERY_TIMEOUT": "3"}) as url:
        threads, answers = _flood([lambda: get(url, ACCEPT_JSON, query=f"{HEAVY} # lone")])
        time.sleep(0.5)
        started = time.monotonic()
        light = get(url, ACCEPT_JSON, query="ASK { ?s a <https://schema.org/Person> }")
        waited = time.monotonic() - started
        during = threads[0].is_alive()
        threads[0].join(timeout=60)
        assert during and light[0] == 200 and json.loads(light[1])["boolean"] is True
        assert waited < 2, waited  # answered beside the heavy query, not after it
        assert [status for status, _, _ in answers] == [503]  # the heavy one, stopped at the time limit


def test_a_client_flooding_the_endpoint_is_turned_away_while_others_are_served(cop_graph_bin):
    """Alone, the flooding client has both workers; the next client waits for the first one
    freed (at the time limit, and a new worker process started) and takes it."""
    settings = {"COP_GRAPH_QUERY_TIMEOUT": "3", "COP_GRAPH_QUEUE_LENGTH": "2", "COP_GRAPH_QUEUE_TIMEOUT": "20"}
    with running_server(cop_graph_bin, "--workers", "2", "--threads", "8", env=settings) as url:
        light = "ASK { ?s a <https://schema.org/Person> }"
        assert get(url, ACCEPT_JSON, query=light)[0] == 200  # now in the answer cache
        threads, answers = _flood([lambda n=n: get(url, ACCEPT_JSON, query=f"{HEAVY} # {n}") for n in range(10)])
        time.sleep(0.5)
        home = http(url + "/", headers={"Accept": "text/html"})
        cached = get(url, ACCEPT_JSON, query=light)
        same_client = get(url, ACCEPT_JSON, query="ASK { ?s a <https://schema.org/Event> }")
        during = any(thread.is_alive() for thread in threads)
        other_client = from_address("127.0.0.2", url, "ASK { ?s a <https://schema.org/Organization> }")
        for thread in threads:
            thread.join(timeout=60)
        assert during, "the flood was over before the others were served"
        assert home[0] == 200 and cached[0] == 200 and json.loads(cached[1])["boolean"] is True
        assert other_client[0] == 200, other_client  # a worker freed by the time limit, not taken again
        assert same_client[0] == 429 and same_client[2]["Retry-After"]
        statuses = sorted(status for status, _, _ in answers)
        # alone, the client had both workers (stopped at the time limit); the rest turned away
        assert statuses == [429] * 8 + [503] * 2, statuses
        assert all(h["Retry-After"] and "as many as one client may" in text
                   for status, text, h in answers if status == 429)
        assert get(url, ACCEPT_JSON, query="ASK { ?s ?p ?o }")[0] == 200  # the worker is back


@pytest.mark.full
def test_a_flood_from_many_clients_is_bounded_by_the_workers_and_the_queue(cop_graph_bin):
    settings = {"COP_GRAPH_QUERY_TIMEOUT": "3", "COP_GRAPH_QUEUE_LENGTH": "2", "COP_GRAPH_QUEUE_TIMEOUT": "5"}
    with running_server(cop_graph_bin, "--workers", "2", "--threads", "12", env=settings) as url:
        threads, answers = _flood([lambda n=n: from_address(f"127.0.0.{10 + n}", url, f"{HEAVY} # {n}")
                                   for n in range(10)])
        time.sleep(0.5)
        home = http(url + "/", headers={"Accept": "text/html"})
        for thread in threads:
            thread.join(timeout=60)
        assert home[0] == 200
        assert sorted(status for status, _, _ in answers) == [503] * 10  # stopped at the time limit, or turned away
        turned_away = [headers for _, text, headers in answers if "more queries are waiting" in text]
        assert len(turned_away) >= 6 and all(h["Retry-After"] for h in turned_away)  # 2 running, 2 waiting
        assert get(url, ACCEPT_JSON, query="ASK { ?s ?p ?o }")[0] == 200  # the workers are back


@pytest.mark.full
@pytest.mark.parametrize("trusted", [True, False])
def test_x_forwarded_for_names_the_client_only_from_the_trusted_proxy(cop_graph_bin, trusted):
    settings = {"COP_GRAPH_QUERY_TIMEOUT": "3", "COP_GRAPH_QUEUE_TIMEOUT": "10"}
    proxy = ["--trusted-proxy", "127.0.0.1"] if trusted else []
    with running_server(cop_graph_bin, "--workers", "2", *proxy, env=settings) as url:
        def forwarded(client: str, query: str) -> tuple[int, str, dict]:
            return http(f"{url}/sparql?{urllib.parse.urlencode({'query': query})}",
                        headers={**ACCEPT_JSON, "X-Forwarded-For": client})

        # Two clients busy, so the share applies: one behind the proxy, one of its own address.
        threads, answers = _flood([lambda: forwarded("203.0.113.5", HEAVY),
                                   lambda: from_address("127.0.0.2", url, f"{HEAVY} # other")])
        time.sleep(0.5)
        same = forwarded("203.0.113.5", "ASK { ?s a <https://schema.org/Person> }")
        other = forwarded("198.51.100.7", "ASK { ?s a <https://schema.org/Organization> }")
        for thread in threads:
            thread.join(timeout=60)
        assert [status for status, _, _ in answers] == [503, 503] and same[0] == 429
        # Behind the trusted proxy the header tells the clients apart; from anyone else it is
        # ignored, so a client cannot escape its share by naming another.
        assert other[0] == (200 if trusted else 429)


@pytest.mark.parametrize(("address", "client"), [
    ("203.0.113.5", "203.0.113.5"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"),  # the same host under another address
    ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
    ("::ffff:203.0.113.5", "203.0.113.5"),
    ("unix-socket", "unix-socket"),
])
def test_clients_are_counted_by_address_and_ipv6_hosts_by_their_64(address, client):
    assert client_of(address) == client
