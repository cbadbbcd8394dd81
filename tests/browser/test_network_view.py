"""The interactive network in real headless Chromium: /network drawn by cytoscape.js from
the page's own data, with pan, zoom, the kind filter, finding a node and clicking it open;
the statement that replaces a projection in which everyone is linked to everyone; and the
neighbourhood on a resource page with no label cut at its edge. Every page is checked with
axe-core and leaves screenshots in test-artifacts/browser/."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from .accessibility import assert_accessible
from .test_pages import open_page, response_status, wait

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("browser")]

TELEFONICA = "https://w3id.org/b-tech-cop/org/telefonica"

# Kept for the page: every Content Security Policy violation the browser reports.
WATCH_CSP = ("window.__cspViolations = [];"
             "document.addEventListener('securitypolicyviolation',"
             " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));")


@pytest.fixture
def csp_watched(browser):
    """Pages opened during the test record CSP violations in ``window.__cspViolations``."""
    script = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_CSP})
    yield browser
    browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})


def open_network(driver: WebDriver, url: str) -> None:
    """Opens a network page and waits for cytoscape to have drawn it."""
    open_page(driver, url)
    wait(driver).until(lambda d: d.execute_script(
        "const c = document.getElementById('network-canvas'); return !!c && c.dataset.ready === 'true'"),
        message="the interactive network was not drawn")


def viewport(driver: WebDriver) -> tuple[float, float, float]:
    """cytoscape's zoom and pan: (zoom, pan x, pan y)."""
    zoom, pan = driver.execute_script("return [window.copNetwork.zoom(), window.copNetwork.pan()]")
    return zoom, pan["x"], pan["y"]


def rendered(driver: WebDriver, iri: str) -> tuple[float, float]:
    """Where a node is drawn, in pixels from the canvas's top left corner."""
    position = driver.execute_script("return window.copNetwork.getElementById(arguments[0]).renderedPosition()", iri)
    return position["x"], position["y"]


def empty_spot(driver: WebDriver) -> tuple[float, float]:
    """A point of the canvas, from its top left corner, at least 30 px from every node."""
    return tuple(driver.execute_script("""
        const cy = window.copNetwork, w = cy.width(), h = cy.height();
        const near = (x, y) => cy.nodes(':visible').some(n => {
            const p = n.renderedPosition(); return Math.hypot(p.x - x, p.y - y) < 30; });
        for (let y = 20; y < h - 20; y += 15) for (let x = 20; x < w - 20; x += 15) if (!near(x, y)) return [x, y];
        return null;"""))


def into_view(driver: WebDriver) -> None:
    canvas = driver.find_element(By.ID, "network-canvas")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)


def at(driver: WebDriver, canvas, x: float, y: float) -> ActionChains:
    """Actions with the pointer at (x, y) of the canvas (Selenium's offsets are from its centre)."""
    size = canvas.size
    return ActionChains(driver).move_to_element_with_offset(canvas, round(x - size["width"] / 2),
                                                            round(y - size["height"] / 2))


def test_the_network_is_drawn_by_cytoscape_from_the_pages_data(browser, site, screenshot, csp_watched):
    open_network(browser, site + "/network")
    counts = browser.execute_script("return [window.copNetwork.nodes().length, window.copNetwork.edges().length]")
    data = browser.execute_script("return JSON.parse(document.getElementById('network-data').textContent)")
    assert counts == [len(data["nodes"]), len(data["edges"])] == [38, 49]
    canvas = browser.find_element(By.ID, "network-canvas")
    assert canvas.is_displayed() and canvas.size["height"] >= 320
    for replaced in ("main .network-picture", "main .network-legend"):  # the SVG and its legend step aside
        assert not browser.find_element(By.CSS_SELECTOR, replaced).is_displayed(), replaced
    assert browser.find_element(By.CSS_SELECTOR, "main details.network-nodes").is_displayed()  # its table stays
    labels = browser.execute_script("return window.copNetwork.nodes().map(n => n.data('label'))")
    assert "COP Q2 Session 2 — 14 March 2022" in labels and "COP Q2 Session 2 — 17 May 2022" in labels
    assert browser.execute_script("return window.__cspViolations") == []
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    screenshot("drawn")
    assert_accessible(browser)


