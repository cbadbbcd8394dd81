"""The explorer's pages in real headless Chromium: what a person sees and does on them,
each page checked with axe-core, a screenshot of every step in test-artifacts/browser/."""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from .accessibility import assert_accessible

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("browser")]

ICRC_QUERY = 'SELECT ?name WHERE { ?org skos:altLabel "ICRC" ; rdfs:label ?name }'
WAIT = 30  # seconds an explicit wait may take before it fails; no assertion is about time


def wait(driver: WebDriver) -> WebDriverWait:
    return WebDriverWait(driver, WAIT)


def response_status(driver: WebDriver) -> int:
    """The HTTP status of the document the browser is showing (Navigation Timing)."""
    return driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")


def open_page(driver: WebDriver, url: str) -> None:
    driver.get(url)
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert response_status(driver) == 200, f"{url} answered {response_status(driver)}"


def test_home_page(browser, site, screenshot):
    open_page(browser, site + "/")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert "B-Tech Company Community of Practice" in heading
    assert browser.title == f"{heading} · cop-graph"
    nav = browser.find_element(By.CSS_SELECTOR, "header nav")
    assert {"Queries", "Network", "SPARQL"} <= {a.text for a in nav.find_elements(By.TAG_NAME, "a")}
    screenshot("loaded")
    assert_accessible(browser)


def test_sparql_page_runs_a_query_with_ctrl_enter(browser, site, screenshot):
    open_page(browser, site + "/sparql")
    assert browser.find_element(By.TAG_NAME, "h1").text == "SPARQL query"
    screenshot("loaded")
    assert_accessible(browser)

    # The textarea has become the query editor (CodeMirror): type into it as a person does.
    editor = wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".query-editor .CodeMirror")))
    browser.execute_script("const cm = arguments[0].CodeMirror; cm.setValue(''); cm.focus();", editor)
    ActionChains(browser).send_keys(ICRC_QUERY).perform()
    typed = browser.execute_script("return arguments[0].CodeMirror.getValue()", editor)
    assert typed.endswith(ICRC_QUERY)  # the editor may have written the PREFIX lines it uses above it
    assert browser.switch_to.active_element == browser.execute_script(
        "return arguments[0].CodeMirror.getInputField()", editor)
    screenshot("typed")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()

    # The query goes to /sparql from the page, its answer is drawn below the editor as a table,
    # and the page's address takes the query.
    rows = wait(browser).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR,
                                                                    "#live-results table.results-table tbody tr")))
    assert urlsplit(browser.current_url).path == "/sparql"
    assert parse_qs(urlsplit(browser.current_url).query)["query"] == [typed]
    names = [row.text for row in rows]
    screenshot("result")
    headers = browser.find_elements(By.CSS_SELECTOR, "#live-results table.results-table th")
    assert [th.text for th in headers] == ["name"]
    assert_accessible(browser)
    assert names == ["International Committee of the Red Cross"]


def test_named_query_page_shows_members_of_a_year(browser, site, screenshot):
    open_page(browser, site + "/queries/members-in-year")
    assert browser.find_element(By.TAG_NAME, "h1").text
    screenshot("loaded")
    assert_accessible(browser)

    year = browser.find_element(By.ID, "param-year")
    assert browser.find_element(By.CSS_SELECTOR, "label[for='param-year']").text.startswith("year")
    year.clear()
    year.send_keys("2022")
    screenshot("filled")
    browser.find_element(By.CSS_SELECTOR, "main form button[type='submit']").click()

    wait(browser).until(ec.url_contains("year=2022"))
    rows = wait(browser).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "main table tbody tr")))
    assert response_status(browser) == 200
    assert browser.find_element(By.ID, "param-year").get_attribute("value") == "2022"
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "main table thead th")]
    cells = [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]
    screenshot("results")
    assert len(rows) == 13, cells  # the COP's 13 members in 2022
    assert any("Apple" in cell for row in cells for cell in row), cells
    assert any("Telefónica" in cell for row in cells for cell in row), cells
    assert headers, "the results table has no header"
    assert "13 rows" in browser.find_element(By.TAG_NAME, "main").text
    assert_accessible(browser)


def test_network_view_links_its_nodes(browser, site, screenshot):
    """The list of the network's nodes under the drawing (there with or without JavaScript)
    names each node and leads to its page."""
    open_page(browser, site + "/network")
    assert browser.find_element(By.TAG_NAME, "h1").text
    links = browser.find_elements(By.CSS_SELECTOR, "main .network-nodes a, main table a")
    summary = browser.find_element(By.TAG_NAME, "main").text
    assert len(links) > 1 and "38 nodes" in summary
    screenshot("loaded")
    assert_accessible(browser)

    link = next(a for a in links if a.get_dom_attribute("href") == "/org/telefonica")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    target = urljoin(browser.current_url, link.get_dom_attribute("href"))
    start = browser.current_url
    browser.execute_script("arguments[0].closest('details') && (arguments[0].closest('details').open = true)", link)
    link.click()
    wait(browser).until(ec.url_changes(start))
    wait(browser).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert browser.current_url == target
    assert response_status(browser) == 200
    assert browser.title, f"{browser.current_url} has no title"
    screenshot("followed")
