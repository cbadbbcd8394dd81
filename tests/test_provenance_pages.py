"""Resource pages say, statement by statement, where it says so: each source once, with the
statements it supports, and each statement with the numbers of its sources; links to other
datasets show their status."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url, headers={"Accept": HTML})
    assert response.status_code == 200, response.data[:300]
    return BeautifulSoup(response.data, "html.parser")


def _row(soup: BeautifulSoup, label: str):
    return next(tr for tr in soup.select("table.statements tr") if tr.th and tr.th.get_text(strip=True) == label)


def _source(soup: BeautifulSoup, ref) -> BeautifulSoup:
    return soup.select_one(ref["href"])


def test_each_statement_points_at_its_own_source(client):
    """The B-Tech Project mixes sources: its founding year is the portal's, its address the review's."""
    soup = page(client, "/org/b-tech-project")
    founded = _row(soup, "founded")
    sources = [_source(soup, a) for a in founded.select("sup.refs a")]
    assert len(sources) == 1
    assert "B-Tech Project portal" in sources[0].get_text() and "cited as a whole" in sources[0].get_text()
    assert sources[0].blockquote is None

    email = _row(soup, "e-mail")
    quoted = [_source(soup, a) for a in email.select("sup.refs a")]
    assert len(quoted) == 1 and "please write to OHCHR-b-techproject@un.org" in quoted[0].blockquote.get_text()
    assert "e-mail: OHCHR-b-techproject@un.org" in quoted[0].select_one(".supports-statements").get_text()


def test_bachelets_term_starts_in_her_profile_and_ends_in_the_review(client):
    soup = page(client, "/period/high-commissioner-michelle-bachelet")
    beginning = [_source(soup, a).get_text() for a in _row(soup, "begins").select("sup.refs a")]
    assert len(beginning) == 1 and "The Dialogue" in beginning[0]
    end = [_source(soup, a).get_text() for a in _row(soup, "ends").select("sup.refs a")]
    assert any("step down by the end of August" in text for text in end)


def test_curated_mappings_say_curated_not_a_quote(client):
    soup = page(client, "/topic/remedy")
    curated = soup.select("ol.sources li.source-curated")
    assert len(curated) >= 10
    assert all(li.blockquote is None and "Curated, not a statement of the sources" in li.get_text() for li in curated)
    quoted = soup.select("ol.sources li.source-passage blockquote")
    assert any("HRDD and Remedy on End Use" in q.get_text() for q in quoted)


def test_the_json_twin_lists_each_source_with_its_statements(client):
    response = client.get("/org/b-tech-project", headers={"Accept": "application/json"})
    assert response.status_code == 200
    passages = json.loads(response.data)["passages"]
    kinds = {p["kind"] for p in passages}
    assert kinds == {"passage", "document"}
    portal = next(p for p in passages if p["document"].endswith("/document/ohchr-b-tech-portal"))
    assert {s["property"] for s in portal["statements"]} == {"founded", "part of"}


def test_link_statuses_are_shown(client):
    soup = page(client, "/org/icrc")
    elsewhere = soup.select_one("#identifiers").find_parent("section")
    assert elsewhere.select_one(".link-status-confirmed").get_text(strip=True) == "confirmed"


def test_an_rdr_company_shows_its_link_is_for_review(client):
    """RDR's five companies are linked by a match on their names: for review, until a person confirms them."""
    soup = page(client, "/org/apple")
    status = soup.select_one(".rdr-more .link-status")
    assert status is not None and status.get_text(strip=True) == "for review"
