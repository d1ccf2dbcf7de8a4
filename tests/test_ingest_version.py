"""An index records the ingest version its clauses were made by (ingest.version); an index of
another version is re-ingested. That only works if the version is bumped whenever what the corpus
turns into changes: this test keeps a digest of the clauses and index terms of corpus/ and fails
when they change while INGEST_VERSION stays the same."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from index.sparse import SegmentPostings
from ingest import ingest_paths
from ingest.version import INGEST_VERSION
from index.config import BUNDLED_CORPUS

RECORD = Path(__file__).with_name("ingest_digest.json")


def corpus_digest() -> str:
    """sha256 over every clause of corpus/ and its BM25 postings (terms, frequencies, lengths, priors)."""
    result = ingest_paths([BUNDLED_CORPUS])
    assert not result.errors
    documents = {d.meta.doc_id: d.meta for d in result.documents}
    clauses = [c for d in result.documents for c in d.clauses]
    digest = hashlib.sha256()
    for doc in result.documents:
        meta = {k: v for k, v in doc.meta.to_dict().items() if k != "content_hash"}  # the bytes are not the code
        digest.update(json.dumps(meta, ensure_ascii=False, sort_keys=True).encode())
        for clause in doc.clauses:
            digest.update(json.dumps(clause.to_dict(), ensure_ascii=False, sort_keys=True).encode())
    postings = SegmentPostings.build(documents, clauses)
    for view, p in sorted(postings.views.items()):
        digest.update(view.encode())
        for array in (p.terms, p.indptr, p.rows, p.tf, p.lengths):
            digest.update(array.tobytes())
    digest.update(postings.prior.tobytes())
    return digest.hexdigest()


def test_clause_output_changes_only_with_a_new_ingest_version():
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    digest = corpus_digest()
    if recorded["ingest_version"] == INGEST_VERSION:
        assert digest == recorded["corpus_digest"], (
            "the clauses or index terms of corpus/ changed: bump INGEST_VERSION in ingest/version.py (so "
            f"existing indexes are re-ingested) and record the new digest in {RECORD.name}: {digest}")
    else:
        assert INGEST_VERSION > recorded["ingest_version"], "INGEST_VERSION only goes up"
        raise AssertionError(f"INGEST_VERSION is now {INGEST_VERSION}: record it in {RECORD.name} with the "
                             f"digest {digest}")
