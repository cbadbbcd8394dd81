"""The three stores side by side: the same answers, a persistent store that is reopened
without parsing, and clear errors for a store that is foreign, damaged or unreachable."""

from __future__ import annotations

import contextlib
import http.server
import json
import re
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic

from cop_graph.config import load_config
from cop_graph.errors import QueryError, QueryTimeout, StoreUnavailable
from cop_graph.sparql import engine
from cop_graph.sparql.evaluate import run_named, run_query
from cop_graph.sparql.library import load_library
from cop_graph.store.dataset import load_dataset
from cop_graph.store.engine import to_result
from cop_graph.store.remote import RemoteStore
from cop_graph.store.text import store_text
from tests.conftest import (
    BASE,
    VIRTUOSO_WRONG_ANSWERS,
    free_port,
    remote_server,
    run_cli,
    running_server,
    virtuoso_server,
)

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = load_library(ROOT / "queries")
PAGE_QUERIES = load_library(ROOT / "queries" / "pages")


@pytest.fixture
def cli(tmp_path):
    """The command in-process with no COP_GRAPH_ setting inherited: each test names its store."""
    def run(*args: str):
        return run_cli(*args, cwd=tmp_path, store_env=False)
    return run


# Each compared with the default store: an Oxigraph folder, and the sparql store in front of
# `oxigraph serve` and of Virtuoso.
BESIDE = ["oxigraph", "sparql", "virtuoso"]


@pytest.fixture(scope="module")
def memory():
    return load_dataset(config=load_config(store="memory"))


@pytest.fixture(scope="module", params=BESIDE)
def beside(request, tmp_path_factory):
    """The bundled data in another store, beside the default one: (its name, the dataset)."""
    if request.param == "oxigraph":
        path = tmp_path_factory.mktemp("oxigraph")
        yield request.param, load_dataset(config=load_config(store="oxigraph", store_path=str(path)))
        return
    kind = "virtuoso" if request.param == "virtuoso" else "oxigraph"
    with remote_server(kind, tmp_path_factory.mktemp(request.param)) as (query_url, data_url):
        yield request.param, load_dataset(config=load_config(store="sparql", store_url=query_url,
                                                             store_data_url=data_url))


def _rows(result) -> list:
    if result.type == "ASK":
        return [result.askAnswer]
    return [tuple(_comparable(row.get(v)) for v in result.vars) for row in result.bindings]


def _comparable(term):
    """Blank node labels are each store's own; GROUP_CONCAT joins in an order SPARQL leaves
    to the engine (our queries join with " | ")."""
    if isinstance(term, BNode):
        return None
    if isinstance(term, Literal) and " | " in term:
        return Literal(" | ".join(sorted(term.split(" | "))), lang=term.language, datatype=term.datatype)
    return term


@pytest.mark.full
@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_named_query_answers_the_same_in_every_store(memory, beside, name):
    store, loaded = beside
    query = LIBRARY[name]
    expected, answer = run_named(memory, query, {}), run_named(loaded, query, {})
    assert [str(v) for v in answer.vars or []] == [str(v) for v in expected.vars or []]
    if expected.type == "CONSTRUCT":
        same = isomorphic(answer.graph, expected.graph)
    else:
        wanted, got = _rows(expected), _rows(answer)
        if not re.search(r"ORDER\s+BY", query.text, re.I):
            wanted, got = sorted(wanted, key=repr), sorted(got, key=repr)
        same = got == wanted
    if not same and store == "virtuoso" and name in VIRTUOSO_WRONG_ANSWERS:
        pytest.xfail(VIRTUOSO_WRONG_ANSWERS[name])
    assert same, answer.serialize(format="json").decode()[:2000] if expected.type != "CONSTRUCT" else name


@pytest.mark.full
@pytest.mark.parametrize("values", [{"year": "2021"}, {"year": "2023"}])
def test_a_parameter_is_bound_the_same_in_every_store(memory, beside, values):
    expected = _rows(run_named(memory, LIBRARY["members-in-year"], values))
    assert _rows(run_named(beside[1], LIBRARY["members-in-year"], values)) == expected
    assert len(expected) == (12 if values["year"] == "2021" else 0)


@pytest.mark.full
@pytest.mark.parametrize("resource", ["org/telefonica", "session/2022-05-17", "topic/remedy"])
def test_a_resource_page_query_answers_the_same_in_every_store(memory, beside, resource):
    query = PAGE_QUERIES["resource-description"]
    expected = run_named(memory, query, {"resource": resource}).graph
    assert len(expected) > 5
    assert isomorphic(run_named(beside[1], query, {"resource": resource}).graph, expected)


