"""The query editor on /sparql in real headless Chromium: the vendored editor loads without
an error and without asking any other host, completes this dataset's prefixes, classes and
properties, runs queries against this server and shows their answers as a table, a chart or
Turtle, fits a 390 px screen, passes axe, and the page still works with JavaScript off."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from .accessibility import assert_accessible

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("browser")]

WAIT = 30  # seconds an explicit wait may take before it fails; no assertion is about time
EDITOR = ".query-editor .CodeMirror"
ROWS = "#live-results table.results-table tbody tr"
HINTS = ".CodeMirror-hints li"
# Runs before any script of every page: what the page would only say on its console.
WATCH = """
window.__problems = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__problems.push(`blocked by the CSP (${e.violatedDirective}): ${e.blockedURI}`));
window.addEventListener("error", (e) => window.__problems.push(`error: ${e.message}`));
window.addEventListener("unhandledrejection", (e) => window.__problems.push(`unhandled rejection: ${e.reason}`));
const consoleError = console.error;
console.error = (...args) => { window.__problems.push(`console.error: ${args.join(" ")}`); consoleError(...args); };
"""


def wait(driver: WebDriver) -> WebDriverWait:
    return WebDriverWait(driver, WAIT)


@pytest.fixture
def watched(browser) -> Iterator[WebDriver]:
    """The browser, recording every page's errors and CSP violations from its first script on."""
    added = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})


def open_editor(driver: WebDriver, url: str) -> None:
    driver.get(url)
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")
    wait(driver).until(ec.visibility_of_element_located((By.CSS_SELECTOR, EDITOR)))
    # the dataset's terms arrive once the page is up; completion waits for them
    wait(driver).until(lambda d: d.execute_script(
        "return performance.getEntriesByType('resource').some((e) => e.name.includes('/sparql/terms.json'))"))


def problems(driver: WebDriver) -> list[str]:
    return driver.execute_script("return window.__problems || []")


def hosts_asked(driver: WebDriver) -> set[str]:
    """Every host the page fetched anything from (scripts, styles, images, fetch())."""
    names = driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    return {urlsplit(name).netloc for name in names if urlsplit(name).scheme in ("http", "https")}


def set_query(driver: WebDriver, text: str, line: int = 0, ch: int = 0) -> None:
    driver.execute_script("""const cm = document.querySelector(arguments[0]).CodeMirror;
        cm.setValue(arguments[1]); cm.focus(); cm.setCursor({line: arguments[2], ch: arguments[3]});""",
                          EDITOR, text, line, ch)


def query_text(driver: WebDriver) -> str:
    return driver.execute_script("return document.querySelector(arguments[0]).CodeMirror.getValue()", EDITOR)


def run_with_ctrl_enter(driver: WebDriver) -> None:
    driver.execute_script("document.querySelector(arguments[0]).CodeMirror.focus()", EDITOR)
    ActionChains(driver).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()


def hints(driver: WebDriver) -> list[str]:
    """The completions on offer, read at once (the list is redrawn as one types)."""
    return driver.execute_script("return [...document.querySelectorAll(arguments[0])].map((li) => li.textContent)",
                                 HINTS)


def offered(driver: WebDriver, wanted) -> list[str]:
    """The completions on offer once ``wanted`` says they are the expected ones."""
    wait(driver).until(lambda d: wanted(hints(d)), message=f"completions offered: {hints(driver)}")
    return hints(driver)


def test_the_editor_loads_with_no_error_and_asks_no_other_host(watched, site, screenshot):
    open_editor(watched, site + "/sparql")
    assert watched.find_element(By.TAG_NAME, "h1").text == "SPARQL query"
    assert not watched.find_element(By.ID, "query").is_displayed()  # the textarea became the editor
    assert query_text(watched).startswith("PREFIX cop: <https://w3id.org/b-tech-cop/ontology/>")
    screenshot("loaded")
    assert problems(watched) == []
    assert hosts_asked(watched) == {urlsplit(site).netloc}
    assert_accessible(watched)


def test_typing_a_prefixed_name_completes_this_datasets_classes_and_properties(watched, site, screenshot):
    open_editor(watched, site + "/sparql")
    set_query(watched, "SELECT * WHERE {\n  ?s a \n}", 1, 7)
    ActionChains(watched).send_keys("cop:").perform()
    classes = offered(watched, lambda found: "cop:Session COP session" in found)
    assert all(text.startswith("cop:") for text in classes), classes
    screenshot("classes")
    ActionChains(watched).send_keys("Sess").perform()
    offered(watched, lambda found: found == ["cop:Session COP session"])
    ActionChains(watched).send_keys(Keys.ENTER).perform()
    # the chosen class is written as a prefixed name, and its prefix is declared
    wait(watched).until(lambda d: "?s a cop:Session" in query_text(d))
    assert query_text(watched).startswith("PREFIX cop: <https://w3id.org/b-tech-cop/ontology/>\n")

    set_query(watched, "PREFIX org: <http://www.w3.org/ns/org#>\nSELECT * WHERE {\n  ?m  ?o\n}", 2, 5)
    ActionChains(watched).send_keys("org:mem").perform()
    properties = offered(watched, lambda found: any(text.startswith("org:memberDuring") for text in found))
    assert {text.split()[0] for text in properties} == {"org:member", "org:memberDuring"}

    set_query(watched, "\nSELECT * WHERE { ?s ?p ?o }", 0, 0)
    ActionChains(watched).send_keys("PREFIX sk").perform()
    offered(watched, lambda found: "skos: <http://www.w3.org/2004/02/skos/core#>" in found)
    screenshot("prefixes")
    assert problems(watched) == []
    assert hosts_asked(watched) == {urlsplit(site).netloc}


