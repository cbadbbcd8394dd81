"""``cop-graph serve``: the explorer and the SPARQL endpoint under waitress, with an access
log: one line per request on stderr, as waitress writes none."""

from __future__ import annotations

import contextlib
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

import click

from cop_graph.cli.common import (
    SETTING,
    byte_progress,
    data_option,
    reports_errors,
)
from cop_graph.errors import OutputError
from cop_graph.validation.conflicts import conflict_warnings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Request threads.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help=SETTING["workers"].option_help())
@click.option("--query-timeout", type=click.FloatRange(0.1), default=None, metavar="SECONDS",
              help=SETTING["query_timeout"].option_help())
@click.option("--max-rows", type=click.IntRange(1), default=None, help=SETTING["max_rows"].option_help())
@click.option("--trusted-proxy", default=None, metavar="ADDRESS", help=SETTING["trusted_proxy"].option_help())
@click.option("--allow-service", multiple=True, metavar="ENDPOINT", help=SETTING["service_allowlist"].option_help(
              "A SPARQL endpoint IRI that SERVICE may call (repeatable; added to the variable's)."))
@click.option("--access-log/--no-access-log", default=None, help=SETTING["access_log"].option_help(
              "One line per request on stderr: client, time, request, status, bytes, milliseconds."))
@data_option
@click.pass_context
@reports_errors
def serve_command(ctx: click.Context, host: str, port: int, threads: int, workers: int | None,
                  query_timeout: float | None, max_rows: int | None, trusted_proxy: str | None,
                  allow_service: tuple[str, ...], access_log: bool | None, data: tuple[Path, ...]) -> None:
    """Serve the explorer and the SPARQL endpoint (/sparql) with a production WSGI server."""
    from waitress import create_server

    from cop_graph.web import create_app, warm

    config = ctx.obj["config"]
    config = replace(config, **{k: v for k, v in (("workers", workers), ("query_timeout", query_timeout),
                                                  ("max_rows", max_rows), ("trusted_proxy", trusted_proxy),
                                                  ("access_log", access_log))
                                 if v is not None})
    if allow_service:
        config = replace(config, service_allowlist=config.service_allowlist + allow_service)
    if config.workers < 1:  # the server always runs queries where the time limit can stop them
        config = replace(config, workers=1)
    signal.signal(signal.SIGTERM, _stop_serving)  # a service manager's stop: as Ctrl-C, workers and all
    with byte_progress("loading") as advance:
        app = create_app(config, data, progress=advance)
    loaded = app.extensions["cop_dataset"]
    engine = app.extensions["cop_engine"]
    try:
        for conflict in conflict_warnings(loaded) if data else ():
            click.echo(f"warning: {conflict}", err=True)
        if hasattr(engine, "wait_ready") and not engine.wait_ready():
            raise OutputError(f"the query workers did not start: {engine.failure}")
        try:
            server = create_server(AccessLog(app) if config.access_log else app, host=host, port=port,
                                   threads=threads, ident="cop-graph", **_proxy_settings(config.trusted_proxy))
        except OSError as exc:
            raise OutputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        url = f"http://{host}:{server.effective_port}"
        warm(app)
        click.echo(f"cop-graph on {url}/ — SPARQL endpoint {url}/sparql ({len(loaded):,} triples in the "
                   f"{config.store} store, {loaded.store.parsed} of {len(loaded.files)} files parsed; "
                   f"query workers: {config.workers}, time limit {config.query_timeout:g} s); Ctrl-C stops it",
                   err=True)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        engine.close()


def _proxy_settings(proxy: str) -> dict[str, object]:
    """waitress takes the client's address from the trusted proxy's X-Forwarded-For (its last
    hop) and drops that header from anyone else."""
    if not proxy:
        return {}
    return {"trusted_proxy": proxy, "trusted_proxy_headers": {"x-forwarded-for"}, "trusted_proxy_count": 1,
            "clear_untrusted_proxy_headers": True}


def _stop_serving(signum: int, frame: object) -> None:
    raise KeyboardInterrupt



