"""Ranking Digital Rights' scorecard on the explorer's pages, through Flask's test client: a
scored company's chart (on the COP member's page and on RDR's own company page), an
indicator's page (RDR's text without its markup, every company's scores, RDR's statements
apart from the curated mappings) and ``/rdr``, COP members beside the other companies, with
its JSON twin. Every number is checked against RDR's published CSV files."""

from __future__ import annotations

import csv
from pathlib import Path
from statistics import mean

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources" / "rdr-2022"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MEMBERS = {"Apple", "Google", "Meta", "Microsoft", "Twitter"}
COMPANIES = MEMBERS | {"Alibaba", "Amazon", "Baidu", "Kakao", "Samsung", "Tencent", "VK", "Yahoo", "Yandex"}
CATEGORIES = {"G": "Governance", "F": "Freedom of expression and information", "P": "Privacy"}
YEARS = ("2020", "2022")
SOURCE = "Ranking Digital Rights, 2022 Big Tech Scorecard, MIT licence"


def _csv(name: str) -> list[dict[str, str]]:
    with open(SOURCES / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def totals() -> dict[tuple[str, str], float]:
    return {(r["Index"], r["Company"]): float(r["Score"]) for r in _csv("2022-totals.csv")}


def categories() -> dict[tuple[str, str, str], float]:
    return {(r["Index"], r["Company"], r["Category"]): float(r["Score"]) for r in _csv("2022-categories.csv")}


def indicators() -> dict[tuple[str, str, str], float | None]:
    """(year, company, indicator) → RDR's score; None where RDR writes NA (not applicable)."""
    return {(r["Index"], r["Company"], r["labelShort"]): None if r["Score"] == "NA" else float(r["Score"])
            for r in _csv("2022-indicators.csv")}


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url, headers={"Accept": HTML})
    assert response.status_code == status, response.data[:300]
    assert response.content_type == "text/html; charset=utf-8"
    return BeautifulSoup(response.data, "html.parser")


def number(text: str) -> float | None:
    text = text.strip()
    return None if text == "not applicable" else float(text)


def chart(table) -> dict[str, list[float | None]]:
    """A score table read as people read it: each row's header, its numbers left to right."""
    rows = {}
    for row in table.select("tr"):
        header, cells = row.find("th", scope="row"), row.find_all("td")
        if header is None or not cells:
            continue
        name = header.find("a").get_text(" ", strip=True) if header.find("a") else header.get_text(" ", strip=True)
        rows[name] = [number(cell.get_text(" ", strip=True)) for cell in cells]
    return rows


def bars(table) -> list[float]:
    """The lengths of the bars a table draws, out of 100."""
    return [float(rect["width"]) for rect in table.select("svg.rdr-bar rect.rdr-fill")]


def source_stated(section) -> None:
    source = section.select_one("p.rdr-source")
    assert source is not None and SOURCE in source.get_text(" ", strip=True).replace(" ,", ",")
    assert source.find("a", string="Ranking Digital Rights, 2022 Big Tech Scorecard")["href"] == \
        "/import/rdr-2022/scorecard"
    assert "not what it does in practice" in section.select_one("p.rdr-note").get_text()


# --- a company's chart ---------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "company"), [("/org/microsoft", "Microsoft"),
                                              ("/import/rdr-2022/company/Microsoft", "Microsoft"),
                                              ("/org/twitter", "Twitter"),
                                              ("/import/rdr-2022/company/Yahoo", "Yahoo")])
def test_a_scored_company_page_charts_rdrs_scores_for_both_years(client, url, company):
    soup = page(client, url)
    section = soup.find("section", attrs={"aria-labelledby": "rdr-scorecard"})
    assert section is not None and section.h2.get_text() == "Ranking Digital Rights 2022 scorecard"
    table = section.select_one("figure.rdr-chart table")
    assert [th.get_text(strip=True) for th in table.thead.select("th")][1:] == list(YEARS)
    rows = chart(table)
    scores, cats, inds = totals(), categories(), indicators()
    expected = {"Total score": [scores[(y, company)] for y in YEARS]}
    expected |= {label: [cats[(y, company, key)] for y in YEARS] for key, label in CATEGORIES.items()}
    expected |= {f"{key} {label}": [inds[(y, company, key)] for y in YEARS]
                 for key, label in (("G4", "Human rights due diligence"),
                                    ("G5", "Stakeholder engagement and accountability"),
                                    ("G6", "Remedy and appeals"))}
    assert rows == expected
    # each number has its bar, as long as the score out of 100
    assert bars(table) == [v for values in expected.values() for v in values if v is not None]
    highlighted = [tr.th.get_text(" ", strip=True) for tr in table.select("tr.rdr-highlight")]
    assert [h.split()[0] for h in highlighted] == ["G4", "G5", "G6"]
    source_stated(section)
    assert section.find("a", href="/rdr") is not None


