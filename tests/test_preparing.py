"""A page whose data is not computed within the query time limit says it is being
prepared (503, ``Retry-After``, a page that reloads itself) while the computation goes on
in the background, other pages and ``/status`` keep answering, and the next request after
it is done gets the page."""

from __future__ import annotations

import threading
import time

import pytest

from cop_graph.config import load_config
from cop_graph.web import create_app
from cop_graph.web.pages import home

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def slow_home(monkeypatch):
    """The home page's glance held back until the test lets it go."""
    release, calls = threading.Event(), []
    glance = home._glance

    def held(loaded):
        calls.append(threading.current_thread().name)
        release.wait(60)
        return glance(loaded)

    monkeypatch.setattr(home, "_glance", held)
    yield release, calls
    release.set()


def test_a_page_still_computing_answers_503_and_the_work_goes_on(slow_home):
    release, calls = slow_home
    client = create_app(load_config(workers=0, query_timeout=0.2)).test_client()

    page = client.get("/", headers=BROWSER)
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "1" and page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="1">' in body and "being prepared" in body
    data = client.get("/", headers={"Accept": "application/json"})
    assert data.status_code == 503 and data.mimetype == "text/plain" and "still being computed" in data.get_data(True)

    # meanwhile: the service's status and pages that do not need the glance answer
    assert client.get("/status").status_code == 200
    assert client.get("/org/telefonica", headers=BROWSER).status_code == 200
    assert calls and all(name.startswith("cop-graph-memo") for name in calls)  # never a request's thread

    release.set()
    deadline = time.monotonic() + 60
    while (answer := client.get("/", headers=BROWSER)).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert answer.status_code == 200 and "Telefónica" in answer.get_data(as_text=True)
    assert len(calls) == 1  # computed once, for every request that asked


def test_a_resource_page_never_waits_behind_busy_builders(slow_home):
    """Every builder held by an aggregate: a resource page, which aggregates nothing, still answers."""
    from cop_graph.errors import Preparing
    from cop_graph.store.memo import BUILDERS

    release, _ = slow_home
    app = create_app(load_config(workers=0, query_timeout=0.2))
    client, loaded = app.test_client(), app.extensions["cop_dataset"]
    for n in range(BUILDERS):
        with pytest.raises(Preparing):
            loaded.memo("held", n, build=lambda: release.wait(60), wait=0.05)
    assert client.get("/org/telefonica", headers=BROWSER).status_code == 200
    assert client.get("/session/2022-05-17", headers=BROWSER).status_code == 200
