"""Every answer with its quote: ``cop-graph query --sources``, ``?sources=1`` on the named-query
pages and ``/sparql``, and ``Dataset.query(..., sources=True)`` give each row of a SELECT answer
the passages, documents or curated mappings its statements rest on, through one path
(``engine.answer_sources``). The facts checked are the stable ones: the 2022 members and the
year-end review's participant lines, each quote read against the review's text in this repo;
no test counts the supports, which the data's editors may add to."""

from __future__ import annotations

import csv
import html
import io
import json
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from markupsafe import escape

import cop_graph
from cop_graph.errors import ParameterError
from cop_graph.rdf.formats import sources_text
from cop_graph.web.result_view import cited

from .conftest import BASE, SOURCE_TEXT
from .test_sparql_protocol import http

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
RESULTS = {"Accept": "application/sparql-results+json"}
MEMBERS_2022 = 13
SUPPORT_KEYS = {"kind", "source", "quote", "document", "documentLabel", "link", "note"}
# A query on the curated topic-to-principle mappings (data/mappings/topics-to-principles.ttl).
CLOSE_MATCHES = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                 "SELECT ?topic ?principle WHERE { ?topic skos:closeMatch ?principle } ORDER BY ?topic ?principle\n")
REVIEW_QUOTE_LINE = "Apple\tEricsson\tMeta\tTelefónica"  # the review's first line of participants
# Within one cell of text, as sources_text writes a passage: “quote” — label <link>.
OPEN, CLOSE = "\u201c", "\u201d"


@pytest.fixture(scope="module")
def ds() -> cop_graph.Dataset:
    return cop_graph.load()


@pytest.fixture(scope="module")
def review() -> str:
    """The year-end review as received, read from this repository."""
    return SOURCE_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def positions(ds) -> dict[str, tuple[int, int]]:
    """Each passage's place in its document (its oa:TextPositionSelector)."""
    rows = ds.query("SELECT ?passage ?start ?end WHERE { ?passage oa:hasSelector ?s . "
                    "?s oa:start ?start ; oa:end ?end }")
    return {row["passage"]: (int(row["start"]), int(row["end"])) for row in rows}


def assert_members_quoted(rows: list[tuple[str, list[dict]]], review: str, positions: dict) -> None:
    """Each 2022 member's row has a passage whose quote names it as the review writes it, and
    that quote is the review's text at the passage's offsets."""
    assert len(rows) == MEMBERS_2022
    names = {name for name, _ in rows}
    assert "Meta" in names and "Telefónica" in names
    for name, supports in rows:
        assert supports, name
        assert all(set(s) <= SUPPORT_KEYS and s["kind"] in ("passage", "document", "curated") for s in supports)
        naming = [s for s in supports if s["kind"] == "passage" and name in s["quote"]]
        assert naming, f"no passage quoted for {name}: {supports}"
        for support in naming:
            start, end = positions[support["source"]]
            assert review[start:end] == support["quote"]
            assert support["document"] == BASE + "document/review-2022"
            assert support["documentLabel"] == "B-Tech Company Community of Practice: 2022 Year-End Review"
            assert support["link"] == support["source"]


def assert_curated(rows: list[tuple[str, str, list[dict]]], ds: cop_graph.Dataset) -> None:
    """A row built from a curated mapping rests on that mapping: kind "curated", its note,
    no quote, and its source the description of that very mapping statement."""
    assert rows
    for topic, principle, supports in rows:
        assert supports, (topic, principle)
        assert {s["kind"] for s in supports} == {"curated"}
        assert all(s.get("note") and "quote" not in s for s in supports)
        mapping = supports[0]["source"]
        assert ds.query(f"PREFIX sssom: <https://w3id.org/sssom/> ASK {{ <{mapping}> owl:annotatedSource <{topic}> ;"
                        f" owl:annotatedProperty skos:closeMatch ; owl:annotatedTarget <{principle}> ;"
                        f" sssom:mapping_justification ?j }}")


# --- the command line, run for real ----------------------------------------------------