@pytest.mark.full
def test_every_store_holds_the_same_files_and_statements(memory, beside):
    other = beside[1]
    assert [(f.graph, f.triples, f.digest) for f in other.files] == \
        [(f.graph, f.triples, f.digest) for f in memory.files]
    assert other.version == memory.version
    assert isomorphic(other.union(), memory.union())
    apple = URIRef(BASE + "org/apple")
    labels = [sorted(loaded.dataset.objects(apple, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
              for loaded in (memory, other)]
    assert labels == [[Literal("Apple")]] * 2


# -- the VALUES block that carries a named query's values to a store ---------------------

def test_values_go_at_the_head_of_the_where_clause_and_of_each_subquery():
    text = ("PREFIX a: <http://a/> # SELECT ?x WHERE {\nSELECT ?s (\"{\" AS ?brace) WHERE {\n"
            "  { SELECT ?s WHERE { ?s a:p ?topic } }\n}")
    bound = store_text(text, {"topic": URIRef("http://t")})
    assert bound.count("VALUES (?topic) { (<http://t>) }") == 2
    assert "{ SELECT ?s WHERE { VALUES (?topic) { (<http://t>) } ?s a:p ?topic } }" in bound
    assert "# SELECT ?x WHERE {\n" in bound  # the comment is left alone


def test_values_are_written_by_the_term_serialiser_never_spliced():
    hostile = Literal('x" } ; DROP ALL ; SELECT * { "')
    bound = store_text("SELECT ?s WHERE { ?s ?p ?name }", {"name": hostile})
    assert bound == f"SELECT ?s WHERE {{ VALUES (?name) {{ ({hostile.n3()}) }} ?s ?p ?name }}"
    assert hostile.n3() == '"x\\" } ; DROP ALL ; SELECT * { \\""'  # one string literal, quotes escaped


def test_a_query_with_no_where_clause_for_the_values_is_a_clear_error():
    for text in ("CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE <http://a>"):
        with pytest.raises(QueryError, match="no WHERE clause to bind its parameters in"):
            store_text(text, {"s": URIRef("http://a")})
    assert store_text("SELECT * { ?s ?p ?o }", {}) == "SELECT * { ?s ?p ?o }"
    assert store_text("SELECT * { ?s ?p ?o }", {}, declare=True).endswith("> SELECT * { ?s ?p ?o }")


# -- the persistent Oxigraph store ---------------------------------------------------------

def _status(url: str) -> dict:
    with urllib.request.urlopen(url + "/status", timeout=10) as response:
        return json.loads(response.read())


def test_serve_on_the_oxigraph_store_parses_nothing_when_restarted(cop_graph_bin, tmp_path):
    store = ["--store", "oxigraph", "--store-path", str(tmp_path / "store")]
    with running_server(cop_graph_bin, *store) as url:
        first = _status(url)
    with running_server(cop_graph_bin, *store) as url:
        second = _status(url)
        with urllib.request.urlopen(url + "/sparql?query=" + urllib.parse.quote(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), timeout=10) as response:
            assert response.status == 200
    assert first["store"] == second["store"] == "oxigraph"
    assert first["files_parsed"] == first["graphs"] == 27
    assert second["files_parsed"] == 0
    assert second["triples"] == first["triples"] and second["version"] == first["version"]


@pytest.mark.full
def test_a_new_version_loads_only_the_files_that_changed(cop_graph_bin, tmp_path):
    extra, other = tmp_path / "extra.ttl", tmp_path / "other.ttl"
    extra.write_text("<https://example.org/a> <https://example.org/p> 1 .\n", encoding="utf-8")
    other.write_text("<https://example.org/b> <https://example.org/p> 1 .\n", encoding="utf-8")
    store = ["--store", "oxigraph", "--store-path", str(tmp_path / "store"), "--data", str(extra), "--data", str(other)]
    with running_server(cop_graph_bin, *store) as url:
        first = _status(url)
    extra.write_text("<https://example.org/a> <https://example.org/p> 2, 3 .\n", encoding="utf-8")
    with running_server(cop_graph_bin, *store) as url:
        second = _status(url)
        query = "SELECT ?o WHERE { ?s <https://example.org/p> ?o } ORDER BY ?s ?o"
        with urllib.request.urlopen(url + "/sparql?query=" + urllib.parse.quote(query), timeout=10) as response:
            answer = json.loads(response.read())
    assert first["files_parsed"] == first["graphs"] == 29  # the 27 bundled files and the two given
    assert second["files_parsed"] == 1 and second["version"] != first["version"]
    assert second["triples"] == first["triples"] + 1
    assert [b["o"]["value"] for b in answer["results"]["bindings"]] == ["2", "3", "1"]


def test_a_changed_file_builds_a_new_version_and_a_broken_one_leaves_the_last_in_place(cli, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/a> <https://example.org/p> 1 .\n", encoding="utf-8")
    store = ("--store", "oxigraph", "--store-path", str(tmp_path / "store"))
    count = "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/a> ?p ?o }"
    assert cli("query", "-e", count, "--format", "csv", "--data", str(extra), *store).stdout.split()[1] == "1"
    extra.write_text("<https://example.org/a> <https://example.org/p> 1, 2 .\n", encoding="utf-8")
    assert cli("query", "-e", count, "--format", "csv", "--data", str(extra), *store).stdout.split()[1] == "2"
    extra.write_text("<https://example.org/a> <https://example.org/p> 1, 2, 3 ;\n  oops\n", encoding="utf-8")
    broken = cli("query", "-e", count, "--data", str(extra), *store)
    assert broken.returncode == 2 and "extra.ttl:2" in broken.stderr and "Traceback" not in broken.stderr
    assert not [p for p in (tmp_path / "store").iterdir() if p.name.startswith("building-")]
    extra.write_text("<https://example.org/a> <https://example.org/p> 1, 2 .\n", encoding="utf-8")
    assert cli("query", "-e", count, "--format", "csv", "--data", str(extra), *store).stdout.split()[1] == "2"


def test_a_folder_that_is_not_a_store_is_refused_and_left_alone(cli, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"\xff\xd8")
    done = cli("query", "members-in-year", "--store", "oxigraph", "--store-path", str(folder))
    assert done.returncode == 2
    assert "is not a cop-graph store folder" in done.stderr and "holiday.jpg" in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["holiday.jpg"]


def test_a_damaged_store_says_how_to_rebuild_it(cli, tmp_path):
    store = ("--store", "oxigraph", "--store-path", str(tmp_path / "store"))
    assert cli("query", "members-in-year", *store).returncode == 0
    version = next(p for p in (tmp_path / "store").iterdir() if p.is_dir())
    (version / "cop-graph-store.json").write_text("{not json", encoding="utf-8")
    done = cli("query", "members-in-year", *store)
    assert done.returncode == 2 and "damaged" in done.stderr and "remove that folder" in done.stderr
    shutil.rmtree(version)
    assert cli("query", "members-in-year", *store).returncode == 0


# -- the remote store ----------------------------------------------------------------------

def test_an_unreachable_remote_store_is_a_clear_error_at_start(cli):
    port = free_port()
    started = time.monotonic()
    done = cli("query", "members-in-year", "--store", "sparql", "--store-url", f"http://127.0.0.1:{port}/query")
    assert done.returncode == 2 and time.monotonic() - started < 30
    assert f"the SPARQL store at http://127.0.0.1:{port}/query is unavailable" in done.stderr
    assert "Traceback" not in done.stderr


# The remote store against each engine it is tested in front of.
REMOTES = ["oxigraph", "virtuoso"]


@pytest.mark.parametrize("kind", REMOTES)
def test_a_remote_store_without_our_graphs_and_no_way_to_load_them_is_refused(cli, tmp_path, kind):
    with remote_server(kind, tmp_path / "empty") as (query_url, _):
        done = cli("query", "members-in-year", "--store", "sparql", "--store-url", query_url)
    assert done.returncode == 2 and "does not hold" in done.stderr and "--store-data-url" in done.stderr


@pytest.mark.parametrize("kind", REMOTES)
def test_a_remote_store_is_written_once_and_a_second_start_parses_nothing(tmp_path, kind):
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/a> <https://example.org/p> 1 .\n", encoding="utf-8")
    with remote_server(kind, tmp_path / "remote") as (query_url, data_url):
        config = load_config(store="sparql", store_url=query_url, store_data_url=data_url)
        first = load_dataset([extra], config=config)
        second = load_dataset([extra], config=config)
        extra.write_text("<https://example.org/a> <https://example.org/p> 2, 3 .\n", encoding="utf-8")
        third = load_dataset([extra], config=config)
        answer = run_query(third, "SELECT ?o WHERE { <https://example.org/a> ?p ?o } ORDER BY ?o")
    assert first.store.parsed == len(first.files) and second.store.parsed == 0 and third.store.parsed == 1
    assert [f.triples for f in second.files] == [f.triples for f in first.files]
    assert [int(row[0]) for row in answer] == [2, 3]


def test_the_sparql_store_option_needs_its_url(cli):
    done = cli("query", "members-in-year", "--store", "sparql")
    assert done.returncode == 2 and "--store-url" in done.stderr


@pytest.mark.parametrize("kind", REMOTES)
def test_a_remote_store_that_goes_down_is_a_503_and_serving_recovers_when_it_returns(cop_graph_bin, tmp_path,
                                                                                      kind):
    location, port = tmp_path / "remote", free_port()
    query = "/sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    with contextlib.ExitStack() as remote:
        query_url, data_url = remote.enter_context(remote_server(kind, location, port))
        store = ("--store", "sparql", "--store-url", query_url, "--store-data-url", data_url)
        with running_server(cop_graph_bin, *store) as url:
            with urllib.request.urlopen(url + query, timeout=10) as response:
                assert response.status == 200
            remote.close()  # the store goes down
            started = time.monotonic()
            with urllib.request.urlopen(url + query, timeout=10) as response:  # a kept answer needs no store
                assert response.status == 200
            fresh = query.replace("%3Fn", "%3Fcount")
            with pytest.raises(urllib.error.HTTPError) as failed:
                urllib.request.urlopen(url + fresh, timeout=30)
            assert failed.value.code == 503 and time.monotonic() - started < 20
            assert "SPARQL store" in failed.value.read().decode() and failed.value.headers["Retry-After"]
            page = urllib.request.Request(url + "/queries/members-in-year?year=2021", headers={"Accept": "text/html"})
            with pytest.raises(urllib.error.HTTPError) as failed:  # the named query's page says so too
                urllib.request.urlopen(page, timeout=30)
            assert failed.value.code == 503 and failed.value.headers["Content-Type"].startswith("text/html")
            assert "SPARQL store" in failed.value.read().decode() and failed.value.headers["Retry-After"] == "5"
            with urllib.request.urlopen(url + "/status", timeout=10) as response:  # no query: still answers
                assert response.status == 200
            with remote_server(kind, location, port):  # the store is back, with the data it held
                deadline = time.monotonic() + 30
                while True:
                    try:
                        with urllib.request.urlopen(url + fresh, timeout=10) as response:
                            assert response.status == 200
                        break
                    except urllib.error.HTTPError:
                        assert time.monotonic() < deadline
                        time.sleep(0.3)


def test_virtuoso_cuts_an_answer_at_its_row_limit_and_the_store_refuses_it_unless_past_the_cap(tmp_path):
    """Virtuoso's ResultSetMaxRows cuts a SELECT answer, saying so in a header, and a CONSTRUCT
    answer without a word: an answer cut before the row cap is refused, never shown as whole."""
    extra = tmp_path / "extra.ttl"
    extra.write_text("".join(f"<https://example.org/{i}> <https://example.org/p> {i} .\n" for i in range(250)),
                     encoding="utf-8")
    select = engine.QueryRequest("SELECT ?s ?o WHERE { ?s <https://example.org/p> ?o } ORDER BY ?o", format="json")
    construct = engine.QueryRequest("CONSTRUCT WHERE { ?s <https://example.org/p> ?o }", format="nt")
    with virtuoso_server(tmp_path / "remote", max_rows=100) as (query_url, data_url):
        config = load_config(store="sparql", store_url=query_url, store_data_url=data_url)
        loaded = load_dataset([extra], config=config, bundled=False)
        for rows in (200, 100):
            refused = rf"cut the answer at 100 rows.*ResultSetMaxRows.*not above the {rows} "
            with pytest.raises(QueryError, match=refused):
                engine.answer(loaded, select, load_config(max_rows=rows))
        with pytest.raises(QueryError, match=r"cut the answer at 101 rows"):  # its limit is known now
            engine.answer(loaded, construct, load_config(max_rows=200))
        cut = engine.answer(loaded, select, load_config(max_rows=20))
        graph = engine.answer(loaded, construct, load_config(max_rows=20))
        fresh = load_dataset([extra], config=config, bundled=False)  # a store that has not shown its limit
        with pytest.raises(QueryError, match=r"cut the answer at 101 rows"):
            list(fresh.dataset.triples((None, URIRef("https://example.org/p"), None)))
    assert (cut.rows, cut.truncated) == (graph.rows, graph.truncated) == (20, True)
    assert [b["o"]["value"] for b in json.loads(cut.body)["results"]["bindings"]] == [str(i) for i in range(20)]


def test_virtuoso_stopping_a_query_at_its_own_time_limit_is_a_timeout(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text("".join(f"<https://example.org/{i}> <https://example.org/p> {i} .\n" for i in range(3000)),
                     encoding="utf-8")
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with virtuoso_server(tmp_path / "remote", timeout=1) as (query_url, data_url):
        config = load_config(store="sparql", store_url=query_url, store_data_url=data_url, query_timeout=30)
        loaded = load_dataset([extra], config=config, bundled=False)
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match=r"stopped the query at its own time limit.*timed out"):
            run_query(loaded, runaway)
    assert time.monotonic() - started < 20


@contextlib.contextmanager
def _answering(status: int, headers: dict[str, str], body: bytes):
    """A store on 127.0.0.1 that gives every query the same answer; yields the sparql store on it."""
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield RemoteStore(load_config(store="sparql", store_url=f"http://127.0.0.1:{server.server_address[1]}/"))
    finally:
        server.shutdown()


TWO_ROWS = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [
    {"s": {"type": "uri", "value": f"https://example.org/{i}"}} for i in range(2)]}}).encode()


