"""Property-based fuzzing with hypothesis: parameter binding, the name normalisation of
linking, Accept parsing, any query string at the endpoint, and mutated files at the loader.

The examples per property are bounded and derandomised in CI (``COP_GRAPH_FUZZ`` unset); set
``COP_GRAPH_FUZZ=long`` for the longer random run (docs/reliability.md)."""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef, Variable
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from cop_graph.config import load_config
from cop_graph.errors import CopGraphError, InputError, ParameterError
from cop_graph.linking.reconcile import LEGAL_SUFFIXES, name_key
from cop_graph.rdf.labels import normalise
from cop_graph.sparql.evaluate import run_query
from cop_graph.sparql.library import Parameter
from cop_graph.store.dataset import load_dataset
from cop_graph.web.negotiation import GRAPH_TYPES, RESULT_TYPES, choose

from ..conftest import BASE, ROOT

pytestmark = pytest.mark.full

LONG = os.environ.get("COP_GRAPH_FUZZ") == "long"
settings.register_profile("bounded", max_examples=150, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FUZZ = settings.get_profile("long" if LONG else "bounded")
HTTP = settings(FUZZ, max_examples=2000 if LONG else 60)  # a real request per example

TEXT = st.text(st.characters(codec="utf-8"), max_size=60)


# --- parameter binding -------------------------------------------------------------------

@FUZZ
@given(kind=st.sampled_from(["xsd:gYear", "xsd:integer", "xsd:date", "xsd:string", "iri"]), raw=TEXT)
def test_a_parameter_value_is_bound_as_one_term_or_refused_by_name(kind, raw):
    parameter = Parameter("value", kind, None, "")
    try:
        term = parameter.bind(raw, BASE)
    except ParameterError as exc:
        assert str(exc).startswith("parameter 'value' must be")
        return
    if kind == "xsd:string":
        assert term == Literal(raw.strip())
    elif kind == "iri":
        assert isinstance(term, URIRef) and str(term).endswith(raw.strip().lstrip("/"))


@pytest.fixture(scope="module")
def small():
    """The loaded data, for evaluating bound queries in-process (the one engine)."""
    return load_dataset(config=load_config(store="memory"))


@FUZZ
@given(raw=TEXT)
def test_a_bound_string_comes_back_as_itself_never_as_query_text(small, raw):
    term = Parameter("value", "xsd:string", None, "").bind(raw, BASE)
    rows = list(run_query(small, "SELECT ?value ?other WHERE { BIND(1 AS ?other) }", {"value": term}))
    assert [(row[0], row[1]) for row in rows] == [(term, Literal(1))]


@FUZZ
@given(raw=TEXT)
def test_a_bound_iri_comes_back_as_itself(small, raw):
    try:
        term = Parameter("value", "iri", None, "").bind(raw, BASE)
    except ParameterError:
        return
    rows = list(run_query(small, "SELECT ?value WHERE {}", {"value": term}))
    assert rows[0][Variable("value")] == term


@HTTP
@given(name=st.sampled_from(["members-in-year", "sessions-on-topic", "labels-missing-in-language",
                             "passages-of-document"]), raw=TEXT)
def test_any_parameter_value_at_the_named_query_url_is_answered_or_refused(endpoint, name, raw):
    parameter = {"members-in-year": "year", "sessions-on-topic": "topic", "labels-missing-in-language": "lang",
                 "passages-of-document": "document"}[name]
    url = f"{endpoint}/queries/{name}?" + urllib.parse.urlencode({parameter: raw, "format": "json"})
    status, body = _fetch(url)
    assert status in (200, 400), (status, body[:300])
    if status == 400:
        assert b"Traceback" not in body and parameter.encode() in body


# --- name normalisation (linking) --------------------------------------------------------

NAMES = st.one_of(TEXT, st.lists(st.sampled_from(["Telefónica", "S.A.", "Inc.", "the", "Group", "ß", "İ", "ǅ",
                                                   "\u210c", "\u2107", "Ø", "-", " ", "Ltd", "Co", "\ufb01",
                                                   "\u216b", "Æ", "Œuvre"]),
                                  max_size=6).map(" ".join))


@FUZZ
@given(NAMES)
def test_name_keys_are_stable_when_applied_again(name):
    assert normalise(normalise(name)) == normalise(name)
    assert name_key(name_key(name)) == name_key(name)


@FUZZ
@given(NAMES)
def test_name_keys_ignore_case_and_spacing(name):
    key = name_key(name)
    assert name_key(name.upper()) == name_key(name.lower()) == key
    assert name_key(f"  {name}\t") == key
    assert key == " ".join(key.split())


@FUZZ
@given(NAMES, st.sampled_from(sorted(" ".join(s) for s in LEGAL_SUFFIXES)))
def test_a_legal_form_after_a_name_does_not_change_its_key(name, suffix):
    if name_key(name):
        assert name_key(f"{name} {suffix.upper()}.") == name_key(name)


# --- Accept parsing ----------------------------------------------------------------------

MEDIA = sorted({*RESULT_TYPES, *GRAPH_TYPES, "text/html", "*/*", "text/*", "application/*", "image/png"})
QUALITY = st.sampled_from(["", ";q=0", ";q=0.0", ";q=0.1", ";q=0.5", ";q=0.9", ";q=1", ";q=1.0", ";q=0.001"])


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(MEDIA), QUALITY), max_size=6))
def test_the_chosen_format_is_acceptable_and_never_one_refused_with_q0(entries):
    header = ", ".join(media + q for media, q in entries)
    accept = parse_accept_header(header, MIMEAccept)
    for table in (RESULT_TYPES, GRAPH_TYPES):
        chosen = choose(accept, table, {})
        if not entries:
            assert chosen == next(iter(table.values()))
            continue
        if chosen is None:  # 406: nothing of ours is acceptable
            assert not any(accept.quality(media) > 0 for media in table)
            continue
        best = max(accept.quality(media) for media, name in table.items())
        assert any(name == chosen and accept.quality(media) == best > 0 for media, name in table.items())


