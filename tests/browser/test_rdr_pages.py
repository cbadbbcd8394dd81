"""Ranking Digital Rights' scores in real headless Chromium, at a desktop width (1366 px) and a
phone's (390 px): /rdr, a COP member's page and an indicator's page fit the window (nothing
scrolls sideways, the score tables included), draw their bars as long as the scores they
stand beside, keep RDR's HTML as text, and pass axe-core. Screenshots go to
test-artifacts/browser/."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from .accessibility import assert_accessible
from .test_page_kinds import sized
from .test_pages import open_page

pytestmark = [pytest.mark.full, pytest.mark.xdist_group("browser")]

WIDTHS = (1366, 390)
PAGES = {
    "comparison": "/rdr",
    "comparison-2020": "/rdr?year=2020",
    "member": "/org/microsoft",
    "indicator": "/import/rdr-2022/indicator/G4",
}

# Each bar's drawn width as a share of its track, beside the number it stands for; and
# whether any score table is wider than the box it sits in.
BARS = """
return Array.from(document.querySelectorAll("figure.rdr-chart svg.rdr-bar")).map(svg => {
  const fill = svg.querySelector("rect.rdr-fill"), box = svg.getBoundingClientRect();
  return {share: box.width ? fill.getBoundingClientRect().width / box.width : -1, width: box.width,
          text: svg.parentElement.querySelector(".rdr-value").textContent.trim()};
});
"""
OVERFLOWING = """
return Array.from(document.querySelectorAll("figure.rdr-chart")).filter(
  f => f.querySelector("table").getBoundingClientRect().width > f.getBoundingClientRect().width + 1).length;
"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(PAGES))
def test_rdr_pages_fit_draw_their_bars_and_are_accessible(browser, site, screenshot, kind, width):
    sized(browser, width)
    try:
        open_page(browser, site + PAGES[kind])
        charts = browser.find_elements(By.CSS_SELECTOR, "figure.rdr-chart")
        assert charts, f"{PAGES[kind]} draws no chart"
        browser.execute_script("arguments[0].scrollIntoView()", charts[0])  # the chart in the screenshot
        screenshot(f"{kind}-{width}")
        scroll, inner = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{PAGES[kind]} is {scroll} px wide in a {inner} px window"
        assert browser.execute_script(OVERFLOWING) == 0, f"a score table of {PAGES[kind]} is wider than its box"
        drawn = browser.execute_script(BARS)
        assert len(drawn) >= 14
        for bar in drawn:
            assert bar["width"] >= 20, f"a bar of {PAGES[kind]} is only {bar['width']} px wide"
            assert bar["share"] == pytest.approx(float(bar["text"]) / 100, abs=0.02), bar
        main = browser.find_element(By.TAG_NAME, "main").text
        assert "<p>" not in main and "<a " not in main
        assert "not what it does in practice" in main
        assert_accessible(browser)
    finally:
        sized(browser, 1280)


def test_a_member_is_marked_in_words_not_only_by_colour(browser, site):
    open_page(browser, site + "/rdr")
    rows = browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='rdr-G4'] tr.rdr-is-member")
    named = [row for row in rows if row.find_elements(By.CSS_SELECTOR, "th a")]
    assert len(named) == 5 and all("COP member" in row.text for row in named)
    member, other = (browser.execute_script(
        "return getComputedStyle(document.querySelector(arguments[0])).fill",
        f"section[aria-labelledby='rdr-G4'] tr.{kind} .rdr-fill") for kind in ("rdr-is-member", "rdr-is-other"))
    assert member != other


def test_the_year_can_be_chosen_without_script(browser, site):
    open_page(browser, site + "/rdr")
    browser.find_element(By.CSS_SELECTOR, "nav.rdr-years a").click()
    assert browser.current_url.endswith("/rdr?year=2020")
    assert browser.find_element(By.CSS_SELECTOR, "nav.rdr-years [aria-current]").text == "2020"
    assert browser.find_element(By.ID, "rdr-means").text == "The groups' means in 2020"
