"""RDF itself: the namespaces (a closed ``COP`` namespace), reading files with their line
numbers, the one table of formats, labels and display names, and the lock around rdflib's
SPARQL grammar. Imports nothing of the package above ``errors`` and ``config``.
"""
