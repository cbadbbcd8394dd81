"""The Flask application factory: the dataset is loaded once and kept on the app."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import Flask, Response

from cop_graph.config import Config, load_config
from cop_graph.dataset import load_dataset
from cop_graph.queries import load_library

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"


def create_app(config: Config | None = None, data: Sequence[str | Path] = ()) -> Flask:
    """Build the app over the bundled data plus any extra files."""
    config = config or load_config()
    app = Flask(__name__)
    app.config["COP"] = config
    app.extensions["cop_dataset"] = load_dataset(data, config=config)
    app.extensions["cop_queries"] = load_library(config.queries_dir)

    from cop_graph.web.explorer import explorer

    app.register_blueprint(explorer)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app
