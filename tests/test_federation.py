"""Federated queries: SERVICE joins the COP graph with another SPARQL dataset, here a real
`oxigraph serve-read-only` on 127.0.0.1 holding a small sample benchmark
(tests/federation/benchmark.ttl, invented scores). Only allowlisted endpoints are called;
a failing one is a clear error (or, with SILENT, leaves the local part); the time limit holds."""

from __future__ import annotations

import contextlib
import http.server as http_server
import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from .conftest import BASE, console_script, free_port, running_server, serving
from .test_sparql_protocol import get

SAMPLE = Path(__file__).parent / "federation" / "benchmark.ttl"
BM = "https://example.org/sample-ungp-benchmark/"
WD = "http://www.wikidata.org/entity/"
ACCEPT_JSON = {"Accept": "application/sparql-results+json"}
JOINED = [  # the COP members that the sample benchmark scores, by name
    (BASE + "org/apple", "Apple", "61", WD + "Q312"),
    (BASE + "org/google", "Google", "58", WD + "Q95"),
    (BASE + "org/microsoft", "Microsoft", "74", WD + "Q2283"),
]
LOCAL = "SELECT ?org ?name WHERE { ?org a schema:Corporation ; rdfs:label ?name } ORDER BY ?name"


@pytest.fixture(scope="session")
def remote(tmp_path_factory) -> str:
    """The sample dataset in an oxigraph store, served read-only; yields its query URL."""
    oxigraph = console_script("oxigraph")
    store = tmp_path_factory.mktemp("oxigraph-store")
    subprocess.run([oxigraph, "load", "--location", str(store), "--file", str(SAMPLE)],
                   check=True, capture_output=True, timeout=60)
    port = free_port()
    url = f"http://127.0.0.1:{port}/query"
    argv = [oxigraph, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"]
    with serving(argv, url + "?query=ASK%7B%7D", "oxigraph", wait=30):
        yield url


class _Recorder(http_server.ThreadingHTTPServer):
    """A local HTTP server that records the paths it hears and gives every request one answer."""

    def __init__(self, status: int = 404, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http_server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


@contextlib.contextmanager
def _recorder(**answer: object):
    server = _Recorder(**answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def outsiders():
    """Recording servers: `target` is never on the allowlist; `redirector` is, and answers
    every request with a redirect to `target`; `turtle` is, and answers Turtle, not results."""
    turtle = {"status": 200, "headers": {"Content-Type": "text/turtle"}, "body": b"<urn:a> <urn:b> <urn:c> .\n"}
    with _recorder() as target, _recorder(**turtle) as turtle_server, \
            _recorder(status=302, headers={"Location": target.url + "/query"}) as redirector:
        yield target, redirector, turtle_server


@pytest.fixture(scope="module")
def silent_socket():
    """A port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/query"
    sock.close()


@pytest.fixture(scope="module")
def stopped() -> str:
    """An allowlisted endpoint with nothing listening."""
    return f"http://127.0.0.1:{free_port()}/query"


@pytest.fixture(scope="module")
def federated(cop_graph_bin, remote, stopped, silent_socket, outsiders):
    _, redirector, turtle = outsiders
    allowed = [remote, stopped, silent_socket, redirector.url + "/query", turtle.url + "/query"]
    args = [arg for url in allowed for arg in ("--allow-service", url)]
    with running_server(cop_graph_bin, "--query-timeout", "3", *args) as url:
        yield url


def _rows(body: str) -> list[tuple[str, ...]]:
    answer = json.loads(body)
    names = answer["head"]["vars"]
    return [tuple(row[n]["value"] if n in row else "" for n in names) for row in answer["results"]["bindings"]]


def by_label(endpoint: str, silent: bool = False) -> str:
    return f"""PREFIX bm: <{BM}>
SELECT ?org ?name ?score ?company WHERE {{
  ?org a schema:Corporation ; rdfs:label ?name .
  SERVICE {'SILENT ' if silent else ''}<{endpoint}> {{ ?company rdfs:label ?name ; bm:sampleScore ?score }}
}} ORDER BY ?name"""


def test_the_sample_endpoint_holds_the_sample(remote):
    query = urllib.parse.urlencode({"query": f"SELECT ?c WHERE {{ ?c <{BM}sampleScore> ?s }} ORDER BY ?c"})
    with urllib.request.urlopen(urllib.request.Request(f"{remote}?{query}", headers=ACCEPT_JSON), timeout=10) as r:
        assert [row[0] for row in _rows(r.read().decode())] == [WD + "Q2283", WD + "Q312", WD + "Q3884", WD + "Q95"]


def test_a_service_joins_our_companies_with_the_remote_scores_by_label(federated, remote):
    status, body, _ = get(federated, ACCEPT_JSON, query=by_label(remote))
    assert status == 200, body
    assert _rows(body) == JOINED
    scores = [row["score"] for row in json.loads(body)["results"]["bindings"]]
    assert {s.get("datatype") for s in scores} == {"http://www.w3.org/2001/XMLSchema#integer"}


def test_a_service_joins_by_our_own_iris_with_sparqlwrapper(federated, remote):
    client = SPARQLWrapper(f"{federated}/sparql")
    client.setQuery(f"""PREFIX bm: <{BM}>
        SELECT ?org ?name ?score ?company WHERE {{
          SERVICE <{remote}> {{ ?company owl:sameAs ?org ; bm:sampleScore ?score }}
          ?org rdfs:label ?name
        }} ORDER BY DESC(?score)""")
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [(r["org"]["value"], r["name"]["value"], r["score"]["value"], r["company"]["value"]) for r in rows] == [
        JOINED[2], JOINED[0], JOINED[1]]


def test_a_service_joins_through_the_graphs_own_wikidata_links(federated, remote):
    linked = f"ASK {{ <{BASE}org/apple> owl:sameAs <{WD}Q312> }}"
    assert json.loads(get(federated, ACCEPT_JSON, query=linked)[1])["boolean"]  # data/links/identifiers.ttl
    query = f"""PREFIX bm: <{BM}>
        SELECT ?org ?name ?score ?company WHERE {{
          ?org a schema:Corporation ; rdfs:label ?name ; owl:sameAs ?company .
          FILTER(STRSTARTS(STR(?company), "{WD}"))
          SERVICE <{remote}> {{ ?company bm:sampleScore ?score }}
        }} ORDER BY ?name"""
    status, body, _ = get(federated, ACCEPT_JSON, query=query)
    assert (status, _rows(body)) == (200, JOINED)


def test_two_service_clauses_each_send_their_own_pattern(federated, remote):
    """rdflib on its own sends the first clause's pattern for both: no scores at all."""
    query = f"""PREFIX bm: <{BM}>
        SELECT ?name ?score WHERE {{
          SERVICE <{remote}> {{ ?company rdfs:label ?name }}
          SERVICE <{remote}> {{ ?company bm:sampleScore ?score }}
          FILTER(?score > 50)
        }} ORDER BY ?name"""
    status, body, _ = get(federated, ACCEPT_JSON, query=query)
    assert (status, _rows(body)) == (200, [("Apple", "61"), ("Google", "58"), ("Microsoft", "74")])


def test_a_graph_pattern_inside_a_service_reaches_the_endpoint(federated, remote):
    """GRAPH <…> { } inside the clause once turned the endpoint into "<url>> { GRAPH <…": a 400."""
    query = (f'SELECT ?company WHERE {{ SERVICE <{remote}> {{ {{ ?company rdfs:label "Apple" }} '
             f"UNION {{ GRAPH <urn:no-such-graph> {{ ?company ?p ?o }} }} }} }}")
    status, body, _ = get(federated, ACCEPT_JSON, query=query)
    assert (status, _rows(body)) == (200, [(WD + "Q312",)])


def test_service_silent_returns_the_remote_rows_when_the_endpoint_answers(federated, remote):
    """rdflib on its own finds no rows at all for SERVICE SILENT."""
    status, body, _ = get(federated, ACCEPT_JSON, query=by_label(remote, silent=True))
    assert (status, _rows(body)) == (200, JOINED)


def test_service_silent_to_a_stopped_endpoint_keeps_the_local_part(federated, stopped):
    started = time.monotonic()
    status, body, _ = get(federated, ACCEPT_JSON, query=by_label(stopped, silent=True))
    assert status == 200, body
    local = _rows(get(federated, ACCEPT_JSON, query=LOCAL)[1])
    assert len(local) > 10 and _rows(body) == [(org, name, "", "") for org, name in local]
    assert time.monotonic() - started < 3


def test_a_stopped_endpoint_without_silent_is_a_clear_400(federated, stopped):
    status, body, _ = get(federated, ACCEPT_JSON, query=by_label(stopped))
    assert status == 400
    assert body.startswith(f"400 Bad Request: SERVICE <{stopped}> failed: cannot reach the endpoint")
    assert "Traceback" not in body


def test_a_remote_error_is_passed_on_as_a_400_with_its_message(federated, remote):
    query = f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o FILTER(<urn:no-such-function>(?o)) }} }}"
    status, body, _ = get(federated, ACCEPT_JSON, query=query)
    assert status == 400 and f"SERVICE <{remote}> failed: the endpoint answered 5" in body
    assert "urn:no-such-function" in body


