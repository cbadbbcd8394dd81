"""What leaves the graph as files: the export in every RDF syntax, the dataset's
description (VoID, DCAT, linksets), citations for reference managers (CSL-JSON, BibTeX,
RIS), and the synthetic graphs the benchmarks use. May import
``sparql``, ``store`` and ``rdf``.
"""
