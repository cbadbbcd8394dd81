"""``cop-graph export`` (the dataset with its description) and ``cop-graph generate``
(synthetic graphs for scale tests)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from cop_graph.cli.common import (
    data_option,
    load_data,
    progress_bar,
    reports_errors,
)
from cop_graph.publish.export import EXPORT_FORMATS, serialize, write_export
from cop_graph.publish.generate import FORMATS as GENERATE_FORMATS
from cop_graph.publish.generate import LIMITS as GENERATE_LIMITS
from cop_graph.publish.generate import write_synthetic
from cop_graph.rdf.formats import RDF_SYNTAXES
from cop_graph.validation.validate import validate


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="turtle", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="File to write [default: stdout].")
@click.option("--no-validate", is_flag=True, help="Export even if the data has SHACL violations.")
@click.option("--sparql-endpoint", "endpoint", metavar="URL", default=None,
              help="The SPARQL endpoint the data is served at, stated in its description (void:sparqlEndpoint).")
@data_option
@click.pass_context
@reports_errors
def export_command(ctx: click.Context, fmt: str, output: Path | None, no_validate: bool, endpoint: str | None,
                   data: tuple[Path, ...]) -> None:
    """Export ontology, data and linksets together with the dataset's VoID description;
    TriG and JSON-LD keep the named graphs and put the description in graph/void."""
    loaded = load_data(ctx, data, warn=False)
    if not no_validate:
        report = validate(loaded, cache=loaded.config.validation_cache)
        if not report.conforms:
            click.echo(report.to_text(), err=True)
            click.echo("error: the data has SHACL violations; nothing was written "
                       "(fix them, or pass --no-validate)", err=True)
            sys.exit(1)
    if output is None:
        click.echo(serialize(loaded, fmt, endpoint), nl=False)
        return
    written = write_export(loaded, fmt, output, endpoint)
    click.echo(f"wrote {output} ({RDF_SYNTAXES[fmt][0]}, {written.triples:,} triples in "
               f"{written.graphs} graphs, {written.size:,} bytes)", err=True)


@click.command("generate")
@click.option("--triples", "target", type=click.IntRange(*GENERATE_LIMITS), required=True, metavar="N",
              help=f"About how many triples ({GENERATE_LIMITS[0]:,} to {GENERATE_LIMITS[1]:,}).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same file.")
@click.option("--format", "fmt", type=click.Choice(GENERATE_FORMATS), default="turtle", show_default=True,
              help="Turtle, or N-Triples (nt: larger, faster to write and to load).")
@reports_errors
def generate_command(target: int, output: Path, seed: int, fmt: str) -> None:
    """Write a synthetic COP-shaped dataset of about N triples (years, collaborations,
    memberships, sessions, topics, passages), valid against the shapes, for scale tests."""
    started = time.perf_counter()
    with progress_bar(target, "generating") as advance:
        done = write_synthetic(target, output, seed, fmt, advance)
    collaborations = f"{done.collaborations:,} collaboration{'s' if done.collaborations != 1 else ''}"
    click.echo(f"wrote {output} ({done.triples:,} triples, {collaborations} over {done.years} years, "
               f"{done.size:,} bytes) in {time.perf_counter() - started:.1f} s")

