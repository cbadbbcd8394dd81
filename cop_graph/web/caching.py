"""HTTP caching and compression for every answer the app builds from the data.

An answer is a function of the data, the request and the server (its code, named queries
and settings), and the data does not change while the app runs. So its validator can be
computed from the request alone, before the view runs: a weak ``ETag``
``W/"<dataset version>-<request digest>"``, with ``Last-Modified`` the time the data was
loaded. A client whose copy is current (``If-None-Match``, else ``If-Modified-Since``)
gets ``304 Not Modified`` without the page being rendered or the query run; a SPARQL query
sent by POST with a matching ``If-None-Match`` gets ``412 Precondition Failed``, as
RFC 9110 prescribes for methods other than GET and HEAD. Text answers over 1 KB are
gzipped for clients that accept it, by flask-compress.

The tag is weak because the same answer is not always the same bytes: query workers and
restarts may order unordered results differently, and compression changes the bytes but
not the tag. Only ``200`` answers and their ``304`` carry validators; errors never do, nor
an answer its view says must not be stored (``Cache-Control: no-store``: a citation, whose
accessed date is the day it is asked for).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask, Response, current_app, g, request
from flask_compress import Compress

from cop_graph.config import Config
from cop_graph.web.errors import text_error

# A client may store answers but must ask again before using one; asking again costs a
# digest of the request, never a query.
CACHE_CONTROL = "no-cache"
# POSTs that only read: the SPARQL protocol's query by form or in the body.
READING_POSTS = {"sparql.endpoint"}
QUERY_BODIES = {"application/x-www-form-urlencoded", "application/sparql-query"}
# Settings that cannot change an answer, only how soon or whether it comes.
NEUTRAL_SETTINGS = {"workers", "query_timeout", "queue_timeout", "queue_length", "client_queries",
                    "trusted_proxy", "access_log"}

COMPRESSION = {
    "COMPRESS_MIMETYPES": [
        "text/html", "text/plain", "text/css", "text/javascript", "application/javascript", "image/svg+xml",
        "application/json", "application/xml", "text/xml", "text/csv", "text/tab-separated-values",
        "application/sparql-results+json", "application/sparql-results+xml",
        "text/turtle", "application/n-triples", "application/n-quads", "application/ld+json",
        "application/rdf+xml", "application/trig",
        "application/vnd.citationstyles.csl+json", "application/x-bibtex", "application/x-research-info-systems",
    ],
    # gzip only: Brotli at a speed fit for each request saved no more on these answers
    "COMPRESS_ALGORITHM": ["gzip"],
    "COMPRESS_MIN_SIZE": 1024,  # below that, gzip saves a few hundred bytes at most
    "COMPRESS_STREAMS": False,  # static files are streamed, and revalidated by Flask itself
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,  # conditional requests are answered here
}


@dataclass(frozen=True)
class Validators:
    """What the app's validators are made of besides the request."""

    server: str  # digest of the code, the named queries and the settings that shape answers
    loaded_at: datetime  # when the data was loaded: the Last-Modified of every answer


def init_app(app: Flask) -> None:
    """Compression, then the validator hooks; call once the dataset is loaded."""
    app.extensions["cop_caching"] = Validators(server_digest(app.config["COP"]),
                                               datetime.now(timezone.utc).replace(microsecond=0))
    app.config.update({k: v for k, v in COMPRESSION.items() if k not in app.config})
    Compress(app)
    app.before_request(_answer_if_current)
    app.after_request(_add_validators)  # registered after Compress, so it runs first


def server_digest(config: Config) -> str:
    """A digest of this package's files (templates and scripts included), the named
    queries, every setting but those in NEUTRAL_SETTINGS and the working folder (the
    dataset description names files relative to it): a new release or a changed setting
    must not revalidate answers made by the old one."""
    digest = hashlib.sha256()
    settings = {k: v for k, v in dataclasses.asdict(config).items() if k not in NEUTRAL_SETTINGS}
    digest.update(repr((sorted(settings.items()), str(Path.cwd()))).encode())
    package = Path(__file__).resolve().parent.parent
    for root, skip in ((package, {"__pycache__", "bundled"}), (config.queries_dir, {"__pycache__"})):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not skip & set(p.relative_to(root).parts)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def request_tag() -> str | None:
    """The opaque part of the validator of the answer to this request, or None for a
    request that has none (static files, unknown routes, other methods)."""
    if request.routing_exception is not None or request.endpoint == "static":
        return None
    if request.method in ("GET", "HEAD"):
        body = b""
    elif request.method == "POST" and request.endpoint in READING_POSTS and request.mimetype in QUERY_BODIES:
        body = request.get_data()  # kept: the view parses the form or reads the query from it
    else:
        return None
    digest = hashlib.sha256(current_app.extensions["cop_caching"].server.encode())
    for part in ("GET" if request.method == "HEAD" else request.method, request.host_url, request.path,
                 request.query_string, request.headers.get("Accept", ""), request.content_type or "", body):
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return f"{current_app.extensions['cop_dataset'].version}-{digest.hexdigest()[:16]}"


def _client_is_current(tag: str) -> bool:
    """RFC 9110 §13.2.2: If-None-Match by weak comparison; without it, If-Modified-Since
    (GET and HEAD only) against the load time."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(tag)
    since = request.if_modified_since
    loaded_at = current_app.extensions["cop_caching"].loaded_at
    return request.method in ("GET", "HEAD") and since is not None and loaded_at <= since


def _answer_if_current() -> Response | None:
    tag = g.cop_etag = request_tag()
    # "If-None-Match: *" holds only if there is an answer, which takes the view to know
    if tag is None or request.if_none_match.star_tag or not _client_is_current(tag):
        return None
    return _not_modified()


def _not_modified() -> Response:
    if request.method in ("GET", "HEAD"):
        return Response(status=304)
    return text_error(412, "412 Precondition Failed: the answer matches If-None-Match, so the copy you have "
                           "is current; the query was not run")


def _add_validators(response: Response) -> Response:
    """ETag, Last-Modified and Cache-Control on a 200 or 304 answer that has a validator."""
    tag = g.get("cop_etag")
    if tag is None or response.status_code not in (200, 304) or "no-store" in response.cache_control:
        return response
    if response.status_code == 200 and _client_is_current(tag):  # only "If-None-Match: *" gets here
        response = _not_modified()
        if response.status_code != 304:
            return response
    response.set_etag(tag, weak=True)
    response.last_modified = current_app.extensions["cop_caching"].loaded_at
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Accept")
    return response
