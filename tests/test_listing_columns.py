"""Class listings show what matters for the kind of thing they list: sessions their date and
the topics of their theme, companies their years in the COP and the year they joined, outside
expert organisations the years the source names them, other classes their name and date.
Checked on the bundled data, in the HTML and in the JSON twin, against the graph itself."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from rdflib import Namespace, URIRef
from rdflib.namespace import ORG, SKOS

from cop_graph.config import load_config
from cop_graph.rdf.namespaces import COP
from cop_graph.web import create_app
from cop_graph.web.pages import listing

BASE = "https://w3id.org/b-tech-cop/"
# Plain namespaces: pytest looks at every module-level name, and rdflib's closed ones warn.
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
EXPERTS = {"Mazars", "Pluto & Associates", "International Committee of the Red Cross", "Global Network Initiative",
           "Institute for Human Rights and Business"}


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url, headers={"Accept": HTML})
    assert response.status_code == 200, response.data[:300]
    return BeautifulSoup(response.data, "html.parser")


def twin(client, url: str) -> dict:
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.content_type == "application/json"
    return response.get_json()


def headers(soup: BeautifulSoup) -> list[str]:
    return [th.get_text() for th in soup.select("main table thead th")]


def rows(soup: BeautifulSoup) -> list[dict[str, str]]:
    """Each row's cells by their column header, as a reader sees them."""
    columns = headers(soup)
    return [dict(zip(columns, (td.get_text() for td in tr.select("td")), strict=True))
            for tr in soup.select("main table tbody tr")]


# --- sessions ------------------------------------------------------------------------------

def test_sessions_show_their_date_name_and_the_topics_of_their_theme_in_date_order(client):
    soup = page(client, "/classes/cop:Session")
    assert headers(soup) == ["date", "session", "themes"]
    shown = rows(soup)
    dates = [tr.select_one("td time")["datetime"] for tr in soup.select("main table tbody tr")]
    assert dates == sorted(dates) and len(dates) == 6
    march = shown[dates.index("2022-03-14")]
    may = shown[dates.index("2022-05-17")]
    assert dates.index("2022-03-14") < dates.index("2022-05-17")
    assert march == {"date": "14 March 2022", "session": "COP Q2 Session 2 — 14 March 2022", "themes": "Severity"}
    assert may == {"date": "17 May 2022", "session": "COP Q2 Session 2 — 17 May 2022",
                   "themes": "End Use; Human Rights Due Diligence; Remedy; Role of Key Colleagues"}


def test_each_session_topic_links_to_the_topic_page(client):
    soup = page(client, "/classes/cop:Session")
    row = next(tr for tr in soup.select("main table tbody tr") if tr.select_one("time")["datetime"] == "2022-05-17")
    links = {a.get_text(): a["href"] for a in row.select("td.topics a")}
    assert links == {"End Use": "/topic/end-use", "Human Rights Due Diligence": "/topic/human-rights-due-diligence",
                     "Remedy": "/topic/remedy", "Role of Key Colleagues": "/topic/role-of-key-colleagues"}
    assert all(client.get(href, headers={"Accept": HTML}).status_code == 200 for href in links.values())


def test_the_topics_shown_are_those_the_graph_gives_each_session(client, loaded):
    graph = loaded.dataset
    for instance in twin(client, "/classes/cop:Session.json")["instances"]:
        session = URIRef(instance["iri"])
        expected = {str(graph.value(topic, SKOS.prefLabel)) for topic in graph.objects(session, COP.theme)}
        assert {t["label"] for t in instance["themes"]} == expected and expected, instance["label"]


def test_a_narrower_kind_of_session_has_the_same_columns(client):
    soup = page(client, "/classes/cop:SpecialSession")
    assert headers(soup) == ["date", "session", "themes"]
    assert rows(soup) == [{"date": "21 June 2022", "session": "COP Special Session",
                           "themes": "HRDD in Conflict Settings; International Humanitarian Law"}]


# --- companies -----------------------------------------------------------------------------

def test_companies_show_their_years_in_the_cop_and_when_they_joined(client):
    soup = page(client, "/classes/schema:Corporation")
    assert headers(soup) == ["company", "years in the COP", "joined"]
    shown = {row["company"]: row for row in rows(soup)}
    assert len(shown) == 13
    assert shown["Telefónica"] == {"company": "Telefónica", "years in the COP": "2022", "joined": "2022"}
    assert shown["Apple"] == {"company": "Apple", "years in the COP": "2021, 2022", "joined": "2021"}
    assert shown["Meta"]["years in the COP"] == "2021, 2022"  # listed as Facebook in 2021: one company


def test_company_years_are_the_years_of_their_cop_memberships_in_the_graph(client, loaded):
    graph = loaded.dataset
    cop = URIRef(BASE + "org/cop")
    for instance in twin(client, "/classes/schema:Corporation.json")["instances"]:
        years = sorted({str(next(graph.objects(graph.value(interval, TIME.hasBeginning), position)))[:4]
                        for membership in graph.subjects(ORG.member, URIRef(instance["iri"]))
                        if (membership, ORG.organization, cop) in graph
                        for interval in graph.objects(membership, ORG.memberDuring)
                        for position in (TIME.inXSDgYear, TIME.inXSDgYearMonth, TIME.inXSDDate)
                        if graph.value(graph.value(interval, TIME.hasBeginning), position) is not None})
        assert instance["years_in_cop"] == years and instance["joined"] == years[0], instance["label"]


