"""Fetch and parse the annual reports; a plain library (no Dagster)."""

from ingest import compiled as _compiled

# the parser's compiled modules, when current (ingest.compiled)
_compiled.install()
