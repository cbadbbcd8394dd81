"""cop-graph: a knowledge graph of the UN B-Tech Project's Company Community of Practice."""

import rdflib

# A literal is its lexical form and datatype, as written: "1.0E6"^^xsd:double stays
# "1.0E6" (rdflib would rewrite it as "1000000.0", a different RDF term), so every store
# and every result format gives back what the files say.
rdflib.NORMALIZE_LITERALS = False

__version__ = "0.1.0"
