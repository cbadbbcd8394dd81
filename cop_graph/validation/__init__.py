"""SHACL validation with pyshacl: the shapes split into units, their cached results, the
report with file:line for every finding, and the consistency warnings computed by queries.
May import ``sparql``, ``store`` and ``rdf``.
"""
