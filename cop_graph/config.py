"""Every setting in one place: its name, default, help text and environment variable.

Defaults work on a laptop with no other service; each can be changed by a command-line
option (where the command has one) or its environment variable.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from cop_graph.errors import ConfigError

CANONICAL_BASE = "https://w3id.org/b-tech-cop/"


def bundled_root() -> Path:
    """Where the bundled ontology/, data/ and queries/ live.

    A wheel carries them inside the package (``cop_graph/bundled``); an editable
    install or a checkout uses the project folder itself.
    """
    packaged = Path(__file__).resolve().parent / "bundled"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS = (
    Setting("base", "COP_GRAPH_BASE", CANONICAL_BASE,
            "Base IRI of the graph's resources; the bundled data is written under "
            f"{CANONICAL_BASE} and moved under this base when it differs."),
    Setting("root", "COP_GRAPH_ROOT", "",
            "Folder holding ontology/, data/ and queries/ (default: the bundled ones)."),
    Setting("query_timeout", "COP_GRAPH_QUERY_TIMEOUT", "10",
            "Seconds a query may run before it is stopped."),
    Setting("max_rows", "COP_GRAPH_MAX_ROWS", "10000",
            "Most result rows (or triples) a query returns; longer results are cut and marked truncated."),
    Setting("max_query_bytes", "COP_GRAPH_MAX_QUERY_BYTES", "65536",
            "Largest query text (and request body) accepted, in bytes."),
    Setting("service_allowlist", "COP_GRAPH_SERVICE_ALLOWLIST", "",
            "Space-separated SPARQL endpoint IRIs that SERVICE may call (default: none)."),
    Setting("workers", "COP_GRAPH_WORKERS", "2",
            "Query worker processes of the server: queries run there so a slow one can be stopped."),
    Setting("queue_timeout", "COP_GRAPH_QUEUE_TIMEOUT", "5",
            "Seconds a request waits for a free query worker before it is answered 503."),
    Setting("queue_length", "COP_GRAPH_QUEUE_LENGTH", "4",
            "Requests that may wait for a query worker at once; more are answered 503 at once, so "
            "the request threads stay free for pages."),
    Setting("client_queries", "COP_GRAPH_CLIENT_QUERIES", "0",
            "Queries one client (address) may have running or waiting at once; more are answered 429. "
            "0: one fewer than the query workers (at least 1), so no client holds every worker."),
    Setting("trusted_proxy", "COP_GRAPH_TRUSTED_PROXY", "",
            "Address of the reverse proxy in front of the server: its X-Forwarded-For names the client "
            "(for the share per client). Other senders' X-Forwarded-For is ignored."),
    Setting("store", "COP_GRAPH_STORE", "memory",
            "Where the statements live: memory (rdflib, parsed at every start), oxigraph (an Oxigraph "
            "store on disk, kept between starts) or sparql (a remote SPARQL 1.1 store)."),
    Setting("store_path", "COP_GRAPH_STORE_PATH", "",
            "Folder of the oxigraph store (default: ~/.cache/cop-graph/oxigraph)."),
    Setting("store_url", "COP_GRAPH_STORE_URL", "",
            "Query endpoint of the sparql store, e.g. http://127.0.0.1:7878/query."),
    Setting("store_data_url", "COP_GRAPH_STORE_DATA_URL", "",
            "Graph Store Protocol endpoint of the sparql store, e.g. http://127.0.0.1:7878/store; "
            "when given, the loaded files are written there (only those that changed)."),
    Setting("store_timeout", "COP_GRAPH_STORE_TIMEOUT", "10",
            "Seconds to wait for the sparql store to answer before it counts as unreachable."),
    Setting("validation_cache", "COP_GRAPH_VALIDATION_CACHE", "",
            "Folder where validation findings (and conflicts between files) are kept between runs, reused until "
            "what they depend on changes (default: ~/.cache/cop-graph/validation; `off` keeps none)."),
)

STORES = ("memory", "oxigraph", "sparql")


@dataclass(frozen=True)
class Config:
    """The resolved settings; build one with :func:`load_config`."""

    base: str = CANONICAL_BASE
    root: Path = field(default_factory=bundled_root)
    query_timeout: float = 10.0
    max_rows: int = 10000
    max_query_bytes: int = 65536
    service_allowlist: tuple[str, ...] = ()
    workers: int = 2
    queue_timeout: float = 5.0
    queue_length: int = 4
    client_queries: int = 0
    trusted_proxy: str = ""
    store: str = "memory"
    store_path: Path | None = None
    store_url: str = ""
    store_data_url: str = ""
    store_timeout: float = 10.0
    validation_cache: Path | None = None  # None: no cache

    @property
    def ontology_files(self) -> list[Path]:
        return [self.root / "ontology" / "cop.ttl"]

    @property
    def shapes_file(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"


def _number(name: str, value: str, kind: type, minimum: float) -> float | int:
    try:
        number = kind(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value!r}")
    return number


def load_config(**overrides: object) -> Config:
    """Settings from keyword overrides, then the environment, then defaults."""
    raw: dict[str, str] = {}
    for setting in SETTINGS:
        value = overrides.get(setting.name)
        if value is None or value == "":
            value = os.environ.get(setting.env) or setting.default
        raw[setting.name] = " ".join(value) if isinstance(value, (tuple, list)) else str(value)
    base = raw["base"]
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]+", base):
        raise ConfigError(f"the base IRI must be an absolute http(s) IRI such as {CANONICAL_BASE}; got {base!r}")
    if not base.endswith(("/", "#")):
        base += "/"
    store = raw["store"].strip().lower()
    if store not in STORES:
        raise ConfigError(f"unknown store {raw['store']!r}; choose one of: {', '.join(STORES)}")
    for name in ("store_url", "store_data_url"):
        if raw[name] and not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", raw[name]):
            raise ConfigError(f"the {name.replace('_', ' ')} must be an http(s) URL; got {raw[name]!r}")
    if store == "sparql" and not raw["store_url"]:
        raise ConfigError("the sparql store needs the URL of its query endpoint "
                          "(--store-url or COP_GRAPH_STORE_URL)")
    return Config(
        base=base,
        root=Path(raw["root"]).resolve() if raw["root"] else bundled_root(),
        query_timeout=_number("query timeout", raw["query_timeout"], float, 0.1),
        max_rows=_number("max rows", raw["max_rows"], int, 1),
        max_query_bytes=_number("max query bytes", raw["max_query_bytes"], int, 64),
        service_allowlist=tuple(raw["service_allowlist"].split()),
        workers=_number("workers", raw["workers"], int, 0),
        queue_timeout=_number("queue timeout", raw["queue_timeout"], float, 0),
        queue_length=_number("queue length", raw["queue_length"], int, 0),
        client_queries=_number("queries per client", raw["client_queries"], int, 0),
        trusted_proxy=raw["trusted_proxy"].strip(),
        store=store,
        store_path=Path(raw["store_path"]).expanduser().resolve() if raw["store_path"] else None,
        store_url=raw["store_url"],
        store_data_url=raw["store_data_url"],
        store_timeout=_number("store timeout", raw["store_timeout"], float, 0.1),
        validation_cache=_cache_folder(raw["validation_cache"]),
    )


def _cache_folder(raw: str) -> Path | None:
    if raw.strip().lower() == "off":
        return None
    if raw.strip():
        return Path(raw).expanduser().resolve()
    return user_cache() / "validation"


def user_cache() -> Path:
    """Where cop-graph keeps what it can rebuild: the XDG cache folder."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cop-graph"
