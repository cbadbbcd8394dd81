"""``/dumps``: the whole dataset as files to download — Turtle and N-Triples (every named
graph merged) and TriG (each file's named graph kept) — each also gzipped, with the
computed description as ``cop-graph export`` writes it (``publish/export.py`` is the one
writer). A dump is written in the background on its first request, once per dataset
version, to a temporary folder that goes with the dataset, and served from the file: at
10^6 triples writing one takes a while and holds the whole graph in memory, so it is never
redone per request and never two at once. The index (HTML, or JSON) lists them, with the
sizes of those written so far (writing every dump to list its size would hold a 10^6-triple
server busy for minutes).

Also what every site serves beside its pages: the favicon (``/favicon.ico``, the SVG), and
the media type of each page's alternate links (the template global ``alternate_type``).
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, current_app, send_file, url_for

from cop_graph.publish.description import LICENCE, LICENCE_LABEL, RIGHTS, Dump
from cop_graph.publish.export import serialize
from cop_graph.rdf.formats import RDF_SYNTAXES, SYNTAXES
from cop_graph.store.dataset import CopDataset
from cop_graph.web import twin
from cop_graph.web.errors import text_error
from cop_graph.web.links import SUFFIXES
from cop_graph.web.prepared import prepared

dumps = Blueprint("dumps", __name__)

NAME = "cop-graph"
DUMP_FORMATS = ("turtle", "nt", "trig")
GZIP = "application/gzip"
# Every file under /dumps: its name -> (format, gzipped).
FILES: dict[str, tuple[str, bool]] = {
    f"{NAME}{SYNTAXES[fmt].suffixes[0]}{'.gz' if gzipped else ''}": (fmt, gzipped)
    for fmt in DUMP_FORMATS for gzipped in (False, True)
}


@dataclass(frozen=True)
class Written:
    """A dump on disk: the file and its gzipped copy, with their sizes in bytes."""

    path: Path
    size: int
    gzip_path: Path
    gzip_size: int


class DatasetDumps:
    """The dumps of one dataset version, each written once, one at a time; the folder is
    removed when the dataset goes (or the process ends)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._written: dict[str, Written] = {}
        self._folder: Path | None = None

    def get(self, loaded: CopDataset, fmt: str) -> Written:
        found = self._written.get(fmt)
        if found is not None:
            return found
        with self._lock:
            if fmt not in self._written:
                self._written[fmt] = self._write(loaded, fmt)
            return self._written[fmt]

    def done(self, fmt: str) -> Written | None:
        """The dump if it has been written (the index lists sizes without writing any)."""
        return self._written.get(fmt)

    def _write(self, loaded: CopDataset, fmt: str) -> Written:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="cop-graph-dumps-"))
            weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
        data = serialize(loaded, fmt).encode("utf-8")
        name = download_name(loaded, fmt, gzipped=False)
        path, packed = self._folder / name, self._folder / (name + ".gz")
        path.write_bytes(data)
        # mtime 0: the same data gives the same bytes; the name inside is the file's
        with packed.open("wb") as raw, gzip.GzipFile(name, "wb", 6, raw, mtime=0) as out:
            out.write(data)
        return Written(path, len(data), packed, packed.stat().st_size)


def written(loaded: CopDataset, fmt: str) -> Written:
    """The dump of ``loaded`` in ``fmt``, written on first use in the background; waited
    for within the query time limit, else :class:`Preparing`."""
    dumps = loaded.memo("dumps", build=DatasetDumps)
    return prepared(loaded, "dump", fmt, build=lambda: dumps.get(loaded, fmt))


def download_name(loaded: CopDataset, fmt: str, gzipped: bool) -> str:
    """The name a download is saved under: the dataset version in it, so two versions never
    overwrite each other (``cop-graph-<version>.ttl``)."""
    return f"{NAME}-{loaded.version}{SYNTAXES[fmt].suffixes[0]}{'.gz' if gzipped else ''}"


def served_type(fmt: str, gzipped: bool) -> str:
    """The Content-Type: the RDF syntax's, or gzip for a gzipped file (no Content-Encoding:
    the file itself is what is downloaded)."""
    return GZIP if gzipped else f"{RDF_SYNTAXES[fmt][0]}; charset=utf-8"


def dump_links() -> list[Dump]:
    """Every dump's URL on this server, for the dataset description."""
    return [Dump(url_for("dumps.dump", name=name, _external=True), RDF_SYNTAXES[fmt][0], SYNTAXES[fmt].label, gzipped)
            for name, (fmt, gzipped) in FILES.items()]


@dataclass(frozen=True)
class DumpFile:
    """One file as the index lists it."""

    name: str
    url: str
    format: str
    media_type: str
    gzipped: bool
    named_graphs: bool
    download_name: str
    bytes: int | None  # None until the file is first downloaded (and so written)


@dataclass(frozen=True)
class DumpIndex:
    """The /dumps page's data: every file, the data's licence and the source's terms."""

    version: str
    triples: int
    graphs: int
    files: list[DumpFile]
    licence: str
    licence_label: str
    rights: str
    description: str


def _dataset() -> CopDataset:
    return current_app.extensions["cop_dataset"]


@dumps.get("/dumps.json")
@dumps.get("/dumps")  # registered first, so url_for gives "/dumps"
def index() -> Response:
    loaded = _dataset()
    files = []
    for name, (fmt, gzipped) in FILES.items():
        done = loaded.memo("dumps", build=DatasetDumps).done(fmt)  # the index writes none
        size = None if done is None else done.gzip_size if gzipped else done.size
        files.append(DumpFile(name, url_for("dumps.dump", name=name, _external=True), SYNTAXES[fmt].label,
                              served_type(fmt, gzipped).split(";")[0], gzipped, SYNTAXES[fmt].quads,
                              download_name(loaded, fmt, gzipped), size))
    page = DumpIndex(loaded.version, len(loaded), len(loaded.files), files, str(LICENCE), LICENCE_LABEL, RIGHTS,
                     url_for("void.well_known", _external=True))
    return twin.respond(page, "dumps.html")


@dumps.get("/dumps/<path:name>")
def dump(name: str) -> Response:
    if name not in FILES:
        listed = ", ".join(url_for("dumps.dump", name=known) for known in FILES)
        return text_error(404, f"404 Not Found: there is no dump {name[:100]!r}; the dumps are: {listed} "
                               f"(listed with their sizes at {url_for('dumps.index')})")
    loaded = _dataset()
    fmt, gzipped = FILES[name]
    done = written(loaded, fmt)
    # the validators are the caching layer's, as for every answer built from the data
    # a media type given, werkzeug guesses none from the ".gz" (which would add Content-Encoding)
    response = send_file(done.gzip_path if gzipped else done.path, mimetype=GZIP, conditional=False, etag=False)
    response.headers["Content-Type"] = served_type(fmt, gzipped)
    response.headers["Content-Disposition"] = f'attachment; filename="{download_name(loaded, fmt, gzipped)}"'
    return response


@dumps.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says: they get the SVG."""
    return current_app.send_static_file("favicon.svg")


@dumps.app_template_global()
def alternate_type(url: str) -> str:
    """The media type of an alternate link (``/org/apple.ttl``, ``/resource?iri=…&format=nt``),
    from the format table; empty when the URL names no format."""
    parts = urlsplit(url)
    name = next((fmt for suffix, fmt in SUFFIXES.items() if parts.path.endswith(suffix)), None)
    name = name or next(iter(parse_qs(parts.query).get("format", [])), None)
    if name == "json":
        return "application/json"
    return RDF_SYNTAXES[name][0] if name in RDF_SYNTAXES else ""
