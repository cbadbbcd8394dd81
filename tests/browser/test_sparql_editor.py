"""The query editor on /sparql in real headless Chromium: the vendored editor loads without
an error and without asking any other host, completes this dataset's prefixes, classes and
properties, runs queries against this server and shows their answers as a table, a chart,
Turtle or, for CONSTRUCT and DESCRIBE, a graph drawn with cytoscape.js, fits a 390 px screen,
passes axe, and the page still works with JavaScript off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest
from rdflib import Graph, Literal
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from .accessibility import assert_accessible
from .test_pages import response_status

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("browser")]

WAIT = 30  # seconds an explicit wait may take before it fails; no assertion is about time
EDITOR = ".query-editor .CodeMirror"
ROWS = "#live-results table.results-table tbody tr"
HINTS = ".CodeMirror-hints li"
GRAPH = "#live-results .graph-canvas[data-ready='true']"
GRAPH_TRIPLES = 500  # sparql-editor.js draws no more than these
# Every session with the topics of its theme, and their names: sessions share topics.
SESSION_TOPICS = """PREFIX cop: <https://w3id.org/b-tech-cop/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?session cop:theme ?topic ; rdfs:label ?name . ?topic skos:prefLabel ?topicName }
WHERE {
  ?session cop:theme ?topic .
  FILTER (isIRI(?topic))
  OPTIONAL { ?session rdfs:label ?name }
  OPTIONAL { ?topic skos:prefLabel ?topicName }
}"""
REMEDY = "https://w3id.org/b-tech-cop/topic/remedy"
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
    wait(watched).until(ec.presence_of_element_located((By.CSS_SELECTOR, GRAPH)))  # a graph answer opens as a graph
    watched.find_element(By.CSS_SELECTOR, "#live-results .yasr_btn.select_table").click()
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


def constructed(site: str, query: str) -> Graph:
    """The endpoint's own answer to a CONSTRUCT query, asked over HTTP as any client would."""
    request = Request(site + "/sparql", data=urlencode({"query": query}).encode(),
                      headers={"Accept": "application/n-triples"})
    with urlopen(request, timeout=WAIT) as response:
        return Graph().parse(data=response.read().decode("utf-8"), format="nt")


def drawing(driver: WebDriver) -> dict:
    """What cytoscape draws in the graph view: counts, zoom, node names and link names."""
    return driver.execute_script("""const cy = window.copResultGraph;
        return {nodes: cy.nodes().length, edges: cy.edges().length, zoom: cy.zoom(),
                labels: cy.nodes().map((n) => n.data('name')),
                links: [...new Set(cy.edges().map((e) => e.data('text')))]};""")


def overlapping_labels(driver: WebDriver) -> list[list[str]]:
    """The pairs of nodes whose boxes, labels included, overlap in the graph view."""
    return driver.execute_script("""const nodes = window.copResultGraph.nodes().toArray();
        const boxes = nodes.map((n) => n.boundingBox({includeLabels: true, includeOverlays: false}));
        const pairs = [];
        boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b, k) => {
            if (Math.min(a.x2, b.x2) > Math.max(a.x1, b.x1) && Math.min(a.y2, b.y2) > Math.max(a.y1, b.y1)) {
                pairs.push([nodes[i].data('name'), nodes[i + 1 + k].data('name')]);
            }
        }));
        return pairs;""")


def view_button(driver: WebDriver, view: str) -> set[str]:
    """The classes of the button that shows a view (``selected``, ``disabled``)."""
    button = driver.find_element(By.CSS_SELECTOR, f"#live-results .yasr_btn.select_{view}")
    return set(button.get_attribute("class").split())


