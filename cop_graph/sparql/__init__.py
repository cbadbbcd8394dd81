"""Asking the graph: the named-query library (``.rq`` files), the checks every query meets
(size, syntax, no update, SERVICE allowlist), evaluation, the one ``answer`` function with
its time limit and row cap, and the worker pool the server runs it in. May import ``store``
and ``rdf``.
"""
