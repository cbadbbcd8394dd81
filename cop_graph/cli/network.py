"""``cop-graph network`` and ``cop-graph network export``: measures, and files for Gephi and friends."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rdflib import URIRef

from cop_graph.analysis import network
from cop_graph.cli.common import (
    data_option,
    load_data,
    named_query,
    parse_params,
    reports_errors,
)
from cop_graph.errors import ParameterError
from cop_graph.rdf.formats import render_table
from cop_graph.rdf.labels import short
from cop_graph.sparql.library import library
from cop_graph.store.dataset import CopDataset


def _year_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--year", default=None, metavar="YYYY",
                        help="Only this year's participation and sessions [default: all years].")(command)


def _projection_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--projection", type=click.Choice(network.PROJECTIONS), default="orgs", show_default=True,
                        help="Which network: organisations, topics, organisation-topic, people, the full graph, "
                             "the whole COP (organisations, series, sessions, topics, attending groups), or rdr "
                             "(Ranking Digital Rights' scores of companies on its due diligence, stakeholder and "
                             "remedy indicators; its --year is RDR's index year, 2020 or 2022 [default: 2022]).")(
        command)


def _construct_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
                           help="A parameter of the --construct query (repeatable).")(command)
    return click.option("--construct", metavar="NAME|FILE.rq", default=None,
                        help="Build the network from this CONSTRUCT or DESCRIBE query's graph (a named query or "
                             "a file) instead of a projection: resources as nodes, links as edges.")(command)


def _network_of(ctx: click.Context, loaded: CopDataset, projection: str, year: str | None, construct: str | None,
                params: tuple[str, ...]) -> tuple[str, Any]:
    """(what to call it, the networkx graph): a projection, or a CONSTRUCT query's graph."""
    if construct is None:
        if params:
            raise ParameterError("--param applies to a --construct query")
        return projection, network.projection(loaded, projection, year)
    if year is not None or ctx.get_parameter_source("projection") is click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("--construct builds the network from a query: give it or --projection/--year, "
                               "not both")
    named = named_query(library(loaded), construct)
    return named.name, network.from_query(loaded, named, parse_params(params))


@click.group("network", invoke_without_command=True)
@_projection_option
@_year_option
@_construct_options
@click.option("--measure", "measures", multiple=True, type=click.Choice(network.MEASURES),
              help=f"A measure to compute (repeatable) [default: {', '.join(network.DEFAULT_MEASURES)}; "
                   f"for the full graph {', '.join(network.FULL_DEFAULT_MEASURES)}].")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@data_option
@click.pass_context
@reports_errors
def network_command(ctx: click.Context, projection: str, year: str | None, construct: str | None,
                    params: tuple[str, ...], measures: tuple[str, ...], fmt: str, data: tuple[Path, ...]) -> None:
    """Measure the COP as a network (subcommand `export` writes it for Gephi and friends)."""
    if ctx.invoked_subcommand is not None:
        return
    loaded = load_data(ctx, data)
    name, graph = _network_of(ctx, loaded, projection, year, construct, params)
    chosen = list(measures or network.default_measures("full" if construct else projection))
    values = network.measure(graph, chosen)
    order = sorted(graph.nodes, key=lambda n: (-values[n][chosen[0]], graph.nodes[n]["label"], n))
    if fmt == "json":
        nodes = [{"iri": n, "label": graph.nodes[n]["label"], "type": graph.nodes[n]["type"], **values[n]}
                 for n in order]
        source = {"query": name} if construct else {"projection": projection, "year": year}
        click.echo(json.dumps({**source, "summary": network.summary(graph, values), "nodes": nodes},
                              indent=2, ensure_ascii=False))
        return
    rows = [[n, graph.nodes[n]["label"], graph.nodes[n]["type"], *(str(values[n][m]) for m in chosen)] for n in order]
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([["iri", "label", "type", *chosen], *rows])
        click.echo(buffer.getvalue(), nl=False)
        return
    base = loaded.config.base
    for row in rows:
        row[0] = short(URIRef(row[0]), base)
    stats = network.summary(graph, values)
    click.echo(f"{name} network{' in ' + year if year else ''}: {stats['nodes']} nodes, {stats['edges']} edges, "
               f"density {stats['density']:g}, {stats['components']} component(s)"
               + (f", {stats['communities']} community(ies)" if "communities" in stats else "") + "\n")
    click.echo(render_table(["node", "label", "type", *chosen], rows), nl=False)


@network_command.command("export")
@_projection_option
@_year_option
@_construct_options
@click.option("--format", "fmt", type=click.Choice(network.EXPORT_FORMATS), default="graphml", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@data_option
@click.pass_context
@reports_errors
def network_export_command(ctx: click.Context, projection: str, year: str | None, construct: str | None,
                           params: tuple[str, ...], fmt: str, output: Path, data: tuple[Path, ...]) -> None:
    """Write a projection as GraphML, GEXF or node-link JSON, with labels, types and IRIs."""
    loaded = load_data(ctx, data)
    _, graph = _network_of(ctx, loaded, projection, year, construct, params)
    size = network.export(graph, fmt, output)
    click.echo(f"wrote {output} ({fmt}, {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
               f"{size:,} bytes)", err=True)