def test_a_construct_answer_is_drawn_as_a_graph_to_explore(watched, site, screenshot):
    answer = constructed(site, SESSION_TOPICS)
    resources = {s for s, _, _ in answer} | {o for _, _, o in answer if not isinstance(o, Literal)}
    links = [o for _, _, o in answer if not isinstance(o, Literal)]
    assert 10 < len(answer) <= GRAPH_TRIPLES and len(links) > 5  # drawn whole, with shared topics
    assert len(resources) < 2 * len(links)  # sessions share topics: the drawing is linked, not pairs

    open_editor(watched, site + "/sparql")
    loaded = "return [typeof window.cytoscape, document.querySelectorAll('script[src*=\"cytoscape\"]').length]"
    assert watched.execute_script(loaded) == ["undefined", 0]  # not until a graph is drawn
    set_query(watched, SESSION_TOPICS)
    run_with_ctrl_enter(watched)
    canvas = wait(watched).until(ec.visibility_of_element_located((By.CSS_SELECTOR, GRAPH)))
    assert "selected" in view_button(watched, "graph") and "disabled" in view_button(watched, "chart")
    drawn = drawing(watched)
    assert (drawn["nodes"], drawn["edges"]) == (len(resources), len(links))
    assert "Remedy" in drawn["labels"] and drawn["links"] == ["theme"]  # the names in the answer and in the term list
    summary = watched.find_element(By.CSS_SELECTOR, "#live-results .graph-summary").text
    assert f"{len(resources)} resources and {len(links)} links, from {len(answer)} triples" in summary
    assert canvas.size["height"] >= 320 and canvas.get_attribute("role") == "img"
    assert overlapping_labels(watched) == []
    watched.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    screenshot("graph")
    assert problems(watched) == []
    assert hosts_asked(watched) == {urlsplit(site).netloc}
    assert_accessible(watched)

    watched.find_element(By.CSS_SELECTOR, "#live-results [data-zoom=in]").click()
    assert drawing(watched)["zoom"] == pytest.approx(drawn["zoom"] * 1.4, rel=1e-3)
    watched.find_element(By.CSS_SELECTOR, "#live-results [data-zoom=fit]").click()
    assert drawing(watched)["zoom"] == pytest.approx(drawn["zoom"], rel=1e-3)

    def wheel_zooms_in(driver: WebDriver) -> bool:
        # cytoscape leaves the wheel to the page for a moment after the page scrolled: turn it until it zooms
        ActionChains(driver).scroll_from_origin(ScrollOrigin.from_element(canvas), 0, -300).perform()
        return drawing(driver)["zoom"] > drawn["zoom"] * 1.01

    wait(watched).until(wheel_zooms_in, message="the mouse wheel did not zoom the graph in")

    # a SELECT keeps its table, with no graph on offer; the next CONSTRUCT is drawn again, by the
    # cytoscape.js already loaded
    set_query(watched, "SELECT ?s WHERE { ?s a <https://schema.org/Corporation> } LIMIT 3")
    run_with_ctrl_enter(watched)
    wait(watched).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, ROWS)))
    assert "selected" in view_button(watched, "table") and "disabled" in view_button(watched, "graph")
    set_query(watched, SESSION_TOPICS)
    run_with_ctrl_enter(watched)
    canvas = wait(watched).until(ec.visibility_of_element_located((By.CSS_SELECTOR, GRAPH)))
    assert watched.execute_script(loaded) == ["function", 1]  # loaded once, for the first graph
    assert drawing(watched)["nodes"] == len(resources)

    # a click on a resource of this dataset opens its page, as the network page does
    watched.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    at = watched.execute_script("return window.copResultGraph.getElementById(arguments[0]).renderedPosition()", REMEDY)
    start = watched.current_url
    ActionChains(watched).move_to_element_with_offset(canvas, round(at["x"] - canvas.size["width"] / 2),
                                                      round(at["y"] - canvas.size["height"] / 2)).click().perform()
    wait(watched).until(ec.url_changes(start))
    wait(watched).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert urlsplit(watched.current_url).path == "/topic/remedy" and response_status(watched) == 200
    assert watched.find_element(By.TAG_NAME, "h1").text == "Remedy"
    assert problems(watched) == []


def test_a_large_graph_answer_is_drawn_in_part_and_says_so(watched, site, screenshot):
    everything = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    total = len(constructed(site, everything))
    assert total > GRAPH_TRIPLES
    open_editor(watched, site + "/sparql")
    set_query(watched, everything)
    run_with_ctrl_enter(watched)
    canvas = wait(watched).until(ec.visibility_of_element_located((By.CSS_SELECTOR, GRAPH)))
    summary = watched.find_element(By.CSS_SELECTOR, "#live-results .graph-summary").text
    assert summary.startswith(f"The answer has {total:,} triples: only the first {GRAPH_TRIPLES} are drawn"), summary
    assert "The Table view lists them all." in summary
    drawn = drawing(watched)
    literals = int(re.search(r"\(([\d,]+) literals in all\)", summary).group(1).replace(",", ""))
    assert drawn["edges"] + literals == GRAPH_TRIPLES  # each triple drawn is a link or a node's value
    assert f"{drawn['nodes']:,} resources and {drawn['edges']:,} links" in summary
    watched.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    screenshot("capped")
    assert problems(watched) == []


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
        set_query(watched, SESSION_TOPICS)
        run_with_ctrl_enter(watched)
        graph = wait(watched).until(ec.visibility_of_element_located((By.CSS_SELECTOR, GRAPH)))
        watched.execute_script("arguments[0].scrollIntoView()", graph)
        screenshot("narrow-graph")
        width = watched.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"with the graph the page is {width[0]} px wide in a {width[1]} px window"
        assert graph.size["width"] <= width[1]
        assert_accessible(watched)
        assert problems(watched) == []
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