def test_an_answer_that_is_not_sparql_results_is_a_clear_400_or_with_silent_the_local_part(federated, outsiders):
    _, _, turtle = outsiders
    status, body, _ = get(federated, ACCEPT_JSON, query=by_label(turtle.url + "/query"))
    assert status == 400 and body.startswith(f"400 Bad Request: SERVICE <{turtle.url}/query> failed: the answer "
                                             "is not a SPARQL JSON result")
    status, body, _ = get(federated, ACCEPT_JSON, query=by_label(turtle.url + "/query", silent=True))
    assert status == 200 and len(_rows(body)) == len(_rows(get(federated, ACCEPT_JSON, query=LOCAL)[1]))


@pytest.mark.parametrize("silent", [False, True])
def test_an_endpoint_that_never_answers_is_stopped_at_the_time_limit(federated, silent_socket, silent):
    """SILENT forgives a failing endpoint, not the query's time limit."""
    started = time.monotonic()
    status, body, _ = get(federated, ACCEPT_JSON, query=by_label(silent_socket, silent=silent))
    assert status == 503 and "time limit of 3 s" in body
    assert time.monotonic() - started < 3 + 5
    assert get(federated, ACCEPT_JSON, query="ASK {}")[0] == 200


def test_a_redirect_from_an_allowed_endpoint_is_not_followed(federated, outsiders):
    target, redirector, _ = outsiders
    status, body, _ = get(federated, ACCEPT_JSON, query=by_label(redirector.url + "/query"))
    assert status == 400 and "302 Found; redirects are not followed" in body
    assert len(redirector.requests) >= 1 and target.requests == []


