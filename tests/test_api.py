"""The Python API (docs/python.md) as a notebook uses it: load, query with plain values, the
endpoint's formats, validate, network, stats, and the typed errors of bad input."""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import re

import networkx as nx
import pytest
from rdflib import Graph

import cop_graph
from cop_graph.errors import (
    ConfigError,
    CopGraphError,
    InputError,
    NetworkError,
    ParameterError,
    QueryError,
    QueryRefused,
    UnknownQueryError,
)

from .conftest import BASE, ROOT, run_cli


@pytest.fixture(scope="module")
def ds() -> cop_graph.Dataset:
    return cop_graph.load()


def test_the_2022_members_are_rows_of_plain_values(ds):
    rows = list(ds.query("members-in-year", year=2022))
    assert len(rows) == 13
    assert all(type(value) is str for row in rows for value in row.values())
    telefonica = next(row for row in rows if row["name"] == "Telefónica")
    assert telefonica["member"] == BASE + "org/telefonica"
    assert len(list(ds.query("members-in-year", year="2021"))) == 12


def test_values_take_the_python_type_of_their_datatype_and_unbound_is_none(ds):
    sessions = list(ds.query("sessions-in-year", year=2022))
    assert [row["date"] for row in sessions][:2] == [datetime.date(2022, 2, 28), datetime.date(2022, 3, 14)]
    special = next(row for row in sessions if row["kind"] == "special COP session")
    assert special["quarter"] is None
    count = next(iter(ds.query("SELECT (COUNT(?m) AS ?n) WHERE { ?m a org:Membership }")))["n"]
    assert count == 27 and type(count) is int


def test_ask_is_a_truth_and_construct_an_rdflib_graph(ds):
    assert ds.query("ASK { ?s a schema:Person }")
    assert not ds.query("ASK { ?s a schema:Volcano }")
    graph = ds.query("CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a schema:Person ; rdfs:label ?l }")
    assert isinstance(graph, Graph) and "Volker Türk" in {str(o) for o in graph.objects()}


def test_the_formats_are_the_endpoints(ds, tmp_path):
    result = ds.query("members-in-year", year=2022)
    expected = run_cli("query", "members-in-year", "--param", "year=2022", "--format", "csv", cwd=tmp_path,
                       store_env=False).stdout
    assert result.to_csv().endswith("\r\n")  # RFC 4180 line ends, as the endpoint writes them
    assert result.to_csv().replace("\r\n", "\n") == expected  # click's runner shows "\n"
    assert len(json.loads(result.to_json())["results"]["bindings"]) == 13
    assert result.to_tsv().splitlines()[0] == "?member\t?name\t?membership"


def test_a_query_file_and_extra_data(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "Extra" .\n',
                     encoding="utf-8")
    query = tmp_path / "extra.rq"
    query.write_text('SELECT ?s WHERE { ?s rdfs:label "Extra" }\n', encoding="utf-8")
    ds = cop_graph.load([extra])
    assert [row["s"] for row in ds.query(str(query))] == ["https://example.org/x"]
    assert any(g["file"] and g["file"].endswith("extra.ttl") for g in ds.stats()["graphs"])


def test_validation_gives_the_reports_conformance_and_warnings(ds):
    report = ds.validate()
    assert report.conforms and report.violations == [] and len(report.warnings) == 13
    warning = report.warnings[0]
    assert warning.shape and warning.message and re.fullmatch(r"data/[\w.-]+\.ttl:\d+", warning.locations[0])


def test_the_network_and_the_stats(ds, tmp_path):
    topics = ds.network("topics", year=2022)
    assert isinstance(topics, nx.Graph) and topics.number_of_nodes() == 10
    assert ds.network("orgs", 2022).number_of_nodes() == 18
    expected = json.loads(run_cli("stats", "--format", "json", cwd=tmp_path, store_env=False).stdout)
    assert ds.stats() == expected


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda ds: ds.query("no-such-query"), UnknownQueryError, "no named query 'no-such-query'"),
    (lambda ds: ds.query("members-in-year", year="soon"), ParameterError, "must be a year such as 2022"),
    (lambda ds: ds.query("members-in-year", month=5), ParameterError, "has no parameter 'month'"),
    (lambda ds: ds.query("SELECT * WHERE {\n  ?s ?p\n}"), QueryError, "syntax error"),
    (lambda ds: ds.query("SELECT * WHERE { ?s ?p ?o }", year=2022), ParameterError, "not to SPARQL text"),
    (lambda ds: ds.query("DROP ALL"), QueryRefused, "read-only"),
    (lambda ds: ds.query("nowhere.rq"), ParameterError, "no such query file"),
    (lambda ds: ds.network("nope"), NetworkError, "unknown projection 'nope'"),
    (lambda ds: ds.network("orgs", year=1999), NetworkError, "no data for year 1999"),
])
def test_bad_requests_raise_the_clis_typed_errors(ds, call, error, words):
    with pytest.raises(error, match=re.escape(words)) as raised:
        call(ds)
    assert isinstance(raised.value, CopGraphError) and raised.value.exit_code == 2


def test_bad_loads_raise_typed_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown setting 'max_row'"):
        cop_graph.load(max_row=5)
    with pytest.raises(ConfigError, match="unknown store"):
        cop_graph.load(store="postgres")
    broken = tmp_path / "broken.ttl"
    broken.write_text('<urn:x:a> <urn:x:b> "open .\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.ttl:1"):
        cop_graph.load([broken])


def test_the_row_cap_holds_and_says_so():
    capped = cop_graph.load(max_rows=5).query("SELECT ?s WHERE { ?s ?p ?o }")
    assert len(list(capped)) == 5 and capped.truncated


def test_the_worked_example_in_docs_prints_what_it_says(monkeypatch, tmp_path):
    text = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    code, expected = re.search(r"```python\n(.*?)```\s*```text\n(.*?)```", text, flags=re.DOTALL).groups()
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})  # the documentation's own example
    assert printed.getvalue() == expected
