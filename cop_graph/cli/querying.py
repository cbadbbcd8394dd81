"""``cop-graph query`` (named queries, files, SPARQL text) and ``cop-graph stats``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rdflib import URIRef

from cop_graph.api import Dataset
from cop_graph.cli.common import (
    data_option,
    hard_time_limit,
    load_data,
    named_query,
    parse_params,
    reports_errors,
)
from cop_graph.errors import ParameterError
from cop_graph.rdf.formats import GRAPH_RESULT_FORMATS, TABULAR, render_table
from cop_graph.rdf.labels import short
from cop_graph.sparql.engine import QueryRequest, answer
from cop_graph.sparql.library import NamedQuery, load_library

QUERY_FORMATS = tuple(dict.fromkeys((*TABULAR, *GRAPH_RESULT_FORMATS)))


@click.command("query")
@click.argument("query", required=False)
@click.option("-e", "--expression", "expression", metavar="SPARQL",
              help="Run this SPARQL text instead of a named query.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A named query's parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default=None,
              help="Output format [default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE].")
@click.option("--sources", "sources", is_flag=True,
              help="Give each row of a SELECT answer the passages, documents or curated mappings its statements "
                   "rest on: a 'sources' member of each JSON binding, a last 'sources' column in the other formats.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their parameters.")
@data_option
@click.pass_context
@reports_errors
def query_command(ctx: click.Context, query: str | None, expression: str | None, params: tuple[str, ...],
                  fmt: str | None, sources: bool, list_queries: bool, data: tuple[Path, ...]) -> None:
    """Run a named query (NAME), a query file (FILE.rq) or SPARQL text (-e)."""
    config = ctx.obj["config"]
    library = load_library(config.queries_dir)
    if list_queries:
        click.echo(_library_listing(library))
        return
    if bool(query) == bool(expression):
        raise click.UsageError("give a query NAME or FILE.rq, or -e SPARQL (one of them)")
    values = parse_params(params)
    loaded = load_data(ctx, data)
    if expression is not None:
        if values:
            raise ParameterError("--param applies to named queries and .rq files with a header, not to -e")
        request = QueryRequest(expression, format=fmt, sources=sources)
    else:
        named = named_query(library, query)
        request = QueryRequest(named.text, named.bindings(values, config.base), format=fmt, sources=sources)
    with hard_time_limit(config.query_timeout):
        result = answer(loaded, request, config)
    click.echo(result.body, nl=False)
    if result.truncated:
        click.echo(f"warning: the result was cut at {result.rows:,} rows (COP_GRAPH_MAX_ROWS)", err=True)


def _library_listing(library: dict[str, NamedQuery]) -> str:
    lines = []
    for q in library.values():
        lines.append(f"{q.name}  ({q.form})\n    {q.title}. {q.description}")
        for p in q.parameters:
            default = f", default {p.default}" if p.default is not None else ", required"
            lines.append(f"    --param {p.name}=<{p.type}{default}>  {p.description}")
    return "\n".join(lines)


@click.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@data_option
@click.pass_context
@reports_errors
def stats_command(ctx: click.Context, fmt: str, data: tuple[Path, ...]) -> None:
    """Triples per named graph and instances per class."""
    config = ctx.obj["config"]
    stats = Dataset(load_data(ctx, data)).stats()
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2, ensure_ascii=False))
        return
    click.echo(f"{stats['triples']:,} triples in {len(stats['graphs'])} named graphs "
               f"(dataset version {stats['version']})\n")
    click.echo(render_table(["graph", "file", "triples"],
                            [[short(URIRef(g["graph"]), config.base), g["file"] or "", str(g["triples"])]
                             for g in stats["graphs"]]))
    click.echo(render_table(["class", "instances"], [[short(URIRef(c["class"]), config.base), str(c["instances"])]
                                                     for c in stats["classes"]]), nl=False)

