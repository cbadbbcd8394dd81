"""The query text a store receives: the user's query, after the prefixes every query may
use undeclared, with its bound values as a VALUES block at the head of each WHERE clause.

rdflib binds values to the whole evaluation, subqueries included (``initBindings``); a
store that takes text needs them in the text. A trailing VALUES (what rdflib's own
SPARQLStore writes) joins after the projection, so a parameter the query does not select
would filter nothing; at the head of every WHERE clause, the outer one and each
subquery's, it binds before the patterns, as ``initBindings`` does. The values are
written by rdflib's term serialiser, never spliced from raw input, and the places are
found by rdflib's own SPARQL grammar. Only the named queries, which are ours, carry
bindings; a query from a user is sent as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pyparsing import (
    Keyword,
    Literal,
    OneOrMore,
    Optional,
    Regex,
    StringStart,
    ZeroOrMore,
    original_text_for,
    rest_of_line,
)
from rdflib.plugins.sparql.parser import (
    IRIREF,
    ConstructTemplate,
    DatasetClause,
    Expression,
    Prologue,
    SelectClause,
    String,
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


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}")
_DECLARED = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


def store_text(text: str, bindings: dict[str, Node], exact_counts: bool = False) -> str | None:
    """The query as a store should receive it, or None where the bindings have no WHERE
    clause to go in (``CONSTRUCT WHERE`` short form, ``DESCRIBE`` without WHERE).

    The query's own PREFIX lines come after ours, so they win. ``exact_counts`` rewrites
    COUNT for Oxigraph 0.3 (see :func:`bound_counts`)."""
    if _ESCAPED_SURROGATE.search(text):  # rdflib reads them; stores refuse the whole query
        raise QueryError("the query holds a lone surrogate code point (such as \\uD800), which is not Unicode "
                         "text and cannot be sent to the store")
    with PARSING:
        prepared, heads = _prepared(text, exact_counts)
    if not bindings:
        return _DECLARED + prepared
    if heads is None:
        return None
    names = " ".join(f"?{name}" for name in bindings)
    block = f" VALUES ({names}) {{ ({' '.join(term.n3() for term in bindings.values())}) }}"
    pieces, start = [_DECLARED], 0
    for end in heads:
        pieces += [prepared[start:end], block]
        start = end
    return "".join(pieces) + prepared[start:]


@lru_cache(maxsize=256)
def _prepared(text: str, exact_counts: bool) -> tuple[str, tuple[int, ...] | None]:
    """The text to send and where its WHERE clauses open: scanning a query costs more than
    running a small one, and the same texts (named queries, page queries) come again and again."""
    if exact_counts:
        text = bound_counts(text)
    found = next(iter(_HEAD.scan_string(text, max_matches=1)), None)
    if found is None:
        return text, None
    rest = found[2]
    return text, (rest, *(rest + end for _, _, end in _SUBQUERY_HEAD.scan_string(text[rest:])))


# Oxigraph 0.3 (the line morph-kgc allows) counts every row in COUNT(expr), the rows where
# expr is unbound or an error included, and counts "unbound" as one more distinct value in
# COUNT(DISTINCT expr). Its store gets each COUNT(expr) written in terms it evaluates
# right: a row counts 1 only when expr has a value (sameTerm(e, e) is an error otherwise),
# and the distinct count loses the one it gave to "unbound" when any row had no value.
_COUNT = (_keyword("COUNT") + Literal("(") + Optional(_keyword("DISTINCT"))("distinct")
          + original_text_for(Expression)("argument") + Literal(")"))
_OPAQUE = String | IRIREF | Regex(r"#[^\r\n]*")  # where "COUNT(" is text, not a call


def bound_counts(text: str) -> str:
    """``text`` with every COUNT(expr) and COUNT(DISTINCT expr) made exact on Oxigraph 0.3."""
    opaque = [(start, end) for _, start, end in _OPAQUE.scan_string(text)]
    pieces, done = [], 0
    for tokens, start, end in _COUNT.scan_string(text):
        if start < done or any(a <= start < b for a, b in opaque):
            continue
        argument = tokens["argument"]
        has_value = f"COALESCE(IF(SAMETERM(({argument}), ({argument})), 1, 1), 0)"
        if tokens.get("distinct"):
            no_value = f"COALESCE(IF(SAMETERM(({argument}), ({argument})), 0, 0), 1)"
            counted = f"(COUNT(DISTINCT {argument}) - COALESCE(MAX({no_value}), 0))"
        else:
            counted = f"SUM({has_value})"
        pieces += [text[done:start], counted]
        done = end
    return "".join(pieces) + text[done:]
