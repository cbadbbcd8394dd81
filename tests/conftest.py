"""Shared fixtures: the loaded bundled data, its validation report, and the real CLI."""

from __future__ import annotations

import contextlib
import http.server as http_server
import os
import pty
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cop_graph.config import load_config
from cop_graph.store.dataset import CopDataset, load_dataset
from cop_graph.validation.validate import Report, validate

ROOT = Path(__file__).resolve().parent.parent
# The W3C test suites the conformance tests read (tests/w3c/README.md says where they come from).
W3C = ROOT / "tests" / "w3c"
# The year-end review as received; the graph's document text and every quote must match it.
SOURCE_TEXT = ROOT / "data" / "sources" / "b-tech-cop-2022-year-end-review.txt"
SOURCE_SHA256 = "3ee12eb2d1b5c5bde838a0c1b8f3f1148791ba5d916a93fead8b56831cd4afea"
BASE = "https://w3id.org/b-tech-cop/"


# The stores a test marked `every_store` runs on in the full tier (COP_GRAPH_TEST_STORES picks
# a subset); every other test, and every test in the fast tier, runs on the default store.
# `sparql` is the remote store in front of `oxigraph serve`, `virtuoso` the same store in front
# of Virtuoso Open Source 7.
DEFAULT_STORE = "memory"
STORES = [s for s in os.environ.get("COP_GRAPH_TEST_STORES", "memory,oxigraph,sparql,virtuoso").split(",") if s]
FULL_TIER = (
    "the full tier: every store for the store contract, browser tests, W3C suites, fuzzing, load, "
    "large synthetic graphs and the whole protocol and negotiation matrix (docs/testing.md)"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full", action="store_true", default=False, help=f"run {FULL_TIER}")


def full_tier(config: pytest.Config) -> bool:
    return bool(config.getoption("--full"))


def pytest_report_header(config: pytest.Config) -> str:
    if full_tier(config):
        return f"cop-graph tests: full tier, stores {', '.join(STORES)}"
    return "cop-graph tests: fast tier on the default store (--full runs the full tier: docs/testing.md)"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The session's store: each store for the store contract in the full tier, else the default."""
    if "store" in metafunc.fixturenames:
        matrix = full_tier(metafunc.config) and metafunc.definition.get_closest_marker("every_store")
        metafunc.parametrize("store", STORES if matrix else [DEFAULT_STORE], indirect=True, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The fast tier leaves out the tests marked `full`."""
    if full_tier(config):
        return
    kept, left = [], []
    for item in items:
        (left if item.get_closest_marker("full") else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def store_settings() -> dict[str, str]:
    """The settings of the store the session is on, for a subprocess that should use it."""
    return {k: v for k, v in os.environ.items() if k.startswith("COP_GRAPH_STORE")}


@pytest.fixture(scope="session")
def store(request, tmp_path_factory):
    """The store the data lives in, set in the environment so every load in the session
    (in-process, console script, server) uses it: rdflib in memory, an Oxigraph folder,
    or the sparql store in front of a real `oxigraph serve` (`sparql`) or Virtuoso
    (`virtuoso`) on 127.0.0.1, reached by the SPARQL protocol."""
    settings = {"COP_GRAPH_STORE": "sparql" if request.param == "virtuoso" else request.param}
    with contextlib.ExitStack() as stack:
        if request.param == "oxigraph":
            settings["COP_GRAPH_STORE_PATH"] = str(tmp_path_factory.mktemp("oxigraph-store"))
        if request.param == "sparql":
            url = stack.enter_context(oxigraph_server(tmp_path_factory.mktemp("remote-store")))
            settings["COP_GRAPH_STORE_URL"] = f"{url}/query"
            settings["COP_GRAPH_STORE_DATA_URL"] = f"{url}/store"
        if request.param == "virtuoso":
            query_url, data_url = stack.enter_context(virtuoso_server(tmp_path_factory.mktemp("virtuoso")))
            settings["COP_GRAPH_STORE_URL"] = query_url
            settings["COP_GRAPH_STORE_DATA_URL"] = data_url
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


REMOTE_TIMEOUT = 10  # seconds; well above any time limit the tests give cop-graph


@contextlib.contextmanager
def oxigraph_server(location: Path, *args: str, port: int | None = None):
    """A real `oxigraph serve` on 127.0.0.1 with its data in ``location``; yields its URL.
    It stops a query at REMOTE_TIMEOUT seconds, as a shared endpoint does: when cop-graph gives
    up on a runaway query at its own limit, the remote would otherwise go on with it, holding a
    core (and its memory growing) for the rest of the session."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [console_script("oxigraph"), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
            "--timeout-s", str(REMOTE_TIMEOUT), *args]
    with serving(argv, url + "/query?query=ASK%7B%7D", "oxigraph serve", wait=60):
        yield url


# Named queries Virtuoso 7.2 answers wrongly, and why (docs/stores.md): the tests that compare
# their answers expect the failure on the `virtuoso` store, and say so.
_TRANSITIVE = ("Virtuoso 7.2 evaluates a transitive property path ({}) joined with other patterns wrongly over a "
               "dataset of more than two graphs, as the store names in every request (default-graph-uri; "
               "openlink/virtuoso-opensource#127): {}")
VIRTUOSO_WRONG_ANSWERS = {
    "pillars-without-session": _TRANSITIVE.format(
        "skos:broader+ and rdfs:subClassOf* in a sub-query under MINUS",
        "its answer differs from every other store's"),
    "principles-covered-in-year": _TRANSITIVE.format(
        "a/rdfs:subClassOf* cop:Session", "only the session typed cop:Session itself is found"),
    "session-themes": _TRANSITIVE.format(
        "a/rdfs:subClassOf* cop:Session", "only the session typed cop:Session itself is found"),
}
# The dataset description's example-resources query at 10^5 triples: 0.1 s in Virtuoso 7.2 over its
# whole store, about 30 s once the request names a dataset, past the tests' time limit for it.
VIRTUOSO_SLOW_DESCRIPTION = ("Virtuoso 7.2 plans the dataset description's example-resources query badly once the "
                             "request names the dataset (default-graph-uri): about 30 s at 10^5 triples, 0.1 s over "
                             "its whole store, so the query meets its time limit (MaxQueryExecutionTime) or "
                             "cop-graph's (COP_GRAPH_STORE_TIMEOUT), both 10 s here")
VIRTUOSO = "/usr/bin/virtuoso-t"
VIRTUOSO_ISQL = "/usr/bin/isql-vt"
VIRTUOSO_MISSING = ("Virtuoso Open Source 7 is not installed (no /usr/bin/virtuoso-t): install the Debian "
                    "package virtuoso-opensource (the README's full-tier command does)")
# Virtuoso's own limits in the tests ([SPARQL] in virtuoso.ini, docs/stores.md): answers of up to
# VIRTUOSO_MAX_ROWS rows (the largest test file is 100,000 triples) and a query stopped at
# REMOTE_TIMEOUT seconds; one thread a query, so that a query left running holds one core only.
VIRTUOSO_MAX_ROWS = 1_000_000
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 256M
ThreadsPerQuery = 1
DirsAllowed = {folder}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {timeout}
MaxQueryCostEstimationTime = 0
"""


@contextlib.contextmanager
def virtuoso_server(location: Path, max_rows: int = VIRTUOSO_MAX_ROWS, timeout: int = REMOTE_TIMEOUT,
                    port: int | None = None):
    """Virtuoso Open Source 7 (`virtuoso-t`) on 127.0.0.1 with its database in ``location``
    (started again on one that holds a database, it opens that); yields its SPARQL endpoint and
    its Graph Store Protocol endpoint. The anonymous `SPARQL` user, which both serve, is granted
    SPARQL_UPDATE so that the store can write its graphs. Skips the test where the Debian package
    is not installed."""
    if not os.access(VIRTUOSO, os.X_OK):
        pytest.skip(VIRTUOSO_MISSING)
    location.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = port or free_port(), free_port()
    ini = location / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=location, sql_port=sql_port, http_port=http_port,
                                       max_rows=max_rows, timeout=timeout), encoding="utf-8")
    url = f"http://127.0.0.1:{http_port}"
    argv = [VIRTUOSO, "+foreground", "+configfile", str(ini)]
    with serving(argv, url + "/sparql?query=ASK%7B%7D", "virtuoso-t", wait=120, log=location / "output.log"):
        grant = [VIRTUOSO_ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";']
        for _ in range(50):  # its SQL port opens just after its HTTP port
            done = subprocess.run(grant, capture_output=True, text=True, timeout=60)
            if done.returncode == 0:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"cannot grant SPARQL_UPDATE in virtuoso-t: {done.stdout}{done.stderr}")
        yield f"{url}/sparql", f"{url}/sparql-graph-crud"


@contextlib.contextmanager
def remote_server(kind: str, location: Path, port: int | None = None):
    """The store the `sparql` store is tested against, ``oxigraph`` (`oxigraph serve`) or
    ``virtuoso``; yields its query URL and its Graph Store Protocol URL."""
    if kind == "virtuoso":
        with virtuoso_server(location, port=port) as urls:
            yield urls
    else:
        with oxigraph_server(location, port=port) as url:
            yield f"{url}/query", f"{url}/store"


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
def serving(argv: list[str], probe: str, name: str, env: dict | None = None, wait: float = 90,
            log: Path | None = None):
    """Start a server process, wait until ``probe`` answers, yield, and stop it after.
    Given ``log``, it runs in that file's folder, in a process group of its own that is stopped
    whole, with its output in the file (a server that writes much would fill a pipe nobody reads)."""
    output = open(log, "w", encoding="utf-8") if log is not None else subprocess.PIPE  # noqa: SIM115
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=output, text=True, env=env,
                            cwd=log.parent if log is not None else None, start_new_session=log is not None)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                urllib.request.urlopen(probe, timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                if proc.poll() is not None:
                    said = log.read_text(encoding="utf-8", errors="replace") if log is not None else proc.stderr.read()
                    raise RuntimeError(f"{name} exited: {said}") from exc
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not come up") from exc
                time.sleep(0.2)
        yield proc
    finally:
        stop = (lambda sig: os.killpg(proc.pid, sig)) if log is not None else proc.send_signal
        with contextlib.suppress(ProcessLookupError):
            stop(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                stop(signal.SIGKILL)
            proc.wait(timeout=15)
        if log is not None:
            output.close()


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


def run_cli(*args: str, cwd: Path, env: dict | None = None, input: str | None = None,
            store_env: bool = True) -> subprocess.CompletedProcess:
    """`cop-graph ARGS` in this process through click's test runner, as a subprocess would run it:
    in ``cwd``, with no COP_GRAPH_ setting but the session's store (unless ``store_env`` is false)
    and ``env``, stdout and stderr apart; an exception that escapes the command is its traceback
    on stderr and exit status 1, as Python prints it."""
    from click.testing import CliRunner

    from cop_graph.cli import main

    environment: dict[str, str | None] = {k: None for k in os.environ if k.startswith("COP_GRAPH_")}
    environment.update(store_settings() if store_env else {})
    environment.update(env or {})
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner(env=environment).invoke(main, list(args), input=input, prog_name="cop-graph")
    finally:
        os.chdir(previous)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return subprocess.CompletedProcess(["cop-graph", *args], result.exit_code, result.stdout, stderr)


@pytest.fixture
def cli(tmp_path, store):
    """Run the command in-process (click's runner) in tmp_path on the session's store; returns a
    CompletedProcess. What only a real process shows is tested with ``cli_process``."""
    def run(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None):
        return run_cli(*args, cwd=cwd or tmp_path, env=env, input=input)
    return run


@pytest.fixture
def cli_process(cop_graph_bin, tmp_path, store):
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