def test_cli_json_gives_each_member_the_passage_that_names_it(cli_process, review, positions):
    proc = cli_process("query", "members-in-year", "--param", "year=2022", "--sources", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["head"]["vars"] == ["member", "name", "membership"]  # sources is not a variable
    rows = [(b["name"]["value"], b["sources"]) for b in answer["results"]["bindings"]]
    assert_members_quoted(rows, review, positions)


def test_cli_csv_tsv_table_and_xml_carry_a_last_sources_column(cli_process):
    args = ("query", "members-in-year", "--param", "year=2022", "--sources", "--format")
    rows = list(csv.reader(io.StringIO(cli_process(*args, "csv").stdout)))
    assert rows[0] == ["member", "name", "membership", "sources"] and len(rows) == MEMBERS_2022 + 1
    apple = next(row for row in rows if row[1] == "Apple")
    assert f"{OPEN}{REVIEW_QUOTE_LINE}{CLOSE} \u2014 B-Tech Company Community of Practice: 2022 Year-End Review " \
           f"<{BASE}passage/review-2022/participants-row-1>" in apple[3]
    for row in rows[1:]:
        assert any(OPEN in text and row[1] in text for text in row[3].split(" | ")), row

    tsv = cli_process(*args, "tsv").stdout.splitlines()
    assert tsv[0].split("\t") == ["?member", "?name", "?membership", "?sources"]
    assert len(tsv) == MEMBERS_2022 + 1 and "\\tEricsson\\t" in tsv[1]  # a literal, as TSV writes its cells

    table = cli_process(*args, "table").stdout.splitlines()
    assert table[0].split()[-1] == "sources" and "Apple Ericsson Meta Telefónica" in table[2]

    sparql = "{http://www.w3.org/2005/sparql-results#}"
    root = ET.fromstring(cli_process(*args, "xml").stdout)
    assert [v.get("name") for v in root.iter(f"{sparql}variable")] == ["member", "name", "membership", "sources"]
    texts = [b.find(f"{sparql}literal").text for b in root.iter(f"{sparql}binding") if b.get("name") == "sources"]
    assert len(texts) == MEMBERS_2022 and any(REVIEW_QUOTE_LINE in t for t in texts)


def test_cli_refuses_sources_for_construct_and_ask_cleanly(cli_process, tmp_path):
    construct = tmp_path / "graph.rq"
    construct.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3\n", encoding="utf-8")
    for args in ((str(construct),), ("-e", "ASK { ?s ?p ?o }")):
        proc = cli_process("query", *args, "--sources")
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("error: --sources") and proc.stdout == ""
        assert "Traceback" not in proc.stderr
    proc = cli_process("query", "-e", "SELECT ?sources WHERE { ?sources a org:Membership } LIMIT 1", "--sources")
    assert proc.returncode == 2 and "'sources'" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_a_curated_mapping_says_curated(cli_process, tmp_path, ds):
    query = tmp_path / "close-matches.rq"
    query.write_text(CLOSE_MATCHES, encoding="utf-8")
    proc = cli_process("query", str(query), "--sources", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    bindings = json.loads(proc.stdout)["results"]["bindings"]
    assert_curated([(b["topic"]["value"], b["principle"]["value"], b["sources"]) for b in bindings], ds)
    text = cli_process("query", str(query), "--sources", "--format", "csv").stdout
    assert text.startswith("topic,principle,sources\n")  # text mode: CRLF read as LF
    for b in bindings:
        row = f"{b['topic']['value']},{b['principle']['value']},"
        assert f"\n{row}curated: " in text or f'\n{row}"curated: ' in text


# --- the Python API ----------------------------------------------------------------------

def test_api_rows_carry_their_sources(ds, review, positions):
    result = ds.query("members-in-year", year=2022, sources=True)
    assert result.variables == ["member", "name", "membership"]
    assert_members_quoted([(row["name"], row["sources"]) for row in result], review, positions)
    assert all("sources" not in row for row in ds.query("members-in-year", year=2022))
    assert next(csv.reader(io.StringIO(result.to_csv())))[-1] == "sources"
    assert all("sources" in b for b in json.loads(result.to_json())["results"]["bindings"])


def test_api_sources_is_not_a_query_parameter(ds):
    # keyword-only: given before or after the parameters, never bound into the query
    assert [r["name"] for r in ds.query("joined-in-year", sources=True, year=2022)] == ["Telefónica"]
    assert [r["name"] for r in ds.query("joined-in-year", year=2022, sources=False)] == ["Telefónica"]
    with pytest.raises(ParameterError, match="has no parameter"):
        ds.query("joined-in-year", year=2022, source=True)


def test_api_a_curated_mapping_from_a_query_file(ds, tmp_path):
    query = tmp_path / "close-matches.rq"
    query.write_text(CLOSE_MATCHES, encoding="utf-8")
    assert_curated([(r["topic"], r["principle"], r["sources"]) for r in ds.query(str(query), sources=True)], ds)


@pytest.mark.parametrize("text", ["ASK { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1",
                                  "SELECT ?sources WHERE { ?sources ?p ?o } LIMIT 1"])
def test_api_refuses_sources_without_rows_to_give_them_to(ds, text):
    with pytest.raises(ParameterError, match="sources"):
        ds.query(text, sources=True)


def test_a_curated_mapping_is_given_once_without_a_document(ds, tmp_path):
    """A curated mapping has no document: nothing may be joined to it as one."""
    query = tmp_path / "close-matches.rq"
    query.write_text(CLOSE_MATCHES, encoding="utf-8")
    for row in ds.query(str(query), sources=True):
        assert len(row["sources"]) == len({s["source"] for s in row["sources"]})
        assert all("document" not in s for s in row["sources"])


# --- over HTTP: the named-query pages, their twins, /sparql --------------------------------

def test_the_page_shows_each_quote_linked_to_its_passage(client, ds, review, positions):
    response = client.get("/queries/members-in-year?year=2022&sources=1", headers=BROWSER)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for row in ds.query("members-in-year", year=2022, sources=True):
        for support in row["sources"]:
            if support["kind"] == "passage":
                assert str(escape(support["quote"])) in page
    passage = "/passage/review-2022/participants-row-1"
    assert f'<blockquote cite="{BASE}{passage[1:]}"><p><a href="{passage}">{REVIEW_QUOTE_LINE}</a></p>' in page
    assert '<a href="/document/review-2022">B-Tech Company Community of Practice: 2022 Year-End Review</a>' in page
    assert 'name="sources" value="1" checked' in page
    assert "sources=1" in page.split('class="downloads"')[1]  # the downloads keep the sources
    plain = client.get("/queries/members-in-year?year=2022", headers=BROWSER).get_data(as_text=True)
    assert 'name="sources" value="1">' in plain and "<blockquote" not in plain


def test_the_json_and_csv_twins_carry_the_clis_fields(client, review, positions):
    for url, headers in (("/queries/members-in-year?year=2022&sources=1", RESULTS),
                         ("/queries/members-in-year?year=2022&sources=true&format=json", {})):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        answer = json.loads(response.get_data(as_text=True))
        assert answer["head"]["vars"] == ["member", "name", "membership"]
        assert_members_quoted([(b["name"]["value"], b["sources"]) for b in answer["results"]["bindings"]],
                              review, positions)
    for url, headers in (("/queries/members-in-year?year=2022&sources=1&format=csv", {}),
                         ("/queries/members-in-year?year=2022&sources=1", {"Accept": "text/csv"})):
        response = client.get(url, headers=headers)
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert response.headers["Content-Type"].startswith("text/csv") and len(rows) == MEMBERS_2022
        assert all(row["name"] in row["sources"] for row in rows)
    without = client.get("/queries/members-in-year?year=2022&sources=0&format=csv").get_data(as_text=True)
    assert without.splitlines()[0] == "member,name,membership"


@pytest.mark.parametrize("headers", [BROWSER, RESULTS])
@pytest.mark.parametrize("value", ["maybe", "yes", "2"])
def test_a_bad_sources_value_is_a_400_naming_it(client, headers, value):
    response = client.get(f"/queries/members-in-year?year=2022&sources={value}", headers=headers)
    assert response.status_code == 400 and "parameter 'sources'" in html.unescape(response.get_data(as_text=True))


def test_repeated_sources_is_a_400(client):
    response = client.get("/queries/members-in-year?sources=1&sources=0", headers=RESULTS)
    assert response.status_code == 400 and "'sources'" in response.get_data(as_text=True)


def test_sparql_takes_sources_for_select_and_refuses_them_for_ask(client, ds):
    query = urllib.parse.urlencode({"query": CLOSE_MATCHES, "sources": "1"})
    answer = json.loads(client.get(f"/sparql?{query}", headers=RESULTS).get_data(as_text=True))
    assert_curated([(b["topic"]["value"], b["principle"]["value"], b["sources"])
                    for b in answer["results"]["bindings"]], ds)
    posted = client.post("/sparql", data={"query": CLOSE_MATCHES, "sources": "1"}, headers={"Accept": "text/csv"})
    assert next(csv.reader(io.StringIO(posted.get_data(as_text=True)))) == ["topic", "principle", "sources"]
    direct = client.post("/sparql?sources=1", data=CLOSE_MATCHES, content_type="application/sparql-query",
                         headers=RESULTS)
    assert all(b["sources"] for b in json.loads(direct.get_data(as_text=True))["results"]["bindings"])
    page = client.get(f"/sparql?{query}", headers=BROWSER).get_data(as_text=True)
    assert "<strong>curated</strong></a>: " in page
    ask = client.get("/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }", "sources": "1"}),
                     headers=RESULTS)
    assert ask.status_code == 400 and "sources" in ask.get_data(as_text=True)
    bad = client.get("/sparql?" + urllib.parse.urlencode({"query": CLOSE_MATCHES, "sources": "maybe"}),
                     headers=RESULTS)
    assert bad.status_code == 400 and "parameter 'sources'" in bad.get_data(as_text=True)