def test_the_default_query_lists_the_13_members_of_2022_once_each(watched, site, screenshot):
    open_editor(watched, site + "/sparql")
    watched.find_element(By.CSS_SELECTOR, "#query-form button[type='submit']").click()
    rows = wait(watched).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, ROWS)))
    headers = [th.text for th in watched.find_elements(By.CSS_SELECTOR, "#live-results table.results-table th")]
    members = [row.find_element(By.CSS_SELECTOR, "td:first-child a.iri").get_dom_attribute("title") for row in rows]
    names = [row.find_elements(By.TAG_NAME, "td")[1].text for row in rows]
    screenshot("results")
    assert headers == ["member", "name"]
    assert len(rows) == 13 and len(set(members)) == 13, names
    assert {"Apple", "Telefónica", "Vodafone"} <= set(names)
    assert watched.find_element(By.CSS_SELECTOR, "#live-results .result-count .rows").text == "13"
    # the page's address now holds the query, so a reload (with or without JavaScript) shows it
    assert parse_qs(urlsplit(watched.current_url).query)["query"] == [query_text(watched)]
    apple = rows[0].find_element(By.CSS_SELECTOR, "a.iri")
    assert apple.text == "<org/apple>" and apple.get_dom_attribute("href") == "/org/apple"  # as the server links
    assert problems(watched) == []
    assert hosts_asked(watched) == {urlsplit(site).netloc}
    assert_accessible(watched)


def test_a_count_query_is_drawn_as_a_chart(watched, site, screenshot):
    open_editor(watched, site + "/sparql")
    example = watched.find_element(By.CSS_SELECTOR, "ul.examples a.example[href$='example=instances-per-class']")
    example.click()
    wait(watched).until(lambda d: query_text(d) == example.get_dom_attribute("data-sparql"))
    run_with_ctrl_enter(watched)
    rows = wait(watched).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, ROWS)))
    watched.find_element(By.CSS_SELECTOR, "#live-results .yasr_btn.select_chart").click()
    chart = wait(watched).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#live-results svg.chart")))
    bars = chart.find_elements(By.CSS_SELECTOR, "rect.chart-bar")
    labels = [t.get_attribute("textContent") for t in chart.find_elements(By.CSS_SELECTOR, "text.chart-label title")]
    watched.execute_script("arguments[0].scrollIntoView()", chart)
    screenshot("chart")
    assert len(bars) == min(len(rows), 60) > 5  # one bar per class, the first 60 drawn
    assert all(float(bar.get_attribute("width")) > 0 for bar in bars)
    widths = [float(bar.get_attribute("width")) for bar in bars]
    assert widths == sorted(widths, reverse=True)  # most used first, as the query orders them
    assert {"org:Membership", "schema:Corporation"} <= set(labels), labels
    assert "instances" in watched.find_element(By.CSS_SELECTOR, "#live-results figcaption").text
    assert problems(watched) == []
    assert_accessible(watched)


def test_a_construct_query_shows_its_triples_and_its_turtle(watched, site, screenshot):
    open_editor(watched, site + "/sparql")
    set_query(watched, "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                       "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a <https://schema.org/Corporation> ; rdfs:label ?l }")
    run_with_ctrl_enter(watched)
    rows = wait(watched).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, ROWS)))
    headers = [th.text for th in watched.find_elements(By.CSS_SELECTOR, "#live-results table.results-table th")]
    assert headers == ["subject", "predicate", "object"] and len(rows) > 10
    assert "triples" in watched.find_element(By.CSS_SELECTOR, "#live-results .result-count").text
    watched.find_element(By.CSS_SELECTOR, "#live-results .yasr_btn.select_response").click()
    turtle = wait(watched).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#live-results .CodeMirror")))
    screenshot("turtle")
    assert "rdfs:label" in turtle.text and "@prefix" in turtle.text
    assert problems(watched) == []
    assert_accessible(watched)


def test_an_error_is_shown_with_the_cursor_where_it_is(watched, site, screenshot):
    open_editor(watched, site + "/sparql")
    set_query(watched, "SELECT ?x WHERE {\n  ?x ?y ) }")
    run_with_ctrl_enter(watched)
    error = wait(watched).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#live-results .query-error")))
    screenshot("error")
    assert "400 Bad Request" in error.text and "line 2, column" in error.text
    cursor = watched.execute_script("return document.querySelector(arguments[0]).CodeMirror.getCursor('from')", EDITOR)
    assert cursor["line"] == 1
    assert [p for p in problems(watched) if "error:" in p or "CSP" in p] == []


def test_nothing_scrolls_sideways_at_390_px(watched, site, screenshot):
    size = watched.get_window_size()
    watched.set_window_size(390, 844)
    try:
        open_editor(watched, site + "/sparql?example=members-over-time")
        run_with_ctrl_enter(watched)
        wait(watched).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, ROWS)))
        watched.find_element(By.CSS_SELECTOR, "#live-results .yasr_btn.select_chart").click()
        chart = wait(watched).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#live-results svg.chart")))
        watched.execute_script("arguments[0].scrollIntoView()", chart)
        screenshot("narrow")
        width = watched.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"
        assert_accessible(watched)
    finally:
        watched.set_window_size(size["width"], size["height"])


def test_without_javascript_the_form_still_runs_the_query(browser, site, screenshot):
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(site + "/sparql")
        textarea = browser.find_element(By.ID, "query")
        assert textarea.is_displayed() and not browser.find_elements(By.CSS_SELECTOR, EDITOR)
        browser.find_element(By.CSS_SELECTOR, "#query-form button[type='submit']").click()
        served = "section.results table.results-table tbody tr"  # the server's own table
        rows = wait(browser).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, served)))
        screenshot("no-javascript")
        assert len(rows) == 13
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
