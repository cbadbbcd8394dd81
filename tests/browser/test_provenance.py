"""Where it says so, statement by statement, in real headless Chromium at a desktop width
(1366 px) and a phone's (390 px): a resource that mixes sources fits the window, each
statement's number leads to its source, curated mappings read as curated, the page offers
its citations, and it passes axe-core. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from .accessibility import assert_accessible
from .test_page_kinds import sized
from .test_pages import open_page, wait

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("browser")]

IN_VIEW = """
const box = arguments[0].getBoundingClientRect();
return box.bottom > 0 && box.top < window.innerHeight;  // some of it is on screen
"""


@pytest.mark.parametrize("width", (1366, 390))
def test_a_statement_number_leads_to_its_source(browser, site, screenshot, width):
    sized(browser, width)
    try:
        open_page(browser, site + "/org/b-tech-project")
        scroll, inner = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"/org/b-tech-project is {scroll} px wide in a {inner} px window"
        rows = browser.find_elements(By.CSS_SELECTOR, "table.statements tr")
        row = next(r for r in rows if r.find_elements(By.TAG_NAME, "th")
                   and r.find_element(By.TAG_NAME, "th").text.strip() == "founded")
        ref = row.find_element(By.CSS_SELECTOR, "sup.refs a")
        target = ref.get_dom_attribute("href")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", ref)
        ref.click()
        wait(browser).until(lambda d: d.execute_script("return location.hash") == target)
        source = browser.find_element(By.CSS_SELECTOR, target)
        assert browser.execute_script(IN_VIEW, source), "the source is not scrolled into view"
        assert "B-Tech Project portal" in source.text and "founded: 2019" in source.text
        screenshot(f"b-tech-project-source-{width}")
        cite = browser.find_elements(By.CSS_SELECTOR, "p.cite a")
        assert [a.text for a in cite] == ["CSL-JSON", "BibTeX", "RIS"]
        if width == 1366:
            assert_accessible(browser)
    finally:
        sized(browser, 1280)


def test_curated_mappings_read_as_curated(browser, site, screenshot):
    open_page(browser, site + "/topic/remedy")
    curated = browser.find_elements(By.CSS_SELECTOR, "ol.sources li.source-curated")
    assert len(curated) >= 10
    assert all("Curated, not a statement of the sources" in li.text for li in curated)
    assert not browser.find_elements(By.CSS_SELECTOR, "ol.sources li.source-curated blockquote")
    screenshot("remedy-sources")
    assert_accessible(browser)
