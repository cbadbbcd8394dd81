"""cop-graph: a knowledge graph of the UN B-Tech Project's Company Community of Practice."""

__version__ = "0.1.0"
