"""Journeys through the explorer in real headless Chromium, the way a reader takes them: from
a search to a company, from the company to a session, from the session to the passage of the
review that says so; a named query run from the query page; the network pictures; the topic
tree, the timeline and a class listing. Every page on the way is checked with axe-core and
every step leaves a screenshot in test-artifacts/browser/."""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec

from .accessibility import assert_accessible
from .test_network_view import at, open_network, rendered
from .test_pages import open_page, response_status, wait

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("browser")]

SESSION = "/session/2022-05-17"
DOCUMENT = "/document/review-2022"


def path_of(driver: WebDriver) -> str:
    return urlsplit(driver.current_url).path


def heading(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "h1").text


def follow(driver: WebDriver, link: WebElement, click_on: WebElement | None = None) -> str:
    """Clicks ``link`` (or ``click_on``, an element inside it), waits for the page it points to
    and checks it answered 200; returns the URL the link points to."""
    target = urljoin(driver.current_url, link.get_dom_attribute("href"))
    start = driver.current_url
    (click_on or link).click()
    wait(driver).until(ec.url_changes(start))
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert driver.current_url == target, f"clicked a link to {target}, landed on {driver.current_url}"
    assert response_status(driver) == 200, f"{target} answered {response_status(driver)}"
    return target


def link_to(driver: WebDriver, scope: str, path: str) -> WebElement:
    """The link to ``path`` inside the part of the page ``scope`` (a CSS selector) names."""
    links = driver.find_elements(By.CSS_SELECTOR, f"{scope} a[href='{path}']")
    assert links, f"no link to {path} in {scope} on {driver.current_url}"
    return links[0]


def assert_resource_page(driver: WebDriver, label: str) -> None:
    assert driver.find_elements(By.CSS_SELECTOR, "main article.resource"), f"{driver.current_url} is no resource page"
    assert heading(driver) == label
    assert driver.title == f"{label} · cop-graph"


def node_label(circle: WebElement) -> str:
    """A network node's label: its tooltip is ``label (type, n links)``."""
    title = circle.find_element(By.XPATH, "./*[local-name()='title']").get_attribute("textContent")
    label, _, rest = title.rpartition(" (")
    assert label and rest.endswith(")"), title
    return label


def node_circle(picture: WebElement, path: str) -> WebElement:
    """The circle of the node linking to ``path`` in the SVG ``picture``."""
    circles = picture.find_elements(By.XPATH, f".//*[local-name()='a'][@href='{path}']/*[local-name()='circle']")
    assert len(circles) == 1, f"{len(circles)} nodes link to {path} in the picture"
    return circles[0]


def test_search_from_home_finds_telefonica(browser, site, screenshot):
    open_page(browser, site + "/")
    box = browser.find_element(By.CSS_SELECTOR, "main form[role=search] input[name=q]")
    assert box.get_attribute("id") != "header-q"
    box.send_keys("telefonica")
    screenshot("typed")
    box.send_keys(Keys.ENTER)

    wait(browser).until(ec.url_contains("q=telefonica"))
    hits = wait(browser).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "ol.search-results > li")))
    assert response_status(browser) == 200
    assert path_of(browser) == "/search"
    assert parse_qs(urlsplit(browser.current_url).query)["q"] == ["telefonica"]
    # The search box on the results page shows what was asked.
    assert browser.find_element(By.ID, "search-q").get_attribute("value") == "telefonica"
    first = hits[0].find_element(By.TAG_NAME, "a")
    assert first.text == "Telefónica", [hit.text for hit in hits]
    screenshot("results")
    assert_accessible(browser)

    follow(browser, first)
    assert path_of(browser) == "/org/telefonica"
    assert_resource_page(browser, "Telefónica")
    screenshot("telefonica")
    assert_accessible(browser)


