"""Every kind of explorer page at a desktop width (1366 px) and a phone's (390 px), in real
headless Chromium: a screenshot of each in test-artifacts/browser/, nothing scrolls
sideways, no prefixed name (``schema:Corporation``) in the main view outside code elements
and the "For linked-data users" disclosures, and axe-core finds no serious or critical
violation. Then what a newcomer looks for: sessions in date order with their dates, the
two "COP Q2 Session 2" told apart, and the source text on the first screen and a half."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By

from .accessibility import assert_accessible
from .test_pages import open_page

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("browser")]

WIDTHS = (1366, 390)
PAGES = {
    "home": "/",
    "company": "/org/telefonica",
    "outside-expert": "/org/icrc",
    "session": "/session/2022-05-17",
    "topic": "/topic/remedy",
    "timeline": "/timeline",
    "topics": "/topics",
    "classes": "/classes",
    "class": "/classes/cop:Session",
    "document": "/document/review-2022",
    "search": "/search?q=tele",
    "queries": "/queries",
    "named-query": "/queries/members-in-year?year=2022",
}
# Pages whose main view the issue of human words was about (the network has its own test).
HUMAN_WORDS = ("home", "company", "outside-expert", "session", "topic", "timeline", "classes", "class")
CURIE = re.compile(r"\b(?:cop|org|schema|skos|prov|time|oa|dcterms|rdfs|xsd|owl|void|dcat|foaf|rdf):[A-Z]?[a-z]\w*")

# The main view's visible text, leaving out code elements, disclosures for linked-data users
# and the neighbourhood picture's hover titles.
MAIN_TEXT = """
const main = document.querySelector("main").cloneNode(true);
main.querySelectorAll("code, details, title, pre, script").forEach(e => e.remove());
return main.innerText;
"""


def sized(browser, width: int) -> None:
    browser.set_window_size(width, 900)
    inner = browser.execute_script("return window.innerWidth")
    if inner != width:  # the window's frame takes some of it: make the viewport itself the width
        browser.set_window_size(width + (width - inner), 900)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_kind_fits_and_speaks_plainly(browser, site, screenshot, kind, width):
    sized(browser, width)
    try:
        open_page(browser, site + PAGES[kind])
        screenshot(f"{kind}-{width}")
        scroll, inner = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{PAGES[kind]} is {scroll} px wide in a {inner} px window"
        if kind in HUMAN_WORDS:
            found = sorted(set(CURIE.findall(browser.execute_script(MAIN_TEXT))))
            assert not found, f"{PAGES[kind]} shows prefixed names in its main view: {found}"
        if width == WIDTHS[0]:
            assert_accessible(browser)
    finally:
        sized(browser, 1280)


def test_sessions_come_in_date_order_with_their_dates_and_are_told_apart(browser, site, screenshot):
    open_page(browser, site + "/")
    items = browser.find_elements(By.CSS_SELECTOR, "ol.sessions li")
    dates = [li.find_element(By.TAG_NAME, "time").get_attribute("datetime") for li in items]
    assert dates == sorted(dates) and dates[0] == "2022-02-28" and len(dates) == 6
    assert "14 March 2022" in items[1].text and "Operationalizing Severity" in items[1].text
    screenshot("home-sessions")
    open_page(browser, site + "/classes/cop:Session")
    names = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "tbody a")]
    assert "COP Q2 Session 2 — 14 March 2022" in names and "COP Q2 Session 2 — 17 May 2022" in names
    open_page(browser, site + "/session/2022-03-14")
    assert browser.find_element(By.TAG_NAME, "h1").text == "COP Q2 Session 2 — 14 March 2022"
    assert browser.title.startswith("COP Q2 Session 2 — 14 March 2022")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_source_text_is_within_the_first_screen_and_a_half(browser, site, screenshot, width):
    sized(browser, width)
    try:
        open_page(browser, site + "/document/review-2022")
        top, height = browser.execute_script(
            "return [document.querySelector('.document').getBoundingClientRect().top + window.scrollY,"
            " window.innerHeight]")
        assert top < 1.5 * height, f"the text starts {top:.0f} px down a {height} px screen"
        screenshot(f"document-{width}")
    finally:
        sized(browser, 1280)


def test_the_home_page_answers_who_took_part_and_who_joined(browser, site, screenshot):
    open_page(browser, site + "/")
    glance = browser.find_element(By.CSS_SELECTOR, "section.glance").text
    assert "2021" in glance and "12 members" in glance and "13 members" in glance
    assert "joined by Telefónica" in glance
    members = browser.find_elements(By.CSS_SELECTOR, "section.glance p a")
    assert len(members) == 13
    topics = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "ul.topics a")}
    assert "Remedy" in topics
    screenshot("glance")
