"""Linking to outside datasets: the declarative import of tables (RML), reconciling
entities by name and identifiers, linksets with their review files. May import
``validation``, ``sparql``, ``store`` and ``rdf``.
"""