def test_the_numbers_the_brief_names(client):
    rows = chart(page(client, "/org/microsoft").select_one("#rdr-scorecard ~ figure table"))
    assert rows["Total score"][1] == 50 and rows["G4 Human rights due diligence"][1] == 34
    rows = chart(page(client, "/org/twitter").select_one("#rdr-scorecard ~ figure table"))
    assert rows["Total score"] == [53, 56]


def test_the_overall_rank_and_the_links_between_the_two_pages(client):
    section = page(client, "/org/microsoft").select_one("section.rdr")
    assert "ranked 3rd of the 14 companies" in section.get_text(" ", strip=True)
    assert section.find("a", href="/import/rdr-2022/company/Microsoft") is not None
    section = page(client, "/import/rdr-2022/company/Microsoft").select_one("section.rdr")
    assert section.find("a", href="/org/microsoft") is not None


def test_the_sub_indicators_rdr_applies_are_listed_and_na_is_never_zero(client):
    section = page(client, "/org/microsoft").select_one("section.rdr")
    rows = chart(section.select_one("details.rdr-subs table"))
    inds = indicators()
    family = ("G4", "G5", "G6")
    expected = {key for (year, company, key), score in inds.items()
                if company == "Microsoft" and key[:2] in family and key not in family and score is not None}
    assert {name.split()[0] for name in rows} == expected
    assert "G4e" not in expected  # not applicable to Microsoft in either year: no row, no 0


@pytest.mark.parametrize("url", ["/org/telefonica", "/org/cisco", "/topic/remedy", "/session/2022-05-17"])
def test_no_scorecard_section_where_rdr_does_not_score_the_company(client, url):
    soup = page(client, url)
    assert soup.select_one("section.rdr") is None
    assert "Ranking Digital Rights 2022 scorecard" not in soup.get_text()


def test_the_json_twin_of_a_company_page_carries_the_scores(client):
    data = client.get("/org/microsoft.json").get_json()
    card = data["scorecard"]
    assert card["company"].endswith("/company/Microsoft") and card["member"].endswith("/org/microsoft")
    assert card["rank"] == 3 and card["years"] == list(YEARS)
    total = next(m for m in card["measures"] if m["kind"] == "total")
    assert [s["score"] for s in total["scores"]] == [50, 50]
    assert data["indicator"] is None


# --- an indicator's page -------------------------------------------------------------------------

def test_an_indicator_page_shows_every_companys_scores_sorted_with_members_marked(client):
    soup = page(client, "/import/rdr-2022/indicator/G4")
    section = soup.find("section", attrs={"aria-labelledby": "rdr-indicator"})
    table = section.select_one("figure.rdr-chart table")
    assert [th.get_text(strip=True) for th in table.thead.select("th")][1:] == ["2022", "2020"]
    inds = indicators()
    companies = [tr for tr in table.select("tr") if "rdr-is-member" in (tr.get("class") or [])
                 or "rdr-is-other" in (tr.get("class") or [])]
    listed = [tr for tr in companies if tr.th.find("a")]
    names = [tr.th.a.get_text() for tr in listed]
    assert set(names) == COMPANIES and len(names) == 14
    scores = [[number(td.get_text(" ", strip=True)) for td in tr.find_all("td")] for tr in listed]
    assert scores == [[inds[("2022", n, "G4")], inds[("2020", n, "G4")]] for n in names]
    assert [s[0] for s in scores] == sorted((s[0] for s in scores), reverse=True)
    marked = {tr.th.a.get_text() for tr in listed if tr.select_one(".rdr-tag")}
    assert marked == MEMBERS
    assert all(tr.select_one(".rdr-tag").get_text() == "COP member" for tr in listed if tr.th.a.get_text() in MEMBERS)
    # the groups' means, as RDR's numbers give them
    means = {tr.th.get_text(" ", strip=True).split(" (")[0]: [number(td.get_text(strip=True)) for td in tr("td")]
             for tr in table.select("tbody.rdr-means tr") if tr.find("td")}
    for group, chosen in (("COP members", MEMBERS), ("Other companies", COMPANIES - MEMBERS)):
        assert means[group] == [round(mean(inds[(y, n, "G4")] for n in chosen), 1) for y in ("2022", "2020")]
    source_stated(section)
    assert section.find("a", href="/rdr") is not None