# --- the access log ---------------------------------------------------------------------

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LOGGED_QUERY = 500  # characters of a query string logged; a longer one is cut, saying how long it was
LOG_BACKLOG = 10_000  # lines waiting for stderr; more are dropped and counted rather than stall a request


class AccessLog:
    """WSGI middleware: one line per request, Common Log Format with the time taken,
    ``client - - [time] "METHOD /path?query HTTP/1.1" status bytes ms``, in UTC. The line
    is written when the body has been sent (when a file is handed to the server to send, as
    a dump is, when it is handed over). Lines go through a queue to a thread that writes
    them, so a stderr nobody reads never holds up an answer: past LOG_BACKLOG waiting lines,
    lines are dropped, and their count is written once stderr takes lines again."""

    def __init__(self, app: Callable[..., Iterable[bytes]], stream: TextIO | None = None) -> None:
        self.app = app
        self.stream = stream
        self.lines: queue.Queue[str] = queue.Queue(LOG_BACKLOG)
        self.dropped = 0
        threading.Thread(target=self._write, name="access-log", daemon=True).start()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        answered: dict[str, str] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered["status"] = status.split(" ")[0]
            answered["length"] = next((v for k, v in headers if k.lower() == "content-length"), "")
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        def done(sent: int | None) -> None:
            if sent is None:  # the server sends the file: its length is what it sends
                sent = int(answered.get("length") or 0) if answered.get("length", "").isdigit() else 0
            self.log(access_line(environ, answered.get("status", "500"), sent, time.monotonic() - started))

        try:
            body = self.app(environ, start)
        except BaseException:
            done(0)
            raise
        wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(wrapper, type) and isinstance(body, wrapper):
            done(None)
            return body
        return _Counted(body, done)

    def log(self, line: str) -> None:
        try:
            self.lines.put_nowait(line)
        except queue.Full:
            self.dropped += 1

    def _write(self) -> None:
        while True:
            line = self.lines.get()
            stream = self.stream or sys.stderr
            with contextlib.suppress(OSError, ValueError):  # a closed stderr loses the log, not the server
                if self.dropped:
                    dropped, self.dropped = self.dropped, 0
                    stream.write(f"access log: {dropped:,} lines dropped (stderr was not read fast enough)\n")
                stream.write(line + "\n")
                stream.flush()


class _Counted:
    """A response body that counts the bytes sent and reports them when the server closes it."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]) -> None:
        self.body, self.done, self.sent = body, done, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done(self.sent)


def access_line(environ: dict[str, Any], status: str, sent: int, seconds: float) -> str:
    """One request as a log line. The path and query are the request line's (waitress's
    ``REQUEST_URI``), escaped where not printable ASCII, each cut at LOGGED_QUERY
    characters saying how long it was."""
    raw = environ.get("REQUEST_URI")
    if raw is None:
        raw = quote((environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1", "replace"),
                    safe="/:@!$&'()*+,;=-._~")
        raw += "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""
    path, mark, query = raw.partition("?")
    target = _cut(path) + mark + _cut(query)
    now = time.gmtime()
    stamp = f"{now.tm_mday:02d}/{MONTHS[now.tm_mon - 1]}/{time.strftime('%Y:%H:%M:%S', now)} +0000"
    request = f"{environ.get('REQUEST_METHOD', '-')} {target} {environ.get('SERVER_PROTOCOL', '-')}"
    return f'{environ.get("REMOTE_ADDR") or "-"} - - [{stamp}] "{_escaped(request)}" {status} {sent or "-"} ' \
           f"{seconds * 1000:.1f}ms"


def _cut(text: str) -> str:
    return text if len(text) <= LOGGED_QUERY else f"{text[:LOGGED_QUERY]}...[{len(text):,} characters]"


def _escaped(text: str) -> str:
    """Printable ASCII as it is, but for the quote and backslash; anything else as \\xHH, so
    a request line can neither break a log line nor forge one."""
    return "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\x{ord(c):02x}" for c in text)
