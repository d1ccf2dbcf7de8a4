"""The version of what a file's bytes become: its clauses (ingest) and their index terms.

Bump INGEST_VERSION with any change that alters the clauses a file yields or the terms they are
indexed under (index.tokenize, index.clause_text, field weights). An index recorded with another
version re-ingests every document from its recorded source on its next write, so no clause made by
older code outlives an upgrade. tests/test_ingest_version.py fails when the clauses or terms of
corpus/ change while the version stays the same.
"""

INGEST_VERSION = 2