def test_rdrs_html_is_shown_as_text_never_as_markup(client):
    for url in ("/import/rdr-2022/indicator/G4a", "/import/rdr-2022/indicator/G1", "/import/rdr-2022/indicator/G4"):
        soup = page(client, url)
        main = soup.main
        assert not main.select("a[href^='#glossary']"), url  # RDR's own links never become ours
        for disclosure in main.select("details, pre, code"):
            disclosure.decompose()
        text = main.get_text(" ", strip=True)
        assert "<p>" not in text and "<a " not in text and "href=" not in text, url
    guidance = page(client, "/import/rdr-2022/indicator/G4a").select_one(".rdr-guidance")
    paragraphs = [p.get_text() for p in guidance.find_all("p")]
    assert paragraphs[0].startswith("This indicator examines whether companies conduct regular, robust")
    assert len(paragraphs) > 1
    # the definition is the page's description, as plain text
    description = page(client, "/import/rdr-2022/indicator/G4a").select_one("p.description").get_text()
    assert "human rights impact assessments" in description and "<a" not in description
    # RDR's NA (a family's missing text) is not shown as text
    g4 = page(client, "/import/rdr-2022/indicator/G4")
    assert g4.select_one("p.description") is None and "no text of its own" in g4.select_one("section.rdr").get_text()
    assert [li.a.get_text(" ", strip=True).split()[0] for li in g4.select("ul.rdr-narrower li")] == \
        ["G4a", "G4b", "G4c", "G4d", "G4e"]


def test_rdrs_own_statement_comes_with_its_quote(client):
    section = page(client, "/import/rdr-2022/indicator/G1").select_one("section.rdr")
    heading = section.find("h4", string="What RDR's own text states")
    assert heading is not None
    stated = heading.find_next_sibling("ul")
    item = stated.li
    link = item.find("a", href="/ungp/gp/16")
    assert link is not None and link.get_text().startswith("Guiding Principle 16")
    quote = item.blockquote.p.get_text()
    assert quote.startswith("These standards are outlined in the U.N. Guiding Principles")
    assert "Operational Principle 16" in quote
    assert item.blockquote.footer.a["href"] == \
        "/import/rdr-2022/indicator/G1/guidance#passage-g1-operational-principle-16"
    assert section.find("h4", string="Curated mappings") is None  # nothing curated on G1


def test_a_curated_mapping_is_told_apart_with_its_note(client):
    section = page(client, "/import/rdr-2022/indicator/G4").select_one("section.rdr")
    assert section.find("h4", string="What RDR's own text states") is None  # RDR states nothing about G4
    heading = section.find("h4", string="Curated mappings")
    assert heading is not None and "not RDR's statements" in heading.find_next_sibling("p").get_text()
    items = heading.find_next_sibling("ul").find_all("li", recursive=False)
    topic = next(li for li in items if li.find("a", href="/topic/human-rights-due-diligence"))
    assert "COP topic" in topic.get_text() and "close match" in topic.get_text()
    assert topic.find("a").get_text() == "Human Rights Due Diligence"
    assert "G4 measures what a company discloses about it" in topic.select_one("p.note").get_text()
    principles = {li.a["href"] for li in items if "Guiding Principle" in li.get_text()}
    assert principles == {"/ungp/gp/17", "/ungp/gp/18"}


def test_a_familys_page_gathers_its_sub_indicators_links_saying_which(client):
    section = page(client, "/import/rdr-2022/indicator/G6").select_one("section.rdr")
    stated = section.find("h4", string="What RDR's own text states").find_next_sibling("ul").li
    assert stated.find("a", href="/import/rdr-2022/indicator/G6a") is not None
    assert stated.find("a", href="/ungp/gp/31") is not None and stated.blockquote is not None


def test_the_json_twin_of_an_indicator_page(client):
    data = client.get("/import/rdr-2022/indicator/G1.json").get_json()
    ind = data["indicator"]
    assert ind["notation"] == "G1" and ind["years"] == ["2022", "2020"]
    assert len(ind["companies"]) == 14
    assert [s["how"] for s in ind["stated"]] == ["stated"] and ind["stated"][0]["target"].endswith("/ungp/gp/16")
    assert ind["stated"][0]["quote"].startswith("These standards are outlined")
    assert not any("<p>" in p for p in ind["guidance"])


