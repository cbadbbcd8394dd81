"""The Flask application factory: the dataset is loaded once and kept on the app, with
the query engine every surface uses."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from flask import Flask, Response
from flask_cors import CORS

from cop_graph.config import Config, load_config
from cop_graph.sparql.engine import CachedAnswers, Engine, LocalEngine
from cop_graph.sparql.library import library as query_library
from cop_graph.store.dataset import CopDataset, load_dataset
from cop_graph.web import caching, errors
from cop_graph.web.terms import capitalised, term_label
from cop_graph.web.text import finalize, whole

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"


def install(app: Flask, loaded: CopDataset, engine: Engine | None = None) -> None:
    """Give an app what the blueprints read from it: the settings, the dataset, its query
    library and the engine that answers queries (in this process unless one is given), its
    answers kept per dataset version. With this, any blueprint (``/sparql`` for one) works
    on any Flask app."""
    app.config["COP"] = loaded.config
    app.extensions["cop_dataset"] = loaded
    app.extensions["cop_queries"] = query_library(loaded)
    app.extensions["cop_engine"] = CachedAnswers(engine or LocalEngine(loaded, loaded.config), loaded.version)


def create_app(config: Config | None = None, data: Sequence[str | Path] = (),
               progress: Callable[[int, int], None] | None = None) -> Flask:
    """Build the app over the bundled data plus any extra files.

    With ``config.workers`` > 0 queries run in worker processes that can be stopped at
    the time limit; with 0 they run in the request's thread (tests, single users).
    """
    config = config or load_config()
    app = Flask(__name__)
    app.jinja_env.finalize = finalize  # values cut to size; NUL and lone surrogates never reach a page
    app.jinja_env.filters["whole"] = whole
    app.jinja_env.filters["term"] = term_label  # schema:Corporation → "company"
    app.jinja_env.filters["capitalised"] = capitalised
    app.config["COP"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_query_bytes * 3 + 4096  # room for form encoding
    loaded = load_dataset(data, config=config, progress=progress)
    if config.workers > 0:
        from cop_graph.sparql.workers import WorkerPool

        install(app, loaded, WorkerPool(config, data, loaded.version))
    else:
        install(app, loaded)

    from cop_graph.web.dumps import dumps
    from cop_graph.web.explorer import explorer
    from cop_graph.web.library import library
    from cop_graph.web.network_view import network_view
    from cop_graph.web.rdr_view import rdr_view
    from cop_graph.web.resources import resources
    from cop_graph.web.search_view import search_view
    from cop_graph.web.sparql import sparql
    from cop_graph.web.void import void

    app.register_blueprint(explorer)
    app.register_blueprint(sparql)
    app.register_blueprint(library)
    app.register_blueprint(network_view)
    app.register_blueprint(rdr_view)
    app.register_blueprint(search_view)
    app.register_blueprint(void)
    app.register_blueprint(dumps)
    app.register_blueprint(resources)  # last: its /<path> serves the IRIs under the base
    CORS(app, resources={r"/sparql": {}, r"/queries*": {}, r"/.well-known/void": {}, r"/dumps*": {}}, origins="*",
         allow_headers=["Content-Type", "Accept", "If-None-Match", "If-Modified-Since"],
         methods=["GET", "POST", "HEAD", "OPTIONS"], max_age=86400, send_wildcard=True,
         expose_headers=["X-Result-Truncated", "X-Result-Rows", "ETag"])
    errors.register(app)
    caching.init_app(app)  # ETag and Last-Modified from the dataset version, 304s, compression

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app


# The pages whose data aggregates the whole graph, computed once per dataset version (the memo):
# asked for in the background when a server starts, so a visitor does not wait the minute
# they take at 10^6 triples (a visitor who comes meanwhile waits for the same computation).
WARMED = ("/", "/timeline", "/topics", "/classes", "/network", "/search?q=a")


def warm(app: Flask) -> threading.Thread:
    """Compute the aggregated pages' data in a background thread; errors are the pages' own
    (a request for the page shows them), so they are not reported here."""
    def run() -> None:
        client = app.test_client()
        for path in WARMED:
            try:
                client.get(path, headers={"Accept": "application/json"})
            except Exception:  # the page shows its own error when asked for
                continue

    thread = threading.Thread(target=run, name="cop-graph-warm-pages", daemon=True)
    thread.start()
    return thread
