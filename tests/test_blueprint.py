"""The /sparql blueprint on a bare Flask app: mounted with nothing but ``install`` (the
dataset and its engine), it answers the protocol and turns every error into its own HTTP
answer, as in the full app. Served for real on 127.0.0.1 and asked by SPARQLWrapper."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from flask import Flask
from SPARQLWrapper import JSON, SPARQLWrapper
from werkzeug.serving import make_server

from cop_graph.web import install
from cop_graph.web.sparql import sparql


@pytest.fixture(scope="module")
def bare_endpoint():
    from cop_graph.config import load_config
    from cop_graph.store.dataset import load_dataset

    app = Flask("somebody_elses_app")
    install(app, load_dataset(config=load_config()))
    app.register_blueprint(sparql, url_prefix="/kg")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/kg/sparql"
    finally:
        server.shutdown()
        thread.join(10)


def fetch(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), dict(exc.headers)


def test_a_client_gets_answers_from_the_blueprint_alone(bare_endpoint):
    client = SPARQLWrapper(bare_endpoint)
    client.setQuery("PREFIX org: <http://www.w3.org/ns/org#> SELECT (COUNT(DISTINCT ?m) AS ?n) "
                    "WHERE { ?x org:member ?m }")
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert int(rows[0]["n"]["value"]) >= 13


@pytest.mark.parametrize(("query", "status", "words"), [
    ("SELECT * WHERE { ?s ?p }", 400, "syntax error"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "read-only"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403, "SERVICE"),
])
def test_bad_queries_get_the_full_apps_plain_text_errors(bare_endpoint, query, status, words):
    code, body, headers = fetch(f"{bare_endpoint}?{urllib.parse.urlencode({'query': query})}",
                                headers={"Accept": "application/sparql-results+json"})
    assert code == status
    assert headers["Content-Type"].startswith("text/plain")
    assert body.startswith(f"{status} ") and words in body and "Traceback" not in body


def test_protocol_errors_and_unacceptable_formats_are_answered_too(bare_endpoint):
    code, body, _ = fetch(bare_endpoint, data=b"limit=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert code == 400 and "no 'query' parameter" in body
    code, body, headers = fetch(f"{bare_endpoint}?query=ASK%7B%7D", headers={"Accept": "image/png"})
    assert code == 406 and body.startswith("406 Not Acceptable") and headers["Vary"] == "Accept"
    code, body, _ = fetch(bare_endpoint, data=b"ASK {}", headers={"Content-Type": "image/png"})
    assert code == 415 and "415 Unsupported Media Type" in body


def test_the_service_description_names_the_mounted_url(bare_endpoint):
    code, body, _ = fetch(bare_endpoint, headers={"Accept": "text/turtle"})
    assert code == 200 and f"<{bare_endpoint}>" in body
