"""The accessibility check: axe-core, run inside the page.

axe-core's ``axe.min.js`` comes from the PyPI package ``axe-core-python`` (in the ``test``
extra); it is read from the installed package and injected into the page under test."""

from __future__ import annotations

from functools import cache
from importlib import resources

from selenium.webdriver.remote.webdriver import WebDriver

TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING = ("serious", "critical")

_RUN = """
return axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then(result => ({version: axe.version, violations: result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary}))}))}));
"""


@cache
def axe_script() -> str:
    return resources.files("axe_core_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def violations(driver: WebDriver) -> list[dict]:
    """axe-core's WCAG 2 A/AA violations on the browser's current page."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(axe_script())
    result = driver.execute_script(_RUN, list(TAGS))
    assert result and result["version"], "axe-core did not run in the page"
    return result["violations"]


def describe(found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def assert_accessible(driver: WebDriver) -> list[dict]:
    """Fails on any serious or critical violation, listing each with its targets and help;
    returns the lesser ones."""
    found = violations(driver)
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert not blocking, (f"{len(blocking)} serious or critical accessibility violation(s) on "
                          f"{driver.current_url}:\n{describe(blocking)}")
    if found:
        print(f"lesser accessibility findings on {driver.current_url}:\n{describe(found)}")
    return found
