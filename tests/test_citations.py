"""Citations of passages, documents and other resources, served on their URLs by content
negotiation and ``?format=`` through Flask's test client, and read back by the parsers
reference managers use: bibtexparser for BibTeX, rispy for RIS, and citeproc-py rendering
the CSL-JSON item in a bundled style. What each says is checked against the data itself."""

from __future__ import annotations

import datetime
import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from bs4 import BeautifulSoup
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from rdflib import Literal, URIRef, namespace

from cop_graph.publish.citation import (
    CITATIONS,
    bibtex_escape,
    citation_key,
    csl_item,
    write_bibtex,
    write_csl_json,
    write_ris,
)
from cop_graph.rdf.namespaces import OA

BASE = "https://w3id.org/b-tech-cop/"
HOST = "http://localhost"  # the test client's
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PASSAGE = "passage/review-2022/war-in-ukraine"
QUOTE = ("The war in Ukraine heavily occupied COP participants' time and attention, both at the start of the "
         "conflict and throughout the year.")
REVIEW = "B-Tech Company Community of Practice: 2022 Year-End Review"
DATASET = "B-Tech Company Community of Practice knowledge graph"
MEDIA_TYPES = {"csl-json": "application/vnd.citationstyles.csl+json", "bibtex": "application/x-bibtex",
               "ris": "application/x-research-info-systems"}


