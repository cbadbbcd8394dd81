"""The ``cop-graph`` command: thin click commands over the library.

Exit codes: 0 success; 1 the data has SHACL violations; 2 bad input (an unreadable or
malformed file, an unknown query or parameter, a bad option).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rdflib import URIRef

from cop_graph import network
from cop_graph.api import Dataset
from cop_graph.config import SETTINGS, STORES, load_config
from cop_graph.conflicts import conflict_warnings
from cop_graph.dataset import CopDataset, load_dataset
from cop_graph.engine import QueryRequest, answer
from cop_graph.errors import CopGraphError, OutputError, ParameterError, QueryTimeout
from cop_graph.export import EXPORT_FORMATS, serialize, write_export
from cop_graph.formats import GRAPH_RESULT_FORMATS, RDF_SYNTAXES, TABULAR, render_table
from cop_graph.generate import FORMATS as GENERATE_FORMATS
from cop_graph.generate import LIMITS as GENERATE_LIMITS
from cop_graph.generate import write_synthetic
from cop_graph.labels import short
from cop_graph.queries import NamedQuery, find_query, load_library, parse_named_query
from cop_graph.validation import unit_count, validate

QUERY_FORMATS = tuple(dict.fromkeys((*TABULAR, *GRAPH_RESULT_FORMATS)))


def data_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--data, and the options that say which store holds the data."""
    # Declared last, so it runs after the store options and checks them together.
    command = click.option("--settings-check", hidden=True, expose_value=False, callback=_check_settings)(command)
    for flag, name, kwargs in reversed(_STORE_OPTIONS):
        command = click.option(flag, name, default=None, expose_value=False, callback=_store_setting,
                               **kwargs)(command)
    return click.option(
        "--data", "data", multiple=True, type=click.Path(path_type=Path),
        help="Extra RDF file or folder to load with the bundled data (repeatable).",
    )(command)


SETTING = {s.name: s for s in SETTINGS}

_STORE_OPTIONS = (
    ("--store", "store", {"type": click.Choice(STORES), "help": SETTING["store"].option_help()}),
    ("--store-path", "store_path", {"type": click.Path(path_type=Path), "metavar": "FOLDER",
                                    "help": SETTING["store_path"].option_help()}),
    ("--store-url", "store_url", {"metavar": "URL", "help": SETTING["store_url"].option_help()}),
    ("--store-data-url", "store_data_url", {"metavar": "URL", "help": SETTING["store_data_url"].option_help()}),
)


