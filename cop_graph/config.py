"""Every setting in one place: its name, default, help text and environment variable."""

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
)


@dataclass(frozen=True)
class Config:
    """The resolved settings; build one with :func:`load_config`."""

    base: str = CANONICAL_BASE
    root: Path = field(default_factory=bundled_root)

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


def load_config(**overrides: str | None) -> Config:
    """Settings from keyword overrides, then the environment, then defaults."""
    values: dict[str, str] = {}
    for setting in SETTINGS:
        value = overrides.get(setting.name) or os.environ.get(setting.env) or setting.default
        if value:
            values[setting.name] = value
    base = values.get("base", CANONICAL_BASE)
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]+", base):
        raise ConfigError(f"the base IRI must be an absolute http(s) IRI such as {CANONICAL_BASE}; got {base!r}")
    if not base.endswith(("/", "#")):
        base += "/"
    root = Path(values["root"]).resolve() if "root" in values else bundled_root()
    return Config(base=base, root=root)