def test_a_real_server_computes_sources_in_its_query_workers(endpoint, review, positions):
    status, body, _ = http(f"{endpoint}/queries/members-in-year?year=2022&sources=1", headers=RESULTS)
    assert status == 200, body
    rows = [(b["name"]["value"], b["sources"]) for b in json.loads(body)["results"]["bindings"]]
    assert_members_quoted(rows, review, positions)
    status, body, _ = http(f"{endpoint}/queries/members-in-year?year=2022&sources=1", headers=BROWSER)
    assert status == 200 and str(escape(REVIEW_QUOTE_LINE)) in body and "<blockquote" in body


# --- the two shared pieces: the text form of the supports, and their page form -----------

DOCUMENT = {"kind": "document", "source": BASE + "document/d", "document": BASE + "document/d",
            "documentLabel": "A report", "link": "https://example.org/report"}
PASSAGE = {"kind": "passage", "source": BASE + "passage/p", "quote": "Apple\tEricsson", "document": BASE + "document/d",
           "documentLabel": "A report", "link": BASE + "passage/p"}
CURATED = {"kind": "curated", "source": BASE + "mapping/m", "link": BASE + "mapping/m", "note": "Why it maps."}


def test_the_text_form_of_each_kind_of_support():
    assert sources_text([PASSAGE, DOCUMENT, CURATED]) == (
        f"{OPEN}Apple\tEricsson{CLOSE} \u2014 A report <{BASE}passage/p> | A report <https://example.org/report> | "
        "curated: Why it maps.")
    assert sources_text([]) == ""


def test_the_page_form_links_here_and_to_http_addresses_only(app):
    with app.test_request_context():
        passage, document, curated = cited(PASSAGE), cited(DOCUMENT), cited(CURATED)
        hostile = cited({**DOCUMENT, "link": "javascript:alert(1)"})
    assert (passage.href, passage.quote, passage.document_href) == ("/passage/p", "Apple\tEricsson", "/document/d")
    assert (document.document_href, document.web, document.quote) == ("/document/d", "https://example.org/report", None)
    assert (curated.kind, curated.href, curated.note, curated.document_href) == ("curated", "/mapping/m",
                                                                                "Why it maps.", None)
    assert hostile.web is None
