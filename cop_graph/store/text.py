"""The query text a store receives: the user's query, after the prefixes every query may
use undeclared, with its bound values as a VALUES block at the head of each WHERE clause
(or, for a remote store, as BIND clauses there: the same one solution, and Virtuoso 7.2
never finishes some queries that carry a VALUES block).

A named query's parameters bind the whole query, subqueries included. A trailing VALUES
joins after the projection, so a parameter the query does not select would filter
nothing; at the head of every WHERE clause, the outer one and each subquery's, it binds
before the patterns. The values are written by rdflib's term serialiser, never spliced
from raw input, and the places are found by rdflib's SPARQL grammar (cached per text:
only the named queries, which are ours, carry bindings); a query from a user is sent as
written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pyparsing import (
    Keyword,
    Literal,
    OneOrMore,
    Optional,
    StringStart,
    ZeroOrMore,
    rest_of_line,
)
from rdflib.plugins.sparql.parser import (
    ConstructTemplate,
    DatasetClause,
    Prologue,
    SelectClause,
    VarOrIri,
)
from rdflib.term import Node

from cop_graph.errors import QueryError
from cop_graph.rdf.grammar import PARSING
from cop_graph.rdf.namespaces import PREFIXES


def _keyword(word: str) -> Keyword:
    keyword = Keyword(word, caseless=True)
    keyword.ignore("#" + rest_of_line)
    return keyword


_OPEN = Literal("{")
_OPEN.ignore("#" + rest_of_line)
_STAR = Literal("*")
_STAR.ignore("#" + rest_of_line)
# Everything up to and including the brace that opens the WHERE clause.
_HEAD = (StringStart() + Prologue
         + (SelectClause
            | _keyword("CONSTRUCT") + ConstructTemplate
            | _keyword("DESCRIBE") + (OneOrMore(VarOrIri) | _STAR)
            | _keyword("ASK"))
         + ZeroOrMore(DatasetClause) + Optional(_keyword("WHERE")) + _OPEN)
_SUBQUERY_HEAD = SelectClause + Optional(_keyword("WHERE")) + _OPEN
_HEAD.ignore("#" + rest_of_line)  # the header comments of the .rq files before the query
# A tab inside a string stays a tab: positions in the text are the text's own.
_HEAD.parse_with_tabs()
_SUBQUERY_HEAD.parse_with_tabs()


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}")
# On the query's first line, so that a store's line numbers are the query's own.
DECLARED = "".join(f"PREFIX {prefix}: <{namespace}> " for prefix, namespace in PREFIXES.items())


def store_text(text: str, bindings: dict[str, Node], declare: bool = False, bind: bool = False) -> str:
    """The query with its bound values at the head of each WHERE clause; with ``declare``,
    after PREFIX lines for our prefixes (the query's own PREFIX lines come after and win),
    for a store that does not take default prefixes; with ``bind``, as one BIND a value
    rather than a VALUES block (at the head of a group both give the one solution that binds
    each name, joined with the rest)."""
    if _ESCAPED_SURROGATE.search(text):  # stores refuse the whole query
        raise QueryError("the query holds a lone surrogate code point (such as \\uD800), which is not Unicode "
                         "text and cannot be sent to the store")
    pieces = [DECLARED] if declare else []
    if not bindings:
        return "".join(pieces) + text
    with PARSING:
        heads = _heads(text)
    if heads is None:
        raise QueryError("the query has no WHERE clause to bind its parameters in; write CONSTRUCT { … } WHERE { … }")
    if bind:
        block = "".join(f" BIND ({term.n3()} AS ?{name})" for name, term in bindings.items())
    else:
        names = " ".join(f"?{name}" for name in bindings)
        block = f" VALUES ({names}) {{ ({' '.join(term.n3() for term in bindings.values())}) }}"
    start = 0
    for end in heads:
        pieces += [text[start:end], block]
        start = end
    return "".join(pieces) + text[start:]


@lru_cache(maxsize=256)
def _heads(text: str) -> tuple[int, ...] | None:
    """Where the query's WHERE clauses open: scanning a query costs more than running a
    small one, and the same texts (named queries, page queries) come again and again."""
    found = next(iter(_HEAD.scan_string(text, max_matches=1)), None)
    if found is None:
        return None
    rest = found[2]
    return (rest, *(rest + end for _, _, end in _SUBQUERY_HEAD.scan_string(text[rest:])))
