"""``cop-graph serve``: the explorer and the SPARQL endpoint under waitress."""

from __future__ import annotations

import signal
from dataclasses import replace
from pathlib import Path

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
@data_option
@click.pass_context
@reports_errors
def serve_command(ctx: click.Context, host: str, port: int, threads: int, workers: int | None,
                  query_timeout: float | None, max_rows: int | None, trusted_proxy: str | None,
                  allow_service: tuple[str, ...], data: tuple[Path, ...]) -> None:
    """Serve the explorer and the SPARQL endpoint (/sparql) with a production WSGI server."""
    from waitress import create_server

    from cop_graph.web import create_app

    config = ctx.obj["config"]
    config = replace(config, **{k: v for k, v in (("workers", workers), ("query_timeout", query_timeout),
                                                  ("max_rows", max_rows), ("trusted_proxy", trusted_proxy))
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
            server = create_server(app, host=host, port=port, threads=threads, ident="cop-graph",
                                   **_proxy_settings(config.trusted_proxy))
        except OSError as exc:
            raise OutputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        url = f"http://{host}:{server.effective_port}"
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