def test_from_telefonica_to_a_session(browser, site, screenshot):
    open_page(browser, site + "/org/telefonica")
    assert_resource_page(browser, "Telefónica")

    # Telefónica's page -> its 2022 membership, which points at it ("What links here").
    membership = link_to(browser, "section[aria-labelledby=incoming] table", "/membership/2022/telefonica")
    row = membership.find_element(By.XPATH, "./ancestor::tr[1]")
    assert row.find_element(By.CSS_SELECTOR, "span[title='org:member']").text == "member"
    follow(browser, membership)
    assert_resource_page(browser, "Telefónica in the COP, 2022")
    screenshot("membership")

    # The membership -> the collaboration it is a membership of (org:organization).
    statements = "section[aria-labelledby=statements] table"
    organisation = link_to(browser, statements, "/org/cop")
    row = organisation.find_element(By.XPATH, "./ancestor::tr[1]")
    assert row.find_element(By.CSS_SELECTOR, "th span").get_attribute("title") == "org:organization"
    follow(browser, organisation)
    assert_resource_page(browser, "B-Tech Company Community of Practice")
    screenshot("collaboration")

    # The collaboration -> its 2022 series (schema:event).
    series = link_to(browser, statements, "/series/cop-2022")
    row = series.find_element(By.XPATH, "./ancestor::tr[1]")
    assert row.find_element(By.CSS_SELECTOR, "th span").get_attribute("title") == "schema:event"
    follow(browser, series)
    assert_resource_page(browser, "COP 2022")
    screenshot("series")

    # The series -> one of its sessions, which name it as their schema:superEvent.
    incoming = "section[aria-labelledby=incoming] table"
    by_super_event = f"{incoming} tr:has(span[title='schema:superEvent']) a"
    sessions = [a.get_dom_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, by_super_event)]
    assert len(sessions) == 6 and SESSION in sessions, sessions
    follow(browser, link_to(browser, incoming, SESSION))
    assert path_of(browser) == SESSION
    assert_resource_page(browser, "COP Q2 Session 2 — 17 May 2022")  # another session bears the same label
    start = browser.find_element(By.CSS_SELECTOR, f"{statements} tr:has(th span[title='schema:startDate']) td")
    assert start.find_element(By.CSS_SELECTOR, "span.literal").text == "17 May 2022"
    assert link_to(browser, statements, "/series/cop-2022").text == "COP 2022"
    screenshot("session")
    assert_accessible(browser)


def test_from_a_session_to_the_passage_that_says_so(browser, site, screenshot):
    open_page(browser, site + SESSION)
    quotes = browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=where] blockquote")
    assert quotes, "the session page quotes no passage"
    quote = quotes[0]
    link = quote.find_element(By.CSS_SELECTOR, "footer a")
    href = link.get_dom_attribute("href")
    assert href.startswith(DOCUMENT + "#passage-"), href
    anchor = href.split("#", 1)[1]
    quoted = " ".join(quote.find_element(By.TAG_NAME, "p").get_attribute("textContent").split())
    assert quoted
    screenshot("session")

    follow(browser, link)
    assert path_of(browser) == DOCUMENT
    assert urlsplit(browser.current_url).fragment == anchor
    assert browser.execute_script("return location.hash") == "#" + anchor
    marked = browser.find_element(By.ID, anchor)
    assert marked.tag_name == "mark"
    assert " ".join(marked.get_attribute("textContent").split()) == quoted
    assert browser.execute_script("return document.querySelector(':target') === arguments[0]", marked)
    # Scrolled to, the passage's top sits at the viewport's top edge, give or take a
    # fraction of a pixel of rounding.
    in_view = """
        const r = arguments[0].getBoundingClientRect();
        return r.height > 0 && r.top > -1 && r.left > -1
            && r.bottom < window.innerHeight + 1 && r.right < window.innerWidth + 1;"""
    wait(browser).until(lambda d: d.execute_script(in_view, marked),
                        message=f"the passage #{anchor} is not scrolled into view")
    screenshot("passage")
    assert_accessible(browser)


