"""``cop-graph import`` (a table through a declarative mapping) and ``cop-graph link``
(reconciling an imported dataset with the COP)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rdflib import URIRef

from cop_graph.cli.common import (
    reports_errors,
)
from cop_graph.rdf.formats import render_table
from cop_graph.rdf.labels import short


@click.command("import")
@click.argument("mapping", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Turtle file to write [default: data/imports/<dataset>.ttl, its own named graph].")
@click.option("--shapes", type=click.Path(path_type=Path), default=None,
              help="The dataset's SHACL shapes [default: shapes.ttl beside the mapping].")
@click.pass_context
@reports_errors
def import_command(ctx: click.Context, mapping: Path, output: Path | None, shapes: Path | None) -> None:
    """Map an external table (CSV, TSV, JSON) to RDF with a YARRRML or RML mapping; exit 1 if
    the dataset's shapes find violations (nothing is written then)."""
    from cop_graph.linking.importing import import_table

    result = import_table(mapping, ctx.obj["config"], output, shapes)
    if not result.written:
        click.echo(result.report.to_text(), err=True)
        click.echo(f"error: the import does not conform to {shapes or result.shapes}; nothing was written", err=True)
        sys.exit(1)
    warnings = result.report.count("Warning")
    click.echo(f"wrote {result.output} ({result.triples:,} triples, dataset {result.name!r}; "
               f"conforms to {result.shapes}" + (f" with {warnings} warning(s)" if warnings else "") + ")")


@click.command("link")
@click.argument("dataset")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), default=0.9, show_default=True,
              help="Lowest score linked without review.")
@click.option("--floor", type=click.FloatRange(0, 1), default=0.6, show_default=True,
              help="Lowest score still offered for review.")
@click.option("--decisions", type=click.Path(path_type=Path), default=None,
              help="A reviewed decision file (CSV: external, cop, decision accept|reject, reviewer, note).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Linkset to write [default: data/links/<dataset>-links.ttl]; the review report goes beside it.")
@click.pass_context
@reports_errors
def link_command(ctx: click.Context, dataset: str, threshold: float, floor: float, decisions: Path | None,
                 output: Path | None) -> None:
    """Match an imported dataset's organisations to the COP's (identifiers, then names and
    aliases) and write the linkset and a review report of what was not linked."""
    from cop_graph.linking.linksets import link_dataset, resolve_dataset

    config = ctx.obj["config"]
    result = link_dataset(resolve_dataset(dataset, config), config, threshold, floor, decisions, output)
    rows = []
    for o in result.outcomes:
        shown = o.link or (o.candidates[0] if o.candidates else None)
        rows.append([o.entity.label, o.status, f"skos:{o.predicate}" if o.predicate else "",
                     short(URIRef(shown.cop.iri), config.base) if shown else "",
                     f"{shown.score:.2f}" if shown and shown.score is not None else "", shown.method if shown else ""])
    click.echo(render_table(["organisation", "status", "link", "cop", "score", "method"], rows), nl=False)
    linked = sum(1 for o in result.outcomes if o.link)
    click.echo(f"wrote {result.linkset} ({linked} link(s)) and {result.review_csv}, {result.review_html} "
               f"({result.to_review} organisation(s) to review)")