@HTTP
@given(st.text(st.characters(codec="latin-1", exclude_characters="\r\n\x00"), max_size=80))
def test_any_accept_header_at_the_endpoint_is_answered_or_406(endpoint, header):
    status, body = _fetch(endpoint + "/sparql?query=" + urllib.parse.quote("ASK {}"), {"Accept": header})
    if any((ord(c) < 32 and c != "\t") or c == "\x7f" for c in header):
        assert status == 400  # control characters are not allowed in a header (RFC 9110, 5.5)
    else:
        assert status in (200, 406), (header, status, body[:300])


# --- any query string --------------------------------------------------------------------

PIECES = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "?s", "?p", "?o", "*", ".", ";",
          ",", "a", "<https://w3id.org/b-tech-cop/org/apple>", "rdfs:label", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
          '"x"', '"x"@en', "1", "2.5", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "VALUES", "BIND", "AS",
          "COUNT", "DISTINCT", "GROUP BY", "ORDER BY", "LIMIT 3", "OFFSET 1", "REGEX", "STR", "LANG", "IRI",
          "SERVICE", "<http://127.0.0.1:9/>", "FROM", "NOT EXISTS", "/", "|", "^", "+", "?", "=", "!", "&&",
          "#", "\\", "'''", "$x", "_:b", "[]", "@", "\u00e9", "\ud7ff", "INSERT DATA", "LOAD", "\n"]
QUERIES = st.one_of(TEXT, st.lists(st.sampled_from(PIECES), max_size=25).map(" ".join),
                    st.lists(st.sampled_from(PIECES), max_size=12).map(lambda parts: "SELECT * WHERE { "
                                                                       + " ".join(parts) + " } LIMIT 5"))


@HTTP
@given(query=QUERIES, method=st.sampled_from(["GET", "POST"]))
def test_any_query_string_is_answered_or_refused_never_a_server_error(endpoint, query, method):
    if method == "GET":
        status, body = _fetch(endpoint + "/sparql?" + urllib.parse.urlencode({"query": query}))
    else:
        status, body = _fetch(endpoint + "/sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    # The one 5xx a query may earn is the time limit, a 503 saying so.
    assert status < 500 or (status == 503 and b"time limit" in body), (query, status, body[:300])
    assert b"Traceback" not in body


# --- the loader on mutated files ---------------------------------------------------------

SEEDS = {
    ".ttl": (ROOT / "tests" / "examples" / "hostile.ttl").read_bytes(),
    ".nt": b'<https://example.org/a> <https://example.org/p> "v\\u00e9"@en .\n_:b <https://example.org/p> '
           b'<https://example.org/a> .\n',
    ".jsonld": b'{"@context": {"p": "https://example.org/p"}, "@id": "https://example.org/a", "p": '
               b'[{"@value": "v"}, {"@id": "https://example.org/b"}]}',
    ".rdf": b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:p="https://example.org/"><rdf:Description rdf:about="https://example.org/a"><p:p '
            b'xml:lang="en">v</p:p></rdf:Description></rdf:RDF>\n',
    ".trig": b'<https://example.org/g> { <https://example.org/a> <https://example.org/p> "v" . }\n',
}


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[suffix])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "repeat"]))
        if kind == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
                [b"{", b"}", b"[", b"]", b'"', b"<", b">", b"\\", b"@", b";", b".", b"\xff", b"\xc3", b"\x00",
                 b"<!ENTITY a 'b'>", b'{"@context": "http://127.0.0.1:9/"}']))
        elif kind == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 40))] * draw(st.integers(1, 20))
    return suffix, bytes(data)


@FUZZ
@given(mutated())
def test_a_mutated_file_loads_or_is_refused_with_our_error_naming_it(case):
    suffix, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"mutated{suffix}"
        path.write_bytes(data)
        try:
            loaded = load_dataset([path], config=load_config(store="memory"), bundled=False)
        except InputError as exc:
            assert str(exc).startswith(str(path)), str(exc)
            return
        except CopGraphError:
            return  # another of our clean refusals
        assert len(loaded) == len(loaded.graph(loaded.files[0])) == len(loaded.union())


def _fetch(url: str, headers: dict | None = None, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
