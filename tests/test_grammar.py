"""rdflib's SPARQL grammar (pyparsing) is not thread-safe; the server's request threads read
queries at once, so every use of it holds one lock (cop_graph/rdf/grammar.py)."""

from __future__ import annotations

import threading

from rdflib import Literal

from cop_graph.sparql.prepare import prepare, query_form
from cop_graph.store.text import store_text


def test_queries_read_in_many_threads_at_once_are_each_read_right():
    failures: list[str] = []

    def read(thread: int) -> None:
        for i in range(25):
            text = (f"SELECT ?s (COUNT(?o) AS ?n{thread}x{i}) WHERE {{ ?s ?p ?o FILTER(?o != {i}) "
                    f"OPTIONAL {{ ?s <urn:x:{thread}> ?z }} }} GROUP BY ?s")
            try:
                assert query_form(prepare(text)) == "SELECT"
                bound = store_text(f"{text} # {thread}", {"z": Literal(i)})
                assert f"VALUES (?z) {{ ({Literal(i).n3()}) }}" in bound
            except Exception as exc:  # what a race gives: a TypeError from a parse action, a bogus syntax error
                failures.append(repr(exc))

    threads = [threading.Thread(target=read, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