def test_zoom_and_pan_change_the_view(browser, site, screenshot):
    open_network(browser, site + "/network")
    canvas = browser.find_element(By.ID, "network-canvas")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    moved: list[tuple[float, float, float]] = []

    def drag_pans(driver: WebDriver) -> bool:
        # cytoscape takes a moment to notice the page scrolled: drag until the view follows
        before = viewport(driver)
        spot = empty_spot(driver)
        assert spot, "no empty spot on the canvas to drag from"
        at(driver, canvas, *spot).click_and_hold().move_by_offset(80, 50).move_by_offset(40, 25).release().perform()
        after = viewport(driver)
        moved[:] = [(after[0] / before[0], after[1] - before[1], after[2] - before[2])]
        return after != before

    wait(browser).until(drag_pans, message="dragging the background did not move the view")
    assert moved[0] == pytest.approx((1, 120, 75), abs=2)  # as far as the pointer went, at the same zoom
    screenshot("panned")

    zoom = viewport(browser)[0]
    browser.find_element(By.CSS_SELECTOR, "[data-zoom=in]").click()
    assert viewport(browser)[0] == pytest.approx(zoom * 1.4, rel=1e-3)
    browser.find_element(By.CSS_SELECTOR, "[data-zoom=out]").click()
    assert viewport(browser)[0] == pytest.approx(zoom, rel=1e-3)

    def wheel_zooms_in(driver: WebDriver) -> bool:
        # cytoscape leaves the wheel to the page for a moment after the page scrolled: turn it until it zooms
        ActionChains(driver).scroll_from_origin(ScrollOrigin.from_element(canvas), 0, -300).perform()
        return viewport(driver)[0] > zoom * 1.01

    wait(browser).until(wheel_zooms_in, message="the mouse wheel did not zoom in")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    screenshot("zoomed")

    browser.find_element(By.CSS_SELECTOR, "[data-zoom=fit]").click()
    fitted = browser.execute_script("""
        const cy = window.copNetwork, box = cy.nodes().renderedBoundingBox();
        return box.x1 >= -1 && box.y1 >= -1 && box.x2 <= cy.width() + 1 && box.y2 <= cy.height() + 1;""")
    assert fitted, "Fit left nodes outside the view"


def test_a_node_can_be_dragged_and_a_click_opens_its_page(browser, site, screenshot):
    open_network(browser, site + "/network")
    canvas = browser.find_element(By.ID, "network-canvas")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    before = browser.execute_script("return window.copNetwork.getElementById(arguments[0]).position()", TELEFONICA)
    x, y = rendered(browser, TELEFONICA)
    at(browser, canvas, x, y).click_and_hold().move_by_offset(30, 30).move_by_offset(10, 10).release().perform()
    moved = browser.execute_script("return window.copNetwork.getElementById(arguments[0]).position()", TELEFONICA)
    assert (moved["x"], moved["y"]) != (before["x"], before["y"]), "dragging did not move the node"
    assert urlsplit(browser.current_url).path == "/network", "a drag is not a click: it must not open the page"
    screenshot("dragged")

    start = browser.current_url
    at(browser, canvas, *rendered(browser, TELEFONICA)).click().perform()
    wait(browser).until(ec.url_changes(start))
    wait(browser).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert urlsplit(browser.current_url).path == "/org/telefonica" and response_status(browser) == 200
    assert browser.find_element(By.TAG_NAME, "h1").text == "Telefónica"
    screenshot("followed")


def test_find_a_node_selects_and_centres_it(browser, site, screenshot):
    open_network(browser, site + "/network")
    box = browser.find_element(By.ID, "network-find-input")
    box.send_keys("telefonica", Keys.ENTER)  # without its accent, as people type it
    found = browser.find_element(By.ID, "network-found")
    wait(browser).until(lambda d: "Telefónica (company)" in found.text)
    selected = browser.execute_script("return window.copNetwork.$('node:selected').map(n => n.id())")
    assert selected == [TELEFONICA]
    width, height = browser.execute_script("return [window.copNetwork.width(), window.copNetwork.height()]")

    def centred(driver: WebDriver) -> bool:  # the view glides there
        x, y = rendered(driver, TELEFONICA)
        return abs(x - width / 2) <= 2 and abs(y - height / 2) <= 2

    wait(browser).until(centred, message="the node found was not brought to the centre of the view")
    into_view(browser)
    screenshot("found")

    box.clear()
    box.send_keys("session 2", Keys.ENTER)  # two sessions share the label: the dates tell them apart
    wait(browser).until(lambda d: "match 1 of 2" in found.text)
    first = browser.execute_script("return window.copNetwork.$('node:selected').data('label')")
    browser.find_element(By.CSS_SELECTOR, "#network-find button[type=submit]").click()
    wait(browser).until(lambda d: "match 2 of 2" in found.text)
    second = browser.execute_script("return window.copNetwork.$('node:selected').data('label')")
    assert {first, second} == {"COP Q2 Session 2 — 14 March 2022", "COP Q2 Session 2 — 17 May 2022"}

    box.clear()
    box.send_keys("nobody of that name", Keys.ENTER)
    wait(browser).until(lambda d: "No node shown is named like" in found.text)