def test_named_query_from_the_query_page(browser, site, screenshot):
    open_page(browser, site + "/sparql")
    example = browser.find_element(By.CSS_SELECTOR, "ul.examples a.example[href$='example=sessions-in-year']")
    sparql = example.get_dom_attribute("data-sparql")
    assert "SELECT ?session" in sparql
    start = browser.current_url
    example.click()

    editor = browser.find_element(By.CSS_SELECTOR, ".query-editor .CodeMirror")
    wait(browser).until(lambda d: d.execute_script("return arguments[0].CodeMirror.getValue()", editor) == sparql)
    assert browser.current_url == start, "the example was loaded by leaving the page, not into the editor"
    assert browser.switch_to.active_element == browser.execute_script(
        "return arguments[0].CodeMirror.getInputField()", editor)
    screenshot("loaded")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()

    wait(browser).until(ec.url_contains("query="))
    rows = wait(browser).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "table.results-table tbody tr")))
    assert response_status(browser) == 200
    assert path_of(browser) == "/sparql"
    [sent] = parse_qs(urlsplit(browser.current_url).query)["query"]
    assert sent == sparql
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.results-table thead th")]
    assert headers == ["session", "date", "label", "kind", "quarter", "theme"]
    assert len(rows) == 6  # the six sessions of 2022
    sessions = [row.find_element(By.CSS_SELECTOR, "td:first-child a.iri") for row in rows]
    assert all(a.get_dom_attribute("href").startswith("/session/") for a in sessions)
    label = rows[0].find_elements(By.TAG_NAME, "td")[2].text
    screenshot("results")
    assert_accessible(browser)

    follow(browser, sessions[0])
    assert_resource_page(browser, label)
    screenshot("followed")


def test_network_view_node_leads_to_its_page(browser, site, screenshot):
    open_network(browser, site + "/network")
    screenshot("loaded")
    assert_accessible(browser)

    canvas = browser.find_element(By.ID, "network-canvas")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    iri = "https://w3id.org/b-tech-cop/org/telefonica"
    label = browser.execute_script("return window.copNetwork.getElementById(arguments[0]).data('label')", iri)
    assert label == "Telefónica"
    start = browser.current_url
    at(browser, canvas, *rendered(browser, iri)).click().perform()
    wait(browser).until(ec.url_changes(start))
    wait(browser).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert path_of(browser) == "/org/telefonica"
    assert_resource_page(browser, label)
    screenshot("followed")
    assert_accessible(browser)


def test_neighbourhood_picture_node_leads_to_its_page(browser, site, screenshot):
    open_page(browser, site + SESSION)
    picture = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=neighbourhood] svg.network-svg")
    nodes = picture.find_elements(By.XPATH, ".//*[local-name()='a']")
    assert len(nodes) > 1
    circle = node_circle(picture, "/series/cop-2022")
    label = node_label(circle)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", picture)
    screenshot("neighbourhood")

    follow(browser, circle.find_element(By.XPATH, ".."), click_on=circle)
    assert path_of(browser) == "/series/cop-2022"
    assert_resource_page(browser, label)
    assert label == "COP 2022"
    screenshot("followed")


@pytest.mark.parametrize(("path", "links", "title"), [
    ("/topics", "main .tree a", "Topics"),
    ("/timeline", "main ol.timeline a", "Timeline"),
    ("/classes/cop:Session", "main table tbody a", "COP session"),
], ids=["topics", "timeline", "class"])
def test_listing_leads_to_its_first_resource(browser, site, screenshot, path, links, title):
    open_page(browser, site + path)
    assert heading(browser) == title
    first = browser.find_element(By.CSS_SELECTOR, links)
    label = first.text
    assert label
    screenshot("loaded")
    assert_accessible(browser)

    follow(browser, first)
    assert_resource_page(browser, label)
    screenshot("followed")