def days() -> set[str]:
    """Today (UTC) and, for a test run across midnight, yesterday: the accessed date a
    citation asked for now may carry."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    return {today.isoformat(), (today - datetime.timedelta(days=1)).isoformat()}


def fetch(client, url: str, name: str, accept: str | None = None) -> str:
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.data[:300]
    assert response.content_type == f"{MEDIA_TYPES[name]}; charset=utf-8"
    return response.get_data(as_text=True)


def bibtex(text: str) -> tuple[dict[str, str], dict[str, str], str, str]:
    """One entry's fields as written and with their LaTeX decoded (math too: a lone brace is
    written ``$\\lbrace$``), its type and its key."""
    raw = bibtexparser.parse_string(text)
    decoded = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware(keep_math_mode=False)])
    assert not raw.failed_blocks and len(raw.entries) == 1, text
    entry = raw.entries[0]
    return ({f.key: f.value for f in entry.fields}, {f.key: f.value for f in decoded.entries[0].fields},
            entry.entry_type, entry.key)


def ris(text: str) -> dict:
    assert text.startswith("TY  - ") and text.endswith("ER  - \r\n")
    assert "\n" not in text.replace("\r\n", ""), "every line ends CRLF"
    records = rispy.loads(text)
    assert len(records) == 1
    return records[0]


def csl(text: str) -> dict:
    items = json.loads(text)
    assert isinstance(items, list) and len(items) == 1
    return items[0]


def rendered(item: dict) -> str:
    """The item as a bibliography entry in a style citeproc-py bundles (Harvard)."""
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    entries = [str(entry) for entry in bibliography.bibliography()]
    assert len(entries) == 1
    return entries[0]


def iso(parts: dict) -> str:
    return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts["date-parts"][0]))


@pytest.fixture(scope="module")
def version(client) -> str:
    """The dataset version the server reports: what a citation says it was read in."""
    return client.get("/status").get_json()["version"]


# --- a passage --------------------------------------------------------------------------------

def test_the_passage_is_in_the_data_as_the_tests_quote_it(loaded):
    exact = {str(q) for s in loaded.dataset.objects(URIRef(BASE + PASSAGE), OA.hasSelector)
             for q in loaded.dataset.objects(s, OA.exact)}
    assert exact == {QUOTE}
    assert str(loaded.dataset.value(URIRef(BASE + "document/review-2022"), namespace.RDFS.label)) == REVIEW


def test_a_passage_in_bibtex_cites_its_document_at_the_passage(client, version):
    text = fetch(client, "/" + PASSAGE, "bibtex", accept="application/x-bibtex")
    raw, fields, kind, key = bibtex(text)
    assert kind == "misc" and key == "cop-passage-review-2022-war-in-ukraine"
    assert fields["title"] == REVIEW
    assert raw["url"] == f"{HOST}/document/review-2022#passage-war-in-ukraine"
    assert raw["urldate"] in days()
    assert f'Quote: "{QUOTE}"' in fields["note"]
    assert f"Passage: {HOST}/{PASSAGE} (characters 718\u2013850 of the text)." in fields["note"]
    assert f"Identifier: {BASE}{PASSAGE}." in fields["note"]
    assert f"Read in {DATASET}, dataset version {version} " in fields["note"]


def test_the_passage_anchor_is_its_mark_on_the_document_page(client):
    soup = BeautifulSoup(client.get("/document/review-2022", headers={"Accept": HTML}).data, "html.parser")
    mark = soup.find(id="passage-war-in-ukraine")
    assert mark is not None and mark.name == "mark"
    assert QUOTE.startswith(mark.get_text())


def test_a_passage_in_ris(client, version):
    record = ris(fetch(client, "/" + PASSAGE, "ris", accept="application/x-research-info-systems"))
    assert record["type_of_reference"] == "GEN"
    assert record["id"] == "cop-passage-review-2022-war-in-ukraine"
    assert record["title"] == REVIEW
    assert record["urls"] == [f"{HOST}/document/review-2022#passage-war-in-ukraine"]
    assert record["name_of_database"] == DATASET
    assert record["access_date"].rstrip("/").replace("/", "-") in days()
    notes = record["notes"]
    assert f'Quote: "{QUOTE}"' in notes
    assert f"Passage: {HOST}/{PASSAGE} (characters 718\u2013850 of the text)." in notes
    assert any(f"dataset version {version} " in note for note in notes)


def test_a_passage_in_csl_json_renders_in_a_citation_style(client, version):
    item = csl(fetch(client, "/" + PASSAGE, "csl-json", accept="application/vnd.citationstyles.csl+json"))
    assert item["id"] == "cop-passage-review-2022-war-in-ukraine" and item["type"] == "document"
    assert item["title"] == REVIEW and item["archive"] == DATASET
    assert item["URL"] == f"{HOST}/document/review-2022#passage-war-in-ukraine"
    assert iso(item["accessed"]) in days()
    assert f'Quote: "{QUOTE}"' in item["note"].splitlines()
    assert f"dataset version {version} " in item["note"]
    assert "issued" not in item and "author" not in item and "version" not in item
    entry = rendered(item)
    assert REVIEW in entry and f"{HOST}/document/review-2022#passage-war-in-ukraine" in entry


# --- documents --------------------------------------------------------------------------------

def test_a_document_with_a_web_address_is_cited_there(client, loaded):
    iri = URIRef(BASE + "document/ohchr-b-tech-portal")
    web = str(loaded.dataset.value(iri, namespace.SDO.url))
    said = str(loaded.dataset.value(iri, namespace.DCTERMS.bibliographicCitation))
    title = str(loaded.dataset.value(iri, namespace.RDFS.label))
    assert web.startswith("https://www.ohchr.org/")

    raw, fields, kind, key = bibtex(fetch(client, "/document/ohchr-b-tech-portal?format=bibtex", "bibtex"))
    assert (kind, key, fields["title"], raw["url"], fields["note"]) == ("misc", "cop-document-ohchr-b-tech-portal",
                                                                        title, web, said)
    assert raw["urldate"] in days() and "version" not in raw

    record = ris(fetch(client, "/document/ohchr-b-tech-portal?format=ris", "ris"))
    assert (record["type_of_reference"], record["title"], record["urls"], record["notes"]) == ("GEN", title, [web],
                                                                                               [said])
    item = csl(fetch(client, "/document/ohchr-b-tech-portal?format=csl-json", "csl-json"))
    assert (item["type"], item["title"], item["URL"], item["note"]) == ("document", title, web, said)
    assert web in rendered(item)


def test_a_document_without_a_web_address_is_cited_at_its_page_here(client, loaded, version):
    review = URIRef(BASE + "document/review-2022")
    assert loaded.dataset.value(review, namespace.SDO.url) is None  # the review is carried here, in full
    item = csl(fetch(client, "/document/review-2022?format=csl-json", "csl-json"))
    assert (item["type"], item["title"], item["URL"], item["archive"]) == ("document", REVIEW,
                                                                           f"{HOST}/document/review-2022", DATASET)
    assert f"Identifier: {BASE}document/review-2022." in item["note"]
    assert f"dataset version {version} " in item["note"]
    assert "issued" not in item  # dcterms:temporal says what it covers, not when it was issued
    assert f"{HOST}/document/review-2022" in rendered(item)
    raw, _, kind, key = bibtex(fetch(client, "/document/review-2022?format=bibtex", "bibtex"))
    assert (kind, key, raw["url"]) == ("misc", "cop-document-review-2022", f"{HOST}/document/review-2022")
    record = ris(fetch(client, "/document/review-2022?format=ris", "ris"))
    assert (record["type_of_reference"], record["urls"]) == ("GEN", [f"{HOST}/document/review-2022"])


def address(loaded, path: str) -> str:
    """Where a document is cited: its web address when the data gives one, else its page here."""
    web = loaded.dataset.value(URIRef(BASE + path), namespace.SDO.url)
    return str(web) if web is not None else f"{HOST}/{path}"


def test_a_date_is_cited_at_the_precision_the_data_gives(client, loaded):
    ungp = URIRef(BASE + "document/ungp-2011")
    assert loaded.dataset.value(ungp, namespace.DCTERMS.issued) == Literal("2011", datatype=namespace.XSD.gYear)
    item = csl(fetch(client, "/document/ungp-2011?format=csl-json", "csl-json"))
    assert item["title"] == "Guiding Principles on Business and Human Rights (2011)"
    assert item["issued"] == {"date-parts": [[2011]]}  # a year stays a year
    assert item["URL"] == address(loaded, "document/ungp-2011")
    assert item["note"].startswith("United Nations, Guiding Principles on Business and Human Rights")
    assert "(2011)" in rendered(item)
    raw, fields, _, _ = bibtex(fetch(client, "/document/ungp-2011?format=bibtex", "bibtex"))
    assert raw["year"] == "2011" and "month" not in raw and "date" not in raw
    assert fields["note"].startswith('United Nations, Guiding Principles on Business and Human Rights: Implementing '
                                     'the United Nations "Protect, Respect and Remedy" Framework')
    record = ris(fetch(client, "/document/ungp-2011?format=ris", "ris"))
    assert record["year"] == "2011" and "date" not in record

    path = "document/bhrrc-2021-special-rapporteurs-dialogue"
    dated = csl(fetch(client, f"/{path}?format=csl-json", "csl-json"))
    assert dated["issued"] == {"date-parts": [[2021, 11, 1]]} and dated["URL"] == address(loaded, path)
    publisher = loaded.dataset.value(URIRef(BASE + path), namespace.DCTERMS.publisher)
    assert dated.get("publisher") == (str(publisher) if publisher is not None else None)  # as the data says
    raw, _, _, _ = bibtex(fetch(client, f"/{path}?format=bibtex", "bibtex"))
    assert (raw["year"], raw["month"], raw["date"]) == ("2021", "11", "2021-11-01")
    record = ris(fetch(client, f"/{path}?format=ris", "ris"))
    assert (record["year"], record["date"]) == ("2021", "2021/11/01/")


def test_a_letter_is_cited_with_its_sender_and_date(client):
    item = csl(fetch(client, "/document/letter-to-elon-musk?format=csl-json", "csl-json"))
    assert item["author"] == [{"literal": "Volker Türk"}]
    assert item["issued"] == {"date-parts": [[2022, 11, 5]]}
    raw, _, _, _ = bibtex(fetch(client, "/document/letter-to-elon-musk?format=bibtex", "bibtex"))
    assert raw["author"] == "{Volker Türk}"  # kept as UTF-8, braced so it is never reordered


# --- any other resource: an entry of the dataset --------------------------------------------

def test_an_organisation_is_cited_as_an_entry_of_the_dataset(client, loaded, version):
    assert str(loaded.dataset.value(URIRef(BASE + "dataset"), namespace.DCTERMS.title)) == DATASET
    item = csl(fetch(client, "/org/telefonica?format=csl-json", "csl-json"))
    assert (item["type"], item["title"], item["container-title"], item["version"]) == ("dataset", "Telefónica",
                                                                                      DATASET, version)
    assert item["URL"] == f"{HOST}/org/telefonica" and iso(item["accessed"]) in days()
    assert "Telefónica" in rendered(item)

    raw, fields, kind, key = bibtex(fetch(client, "/org/telefonica?format=bibtex", "bibtex"))
    assert (kind, key, fields["title"], fields["howpublished"], raw["version"]) == (
        "misc", "cop-org-telefonica", "Telefónica", DATASET, version)
    assert "Telefónica" in raw["title"]  # UTF-8, not a LaTeX accent

    record = ris(fetch(client, "/org/telefonica?format=ris", "ris"))
    assert (record["type_of_reference"], record["title"], record["secondary_title"], record["edition"],
            record["urls"]) == ("DATA", "Telefónica", DATASET, version, [f"{HOST}/org/telefonica"])


def test_a_session_shared_label_is_told_apart_as_on_its_page(client):
    _, fields, _, key = bibtex(fetch(client, "/session/2022-05-17?format=bibtex", "bibtex"))
    assert key == "cop-session-2022-05-17" and fields["title"] == "COP Q2 Session 2 — 17 May 2022"


def test_an_iri_outside_the_base_is_cited_at_its_resource_url(client):
    soup = BeautifulSoup(client.get("/resource?iri=http://www.wikidata.org/entity/Q160229",
                                    headers={"Accept": HTML}).data, "html.parser")
    links = {a.get_text(): a["href"] for a in soup.select("p.cite a")}
    assert links["RIS"] == "/resource?iri=http://www.wikidata.org/entity/Q160229&format=ris"
    record = ris(fetch(client, links["RIS"], "ris"))
    assert record["urls"] == [f"{HOST}/resource?iri=http://www.wikidata.org/entity/Q160229"]
    assert record["id"] == "cop-www-wikidata-org-entity-q160229"


# --- negotiation ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(MEDIA_TYPES))
def test_each_citation_is_chosen_by_accept(client, name):
    response = client.get("/" + PASSAGE, headers={"Accept": f"text/html;q=0.5, {MEDIA_TYPES[name]}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{MEDIA_TYPES[name]}; charset=utf-8"
    assert "Accept" in response.headers["Vary"]
    # the accessed date is the day of the request: never stored, never revalidated
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    assert "Last-Modified" not in response.headers


@pytest.mark.parametrize("name", sorted(MEDIA_TYPES))
def test_each_citation_is_chosen_by_the_format_parameter_over_accept(client, name):
    response = client.get(f"/{PASSAGE}?format={name}", headers={"Accept": HTML})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{MEDIA_TYPES[name]}; charset=utf-8"
    suffix = {"csl-json": ".json", "bibtex": ".bib", "ris": ".ris"}[name]
    disposition = f'inline; filename="cop-passage-review-2022-war-in-ukraine{suffix}"'
    assert response.headers["Content-Disposition"] == disposition


def test_other_formats_stay_as_they_were(client):
    assert client.get("/org/telefonica").content_type == "text/turtle; charset=utf-8"  # no Accept: data
    assert client.get("/org/telefonica", headers={"Accept": "*/*"}).content_type == "text/turtle; charset=utf-8"
    assert client.get("/org/telefonica?format=json").content_type == "application/json"
    assert client.get("/org/telefonica", headers={"Accept": HTML}).content_type == "text/html; charset=utf-8"
    assert client.get("/org/telefonica.ttl?format=bibtex").content_type == "text/turtle; charset=utf-8"  # suffix wins


@pytest.mark.parametrize(("url", "accept"), [
    ("/org/telefonika", "application/x-bibtex"),
    ("/org/telefonika?format=ris", None),
    ("/passage/review-2022/no-such-passage?format=csl-json", HTML),
])
def test_an_unknown_resource_is_404_in_every_citation_format(client, url, accept):
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 404
    assert response.content_type == "text/plain; charset=utf-8"
    assert b"no resource https://w3id.org/b-tech-cop/" in response.data


def test_an_accept_header_nothing_fits_is_still_406(client):
    response = client.get("/" + PASSAGE, headers={"Accept": "application/pdf"})
    assert response.status_code == 406
    assert b"application/x-bibtex" in response.data  # the formats it can have, citations among them


# --- the page's links -------------------------------------------------------------------------

def test_the_resource_page_offers_the_three_citations_and_each_link_answers(client):
    soup = BeautifulSoup(client.get("/" + PASSAGE, headers={"Accept": HTML}).data, "html.parser")
    links = soup.select("article.resource p.cite a")
    assert [a.get_text() for a in links] == ["CSL-JSON", "BibTeX", "RIS"]
    assert [a["href"] for a in links] == [f"/{PASSAGE}?format={name}" for name in ("csl-json", "bibtex", "ris")]
    for a, name in zip(links, ("csl-json", "bibtex", "ris"), strict=True):
        assert a["type"] == MEDIA_TYPES[name]
        fetch(client, a["href"], name, accept=HTML)  # a browser following the link gets the citation


def test_the_json_twin_says_where_each_citation_is(client):
    data = client.get("/org/telefonica.json").get_json()
    assert data["cite"] == {name: f"/org/telefonica?format={name}" for name in ("csl-json", "bibtex", "ris")}
    assert data["label"] == "Telefónica"  # the page's own data is unchanged beside it


# --- the formats on their own -----------------------------------------------------------------

AWKWARD = "Q&A: 50% {of} the_gap #1 — Telefónica ~ $5 \\ ^"


@pytest.mark.parametrize("title", [AWKWARD, "a lone { brace", "a lone } brace", "}{", "plain"])
def test_bibtex_escaping_reads_back_as_the_text(title):
    escaped = bibtex_escape(title)
    depth = 0
    for char in escaped:  # BibTeX counts every brace, escaped or not: they must balance
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    text = write_bibtex({"key": "cop-test", "kind": "dataset", "title": title, "quote": title})
    _, fields, _, _ = bibtex(text)
    decoded = fields["title"].replace("\u02c6", "^")  # pylatexenc reads \textasciicircum as U+02C6
    assert decoded == title
    assert "Telefónica" not in title or "Telefónica" in text  # non-ASCII stays UTF-8


def test_ris_and_csl_keep_the_awkward_text_as_it_is():
    fields = {"key": "cop-test", "kind": "document", "title": AWKWARD, "quote": "two\nlines",
              "issued": "2022-11", "accessed": "2026-01-02", "url": "https://example.org/a_b#c%20d"}
    record = ris(write_ris(fields))
    assert record["title"] == AWKWARD and record["notes"] == ['Quote: "two lines"']  # RIS has no line breaks
    assert (record["year"], record["date"], record["access_date"]) == ("2022", "2022/11//", "2026/01/02/")
    item = csl(write_csl_json(fields))
    assert item == csl_item(fields)
    assert item["title"] == AWKWARD and item["issued"] == {"date-parts": [[2022, 11]]}
    assert item["note"] == 'Quote: "two\nlines"'
    raw, _, _, _ = bibtex(write_bibtex(fields))
    assert raw["url"] == "https://example.org/a_b#c%20d"  # a URL is verbatim in biblatex: not escaped


def test_keys_are_ascii_and_stable():
    assert citation_key(BASE + PASSAGE, BASE) == "cop-passage-review-2022-war-in-ukraine"
    assert citation_key(BASE + "org/telefónica", BASE) == "cop-org-telefonica"
    assert citation_key("http://www.wikidata.org/entity/Q160229", BASE) == "cop-www-wikidata-org-entity-q160229"
    assert [c.name for c in CITATIONS] == ["csl-json", "bibtex", "ris"]


def test_a_citation_names_the_authors_and_publisher_the_data_names_and_no_others(client, loaded):
    """The year-end review's citation has an author, a publisher or a date only if the data
    states one (dcterms:temporal says what it covers, not when it was issued): none is made up."""
    review = URIRef(BASE + "document/review-2022")
    ns = namespace

    def names(*props) -> list[str]:
        return sorted(str(loaded.dataset.value(v, ns.RDFS.label) or v) for p in props
                      for v in loaded.dataset.objects(review, p))

    item = csl(fetch(client, "/" + PASSAGE + "?format=csl-json", "csl-json"))
    assert sorted(a["literal"] for a in item.get("author", [])) == names(ns.DCTERMS.creator, ns.SDO.author)
    publishers = names(ns.DCTERMS.publisher, ns.SDO.publisher)
    assert item["publisher"] in publishers if publishers else "publisher" not in item
    assert ("issued" in item) == (loaded.dataset.value(review, ns.DCTERMS.issued) is not None)
