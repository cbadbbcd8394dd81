"""`cop-graph query` keeps the time limit on every store: rdflib's evaluation is interrupted by
an alarm; a query inside Oxigraph's own code is not, and the command ends itself instead (a real
process: it ends with os._exit)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.every_store

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize("query", [RUNAWAY, RUNAWAY.replace("COUNT(*)", "COUNT(DISTINCT ?c)")])
def test_a_runaway_query_from_the_command_line_stops_at_the_time_limit(cli_process, query):
    proc = cli_process("query", "-e", query, env={"COP_GRAPH_QUERY_TIMEOUT": "1"})
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == "error: the query was stopped at the time limit of 1 s"


def test_a_query_within_the_limit_is_answered(cli):
    proc = cli("query", "-e", "ASK { ?s a <https://schema.org/Person> }", "--format", "json",
               env={"COP_GRAPH_QUERY_TIMEOUT": "1"})
    assert proc.returncode == 0 and '"boolean": true' in proc.stdout