@pytest.mark.parametrize(("status", "headers", "body", "error"), [
    (200, {"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results, query interrupted by "
                                                    "result timeout."}, TWO_ROWS,
     "part of the answer only.*incomplete results"),
    (206, {}, TWO_ROWS, "part of the answer only.*206 Partial Content"),
    (200, {"X-SPARQL-MaxRows": "2"}, TWO_ROWS, "cut the answer at 2 rows, its own row limit"),
    (200, {}, TWO_ROWS[:-1] + b', "meta": {"result-size-total": 17623}}', "cut the answer at 2 rows"),
], ids=["anytime", "partial", "row limit", "result size"])
def test_an_answer_a_store_says_is_not_whole_is_refused(status, headers, body, error):
    with _answering(status, {"Content-Type": "application/sparql-results+json", **headers}, body) as remote:
        with pytest.raises(QueryError, match=error):
            remote.query("SELECT ?s WHERE { ?s ?p ?o }", {}, None, rows=10, form="SELECT")
        if status == 200 and "X-SQL-State" not in headers:  # cut past the rows shown: cut there anyway
            assert len(remote.query("SELECT ?s WHERE { ?s ?p ?o }", {}, None, rows=1, form="SELECT").bindings) == 2


@pytest.mark.parametrize(("said", "error"), [
    (b"Virtuoso S1T00 Error SR171: Transaction timed out\n\nSPARQL query:\n...", QueryTimeout),
    (b"Virtuoso 37000 Error TR...: transitive start not given\n\nSPARQL query:\n...", QueryError),
    (b"Virtuoso 42001 Error SR185: Undefined procedure DB.DBA.urn:f.\n\nSPARQL query:\n...", QueryError),
    (b"Internal error\n", StoreUnavailable),
], ids=["timeout", "compiler", "unknown function", "server"])
def test_a_500_from_the_store_is_the_store_or_the_query_as_its_words_say(said, error):
    with _answering(500, {"Content-Type": "text/plain"}, said) as remote, pytest.raises(error) as failed:
        remote.query("SELECT ?s WHERE { ?s ?p ?o }", {}, None, rows=10, form="SELECT")
    assert type(failed.value) is error and said.decode().splitlines()[0] in str(failed.value)


