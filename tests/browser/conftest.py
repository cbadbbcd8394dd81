"""Browser fixtures: the real `cop-graph serve`, headless Chromium driven by Selenium, and
screenshots of every step saved to test-artifacts/browser/.

Chromium and its driver are Debian's (/usr/bin/chromium, /usr/bin/chromedriver), installed
by the README's test command; both paths are given explicitly so nothing is downloaded."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from ..conftest import ROOT, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
PAGE_LOAD_TIMEOUT = 60  # seconds; a limit against hanging, never an assertion
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1024", "--lang=en-GB")


@pytest.fixture(scope="session")
def site(cop_graph_bin) -> Iterator[str]:
    """The base URL of a real `cop-graph serve` on 127.0.0.1."""
    with running_server(cop_graph_bin) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"{' and '.join(missing)} not found: the browser tests need Debian's chromium and "
                    "chromium-driver; run the README's test command, which installs them", pytrace=False)
    profile = tempfile.mkdtemp(prefix="cop-graph-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
        driver.set_script_timeout(PAGE_LOAD_TIMEOUT)
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _file_name(test: str, step: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{test}-{step}").strip("-") + ".png"


@pytest.fixture
def screenshot(browser, request) -> Callable[[str], Path]:
    """``screenshot("step")`` saves test-artifacts/browser/<test>-<step>.png and returns its path."""
    def save(step: str) -> Path:
        path = ARTIFACTS / _file_name(request.node.name, step)
        assert browser.save_screenshot(str(path)), f"could not save the screenshot {path}"
        return path
    return save


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test also leaves a screenshot of where the browser was."""
    outcome = yield
    result = outcome.get_result()
    driver = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if result.when == "call" and result.failed and driver is not None:
        driver.save_screenshot(str(ARTIFACTS / _file_name(item.name, "failed")))
