"""One lock for rdflib's SPARQL grammar. The grammar is a pyparsing grammar, and pyparsing
is not thread-safe: its elements keep state while they parse, so two threads reading
queries at once (the server's request threads) fail with errors that belong to neither
query (``Param.postParse2() missing 1 required positional argument``). Every use of the
grammar in this process — parsing, translating, scanning a query's text — holds it."""

from __future__ import annotations

import threading

PARSING = threading.RLock()