def _store_setting(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is not None:
        ctx.find_object(dict).setdefault("overrides", {})[param.name] = str(value)


def _check_settings(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Rebuild the settings with the store options given, naming the option at fault."""
    settings = ctx.find_object(dict)
    overrides = settings.get("overrides", {})
    if set(overrides) <= {"base"}:
        return
    try:
        settings["config"] = load_config(**overrides)
    except CopGraphError as exc:
        named = [f"--{n.replace('_', '-')}" for n in overrides if n != "base" and n.replace("_", " ") in str(exc)]
        raise click.BadParameter(str(exc), ctx=ctx, param_hint=named[0] if named else "--store") from None


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one clear line on stderr and their exit code."""
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CopGraphError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except RecursionError:
            click.echo("error: the input nests too deeply to be processed", err=True)
            sys.exit(2)
    return wrapper


@contextlib.contextmanager
def _hard_time_limit(seconds: float) -> Iterator[None]:
    """The engine's alarm interrupts rdflib, but a query running inside Oxigraph's own code
    never sees it; so a moment after the limit the command ends itself, as the server stops
    a worker process (the data is only read: nothing is left half-done)."""
    def stop() -> None:
        click.echo(f"error: {QueryTimeout(f'the query was stopped at the time limit of {seconds:g} s')}", err=True)
        sys.stderr.flush()
        os._exit(QueryTimeout.exit_code)

    timer = threading.Timer(seconds + 1, stop)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _load(ctx: click.Context, data: tuple[Path, ...], warn: bool = True) -> CopDataset:
    """Load the bundled data and any extra files; warn when files contradict each other."""
    with byte_progress("loading") as advance:
        loaded = load_dataset(data, config=ctx.obj["config"], progress=advance)
    if warn and data:
        for conflict in conflict_warnings(loaded):
            click.echo(f"warning: {conflict}; answers may count it twice "
                       "(cop-graph validate reports it)", err=True)
    return loaded


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--base", default=None, metavar="IRI", help=SETTING["base"].option_help())
@click.version_option(package_name="cop-graph")
@click.pass_context
def main(ctx: click.Context, base: str | None) -> None:
    """A knowledge graph of the UN B-Tech Project's Company Community of Practice."""
    ctx.ensure_object(dict)
    ctx.obj["overrides"] = {"base": base}
    try:
        ctx.obj["config"] = load_config(base=base)
    except CopGraphError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None


@main.command("validate")
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
    loaded = _load(ctx, data, warn=False)
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


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--param takes NAME=VALUE, got {item!r}")
        if name.strip() in params:
            raise ParameterError(f"parameter {name.strip()!r} is given twice")
        params[name.strip()] = value
    return params


@main.command("query")
@click.argument("query", required=False)
@click.option("-e", "--expression", "expression", metavar="SPARQL",
              help="Run this SPARQL text instead of a named query.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A named query's parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default=None,
              help="Output format [default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE].")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their parameters.")
@data_option
@click.pass_context
@reports_errors
def query_command(ctx: click.Context, query: str | None, expression: str | None, params: tuple[str, ...],
                  fmt: str | None, list_queries: bool, data: tuple[Path, ...]) -> None:
    """Run a named query (NAME), a query file (FILE.rq) or SPARQL text (-e)."""
    config = ctx.obj["config"]
    library = load_library(config.queries_dir)
    if list_queries:
        click.echo(_library_listing(library))
        return
    if bool(query) == bool(expression):
        raise click.UsageError("give a query NAME or FILE.rq, or -e SPARQL (one of them)")
    values = _parse_params(params)
    loaded = _load(ctx, data)
    if expression is not None:
        if values:
            raise ParameterError("--param applies to named queries and .rq files with a header, not to -e")
        request = QueryRequest(expression, format=fmt)
    else:
        named = _named(library, query)
        request = QueryRequest(named.text, named.bindings(values, config.base), format=fmt)
    with _hard_time_limit(config.query_timeout):
        result = answer(loaded, request, config)
    click.echo(result.body, nl=False)
    if result.truncated:
        click.echo(f"warning: the result was cut at {result.rows:,} rows (COP_GRAPH_MAX_ROWS)", err=True)


def _named(library: dict[str, NamedQuery], query: str) -> NamedQuery:
    path = Path(query)
    if query.endswith(".rq") or path.is_file():
        if not path.is_file():
            raise ParameterError(f"{query}: no such query file")
        return parse_named_query(path, require_header=False)
    return find_query(library, query)


def _library_listing(library: dict[str, NamedQuery]) -> str:
    lines = []
    for q in library.values():
        lines.append(f"{q.name}  ({q.form})\n    {q.title}. {q.description}")
        for p in q.parameters:
            default = f", default {p.default}" if p.default is not None else ", required"
            lines.append(f"    --param {p.name}=<{p.type}{default}>  {p.description}")
    return "\n".join(lines)


@main.command("export")
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
    loaded = _load(ctx, data, warn=False)
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


@main.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@data_option
@click.pass_context
@reports_errors
def stats_command(ctx: click.Context, fmt: str, data: tuple[Path, ...]) -> None:
    """Triples per named graph and instances per class."""
    config = ctx.obj["config"]
    stats = Dataset(_load(ctx, data)).stats()
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


def _year_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--year", default=None, metavar="YYYY",
                        help="Only this year's participation and sessions [default: all years].")(command)


def _projection_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--projection", type=click.Choice(network.PROJECTIONS), default="orgs", show_default=True,
                        help="Which network: organisations, topics, organisation-topic, people, the full graph, or "
                             "the whole COP (organisations, series, sessions, topics, attending groups).")(
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
    named = _named(load_library(loaded.config.queries_dir), construct)
    return named.name, network.from_query(loaded, named, _parse_params(params))


@main.group("network", invoke_without_command=True)
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
    loaded = _load(ctx, data)
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
    loaded = _load(ctx, data)
    _, graph = _network_of(ctx, loaded, projection, year, construct, params)
    size = network.export(graph, fmt, output)
    click.echo(f"wrote {output} ({fmt}, {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
               f"{size:,} bytes)", err=True)


@main.command("import")
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
    from cop_graph.importing import import_table

    result = import_table(mapping, ctx.obj["config"], output, shapes)
    if not result.written:
        click.echo(result.report.to_text(), err=True)
        click.echo(f"error: the import does not conform to {shapes or result.shapes}; nothing was written", err=True)
        sys.exit(1)
    warnings = result.report.count("Warning")
    click.echo(f"wrote {result.output} ({result.triples:,} triples, dataset {result.name!r}; "
               f"conforms to {result.shapes}" + (f" with {warnings} warning(s)" if warnings else "") + ")")


@main.command("link")
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
    from cop_graph.linkset import link_dataset, resolve_dataset

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


@contextlib.contextmanager
def progress_bar(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """Yield a function that advances a progress bar on stderr when it is a terminal; in
    pipes and CI (stderr not a terminal) it does nothing, so logs stay clean."""
    if not sys.stderr.isatty():
        yield lambda _: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr, show_eta=True) as bar:
        yield bar.update
        bar.update(max(0, length - bar.pos))  # done, even when the length was an estimate


# Below this, loading takes about a second: no bar.
PROGRESS_FROM_BYTES = 16 * 1024 * 1024


@contextlib.contextmanager
def byte_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield a function told (bytes done, bytes in all) that draws a progress bar on a
    terminal once the total is large enough to be worth one."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    bar = None

    def advance(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total >= PROGRESS_FROM_BYTES:
            bar = click.progressbar(length=total, label=label, file=sys.stderr, show_eta=True)
            bar.__enter__()
        if bar is not None:
            bar.update(done - bar.pos)

    try:
        yield advance
    finally:
        if bar is not None:
            bar.update(max(0, bar.length - bar.pos))
            bar.__exit__(None, None, None)


@main.command("generate")
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


@main.command("serve")
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
