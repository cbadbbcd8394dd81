"""What is derived from the graph for reading it: the networks (projections, measures,
layouts) and the search index. May import ``sparql``, ``store`` and ``rdf``.
"""
