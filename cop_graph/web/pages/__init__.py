"""Page data for the explorer: one dataclass per page, built from the queries under
``queries/pages/`` and fed both to the HTML template and to the page's JSON twin.

These are the app's own trusted, bounded queries; they run in-process through the one
query function (:func:`cop_graph.sparql.evaluate.select`), while user queries go through the
engine with its limits.
"""

