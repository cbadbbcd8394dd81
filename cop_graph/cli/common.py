"""What every command shares: the data and store options, loading with a progress bar,
one error path (a clear line on stderr and the exit code), the hard time limit."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from cop_graph.config import SETTINGS, STORES, load_config
from cop_graph.errors import CopGraphError, ParameterError, QueryTimeout
from cop_graph.sparql.library import NamedQuery, find_query, parse_named_query
from cop_graph.store.dataset import CopDataset, load_dataset
from cop_graph.validation.conflicts import conflict_warnings


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
def hard_time_limit(seconds: float) -> Iterator[None]:
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


def load_data(ctx: click.Context, data: tuple[Path, ...], warn: bool = True) -> CopDataset:
    """Load the bundled data and any extra files; warn when files contradict each other."""
    with byte_progress("loading") as advance:
        loaded = load_dataset(data, config=ctx.obj["config"], progress=advance)
    if warn and data:
        for conflict in conflict_warnings(loaded):
            click.echo(f"warning: {conflict}; answers may count it twice "
                       "(cop-graph validate reports it)", err=True)
    return loaded


def parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--param takes NAME=VALUE, got {item!r}")
        if name.strip() in params:
            raise ParameterError(f"parameter {name.strip()!r} is given twice")
        params[name.strip()] = value
    return params


def named_query(library: dict[str, NamedQuery], query: str) -> NamedQuery:
    path = Path(query)
    if query.endswith(".rq") or path.is_file():
        if not path.is_file():
            raise ParameterError(f"{query}: no such query file")
        return parse_named_query(path, require_header=False)
    return find_query(library, query)


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

