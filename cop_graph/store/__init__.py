"""Where the statements live: the dataset loader (files → named graphs, under the base),
the three stores (in memory, Oxigraph on disk, a remote SPARQL endpoint), the checked SPARQL
HTTP client and the line of every statement in its file. May import ``rdf``.
"""
