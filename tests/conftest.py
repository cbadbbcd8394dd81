"""Shared fixtures: the loaded bundled data, its validation report, and the real CLI."""

from __future__ import annotations

import contextlib
import http.server as http_server
import os
import pty
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cop_graph.config import load_config
from cop_graph.dataset import CopDataset, load_dataset
from cop_graph.validation import Report, validate

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
# The year-end review as received; the graph's document text and every quote must match it.
SOURCE_TEXT = ROOT / "data" / "sources" / "b-tech-cop-2022-year-end-review.txt"
SOURCE_SHA256 = "3ee12eb2d1b5c5bde838a0c1b8f3f1148791ba5d916a93fead8b56831cd4afea"
BASE = "https://w3id.org/b-tech-cop/"


# Every test that uses the data runs once per store; COP_GRAPH_TEST_STORES picks a subset.
STORES = [s for s in os.environ.get("COP_GRAPH_TEST_STORES", "memory,oxigraph,sparql").split(",") if s]


def store_settings() -> dict[str, str]:
    """The settings of the store the session is on, for a subprocess that should use it."""
    return {k: v for k, v in os.environ.items() if k.startswith("COP_GRAPH_STORE")}


@pytest.fixture(scope="session", params=STORES)
def store(request, tmp_path_factory):
    """The store the data lives in, set in the environment so every load in the session
    (in-process, console script, server) uses it: rdflib in memory, an Oxigraph folder,
    or a real `oxigraph serve` on 127.0.0.1 reached by the SPARQL protocol."""
    settings = {"COP_GRAPH_STORE": request.param}
    with contextlib.ExitStack() as stack:
        if request.param == "oxigraph":
            settings["COP_GRAPH_STORE_PATH"] = str(tmp_path_factory.mktemp("oxigraph-store"))
        if request.param == "sparql":
            url = stack.enter_context(oxigraph_server(tmp_path_factory.mktemp("remote-store")))
            settings["COP_GRAPH_STORE_URL"] = f"{url}/query"
            settings["COP_GRAPH_STORE_DATA_URL"] = f"{url}/store"
        saved = {k: os.environ.get(k) for k in settings}
        os.environ.update(settings)
        try:
            yield request.param
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


@contextlib.contextmanager
def oxigraph_server(location: Path, *args: str):
    """A real `oxigraph serve` on 127.0.0.1 with its data in ``location``; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [console_script("oxigraph"), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *args]
    with serving(argv, url + "/query?query=ASK%7B%7D", "oxigraph serve", wait=60):
        yield url


@pytest.fixture(autouse=True)
def _default_store_unless_chosen(request, monkeypatch):
    """A test that does not ask for the store runs on the default one, whichever store the
    session is on at the time."""
    if "store" not in request.fixturenames:
        for name in [k for k in os.environ if k.startswith("COP_GRAPH_STORE")]:
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def config(store):
    return load_config()


@pytest.fixture(scope="session")
def loaded(config) -> CopDataset:
    return load_dataset(config=config)


@pytest.fixture(scope="session")
def report(loaded) -> Report:
    return validate(loaded)


@pytest.fixture(scope="session")
def app(store):
    """The explorer over the bundled data, answering queries in-process (no worker pool).
    Shared by the Flask test-client tests: the app never changes its data."""
    from cop_graph.web import create_app

    return create_app(load_config(workers=0))


@pytest.fixture(scope="session")
def client(app):
    return app.test_client()


def console_script(name: str) -> str:
    """An installed console script: beside this Python first (the venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"the {name} console script is not installed: run pip install -e '.[test]'")
    return found


@pytest.fixture(scope="session")
def cop_graph_bin() -> str:
    return console_script("cop-graph")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(argv: list[str], probe: str, name: str, env: dict | None = None, wait: float = 90):
    """Start a server process, wait until ``probe`` answers, yield, and stop it after."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                urllib.request.urlopen(probe, timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited: {proc.stderr.read()}") from exc
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not come up") from exc
                time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def running_server(cop_graph_bin: str, *args: str, env: dict | None = None):
    """`cop-graph serve` for real on 127.0.0.1; yields its base URL and stops it after.
    It inherits no COP_GRAPH_ setting: a test that wants the session's store passes
    ``env=store_settings()``."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    environment.update(env or {})
    url = f"http://127.0.0.1:{port}"
    argv = [cop_graph_bin, "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with serving(argv, url + "/sparql?query=ASK%7B%7D", "serve", environment):
        yield url


@pytest.fixture(scope="session")
def endpoint(cop_graph_bin, store):
    """One shared server with the default limits, but a short time limit for the tests."""
    with running_server(cop_graph_bin, "--query-timeout", "3", env=store_settings()) as url:
        yield url


@pytest.fixture
def cli(cop_graph_bin, tmp_path, store):
    """Run the real console script in a subprocess; returns the CompletedProcess."""
    def run(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
        environment.update(store_settings())
        environment.update(env or {})
        return subprocess.run([cop_graph_bin, *args], cwd=cwd or tmp_path, env=environment, input=input,
                              capture_output=True, text=True, timeout=120)
    return run


def on_a_terminal(argv: list[str], cwd: Path, env: dict | None = None, timeout: float = 120) -> tuple[int, str, str]:
    """Run a command with stderr on a pseudo-terminal: (exit status, stdout, what the terminal showed)."""
    main, terminal = pty.openpty()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=terminal, env=env)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal's other end was closed: the command is done
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    status = proc.wait(timeout=timeout)
    return status, proc.stdout.read().decode(), shown.decode(errors="replace")


class _Listener(http_server.ThreadingHTTPServer):
    """A local HTTP server that must never hear from the endpoint."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http_server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/turtle")
                self.end_headers()
                self.wfile.write(b'<urn:leak> <urn:p> "LEAKED" .\n')

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def listener():
    server = _Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
