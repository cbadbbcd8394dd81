#!/usr/bin/env python3
"""Make the explorer's screenshots in ``docs/screenshots/`` (docs/explorer.md shows them).

It starts ``cop-graph serve`` on the bundled data on a free port of 127.0.0.1, waits until
the server and each page are ready (not the 503 "being prepared" page), opens the pages in
Debian's headless Chromium driven by Selenium, saves one viewport-sized PNG per picture and
stops the server, also when something fails. It prints each file written with its size.

    .venv/bin/python scripts/screenshots.py                 # into docs/screenshots/
    .venv/bin/python scripts/screenshots.py --out /tmp/shots
    .venv/bin/python scripts/screenshots.py --root DIR       # another ontology/, data/, queries/

It needs the package installed with its test extras (Selenium) and Debian's ``chromium`` and
``chromium-driver`` (/usr/bin/chromium, /usr/bin/chromedriver), as the browser tests do.
The file names carry no date, so running it again replaces the same files.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--lang=en-GB", "--window-size=1366,900")
DESKTOP = (1366, 900)
PHONE = (390, 844)
# A full-HD screen's height: the topic page's first screen then reaches down to "What links
# here", where the session on the topic is named with its date.
DESKTOP_TALL = (1366, 1080)
START_TIMEOUT = 120  # seconds for the server to load the data and answer
WAIT = 60  # seconds a page may take to be ready; a limit against hanging, not a measure
MAX_BYTES = 250_000  # a picture in the docs should not weigh more than this
EDITOR = ".query-editor .CodeMirror"
RESULT_ROWS = "#live-results table.results-table tbody tr"

# True once one of cytoscape's canvases has something drawn on it (data-ready is set as soon
# as cytoscape is made, a frame or two before it draws).
DRAWN = """
const box = document.getElementById('network-canvas');
if (!box || box.dataset.ready !== 'true') return false;
return [...box.querySelectorAll('canvas')].some((c) => {
  if (!c.width || !c.height) return false;
  const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) return true;
  return false;
});"""
# Two animation frames: what the last scroll or script changed has been painted.
PAINTED = "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(done));"


def console_script(name: str) -> str:
    """The console script beside the running Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"the {name} console script is not installed: run pip install -e '.[test]'")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_of(url: str) -> int | None:
    """The HTTP status a GET of ``url`` answers, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for_200(url: str, timeout: float, server: subprocess.Popen | None = None) -> None:
    """Waits until ``url`` answers 200: a page whose data is still being prepared answers
    503, and the server answers nothing until it has loaded the data."""
    deadline = time.monotonic() + timeout
    while (status := status_of(url)) != 200:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"cop-graph serve exited with status {server.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} still answers {status or 'nothing'} after {timeout:.0f} s")
        time.sleep(0.3)


@contextlib.contextmanager
def served(root: Path | None = None) -> Iterator[str]:
    """`cop-graph serve` on the bundled data (or on the ontology/, data/ and queries/ under
    ``root``); yields its base URL and stops it after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # No COP_GRAPH_ setting from the caller's shell: the pictures show the bundled data in
    # the default store, whatever store the caller has configured.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    if root is not None:
        environment["COP_GRAPH_ROOT"] = str(root.resolve())
    argv = [console_script("cop-graph"), "serve", "--port", str(port), "--host", "127.0.0.1", "--no-access-log"]
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment,
                              cwd=ROOT)
    try:
        wait_for_200(url + "/status", START_TIMEOUT, server)
        wait_for_200(url + "/", START_TIMEOUT, server)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                server.kill()
            server.wait(timeout=15)


@contextlib.contextmanager
def chromium() -> Iterator[WebDriver]:
    """Headless Chromium with a profile of its own, removed after."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        raise SystemExit(f"{' and '.join(missing)} not found: install Debian's chromium and chromium-driver")
    profile = tempfile.mkdtemp(prefix="cop-graph-screenshots-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(WAIT)
        driver.set_script_timeout(WAIT)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver: WebDriver) -> WebDriverWait:
    return WebDriverWait(driver, WAIT)


def set_viewport(driver: WebDriver, size: tuple[int, int]) -> None:
    """The page's viewport exactly ``size`` CSS pixels at one device pixel each, so the PNG is
    that size whatever the window around it; a phone width is emulated as a phone."""
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def open_page(driver: WebDriver, url: str) -> None:
    """Opens ``url`` once the server answers it with 200, and waits for it to load."""
    wait_for_200(url, WAIT)
    driver.get(url)
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")
    status = driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")
    if status != 200:
        raise RuntimeError(f"{url} answered {status} in the browser")
    driver.execute_async_script("document.fonts.ready.then(() => arguments[0]())")


def scroll_to(driver: WebDriver, selector: str, margin: int = 12) -> None:
    """Scrolls so that the element's top is ``margin`` px below the top of the view."""
    element = driver.find_element(By.CSS_SELECTOR, selector)
    driver.execute_script("window.scrollTo(0, arguments[0].getBoundingClientRect().top + window.scrollY"
                          " - arguments[1])", element, margin)


