"""Explorer pages through Flask's test client: resource pages served as Linked Data, class
listings, the topic tree, the timeline, the document view and every page's JSON twin.
HTML is checked with selectors, RDF parsed back and compared, JSON by its fields."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS

from cop_graph.config import load_config
from cop_graph.sparql.evaluate import run_named
from cop_graph.sparql.library import named
from cop_graph.web import create_app

from .conftest import SOURCE_TEXT, running_server

BASE = "https://w3id.org/b-tech-cop/"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HOSTILE = Path(__file__).parent / "examples" / "hostile.ttl"


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url, headers={"Accept": HTML})
    assert response.status_code == status, response.data[:300]
    assert response.content_type == "text/html; charset=utf-8"
    return BeautifulSoup(response.data, "html.parser")


def as_json(client, url: str, accept: str = "application/json") -> dict:
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200 and response.content_type == "application/json"
    return response.get_json()


# --- resource pages ---------------------------------------------------------------------

def test_a_resource_page_shows_label_types_statements_and_backlinks(client):
    soup = page(client, "/org/telefonica")
    assert soup.h1.get_text() == "Telefónica"
    assert soup.select_one("p.iri code").get_text() == BASE + "org/telefonica"
    assert "Spain-based telecommunications provider" in soup.select_one("p.description").get_text()
    rows = {row.th.get_text(strip=True): row.td for row in soup.select("#statements ~ table tbody tr")}
    assert "label" in rows and "derived from" in rows  # the ontology's names for rdfs:label, prov:wasDerivedFrom
    backlinks = {row.th.get_text(strip=True): [a["href"] for a in row.select("td a")]
                 for row in soup.select("#incoming ~ table tbody tr")}
    assert backlinks["member"] == ["/membership/2022/telefonica"]


def test_a_resource_page_quotes_its_passages_and_links_each_into_its_document(client):
    soup = page(client, "/org/telefonica")
    quotes = soup.select("#where ~ ol blockquote")
    assert any("with the addition of the Spain-based telecommunications provider Telefónica" in q.p.get_text()
               for q in quotes)
    links = {a["href"] for q in quotes for a in q.select("footer a")}
    assert "/document/review-2022#passage-participants-core-group" in links


def test_the_document_page_anchors_every_passage_it_links_to(client):
    soup = page(client, "/document/review-2022")
    marks = {m["id"]: m.get_text() for m in soup.select(".document mark[id]")}
    assert marks["passage-participants-core-group"].startswith("The core group of the COP remained")
    # every passage quoted from the review is anchored, and the text around them is kept whole
    text = soup.select_one(".document")
    assert "PARTICIPANTS" in text.get_text() and len(marks) == 40


def test_a_passage_anchor_leads_back_to_the_resources_it_supports(client):
    soup = page(client, "/document/review-2022")
    mark = soup.select_one("#passage-participants-core-group")
    supports = {a["href"] for a in mark.find_next("span", class_="supports").select("a")}
    assert "/org/telefonica" in supports


def test_the_document_page_opens_with_the_source_text_rendered(client):
    soup = page(client, "/document/review-2022")
    sections = [h2["id"] for h2 in soup.select("main h2[id]")]
    assert sections.index("text") < sections.index("statements")  # the text first, the model after
    text = soup.select_one(".document")
    words = text.get_text()
    # the source's light Markdown is rendered, not shown: link texts without their empty
    # targets, emphasis as emphasis, list items as a list
    assert "foundational papers" in words and "](#)" not in words and "*" not in words
    assert text.find("em", string="Operationalizing Severity")
    assert text.find("strong", string="Peer Learning Platform")
    assert len(text.select("ul > li")) >= 4 and text.find("h3", string="OVERVIEW")
    # the passages listed by their own words, each linked to its mark
    contents = soup.select("ol.passages li a")
    assert len(contents) == 40 and all(a["href"].startswith("#passage-") for a in contents)
    assert any(a.get_text().startswith("The core group of the COP remained") for a in contents)
    # the stored literal is there, behind a disclosure, byte for byte
    raw = soup.select_one("details.raw-text pre").get_text()
    assert raw == SOURCE_TEXT.read_text(encoding="utf-8")
    assert not any(row.th.get_text(strip=True) == "text" for row in soup.select("#statements ~ table tbody tr"))


def test_dates_are_shown_at_their_own_precision(client):
    soup = page(client, "/session/2022-05-17")
    assert "17 May 2022" in soup.get_text()
    soup = page(client, "/development/twitter-human-rights-team-laid-off")
    assert "November 2022" in soup.get_text() and "1 November" not in soup.get_text()


def test_language_tags_are_shown(client):
    soup = page(client, "/development/war-in-ukraine")
    assert "@en" in [s.get_text() for s in soup.select("small.lang")]


@pytest.mark.parametrize(("suffix", "accept", "media_type", "syntax"), [
    (".ttl", None, "text/turtle", "turtle"),
    (".jsonld", None, "application/ld+json", "json-ld"),
    (".nt", None, "application/n-triples", "nt"),
    (".rdf", None, "application/rdf+xml", "xml"),
    ("", "text/turtle", "text/turtle", "turtle"),
    ("", "application/ld+json", "application/ld+json", "json-ld"),
    ("", "application/n-triples", "application/n-triples", "nt"),
    ("", "application/rdf+xml", "application/rdf+xml", "xml"),
    ("", "*/*", "text/turtle", "turtle"),
])
def test_a_resource_url_serves_its_description_in_every_rdf_syntax(client, app, suffix, accept, media_type, syntax):
    response = client.get("/org/telefonica" + suffix, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.content_type.split(";")[0] == media_type
    assert "Accept" in response.vary
    served = Graph().parse(data=response.data, format=syntax)
    loaded = app.extensions["cop_dataset"]
    expected = run_named(loaded, named(loaded, "resource-description", "pages"), {"resource": "org/telefonica"}).graph
    assert isomorphic(served, expected)
    assert (URIRef(BASE + "org/telefonica"), RDFS.label, Literal("Telefónica")) in served
    assert (URIRef(BASE + "membership/2022/telefonica"), None, URIRef(BASE + "org/telefonica")) in served


def test_the_description_carries_the_blank_nodes_it_leads_to(client):
    served = Graph().parse(data=client.get("/passage/review-2022/participants-core-group.ttl").data, format="turtle")
    quotes = [str(o) for o in served.objects(None, URIRef("http://www.w3.org/ns/oa#exact"))]
    assert quotes and quotes[0].startswith("The core group of the COP")


def test_browsers_get_html_and_the_page_lists_its_alternates(client):
    soup = page(client, "/org/apple")
    alternates = {link["href"] for link in soup.select("link[rel=alternate]")}
    assert {"/org/apple.ttl", "/org/apple.jsonld", "/org/apple.nt", "/org/apple.rdf", "/org/apple.json"} <= alternates


@pytest.mark.parametrize(("url", "accept"), [
    ("/org/apple.json", None), ("/org/apple", "application/json"), ("/org/apple?format=json", None),
])
def test_a_resource_page_has_a_json_twin_built_from_the_same_data(client, url, accept):
    data = as_json(client, url, accept or "text/html")
    assert data["iri"] == BASE + "org/apple" and data["label"] == "Apple"
    assert {t["text"] for t in data["types"]} == {"formal organisation", "company"}
    assert {t["iri"] for t in data["types"]} == {"http://www.w3.org/ns/org#FormalOrganization", "https://schema.org/Corporation"}
    members = next(g for g in data["incoming"] if g["short"] == "org:member")
    assert {v["iri"] for v in members["values"]} == {BASE + "membership/2021/apple", BASE + "membership/2022/apple"}
    assert members["total"] == 2
    assert all(p["quote"] for p in data["passages"] if p["document"].endswith("review-2022"))


def test_a_resource_outside_the_base_is_served_by_its_iri(client):
    soup = page(client, "/resource?iri=http://www.w3.org/ns/org%23Membership")
    typed = next(row for row in soup.select("#incoming ~ table tbody tr") if row.th.get_text(strip=True) == "type")
    assert len(typed.select("td li a")) == 27  # every membership is typed with it
    turtle = client.get("/resource.ttl?iri=http://www.w3.org/ns/org%23Membership")
    assert turtle.status_code == 200 and turtle.content_type.startswith("text/turtle")


def test_an_unknown_resource_is_a_404_page_with_suggestions(client):
    soup = page(client, "/org/telefonika", status=404)
    assert "telefonika" in soup.select_one("main code").get_text()
    assert soup.select_one("form[role=search] input[name=q]") is not None
    response = client.get("/org/telefonika", headers={"Accept": "text/turtle"})
    assert response.status_code == 404 and response.content_type.startswith("text/plain")
    assert client.get("/org/telefonika.json").status_code == 404


@pytest.mark.parametrize(("url", "status"), [
    ("/resource", 400),
    ("/resource?iri=not%20an%20iri", 400),
    ("/resource?iri=%3Cscript%3E", 400),
    ("/org/apple%00", 400),
    ("/org/a%20b", 400),
    ("/org/..%2F..%2Fpyproject.toml", 404),
    ("/static/..%2F..%2F..%2Fpyproject.toml", 404),
    ("/org/apple", 200),
])
def test_malformed_iris_and_paths_are_400_never_500(client, url, status):
    response = client.get(url, headers={"Accept": HTML})
    assert response.status_code == status
    if response.content_type.startswith("text/html"):
        assert b"<script>" not in response.data
    else:  # errors are plain text, never sniffed as HTML
        assert response.content_type.startswith("text/plain")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_unacceptable_format_is_406(client):
    response = client.get("/org/apple", headers={"Accept": "image/png"})
    assert response.status_code == 406 and b"text/turtle" in response.data


def test_a_page_with_hostile_data_renders_it_escaped_and_links_no_javascript():
    app = create_app(load_config(workers=0), data=[HOSTILE])
    client = app.test_client()
    response = client.get("/org/hostile", headers={"Accept": HTML})
    assert response.status_code == 200
    body = response.data.decode("utf-8")
    assert "<script>alert" not in body and "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in body
    assert "<img" not in body and "onerror" in body  # shown as text, never as markup
    assert "\x00" not in body
    soup = BeautifulSoup(body, "html.parser")
    assert not [a for a in soup.select("a[href]") if a["href"].lower().startswith("javascript:")]
    assert [a["href"] for a in soup.select("#identifiers ~ ul a")] == ["http://www.wikidata.org/entity/Q0"]
    odd = client.get("/resource?iri=https://w3id.org/b-tech-cop/x/odd%2520path", headers={"Accept": HTML})
    assert odd.status_code == 200 and b"An IRI with an encoded space" in odd.data


def test_the_real_server_renders_hostile_data_from_an_extra_file_escaped(cop_graph_bin):
    with running_server(cop_graph_bin, "--data", str(HOSTILE)) as url:
        request = urllib.request.Request(url + "/org/hostile", headers={"Accept": HTML})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read().decode("utf-8")
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    links = [a["href"] for a in BeautifulSoup(body, "html.parser").select("a[href]")]
    assert links and not [href for href in links if href.lower().startswith("javascript:")]


# --- class pages, topics, timeline, home --------------------------------------------------

def test_the_class_index_lists_every_class_with_its_count(client):
    soup = page(client, "/classes")
    counts = {row.select("td")[0].get_text(): int(row.select("td")[1].get_text()) for row in soup.select("tbody tr")}
    assert counts["Membership"] == 27 and counts["Regular COP session"] == 5 and counts["Company"] == 13
    names = {row.select("td")[0].get_text(): row.select("td")[2].get_text() for row in soup.select("tbody tr")}
    assert names["Company"] == "schema:Corporation"  # the class's name for linked-data users, in a code element


def test_a_class_page_lists_instances_of_its_subclasses_sorted_by_date(client):
    soup = page(client, "/classes/cop:Session?sort=date")
    dates = [t["datetime"] for t in soup.select("tbody time")]
    assert dates == ["2022-02-28", "2022-03-14", "2022-05-03", "2022-05-17", "2022-06-21", "2022-09-12"]
    by_label = [a.get_text() for a in page(client, "/classes/cop:Session?sort=label").select("tbody td.name a")]
    assert by_label == sorted(by_label, key=str.casefold)
    # without a choice, sessions come in date order; the two "COP Q2 Session 2" are told apart by their dates
    by_default = [t["datetime"] for t in page(client, "/classes/cop:Session").select("tbody time")]
    assert by_default == dates
    assert {"COP Q2 Session 2 — 14 March 2022", "COP Q2 Session 2 — 17 May 2022"} <= set(by_label)


def test_a_class_page_is_paged(client):
    data = as_json(client, "/classes/org:Membership.json")
    assert data["total"] == 27 and data["pages"] == 1 and len(data["instances"]) == 27
    assert client.get("/classes/org:Membership?page=2").status_code == 400
    assert client.get("/classes/org:Membership?page=x").status_code == 400
    assert client.get("/classes/org:Membership?sort=size").status_code == 400


def test_the_topic_tree_counts_sessions_with_their_narrower_topics(client):
    data = as_json(client, "/topics.json")
    roots = {t["label"]: t for t in data["roots"]}
    hrdd = roots["Human Rights Due Diligence"]
    # the curated grouping files under HRDD only its parts (mappings/topic-groupings.ttl)
    assert hrdd["sessions"] == 4
    assert {t["label"] for t in hrdd["narrower"]} == {"Stakeholder Engagement", "Role of Key Colleagues",
                                                      "HRDD in Conflict Settings"}
    assert {"Severity", "End Use", "Remedy"} <= set(roots)
    soup = page(client, "/topics")
    assert soup.select_one(".tree > ul > li > a").get_text() == "Human Rights Due Diligence"


def test_the_timeline_orders_events_at_their_precision(client):
    data = as_json(client, "/timeline.json?year=2022")
    events = data["groups"][0]["events"]
    dates = [e["date"] for e in events]
    assert dates == sorted(dates) and "2022-11" in dates and "2022-05-17" in dates
    assert next(e for e in events if e["date"] == "2022-11")["when"] == "November 2022"
    assert client.get("/timeline?year=1999").status_code == 400


def test_home_describes_the_dataset_from_its_own_description(client):
    soup = page(client, "/")
    assert soup.h1.get_text() == "B-Tech Company Community of Practice knowledge graph"
    assert "every fact traced to the passage" in soup.select_one("p.lead").get_text()
    assert soup.select_one("form[role=search][action='/search'] input[name=q]")
    entry_links = {a.get_text(): a["href"] for a in soup.select("ul.entries a")}
    assert entry_links["Companies"] == "/classes/schema:Corporation"
    assert entry_links["Timeline"] == "/timeline" and entry_links["Topics"] == "/topics"
    data = as_json(client, "/.json")
    assert data["title"] == soup.h1.get_text() and "2022" in data["years"]
    assert data["glance"]["year"] == "2022"
    assert [(b["year"], b["members"]) for b in data["glance"]["members_per_year"]] == [("2021", 12), ("2022", 13)]


@pytest.mark.parametrize("url", ["/", "/classes", "/classes/org:Membership", "/topics", "/timeline", "/org/apple"])
def test_every_page_has_its_json_twin_by_suffix_accept_and_parameter(client, url):
    path, _, query = url.partition("?")
    suffixed = ("/index" if path == "/" else path) + ".json" + (f"?{query}" if query else "")
    twins = [as_json(client, suffixed, "text/html"), as_json(client, url),
             as_json(client, url + ("&" if "?" in url else "?") + "format=json", "text/html")]
    assert twins[0] == twins[1] == twins[2]
    assert "Accept" in client.get(url, headers={"Accept": HTML}).vary


def test_page_json_is_valid_json_with_no_html(client):
    body = json.dumps(client.get("/org/telefonica.json").get_json())
    assert not re.search(r"</?(a|span|td|tr|li|ul|p|div|mark|small)\b", body)  # data, not markup


def test_a_hub_lists_the_first_links_of_each_property_and_counts_the_rest(tmp_path):
    from cop_graph.publish import synthetic

    data = tmp_path / "synthetic.ttl"
    synthetic.graph(5000).serialize(data, format="turtle")
    hub = create_app(load_config(workers=0), data=[data]).test_client()
    soup = page(hub, "/document/synthetic")
    rows = soup.select("#incoming ~ table tbody tr")
    row = next(r for r in rows if r.th.get_text(strip=True) == "in document")  # oa:hasSource, as the ontology names it
    shown = len(row.select("td li"))
    more = int(row.select_one("p.more").get_text().split()[1])
    total = hub.get("/document/synthetic.json").get_json()
    group = next(g for g in total["incoming"] if g["short"] == "oa:hasSource")
    assert shown == 100 and shown + more == group["total"] > 100
    assert row.select_one("p.more a")["href"] == "/document/synthetic.ttl"
