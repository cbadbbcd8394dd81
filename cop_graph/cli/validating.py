"""``cop-graph validate``: the SHACL report and its exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cop_graph.cli.common import (
    data_option,
    load_data,
    progress_bar,
    reports_errors,
)
from cop_graph.validation.validate import unit_count, validate


@click.command("validate")
@data_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-cache", is_flag=True,
              help="Check every shape afresh and keep nothing [the cache: env COP_GRAPH_VALIDATION_CACHE, "
                   "default ~/.cache/cop-graph/validation].")
@click.pass_context
@reports_errors
def validate_command(ctx: click.Context, data: tuple[Path, ...], fmt: str, no_cache: bool) -> None:
    """Check the graph against the SHACL shapes; exit 1 on violations (warnings are allowed).

    Each shape's findings are kept in a cache and reused until a statement that shape
    reads changes, so re-validating after a small edit re-checks only what it touched."""
    loaded = load_data(ctx, data, warn=False)
    cache = None if no_cache else loaded.config.validation_cache
    with progress_bar(unit_count(loaded.config.shapes_file), "validating") as advance:
        report = validate(loaded, cache=cache, progress=advance)
    if cache is not None:
        click.echo(f"{report.reused} of {report.units} shapes' findings reused from {cache}", err=True)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.to_text())
    sys.exit(0 if report.conforms else 1)