def scroll_to_bottom_of(driver: WebDriver, selector: str, margin: int = 16) -> None:
    """Scrolls so that the element's bottom is ``margin`` px above the bottom of the view."""
    element = driver.find_element(By.CSS_SELECTOR, selector)
    driver.execute_script("window.scrollTo(0, arguments[0].getBoundingClientRect().bottom + window.scrollY"
                          " - window.innerHeight + arguments[1])", element, margin)


# Each shot opens and arranges a page; the base URL is its argument.
def home(driver: WebDriver, site: str) -> None:
    open_page(driver, site + "/")


def who_took_part(driver: WebDriver, site: str) -> None:
    open_page(driver, site + "/")
    scroll_to(driver, "section[aria-labelledby=members]")


def topic_remedy(driver: WebDriver, site: str) -> None:
    open_page(driver, site + "/topic/remedy")


def network(driver: WebDriver, site: str) -> None:
    open_page(driver, site + "/network")
    wait(driver).until(lambda d: d.execute_script(DRAWN), message="the interactive network was not drawn")
    # The kind filter above the drawing says what the colours are; the drawing fits below it.
    scroll_to(driver, "#network-explorer fieldset")


def sparql(driver: WebDriver, site: str) -> None:
    open_page(driver, site + "/sparql")
    wait(driver).until(ec.visibility_of_element_located((By.CSS_SELECTOR, EDITOR)))
    driver.execute_script("document.querySelector(arguments[0]).CodeMirror.focus()", EDITOR)
    ActionChains(driver).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    wait(driver).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, RESULT_ROWS)),
                       message="running the pre-filled query showed no result table")
    # The editor's blinking cursor would make the picture differ from one run to the next.
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    # The whole result table, with as much of the query above it as fits.
    scroll_to_bottom_of(driver, "#live-results")


@dataclass(frozen=True)
class Shot:
    name: str
    size: tuple[int, int]
    arrange: Callable[[WebDriver, str], None]


SHOTS = (
    Shot("home-1366.png", DESKTOP, home),
    Shot("home-390.png", PHONE, home),
    Shot("home-who-took-part-1366.png", DESKTOP, who_took_part),
    Shot("topic-remedy-1366.png", DESKTOP_TALL, topic_remedy),
    Shot("network-1366.png", DESKTOP, network),
    Shot("sparql-1366.png", DESKTOP, sparql),
)


def take(driver: WebDriver, site: str, shot: Shot, out: Path) -> Path:
    set_viewport(driver, shot.size)
    shot.arrange(driver, site)
    driver.execute_async_script(PAINTED)
    png = driver.get_screenshot_as_png()
    if len(png) > MAX_BYTES:
        png = smaller(png)
    path = out / shot.name
    path.write_bytes(png)
    return path


def smaller(png: bytes) -> bytes:
    """The picture reduced to a palette of 256 colours, when Pillow is there to do it."""
    try:
        from PIL import Image
    except ImportError:
        print(f"  (over {MAX_BYTES // 1000} KB and Pillow is not installed: kept as it is)", file=sys.stderr)
        return png
    with Image.open(io.BytesIO(png)) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        buffer = io.BytesIO()
        reduced.save(buffer, format="PNG", optimize=True)
    return min(png, buffer.getvalue(), key=len)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the PNGs (default: %(default)s)")
    parser.add_argument("--root", type=Path, default=None,
                        help="folder holding the ontology/, data/ and queries/ to show (default: the bundled ones)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with served(args.root) as site, chromium() as driver:
        for shot in SHOTS:
            path = take(driver, site, shot, out)
            print(f"{path}  {path.stat().st_size / 1000:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
