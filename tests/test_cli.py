"""The cop-graph console script, run for real in a subprocess: answers, exit codes, messages."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from cop_graph.cli.serving import LOGGED_QUERY, access_line
from cop_graph.config import load_config
from cop_graph.errors import ConfigError

from .conftest import BASE, free_port, serving

TURTLE_PREFIXES = "@prefix schema: <https://schema.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"


def _no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


# --- validate -------------------------------------------------------------------

def test_validate_passes_on_the_shipped_data_and_reports_warnings_by_severity(cli):
    proc = cli("validate")
    assert proc.returncode == 0, proc.stderr
    assert "0 violations, 13 warnings" in proc.stdout
    assert "Warnings (13)" in proc.stdout
    assert f'[SessionQuarterShape] <{BASE}session/2022-03-14> "COP Q2 Session 2"' in proc.stdout
    assert "defined at: data/sessions-2022.ttl:" in proc.stdout


def test_validate_json_names_focus_shape_message_and_file(cli):
    proc = cli("validate", "--format", "json")
    assert proc.returncode == 0
    report = json.loads(proc.stdout)
    assert report["conforms"] is True and report["counts"]["warnings"] == 13
    quarter = next(r for r in report["results"] if r["shape"] == "SessionQuarterShape")
    assert quarter["focus"] == BASE + "session/2022-03-14"
    assert quarter["focus_label"] == "COP Q2 Session 2"
    assert quarter["message"] and quarter["locations"][0].startswith("data/sessions-2022.ttl:")


def test_violations_exit_1_and_name_the_file_and_line(cli, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(TURTLE_PREFIXES + "\n<https://w3id.org/b-tech-cop/session/2099-01-01> a "
                     "<https://w3id.org/b-tech-cop/ontology/RegularSession> .\n", encoding="utf-8")
    proc = cli("validate", "--data", str(extra))
    assert proc.returncode == 1
    assert "Violations (" in proc.stdout
    assert f"[Session-startDate] <{BASE}session/2099-01-01>" in proc.stdout
    assert "A session needs exactly one date" in proc.stdout
    assert "extra.ttl:4" in proc.stdout


def test_conflicting_single_values_in_two_files_name_both_files(cli, tmp_path):
    extra = tmp_path / "conflict.ttl"
    extra.write_text(TURTLE_PREFIXES + "\n<https://w3id.org/b-tech-cop/session/2022-02-28>\n"
                     '    schema:startDate "2022-03-01"^^xsd:date .\n', encoding="utf-8")
    proc = cli("validate", "--data", str(extra))
    assert proc.returncode == 1
    line = next(x for x in proc.stdout.splitlines() if "values stated in" in x)
    assert "conflict.ttl:4" in line and "data/sessions-2022.ttl:" in line
    assert "2022-03-01" in line and "2022-02-28" in line


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("broken.ttl", '@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b "x ;\n',
     "broken.ttl:3:15: Turtle syntax error: newline found in string literal"),
    ("prefix.ttl", "@prefix ex: <http://ex/> .\n\nex:a nope:b ex:c .\n",
     'prefix.ttl:3:6: Turtle syntax error: Prefix "nope:" not bound'),
    ("surrogate.ttl", '<urn:x:a> <urn:x:b> "ok" .\n<urn:x:a> <urn:x:c> "bad \\uD800 text" .\n',
     "surrogate.ttl:2: a literal holds a lone surrogate code point"),
    ("bad.jsonld", '{\n  "@id": "urn:x:a",\n}\n', "bad.jsonld:3:1: JSON syntax error"),
    ("bad.rdf", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                '<rdf:Description rdf:about="urn:x:a">\n<oops></rdf:Description></rdf:RDF>\n',
     "bad.rdf:4:"),
    ("bad.nt", '<urn:x:a> <urn:x:b> <urn:x:c> .\n<urn:x:a> <urn:x:b> "open .\n', "bad.nt:2: syntax error"),
    ("notes.txt", "hello\n", "unknown RDF file type '.txt'"),
])
def test_malformed_input_exits_2_with_file_line_and_column(cli, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    for command in (["validate"], ["stats"], ["query", "members-in-year"], ["export"]):
        proc = cli(*command, "--data", str(path))
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert expected in proc.stderr
        assert proc.stderr.count("\n") == 1
        _no_traceback(proc)


def test_a_missing_data_path_is_named(cli):
    proc = cli("validate", "--data", "nowhere.ttl")
    assert proc.returncode == 2 and "nowhere.ttl: no such file or folder" in proc.stderr


def test_data_accepts_folders(cli, tmp_path):
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "a.ttl").write_text('<urn:x:a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n', encoding="utf-8")
    proc = cli("stats", "--format", "json", "--data", str(folder))
    assert proc.returncode == 0
    files = [g["file"] for g in json.loads(proc.stdout)["graphs"]]
    assert any(f and f.endswith("a.ttl") for f in files)


# --- query ------------------------------------------------------------------------

def test_query_by_name_with_a_parameter(cli):
    proc = cli("query", "members-in-year", "--param", "year=2021", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == 12 and "Telefónica" not in {r["name"] for r in rows}


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_query_formats_for_select(cli, fmt):
    proc = cli("query", "members-in-year", "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    assert "Telefónica" in proc.stdout
    if fmt == "json":
        assert len(json.loads(proc.stdout)["results"]["bindings"]) == 13
    if fmt == "tsv":
        assert proc.stdout.splitlines()[0] == "?member\t?name\t?membership"
        assert f"<{BASE}org/telefonica>\t\"Telefónica\"" in proc.stdout


def test_query_expression_and_construct_to_turtle(cli):
    proc = cli("query", "-e", "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a schema:Person ; rdfs:label ?l }")
    assert proc.returncode == 0, proc.stderr
    assert "Volker Türk" in proc.stdout and "@prefix" in proc.stdout


def test_query_file_with_a_header(cli, tmp_path):
    query = tmp_path / "count.rq"
    query.write_text("# title: Count\n# description: Sessions in a year.\n"
                     "# param: year (xsd:gYear, default 2022) Year.\n"
                     "PREFIX schema: <https://schema.org/>\n"
                     "SELECT (COUNT(?s) AS ?n) WHERE { ?s a/rdfs:subClassOf cop:Session ; schema:startDate ?d "
                     "FILTER(SUBSTR(STR(?d),1,4) = STR(?year)) }\n", encoding="utf-8")
    proc = cli("query", str(query), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["n", "6"]


def test_query_list_shows_names_titles_and_parameters(cli):
    proc = cli("query", "--list")
    assert proc.returncode == 0
    assert "members-in-year" in proc.stdout and "--param year=<xsd:gYear, default 2022>" in proc.stdout


@pytest.mark.parametrize(("args", "expected"), [
    (["query", "no-such-query"], "no named query 'no-such-query'"),
    (["query", "members-in-year", "--param", "year=soon"], "must be a year such as 2022"),
    (["query", "members-in-year", "--param", "month=5"], "has no parameter 'month'"),
    (["query", "members-in-year", "--param", "year"], "--param takes NAME=VALUE"),
    (["query", "-e", "SELECT * WHERE {\n  ?s ?p\n}"], "line 3, column 2: syntax error near '}'"),
    (["query", "-e", "DROP ALL"], "read-only"),
    (["query", "members-in-year", "--format", "turtle"], "does not fit a SELECT result"),
    (["query"], "give a query NAME or FILE.rq"),
])
def test_bad_query_requests_exit_2_with_a_reason(cli, args, expected):
    proc = cli(*args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert expected in proc.stderr
    _no_traceback(proc)


# --- stats, base ------------------------------------------------------------------

def test_stats_counts_triples_per_graph_and_instances_per_class(cli):
    proc = cli("stats")
    assert proc.returncode == 0
    assert re.search(r"<graph/data/sessions-2022> +data/sessions-2022.ttl +124", proc.stdout)
    assert "cop:RegularSession" in proc.stdout
    data = json.loads(cli("stats", "--format", "json").stdout)
    classes = {c["class"]: c["instances"] for c in data["classes"]}
    assert classes["http://www.w3.org/ns/org#Membership"] == 27
    assert sum(g["triples"] for g in data["graphs"]) == data["triples"]


def test_the_base_iri_is_configurable_and_leaves_the_vocabulary_alone(cli):
    proc = cli("--base", "http://localhost:8000/", "query", "members-in-year", "--format", "csv")
    assert proc.returncode == 0
    assert "http://localhost:8000/org/telefonica" in proc.stdout
    env_proc = cli("query", "-e", "SELECT ?c WHERE { ?s a ?c } LIMIT 1000", "--format", "csv",
                   env={"COP_GRAPH_BASE": "http://localhost:8000/"})
    assert "https://w3id.org/b-tech-cop/ontology/RegularSession" in env_proc.stdout


# --- inputs rdflib alone would accept or mishandle -------------------------------------

XSD_PREFIX = "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"

@pytest.mark.parametrize(("name", "content", "expected"), [
    ("month.ttl", XSD_PREFIX + '\n<urn:x:a> <urn:x:b> "2022-13"^^xsd:gYearMonth .\n',
     '"2022-13" is not a valid xsd:gYearMonth value'),
    ("year.ttl", XSD_PREFIX + '\n<urn:x:a> <urn:x:b> "abc"^^xsd:gYear .\n', '"abc" is not a valid xsd:gYear value'),
    ("date.ttl", XSD_PREFIX + '\n<urn:x:a> <urn:x:b> "2022-02-30"^^xsd:date .\n',
     '"2022-02-30" is not a valid xsd:date value'),
    ("boolean.ttl", XSD_PREFIX + '\n<urn:x:a> <urn:x:b> "yes"^^xsd:boolean .\n',
     '"yes" is not a valid xsd:boolean value'),
])
def test_ill_typed_literals_load_as_written_and_validate_names_them_with_their_line(cli, tmp_path, name, content,
                                                                                    expected):
    """RDF allows "abc"^^xsd:integer: the file loads (the W3C tests' data does), and the report
    says which statement is wrong and where."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert cli("stats", "--data", str(path)).returncode == 0
    proc = cli("validate", "--data", str(path), "--no-cache")
    assert proc.returncode == 1 and expected in proc.stdout, proc.stdout
    assert f"{name}:3" in proc.stdout.split(expected, 1)[1].split("\n\n", 1)[0]
    _no_traceback(proc)


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("iri.ttl", "\n<http://example.org/a b> <urn:x:b> <urn:x:c> .\n",
     "iri.ttl:2: invalid IRI <http://example.org/a b>"),
    ("nodot.nt", "<urn:x:a> <urn:x:b> <urn:x:c>\n", "nodot.nt:1: syntax error"),
])
def test_literals_and_iris_rdflib_would_accept_are_refused(cli, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    proc = cli("validate", "--data", str(path))
    assert proc.returncode == 2 and expected in proc.stderr, proc.stderr
    _no_traceback(proc)


def test_an_undeclared_prefix_in_a_query_is_a_clear_error(cli):
    proc = cli("query", "-e", "SELECT * WHERE { ?s nope:p ?o }")
    assert proc.returncode == 2 and "Unknown namespace prefix 'nope'" in proc.stderr
    _no_traceback(proc)


def test_a_bad_base_is_refused(cli):
    proc = cli("--base", "not an iri", "stats")
    assert proc.returncode == 2 and "base IRI must be an absolute" in proc.stderr
    _no_traceback(proc)


def test_a_folder_without_rdf_files_is_refused(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    proc = cli("stats", "--data", str(tmp_path / "empty"))
    assert proc.returncode == 2 and "holds no RDF files" in proc.stderr


def test_reading_commands_warn_when_two_files_disagree(cli, tmp_path):
    extra = tmp_path / "label.nt"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    extra.write_text(f'<{BASE}session/2022-03-14> {label} "COP Q1 Session 2" .\n', encoding="utf-8")
    proc = cli("query", "sessions-in-year", "--data", str(extra))
    assert proc.returncode == 0
    assert "conflicting values for rdfs:label" in proc.stderr and "label.nt:1" in proc.stderr
    assert cli("validate", "--data", str(extra)).returncode == 1


@pytest.mark.parametrize(("name", "content"), [
    ("extra.jsonld", '{"@id": "https://example.org/x", "http://www.w3.org/2000/01/rdf-schema#label": "X"}'),
    ("extra.trig", '<https://example.org/g> { <https://example.org/x> '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "X" }'),
    ("extra.rdf", '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                  'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"><rdf:Description rdf:about="https://example.org/x">'
                  '<rdfs:label>X</rdfs:label></rdf:Description></rdf:RDF>'),
])
def test_other_rdf_syntaxes_load_as_their_own_graph(cli, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    query = f"SELECT ?l WHERE {{ GRAPH <{path.as_uri()}> {{ <https://example.org/x> rdfs:label ?l }} }}"
    proc = cli("query", "-e", query, "--format", "csv", "--data", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["l", "X"]


def test_foreign_vocabulary_terms_are_not_held_to_our_ontology_rules(cli, tmp_path):
    extra = tmp_path / "foreign.ttl"
    extra.write_text("<https://example.org/C> a <http://www.w3.org/2002/07/owl#Class> .\n", encoding="utf-8")
    assert cli("validate", "--data", str(extra)).returncode == 0


def test_a_plain_query_file_without_a_header_runs(cli, tmp_path):
    query = tmp_path / "plain.rq"
    query.write_text("ASK { ?s a <https://w3id.org/b-tech-cop/ontology/SpecialSession> }\n", encoding="utf-8")
    proc = cli("query", str(query))
    assert proc.returncode == 0 and proc.stdout.strip() == "true"


# --- serve's access log ---------------------------------------------------------------

ACCESS = re.compile(r'(?P<client>\S+) - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] '
                    r'"(?P<method>[A-Z]+) (?P<target>[^"]+) HTTP/1\.[01]" (?P<status>\d{3}) (?P<bytes>\d+|-) '
                    r'(?P<ms>\d+\.\d)ms')


def _access_lines(log: Path, wanted: int = 0, wait: float = 20) -> list[re.Match]:
    """The access log lines written so far, waiting (a while) until there are ``wanted``."""
    deadline = time.monotonic() + wait
    while True:
        lines = [m for line in log.read_text(encoding="utf-8").splitlines() if (m := ACCESS.fullmatch(line))]
        if len(lines) >= wanted or time.monotonic() > deadline:
            return lines
        time.sleep(0.2)


def _serve(cop_graph_bin: str, tmp_path: Path, *args: str, env: dict | None = None):
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")} | (env or {})
    argv = [cop_graph_bin, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", *args]
    url = f"http://127.0.0.1:{port}"
    return url, serving(argv, f"{url}/sparql?query=ASK%7B%7D", "serve", environment, log=tmp_path / "serve.log")


def test_serve_logs_one_line_per_request_on_stderr(cop_graph_bin, tmp_path):
    url, server = _serve(cop_graph_bin, tmp_path)
    long_query = "ASK { ?s ?p " + '"' + "x" * 2000 + '" }'
    with server:
        page = urllib.request.urlopen(f"{url}/org/apple", timeout=30).read()
        urllib.request.urlopen(f"{url}/sparql?" + urllib.parse.urlencode({"query": long_query}), timeout=30).read()
        with urllib.request.urlopen(f"{url}/dumps/cop-graph.nt.gz", timeout=60) as response:
            dump_size = len(response.read())
        connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=30)
        connection.request("GET", '/no/such"page')  # a quote reaches the log only escaped
        refused = connection.getresponse().status
        connection.close()
        lines = _access_lines(tmp_path / "serve.log", 5)
    by_target = {m["target"]: m for m in lines}
    apple = by_target["/org/apple"]
    assert apple["client"] == "127.0.0.1" and apple["method"] == "GET" and apple["status"] == "200"
    assert int(apple["bytes"]) == len(page) and float(apple["ms"]) >= 0
    [long_line] = [m for m in lines if m["target"].startswith("/sparql?query=ASK+")]
    assert long_line["target"].endswith(" characters]") and len(long_line["target"]) < LOGGED_QUERY + 100
    assert int(by_target["/dumps/cop-graph.nt.gz"]["bytes"]) == dump_size
    assert by_target['/no/such\\x22page']["status"] == str(refused) and 400 <= refused < 500
    assert by_target["/sparql?query=ASK%7B%7D"]["status"] == "200"  # the test's own probe


@pytest.mark.parametrize(("args", "env"), [(("--no-access-log",), {}), ((), {"COP_GRAPH_ACCESS_LOG": "0"})])
def test_the_access_log_can_be_turned_off(cop_graph_bin, tmp_path, args, env):
    url, server = _serve(cop_graph_bin, tmp_path, *args, env=env)
    with server:
        urllib.request.urlopen(f"{url}/org/apple", timeout=30).read()
        time.sleep(1)
        assert _access_lines(tmp_path / "serve.log", wait=0) == []
        assert "cop-graph on http://127.0.0.1" in (tmp_path / "serve.log").read_text(encoding="utf-8")


def test_an_access_line_escapes_the_request_and_cuts_long_query_strings():
    environ = {"REMOTE_ADDR": "10.0.0.1", "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1",
               "REQUEST_URI": '/a"b\\c\n?q=' + "y" * 5000}
    line = access_line(environ, "200", 12, 0.0123)
    assert "\n" not in line and '/a\\x22b\\x5cc\\x0a?q=' in line
    assert f"...[{5002:,} characters]" in line and len(line) < LOGGED_QUERY + 200
    assert ACCESS.fullmatch(line)["ms"] == "12.3"
    # without REQUEST_URI (another WSGI server) the path is quoted again
    plain = access_line({"PATH_INFO": "/org/t\u00c3\u00a9", "QUERY_STRING": "a=1", "REQUEST_METHOD": "HEAD"},
                        "304", 0, 0.001)
    assert '"HEAD /org/t%C3%A9?a=1 -" 304 - ' in plain


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("off", False), ("no", False), ("1", True),
                                                 ("ON", True), ("true", True)])
def test_the_access_log_setting_reads_on_and_off(value, expected):
    assert load_config(access_log=value).access_log is expected


def test_a_bad_access_log_setting_is_named():
    with pytest.raises(ConfigError, match="the access log setting must be on or off"):
        load_config(access_log="sometimes")