def test_a_service_off_the_allowlist_is_refused_while_others_are_allowed(federated, remote, outsiders):
    target, _, _ = outsiders
    seen = len(target.requests)
    for query in (
        f"SELECT * WHERE {{ SERVICE <{target.url}/query> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} SERVICE <{target.url}/query> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{remote}/> {{ ?s ?p ?o }} }}",  # the allowlist is exact
    ):
        status, body, _ = get(federated, ACCEPT_JSON, query=query)
        assert status == 403 and "is not allowed" in body
    assert len(target.requests) == seen


def test_an_allowed_service_written_in_a_literal_too_is_refused(federated, remote):
    query = (f'SELECT * WHERE {{ BIND("SERVICE <{remote}> {{ ?s ?p ?o }}" AS ?text) '
             f'SERVICE <{remote}> {{ ?s rdfs:label "Apple" }} }}')
    status, body, _ = get(federated, ACCEPT_JSON, query=query)
    assert status == 400 and "inside a string or a comment" in body


def test_the_cli_runs_a_federated_query_file_with_the_allowlist_from_the_environment(cli, tmp_path, remote):
    """`cop-graph query` has no --allow-service: COP_GRAPH_SERVICE_ALLOWLIST sets it."""
    query_file = tmp_path / "scores.rq"
    query_file.write_text(by_label(remote) + "\n", encoding="utf-8")
    done = cli("query", str(query_file), "--format", "csv", env={"COP_GRAPH_SERVICE_ALLOWLIST": remote})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["org,name,score,company", *(",".join(row) for row in JOINED)]
    done = cli("query", "-e", by_label(remote), "--format", "csv", env={"COP_GRAPH_SERVICE_ALLOWLIST": remote})
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 1 + len(JOINED)
    refused = cli("query", str(query_file))
    assert refused.returncode == 2 and f"SERVICE <{remote}> is not allowed" in refused.stderr
    assert refused.stdout == ""


def test_the_cli_names_a_stopped_endpoint_without_a_traceback(cli, stopped):
    done = cli("query", "-e", by_label(stopped), env={"COP_GRAPH_SERVICE_ALLOWLIST": stopped})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"error: SERVICE <{stopped}> failed: cannot reach the endpoint")
    assert "Traceback" not in done.stderr


def test_the_readme_example_answers_what_the_readme_says(federated, remote):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Federated queries", 1)[1].split("\n### ", 1)[0]
    example = section.split("```sparql\n", 1)[1].split("```", 1)[0]
    assert "SERVICE <http://127.0.0.1:7878/query>" in example
    assert "--allow-service http://127.0.0.1:7878/query" in section
    status, body, _ = get(federated, ACCEPT_JSON, query=example.replace("http://127.0.0.1:7878/query", remote))
    assert status == 200 and _rows(body) == [row[:3] for row in JOINED]
    assert "answers Apple 61, Google 58 and Microsoft 74" in section
