"""The server's query workers live and die with it, and answer from the data it loaded."""

from __future__ import annotations

import os
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from cop_graph.config import load_config
from cop_graph.errors import ConfigError, StoreUnavailable
from cop_graph.sparql.engine import QueryRequest
from cop_graph.sparql.workers import WorkerPool
from cop_graph.store.dataset import load_dataset
from tests.conftest import free_port, serving


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")  # a zombie has stopped; only its exit status is left


def test_stopping_the_server_stops_every_query_worker(cop_graph_bin):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    argv = [cop_graph_bin, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "3"]
    with serving(argv, f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", "serve", env) as proc:
        deadline = time.monotonic() + 60
        while len(workers := _children(proc.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) >= 3
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0  # a clean stop, as after Ctrl-C
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]


def test_a_worker_refuses_data_files_that_changed_after_the_server_loaded_them(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/a> <https://example.org/p> 1 .\n", encoding="utf-8")
    config = load_config(store="memory")
    version = load_dataset([extra], config=config).version
    assert load_dataset([extra], config=config, expect_version=version).version == version
    extra.write_text("<https://example.org/a> <https://example.org/p> 2 .\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="the data files changed after the server loaded them"):
        load_dataset([extra], config=config, expect_version=version)


def test_when_no_worker_can_start_the_pool_says_why_at_once(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/a> <https://example.org/p> 1 .\n", encoding="utf-8")
    config = load_config(store="memory", workers=2)
    pool = WorkerPool(config, [extra], version="0" * 16)  # not the version of these files: as if they changed
    try:
        started = time.monotonic()
        assert pool.wait_ready(timeout=120) is False
        assert time.monotonic() - started < 100  # told when the workers failed, not at the time-out
        assert "the data files changed after the server loaded them" in pool.failure
        with pytest.raises(StoreUnavailable, match="no query worker is running: the data files changed"):
            pool.answer(QueryRequest("ASK {}"))
    finally:
        pool.close()


def _workers(pid: int) -> list[int]:
    """The server's query workers (multiprocessing's resource tracker is a child too)."""
    return [child for child in _children(pid) if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]


def test_a_worker_that_dies_mid_query_is_a_503_and_is_replaced(cop_graph_bin):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    endpoint = f"http://127.0.0.1:{port}/sparql"
    argv = [cop_graph_bin, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--query-timeout", "60"]
    runaway = urllib.parse.urlencode({"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i"})
    outcome: dict = {}

    def ask() -> None:
        try:
            urllib.request.urlopen(f"{endpoint}?{runaway}", timeout=90).read()
            outcome["status"] = 200
        except urllib.error.HTTPError as exc:
            outcome.update(status=exc.code, retry=exc.headers.get("Retry-After"), text=exc.read().decode())

    with serving(argv, f"{endpoint}?query=ASK%7B%7D", "serve", env) as proc:
        (worker,) = _workers(proc.pid)
        thread = threading.Thread(target=ask)
        thread.start()
        time.sleep(2)  # the query is running in the worker
        assert thread.is_alive()
        os.kill(worker, signal.SIGKILL)  # as the kernel's OOM killer would
        thread.join(timeout=30)
        assert outcome["status"] == 503 and outcome["retry"], outcome
        assert "the query worker stopped unexpectedly" in outcome["text"]
        deadline = time.monotonic() + 90
        while True:  # a new worker loads the data, then answers
            try:
                assert urllib.request.urlopen(f"{endpoint}?query=ASK%7B%7D", timeout=30).status == 200
                break
            except urllib.error.HTTPError as exc:
                assert exc.code == 503 and time.monotonic() < deadline, exc.read()
                time.sleep(0.5)
        assert _workers(proc.pid) and worker not in _workers(proc.pid)