def test_who_joined_agrees_with_the_home_page(client):
    companies = twin(client, "/classes/schema:Corporation.json")["instances"]
    joined = {i["label"] for i in companies if i["joined"] == "2022"}
    bars = {b["year"]: b for b in twin(client, "/.json")["glance"]["members_per_year"]}
    assert joined == {item["label"] for item in bars["2022"]["joined"]} == {"Telefónica"}


def test_companies_sort_by_the_year_they_joined_and_by_name(client):
    by_year = twin(client, "/classes/schema:Corporation.json?sort=date")["instances"]
    assert [i["joined"] for i in by_year] == sorted(i["joined"] for i in by_year)
    assert by_year[-1]["label"] == "Telefónica"
    by_name = [a.get_text() for a in page(client, "/classes/schema:Corporation").select("main tbody td.name a")]
    assert by_name == sorted(by_name, key=str.casefold)
    assert "year joined" in page(client, "/classes/schema:Corporation").select_one("main a[href*='sort=date']").text


# --- outside experts -----------------------------------------------------------------------

def test_outside_experts_show_the_years_the_source_names_them(client):
    soup = page(client, "/classes/org:Organization")
    assert headers(soup) == ["organisation", "named as outside expert in"]
    # the WEF council, an organisation a session was about, was never named an outside expert
    assert {row["organisation"]: row["named as outside expert in"] for row in rows(soup)} == {
        **dict.fromkeys(EXPERTS, "2022"), "Global Future Council on Human Rights": ""}


def test_expert_years_are_the_years_of_the_series_that_name_them(client, loaded):
    graph = loaded.dataset
    for instance in twin(client, "/classes/org:Organization.json")["instances"]:
        years = sorted({str(graph.value(series, SCHEMA.startDate))[:4]
                        for series in graph.subjects(COP.outsideExpert, URIRef(instance["iri"]))})
        expected = [] if instance["label"] == "Global Future Council on Human Rights" else ["2022"]
        assert instance["years_named"] == years == expected, instance["label"]


# --- every listing -------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/classes/cop:Session", "/classes/schema:Corporation", "/classes/org:Organization",
                                 "/classes/org:Membership"])
def test_the_json_twin_carries_what_the_table_shows(client, url):
    soup, data = page(client, url), twin(client, url + ".json")
    assert data["columns"] == headers(soup)
    assert data["total"] == len(data["instances"]) == len(soup.select("main tbody tr"))
    for row, instance in zip(rows(soup), data["instances"], strict=True):
        if data["kind"] == "session":
            assert row["themes"] == "; ".join(t["label"] for t in instance["themes"])
            assert row["date"] == instance["when"]
        elif data["kind"] == "company":
            assert (row["years in the COP"], row["joined"]) == (", ".join(instance["years_in_cop"]), instance["joined"])
        elif data["kind"] == "organisation":
            assert row["named as outside expert in"] == ", ".join(instance["years_named"])
        else:
            assert row["date"] == (instance["when"] or "")
        assert instance["label"] in row.values()


def test_other_classes_keep_name_and_date(client):
    soup = page(client, "/classes/org:Membership")
    assert headers(soup) == ["name", "date"]
    shown = {row["name"]: row["date"] for row in rows(soup)}
    assert shown["Telefónica in the COP, 2022"] == "2022"
    data = twin(client, "/classes/org:Membership.json")
    assert data["kind"] == "other"
    assert set(data["instances"][0]) == {"iri", "label", "date", "when", "url"}


def test_a_listing_scrolls_inside_its_own_box_on_a_narrow_screen(client):
    for url in ("/classes/cop:Session", "/classes/schema:Corporation", "/classes/org:Organization"):
        table = page(client, url).select_one("main table")
        assert "wide" in table.parent.get("class", [])  # style.css: .wide { overflow-x: auto; max-width: 100% }


def test_a_listing_reads_each_column_in_one_query_for_all_its_instances(loaded, monkeypatch):
    """However many instances a listing has, its columns cost one query each, computed once."""
    asked: list[str] = []
    select = listing.select

    def counted(loaded, name, **values):
        asked.append(name)
        return select(loaded, name, **values)

    monkeypatch.setattr(listing, "select", counted)
    fresh = dataclasses.replace(loaded, derived=type(loaded.derived)())  # the same data, nothing computed yet
    for kind, query in ((COP.Session, "session-topics"), (SCHEMA.Corporation, "cop-membership-years"),
                        (ORG.Organization, "outside-expert-years"), (ORG.Membership, None)):
        asked.clear()
        first = listing.class_page(fresh, str(kind), None, 1, lambda iri: iri)
        listing.class_page(fresh, str(kind), "label", 1, lambda iri: iri)
        assert asked == ["class-instances"] + ([query] if query else []), kind
        assert first.total > 1


def test_a_large_listing_keeps_its_columns_across_pages(tmp_path):
    from cop_graph.publish import synthetic

    data = tmp_path / "synthetic.ttl"
    synthetic.graph(20000).serialize(data, format="turtle")
    client = create_app(load_config(workers=0), data=[Path(data)]).test_client()
    first = twin(client, "/classes/cop:Session.json")
    assert first["pages"] > 1 and len(first["instances"]) == listing.PAGE_SIZE
    last = twin(client, f"/classes/cop:Session.json?page={first['pages']}")
    every = first["instances"] + last["instances"]
    assert all(i["themes"] for i in every)  # every synthetic session has one to three topics
    dates = [i["date"] for i in first["instances"]]
    assert dates == sorted(dates)
    soup = page(client, f"/classes/cop:Session?page={first['pages']}")
    assert headers(soup) == ["date", "session", "themes"] and soup.select("main tbody td.topics a")