def test_the_kind_filter_hides_and_shows_a_kind(browser, site, screenshot):
    open_network(browser, site + "/network")
    visible = "return window.copNetwork.nodes(':visible').length"
    assert browser.execute_script(visible) == 38
    topics = browser.find_element(By.CSS_SELECTOR, ".network-kinds input[value='topic']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", topics)
    topics.click()
    wait(browser).until(lambda d: d.execute_script(visible) == 38 - 10, message="the topics were not hidden")
    hidden = browser.execute_script("return window.copNetwork.nodes(':hidden').map(n => n.data('kind'))")
    assert set(hidden) == {"topic"}
    box = browser.find_element(By.ID, "network-find-input")
    box.send_keys("Remedy", Keys.ENTER)
    wait(browser).until(lambda d: "No node shown is named like" in d.find_element(By.ID, "network-found").text)
    into_view(browser)
    screenshot("without-topics")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", topics)  # the search scrolled away
    topics.click()
    wait(browser).until(lambda d: d.execute_script(visible) == 38, message="the topics were not shown again")


@pytest.mark.parametrize("path", ["/network", "/network?projection=orgs&year=2022",
                                  "/network?resource=" + TELEFONICA])
def test_no_sideways_scroll_on_a_phone(browser, site, screenshot, path):
    browser.set_window_size(390, 844)
    try:
        open_page(browser, site + path)
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at 390 px"
        screenshot("phone")
    finally:
        browser.set_window_size(1280, 1024)


def test_organisations_of_a_year_are_said_in_words_not_drawn(browser, site, screenshot, csp_watched):
    open_page(browser, site + "/network?projection=orgs&year=2022")
    text = browser.find_element(By.CSS_SELECTOR, "main .network-statement").text
    assert text.startswith("All 18 organisations of 2022 share the same year")
    assert not browser.find_elements(By.ID, "network-canvas")
    assert not browser.find_elements(By.CSS_SELECTOR, "svg.network-svg")
    rows = browser.find_elements(By.CSS_SELECTOR, "main table.network-listing tbody tr")
    assert len(rows) == 18
    assert browser.execute_script("return window.__cspViolations") == []
    screenshot("statement")
    assert_accessible(browser)


@pytest.mark.parametrize("path", ["/org/telefonica", "/session/2022-05-17", "/series/cop-2022"])
def test_a_resource_pages_neighbourhood_is_drawn_whole(browser, site, screenshot, path):
    """Every label of the small picture lies inside it, measured by the browser's own text
    layout (the pictures used to be cut at 480 x 320, labels running off the edge)."""
    open_page(browser, site + path)
    picture = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=neighbourhood] svg.network-svg")
    outside = browser.execute_script("""
        const svg = arguments[0], view = svg.viewBox.baseVal;
        return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()]).filter(([_, b]) =>
            b.x < view.x || b.y < view.y || b.x + b.width > view.x + view.width
            || b.y + b.height > view.y + view.height).map(([text]) => text);""", picture)
    assert outside == [], f"labels cut at the picture's edge on {path}: {outside}"
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", picture)
    screenshot("neighbourhood")
    link = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=neighbourhood] a[href^='/network?resource=']")
    link.click()
    wait(browser).until(ec.url_contains("/network?resource="))
    open_network(browser, browser.current_url)
    assert browser.execute_script("return window.copNetwork.nodes('.centre').length") == 1
    screenshot("explored")
    assert_accessible(browser)