@pytest.mark.full
@pytest.mark.parametrize("query", ["SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && isIRI(?o)) } ORDER BY ?s ?o",
                                   "CONSTRUCT WHERE { ?s ?p ?o }"], ids=["SELECT", "CONSTRUCT"])
def test_an_answer_over_the_row_cap_is_cut_the_same_in_every_store(memory, beside, query):
    capped = load_config(max_rows=7)
    request = engine.QueryRequest(query, format="json" if "SELECT" in query else "nt")
    answers = {name: engine.answer(loaded, request, capped) for name, loaded in [("memory", memory), beside]}
    assert {(a.rows, a.truncated) for a in answers.values()} == {(7, True)}
    if "SELECT" in query and beside[0] == "oxigraph":
        assert answers["memory"].body == answers["oxigraph"].body  # the same first 7 rows


def test_oxigraph_answers_are_read_only_to_one_row_past_the_cap():
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"https://example.org/{i}"), ox.NamedNode("https://example.org/p"),
                         ox.Literal(str(i)), ox.DefaultGraph()) for i in range(1000))
    select = to_result(store.query("SELECT * WHERE { ?s ?p ?o }"), rows=10)
    assert len(select.bindings) == 11
    construct = to_result(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), rows=10)
    assert len(construct.graph) == 11
    assert len(to_result(store.query("SELECT * WHERE { ?s ?p ?o }")).bindings) == 1000