# --- /rdr ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", YEARS)
def test_the_comparison_page_shows_each_company_and_the_groups_means(client, year):
    soup = page(client, f"/rdr?year={year}")
    assert soup.select_one("nav.rdr-years strong[aria-current]").get_text() == year
    inds = indicators()
    for key in ("G4", "G5", "G6"):
        section = soup.find("section", attrs={"aria-labelledby": f"rdr-{key}"})
        table = section.select_one("figure.rdr-chart table")
        rows = chart(table)
        for company in COMPANIES:
            assert rows[company] == [inds[(year, company, key)]], (key, company)
        members = mean(inds[(year, c, key)] for c in MEMBERS)
        others = mean(inds[(year, c, key)] for c in COMPANIES - MEMBERS)
        assert rows["COP members (5)"] == [round(members, 1)]
        assert rows["Other companies (9)"] == [round(others, 1)]
        assert f"{members:.1f}" in table.get_text() and f"{others:.1f}" in table.get_text()
        order = [tr.th.a.get_text() for tr in table.select("tbody:not(.rdr-means) tr") if tr.th.find("a")]
        values = [inds[(year, c, key)] for c in order]
        assert values == sorted(values, reverse=True)
        assert {tr.th.a.get_text() for tr in table.select("tr.rdr-is-member") if tr.th.find("a")} == MEMBERS
        assert section.find("a", href=f"/import/rdr-2022/indicator/{key}") is not None
    glance = soup.find("section", attrs={"aria-labelledby": "rdr-means"})
    assert glance is not None and len(bars(glance)) == 6
    source_stated(soup.main)


def test_the_comparison_defaults_to_the_latest_year(client):
    assert page(client, "/rdr").select_one("nav.rdr-years strong[aria-current]").get_text() == "2022"
    assert client.get("/rdr.json").get_json()["year"] == "2022"


@pytest.mark.parametrize("url", ["/rdr.json", "/rdr?format=json", "/rdr?year=2020&format=json"])
def test_the_comparisons_json_twin(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.content_type == "application/json"
    data = response.get_json()
    year = "2020" if "2020" in url else "2022"
    inds = indicators()
    assert data["year"] == year and (data["members"], data["others"]) == (5, 9)
    assert [y["year"] for y in data["years"]] == ["2022", "2020"]
    assert [i["notation"] for i in data["indicators"]] == ["G4", "G5", "G6"]
    for indicator in data["indicators"]:
        key = indicator["notation"]
        means = {m["group"]: m for m in indicator["means"]}
        assert means["COP members"]["scores"][0]["score"] == pytest.approx(mean(inds[(year, c, key)] for c in MEMBERS))
        assert means["Other companies"]["scores"][0]["score"] == \
            pytest.approx(mean(inds[(year, c, key)] for c in COMPANIES - MEMBERS))
        assert means["COP members"]["counted"] == [5] and means["Other companies"]["size"] == 9
        by_name = {c["name"]: c for c in indicator["companies"]}
        assert {n for n, c in by_name.items() if c["member"]} == MEMBERS
        assert by_name["Microsoft"]["cop"].endswith("/org/microsoft") and by_name["Yahoo"]["cop"] is None
        assert all(c["scores"][0]["score"] == inds[(year, n, key)] for n, c in by_name.items())


@pytest.mark.parametrize("year", ["1999", "2021", "abc", "2022x", "20222"])
def test_a_year_rdr_does_not_cover_is_a_400_naming_the_parameter(client, year):
    for url in (f"/rdr?year={year}", f"/rdr.json?year={year}"):
        response = client.get(url, headers={"Accept": HTML})
        assert response.status_code == 400, url
        assert "'year'" in response.get_data(as_text=True) and "2020 or 2022" in response.get_data(as_text=True)


def test_the_home_page_leads_to_the_comparison(client):
    soup = page(client, "/")
    entry = next(li for li in soup.select("ul.entries li") if li.find("a", href="/rdr"))
    assert entry.a.get_text() == "Ranking Digital Rights"


def test_the_rdr_pages_follow_the_content_security_policy(client):
    for url in ("/rdr", "/org/microsoft", "/import/rdr-2022/indicator/G4"):
        soup = page(client, url)
        assert not soup.select("main [style], main script, main style"), url
