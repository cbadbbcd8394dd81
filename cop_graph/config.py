"""Every setting in one place: its name, default, help text and environment variable.

Defaults work on a laptop with no other service; each can be changed by a command-line
option (where the command has one) or its environment variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
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


def _number(kind: type, minimum: float) -> Callable[[str, str], float | int]:
    def read(name: str, value: str) -> float | int:
        try:
            number = kind(value)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {value!r}") from None
        if number < minimum:
            raise ConfigError(f"{name} must be at least {minimum}, got {value!r}")
        return number
    return read


def _text(name: str, value: str) -> str:
    return value.strip()


def _words(name: str, value: str) -> tuple[str, ...]:
    return tuple(value.split())


def _folder(name: str, value: str) -> Path | None:
    return Path(value).expanduser().resolve() if value.strip() else None


def _root(name: str, value: str) -> Path:
    return Path(value).resolve() if value.strip() else bundled_root()


def _url(name: str, value: str) -> str:
    if value and not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", value):
        raise ConfigError(f"the {name} must be an http(s) URL; got {value!r}")
    return value


def _base(name: str, value: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]+", value):
        raise ConfigError(f"the base IRI must be an absolute http(s) IRI such as {CANONICAL_BASE}; got {value!r}")
    return value if value.endswith(("/", "#")) else value + "/"


def _store(name: str, value: str) -> str:
    store = value.strip().lower()
    if store not in STORES:
        raise ConfigError(f"unknown store {value!r}; choose one of: {', '.join(STORES)}")
    return store


def _switch(name: str, value: str) -> bool:
    word = value.strip().lower()
    if word not in ("1", "on", "true", "yes", "0", "off", "false", "no"):
        raise ConfigError(f"the {name} must be on or off (1 or 0); got {value!r}")
    return word in ("1", "on", "true", "yes")


def _cache(name: str, value: str) -> Path | None:
    if value.strip().lower() == "off":
        return None
    if value.strip():
        return Path(value).expanduser().resolve()
    return user_cache() / "validation"


@dataclass(frozen=True)
class Setting:
    """One setting: its name (a field of :class:`Config` and a keyword of the Python API),
    environment variable, default, help, and how its text is read (checked, converted)."""

    name: str
    env: str
    default: str
    help: str
    read: Callable[[str, str], object] = _text
    label: str = ""  # how an error names it, when not its name with spaces

    def value(self, raw: str) -> object:
        return self.read(self.label or self.name.replace("_", " "), raw)

    def option_help(self, text: str | None = None) -> str:
        """Help for the command-line option that sets it: the text, the variable, the default."""
        default = f"; default {self.default}" if self.default else ""
        return f"{text or self.help} [env {self.env}{default}]"


SETTINGS = (
    Setting("base", "COP_GRAPH_BASE", CANONICAL_BASE,
            "Base IRI of the graph's resources; the bundled data is written under "
            f"{CANONICAL_BASE} and moved under this base when it differs.", _base),
    Setting("root", "COP_GRAPH_ROOT", "",
            "Folder holding ontology/, data/ and queries/ (default: the bundled ones).", _root),
    Setting("query_timeout", "COP_GRAPH_QUERY_TIMEOUT", "10",
            "Seconds a query may run before it is stopped.", _number(float, 0.1)),
    Setting("max_rows", "COP_GRAPH_MAX_ROWS", "10000",
            "Most result rows (or triples) a query returns; longer results are cut and marked truncated.",
            _number(int, 1)),
    Setting("max_query_bytes", "COP_GRAPH_MAX_QUERY_BYTES", "65536",
            "Largest query text (and request body) accepted, in bytes.", _number(int, 64)),
    Setting("service_allowlist", "COP_GRAPH_SERVICE_ALLOWLIST", "",
            "Space-separated SPARQL endpoint IRIs that SERVICE may call (default: none).", _words),
    Setting("workers", "COP_GRAPH_WORKERS", "2",
            "Query worker processes of the server: queries run there so a slow one can be stopped.",
            _number(int, 0)),
    Setting("queue_timeout", "COP_GRAPH_QUEUE_TIMEOUT", "5",
            "Seconds a request waits for a free query worker before it is answered 503.", _number(float, 0)),
    Setting("queue_length", "COP_GRAPH_QUEUE_LENGTH", "4",
            "Requests that may wait for a query worker at once; more are answered 503 at once, so "
            "the request threads stay free for pages.", _number(int, 0)),
    Setting("client_queries", "COP_GRAPH_CLIENT_QUERIES", "0",
            "Queries one client (address) may have running or waiting at once while other clients wait; "
            "more are answered 429 (a client alone may use every worker). 0: one fewer than the query "
            "workers (at least 1), so no client holds every worker while others wait.",
            _number(int, 0), "queries per client"),
    Setting("trusted_proxy", "COP_GRAPH_TRUSTED_PROXY", "",
            "Address of the reverse proxy in front of the server: its X-Forwarded-For names the client "
            "(for the share per client). Other senders' X-Forwarded-For is ignored.", _text),
    Setting("store", "COP_GRAPH_STORE", "memory",
            "Where the statements live: memory (Oxigraph in memory, every file parsed at every start), "
            "oxigraph (an Oxigraph store on disk, kept between starts) or sparql (a remote SPARQL 1.1 store).",
            _store),
    Setting("store_path", "COP_GRAPH_STORE_PATH", "",
            "Folder of the oxigraph store (default: ~/.cache/cop-graph/oxigraph).", _folder),
    Setting("store_url", "COP_GRAPH_STORE_URL", "",
            "Query endpoint of the sparql store, e.g. http://127.0.0.1:7878/query.", _url),
    Setting("store_data_url", "COP_GRAPH_STORE_DATA_URL", "",
            "Graph Store Protocol endpoint of the sparql store, e.g. http://127.0.0.1:7878/store; "
            "when given, the loaded files are written there (only those that changed).", _url),
    Setting("store_timeout", "COP_GRAPH_STORE_TIMEOUT", "10",
            "Seconds to wait for the sparql store to answer before it counts as unreachable.",
            _number(float, 0.1)),
    Setting("access_log", "COP_GRAPH_ACCESS_LOG", "on",
            "One line per request on stderr from `cop-graph serve` (client, time, request, status, bytes, "
            "milliseconds); off (0) for none.", _switch, "access log setting"),
    Setting("validation_cache", "COP_GRAPH_VALIDATION_CACHE", "",
            "Folder where validation findings (and conflicts between files) are kept between runs, reused until "
            "what they depend on changes (default: ~/.cache/cop-graph/validation; `off` keeps none).", _cache),
)

STORES = ("memory", "oxigraph", "sparql")


@dataclass(frozen=True)
class Config:
    """The resolved settings, one field per row of :data:`SETTINGS` (where the defaults
    are); build one with :func:`load_config`."""

    base: str
    root: Path
    query_timeout: float
    max_rows: int
    max_query_bytes: int
    service_allowlist: tuple[str, ...]
    workers: int
    queue_timeout: float
    queue_length: int
    client_queries: int
    trusted_proxy: str
    store: str
    store_path: Path | None
    store_url: str
    store_data_url: str
    store_timeout: float
    access_log: bool
    validation_cache: Path | None  # None: no cache

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


def load_config(**overrides: object) -> Config:
    """Settings from keyword overrides, then the environment, then defaults."""
    values = {}
    for setting in SETTINGS:
        value = overrides.get(setting.name)
        if value is None or value == "":
            value = os.environ.get(setting.env) or setting.default
        values[setting.name] = setting.value(" ".join(value) if isinstance(value, (tuple, list)) else str(value))
    if values["store"] == "sparql" and not values["store_url"]:
        raise ConfigError("the sparql store needs the URL of its query endpoint "
                          "(--store-url or COP_GRAPH_STORE_URL)")
    return Config(**values)


def user_cache() -> Path:
    """Where cop-graph keeps what it can rebuild: the XDG cache folder."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cop-graph"
