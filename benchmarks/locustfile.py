"""Traffic for the load test (benchmarks/load_bench.py runs it with locust, headless).

``Reader`` is the light traffic people make: explorer pages, search, a named query, a few
small SPARQL queries. ``Hostile`` is one abusive client (its own address, 127.0.0.2) sending
queries that run until the time limit, each one different so that no answer cache helps;
its only acceptable answers are the refusals: ``503`` at the time limit, ``429`` with
``Retry-After`` beyond its share of the workers, ``503`` with it when every worker is busy. Every request is named
by its kind, so the statistics come per kind.
"""

from __future__ import annotations

import itertools
import os
import random
import urllib.parse

from locust import HttpUser, between, task
from requests.adapters import HTTPAdapter

JSON = {"Accept": "application/sparql-results+json"}
HTML = {"Accept": "text/html"}
PAGES = ["/", "/org/apple", "/org/telefonica", "/topic/human-rights-due-diligence", "/timeline?year=2022",
         "/classes", "/topics"]
SEARCHES = ["remedy", "apple", "due diligence", "end use", "stakeholder", "telef"]
LIGHT = [
    "ASK { ?s a <http://www.w3.org/ns/org#Organization> }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/org#Membership> }",
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 20",
]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?c != {n}) }}"
_numbers = itertools.count(random.randrange(10**9))
HOSTILE_ADDRESS = "127.0.0.2"


class _FromAddress(HTTPAdapter):
    """Connections from another loopback address: another client to the server."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Reader(HttpUser):
    wait_time = between(0.05, 0.25)

    def _get(self, path: str, headers: dict[str, str], name: str) -> None:
        """A failure says the path, the status and the server's reason, not the status alone."""
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path} got {response.status_code}: {response.text[:160]!r}")

    @task(4)
    def page(self) -> None:
        self._get(random.choice(PAGES), HTML, "page")

    @task(2)
    def search(self) -> None:
        self._get("/search?" + urllib.parse.urlencode({"q": random.choice(SEARCHES)}), HTML, "search")

    @task(1)
    def named_query(self) -> None:
        self._get("/queries/members-in-year?year=2022&format=json", {}, "named query")

    @task(2)
    def light_query(self) -> None:
        self._get("/sparql?" + urllib.parse.urlencode({"query": random.choice(LIGHT)}), JSON, "light query")


class Hostile(HttpUser):
    wait_time = between(0.0, 0.1)
    fixed_count = int(os.environ.get("COP_LOAD_HOSTILE", "0") or 0)

    def on_start(self) -> None:
        self.client.mount("http://", _FromAddress(HOSTILE_ADDRESS))

    @task
    def runaway(self) -> None:
        query = RUNAWAY.format(n=next(_numbers))
        with self.client.post("/sparql", data={"query": query}, headers=JSON, name="hostile query",
                              catch_response=True) as response:
            refused = response.status_code in (429, 503) and response.headers.get("Retry-After")
            if refused or (response.status_code == 503 and "time limit" in response.text):
                response.success()
            else:
                response.failure(f"a runaway query got {response.status_code}: {response.text[:120]}")
