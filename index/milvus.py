"""The Milvus backend (`backend = "milvus"`): each generation's clauses, vectors and filter fields
in a Milvus collection; readers query an alias that publishing switches.

    <milvus_collection>                       the alias readers query (setting, default "policyqa")
    <milvus_collection>_gen_<timestamp>_<rand> one collection per generation, named after its directory
    <index_dir>/gen-*/                        the writer's records and manifest (index.store), as for
                                              the embedded backend: reconcile, ingest and embedding
                                              reuse are index.build's, shared

A collection row is a clause: `row` (its position in the generation, the primary key), the clause
as JSON, its dense vector (FLAT inner product, HNSW past `ann_threshold`), its BM25 sparse vector
and the scalar fields filters test. The build fills a collection no alias names yet; publishing
switches the alias after store.publish made the directory current, so readers never see half a
build, and drops collections no kept generation directory names (a killed writer's, the pruned).

Sparse vectors: the embedded backend's BM25 (index.sparse: two views, three weighted fields, the
kind prior) as inner products. A document-side weight is the whole per-(term, clause) score the
embedded build computes, idf included, and a query's weight per term is 1 (0.5 for expansion
terms), so an inner product is the embedded score. The idf is on the document side rather than the
query's because a generation is rewritten whole anyway, and so a query needs no corpus statistics:
it is built from its own words alone and stays valid across an alias switch. Term dimensions are a
32-bit hash of (view, term): no vocabulary to share between writer and readers.
(Milvus's own BM25 function is not used: Milvus Lite keeps its statistics per segment, so its
scores would not equal these.)

Milvus Lite (the default URI, `<index_dir>/milvus.db`) serves one process at a time: the app and a
separate `policyqa index` need a Milvus server (`milvus_uri = "http://host:19530"`).
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from index import dense, segment, store
from index.config import IndexSettings
from index.errors import IndexLocked, IndexNotFound
from index.filtering import _words as words  # the embedded filters' own notion of a word
from index.model import Filters
from index.ranking import DEPTH, Candidates, Encode, Ranked, checked_manifest
from index.sparse import SparseIndex, query_terms
from index.tokenize import TERMS
from ingest.model import Clause, DocumentMeta

LITE_DB = "milvus.db"  # Milvus Lite's directory inside the index directory, when no URI is set
FLAT, HNSW = "milvus-flat", "milvus-hnsw"  # recorded as the manifest's dense_index
ROW, CLAUSE, DENSE, SPARSE = "row", "clause", "dense", "sparse"
DOC_ID, PLACES, DOC_TYPE, YEAR = "doc_id", "places", "doc_type", "year"
MAX_VARCHAR = 65535  # bytes, Milvus's limit for a VARCHAR field
_EMPTY = {0: 1e-30}  # Milvus refuses an empty sparse vector; dimension 0 is never a term's (term_dim)
_BATCH = 500  # rows per insert
_NONE = f"{ROW} < 0"  # a filter no row passes

_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def term_dim(view: str, term: str) -> int:
    """The sparse dimension of a term of a view: in [1, 2**32 - 2], as Milvus allows."""
    digest = hashlib.blake2b(f"{view}\0{term}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "little") % (2**32 - 2) + 1


def document_vectors(sparse: SparseIndex) -> dict[int, dict[int, float]]:
    """Each live row's BM25 weights over all views, as a sparse vector (see the module docstring)."""
    dims, rows, values = [], [], []
    for view in TERMS:
        terms, ids, held, weights = sparse.row_weights(view)
        term_dims = np.fromiter((term_dim(view, t) for t in terms.tolist()), dtype=np.int64, count=len(terms))
        dims.append(term_dims[ids])
        rows.append(held)
        values.append(weights.astype(np.float64))
    keys, inverse = np.unique(np.concatenate(rows) << 32 | np.concatenate(dims), return_inverse=True)
    summed = np.bincount(inverse, weights=np.concatenate(values), minlength=len(keys)).astype(np.float32)
    row_of, dim_of = keys >> 32, keys & 0xFFFFFFFF
    starts = np.flatnonzero(np.diff(row_of, prepend=-1)) if len(keys) else np.zeros(0, np.int64)
    return {int(row_of[a]): dict(zip(dim_of[a:z].tolist(), summed[a:z].tolist()))
            for a, z in zip(starts.tolist(), [*starts[1:].tolist(), len(keys)])}


def collisions(sparse: SparseIndex) -> int:
    """Terms of a view sharing a dimension with another term of it (their scores would merge)."""
    total = 0
    for view in TERMS:
        terms = sparse.row_weights(view)[0].tolist()
        total += len(terms) - len({term_dim(view, t) for t in terms})
    return total


def query_vector(query: str, expansion: str, known: Callable[[str], bool]) -> dict[int, float]:
    """The query's terms as a sparse vector: its inner product with `document_vectors` is the
    embedded backend's BM25 score (index.sparse.SparseIndex.scores). `known`: whether the
    generation holds an accented term (its compounds segment the query: sparse.query_terms)."""
    return {term_dim(view, t): w for view, weights in query_terms(query, expansion, known).items()
            for t, w in weights.items()}


def sparse_score(query: dict[int, float], document: dict[int, float]) -> np.float32:
    return np.float32(sum(document[d] * w for d, w in query.items() if d in document))


def places_field(doc: DocumentMeta) -> str:
    """"| thanh hoa | trieu son |": the places index.filtering matches, as folded words between
    bars, so a LIKE "% <words> %" is its whole-word match within one place."""
    return "".join(f"| {' '.join(words(p))} " for p in (doc.locality, doc.province, doc.district, doc.issuer)
                   if p) + "|"


def filter_expression(filters: Filters | None) -> str | None:
    """`filters` as a Milvus boolean expression, admitting what index.filtering.admits admits."""
    if filters is None or filters.is_empty():
        return None
    parts = []
    if filters.doc_ids:
        parts.append(f"{DOC_ID} in {json.dumps(list(filters.doc_ids), ensure_ascii=False)}")
    if filters.locality:
        needle = " ".join(words(filters.locality))
        parts.append(f'{PLACES} like "% {needle} %"' if needle else _NONE)
    if filters.doc_type:
        parts.append(f"{DOC_TYPE} == {json.dumps(' '.join(words(filters.doc_type)), ensure_ascii=False)}")
    if filters.year:
        parts.append(f"{YEAR} == {int(filters.year)}")
    return " and ".join(parts)


def uri(settings: IndexSettings) -> str:
    return settings.milvus_uri or str(Path(settings.index_dir) / LITE_DB)


def connect(settings: IndexSettings):
    """One client per URI and process (pymilvus is imported here, only for this backend)."""
    address = uri(settings)
    with _clients_lock:
        client = _clients.get(address)
        if client is None:
            from pymilvus import MilvusClient

            if settings.milvus_uri is None:
                Path(settings.index_dir).mkdir(parents=True, exist_ok=True)
            try:
                client = MilvusClient(address)
            except Exception as exc:  # pymilvus reports a Lite directory another process holds this way
                raise IndexLocked(f"cannot connect to Milvus at {address} ({exc}); Milvus Lite serves one process "
                                  "at a time: stop the other one, or set milvus_uri to a Milvus server") from None
            _clients[address] = client
        return client


def release(settings: IndexSettings) -> None:
    """Close this process's client; for Milvus Lite also its in-process server, freeing the
    directory for another process."""
    address = uri(settings)
    with _clients_lock:
        client = _clients.pop(address, None)
    if client is not None:
        client.close()
    if settings.milvus_uri is None:
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(address)


def collection_name(settings: IndexSettings, generation: str) -> str:
    return f"{settings.milvus_collection}_{generation.replace('-', '_')}"


def generation_name(settings: IndexSettings, collection: str) -> str:
    return collection.removeprefix(f"{settings.milvus_collection}_").replace("_", "-")


class _Milvus:
    """index.backend.Backend over Milvus."""

    def ann_threshold(self, settings: IndexSettings) -> int:
        """Never: Milvus builds its own graph over each collection, so a segment keeps its vectors
        as a plain array, the one local copy, which every publication and migration reads."""
        return sys.maxsize

    def write(self, settings: IndexSettings, path: Path) -> None:
        manifest = store.read_manifest(path)
        client = connect(settings)
        name = collection_name(settings, path.name.removeprefix(store.TMP_PREFIX))
        kind = FLAT if manifest.clauses <= settings.ann_threshold else HNSW
        client.create_collection(name, schema=_schema(client, manifest.dimension), index_params=_index_params(client, kind))
        try:
            _insert(client, name, _rows(Path(settings.index_dir), manifest))
        except BaseException:
            client.drop_collection(name)
            raise

    def publish(self, settings: IndexSettings, name: str | None) -> None:
        if name is None:
            return
        client = connect(settings)
        target, alias = collection_name(settings, name), settings.milvus_collection
        if not client.has_collection(target):
            return  # a generation of another backend: nothing to point at
        pointed = _alias_target(client, alias)
        if pointed is None:
            client.create_alias(target, alias)
        elif pointed != target:
            client.alter_alias(target, alias)
        kept = {collection_name(settings, p.name) for p in Path(settings.index_dir).iterdir()
                if p.name.startswith(store.GEN_PREFIX)}
        prefix = collection_name(settings, store.GEN_PREFIX)
        for stale in client.list_collections():
            if stale.startswith(prefix) and stale not in kept | {target}:
                client.drop_collection(stale)

    def open(self, settings: IndexSettings) -> MilvusIndex:
        client = connect(settings)
        collection = _alias_target(client, settings.milvus_collection)
        if collection is None:
            raise IndexNotFound(f"no index in Milvus at {uri(settings)} (alias {settings.milvus_collection!r}): "
                                "build one with `policyqa index` and backend = \"milvus\"")
        generation = generation_name(settings, collection)
        path = Path(settings.index_dir) / generation
        if not path.is_dir():
            raise IndexNotFound(f"Milvus alias {settings.milvus_collection!r} names generation {generation}, which "
                                f"is not in {settings.index_dir}: run `policyqa index` there")
        client.load_collection(collection)  # a no-op if loaded; Milvus Lite loads nothing at its start
        manifest = checked_manifest(settings, path)
        index_dir = Path(settings.index_dir)
        by_name, _, sparse = _segments(index_dir, manifest)  # memory-mapped: what is read is its vocabulary
        return MilvusIndex(settings, client, collection, generation, manifest,
                           {doc_id: by_name[e.segment].documents[doc_id] for doc_id, e in manifest.documents.items()},
                           store.generation_bytes(index_dir, generation), sparse.known)

    def release(self, settings: IndexSettings) -> None:
        release(settings)


MILVUS = _Milvus()


class MilvusIndex(Ranked):
    """A generation in Milvus; documents and the manifest from its directory (they are small)."""

    def __init__(self, settings: IndexSettings, client, collection: str, generation: str, manifest: store.Manifest,
                 documents: dict[str, DocumentMeta], size_bytes: int, known: Callable[[str], bool]):
        self.settings = settings
        self.generation = generation
        self.documents = documents
        self._client = client
        self._collection = collection
        self._manifest = manifest
        self._size_bytes = size_bytes
        self._dimension = manifest.dimension
        self._where = f"Milvus collection {collection}"
        self._known = known

    def clauses(self, doc_id: str | None = None) -> list[Clause]:
        if doc_id is None:
            found = _query_all(self._client, self._collection, [ROW, CLAUSE])
        elif doc_id not in self._manifest.documents:
            return []
        else:
            found = self._client.query(self._collection, filter=f"{DOC_ID} == {json.dumps(doc_id, ensure_ascii=False)}",
                                       output_fields=[ROW, CLAUSE], limit=self._manifest.documents[doc_id].clauses)
        return [Clause.from_dict(json.loads(r[CLAUSE])) for r in sorted(found, key=lambda r: r[ROW])]

    def _candidates(self, query: str, expansion: str, filters: Filters | None,
                    encode: Encode | None) -> Candidates | None:
        expression = filter_expression(filters) or ""
        terms = query_vector(query, expansion, self._known)
        rows: set[int] = set()
        if terms:
            found = self._client.search(self._collection, [terms], anns_field=SPARSE, limit=DEPTH, filter=expression,
                                        search_params={"metric_type": "IP"}, output_fields=[ROW])[0]
            rows.update(int(h["entity"][ROW]) for h in found if h["distance"] > 0)
        if expression and not rows and not self._client.query(self._collection, filter=expression,
                                                              output_fields=[ROW], limit=1):
            return None
        vector = None if encode is None else encode()
        if vector is not None:
            found = self._client.search(self._collection, [vector.tolist()], anns_field=DENSE, limit=DEPTH,
                                        filter=expression, output_fields=[ROW],
                                        search_params={"metric_type": "IP", "params": {"ef": dense.HNSW_EF_SEARCH}})[0]
            rows.update(int(h["entity"][ROW]) for h in found)
        ordered = np.array(sorted(rows), dtype=np.int64)
        fields = [ROW, SPARSE] + ([] if vector is None else [DENSE])
        fetched = {int(r[ROW]): r for r in self._client.query(self._collection, ids=ordered.tolist(),
                                                                  output_fields=fields)} if rows else {}
        sparse = np.array([sparse_score(terms, fetched[r][SPARSE]) for r in ordered.tolist()], dtype=np.float32)
        if vector is None:
            return Candidates(ordered, sparse, np.zeros(len(ordered), dtype=np.float32))
        vectors = np.array([fetched[r][DENSE] for r in ordered.tolist()], dtype=np.float32)
        return Candidates(ordered, sparse, vectors @ vector)

    def _clause(self, row: int) -> Clause:
        return self._clauses_of([row])[row]

    def _clauses_of(self, rows: list[int]) -> dict[int, Clause]:
        found = self._client.query(self._collection, ids=rows, output_fields=[ROW, CLAUSE])
        return {int(r[ROW]): Clause.from_dict(json.loads(r[CLAUSE])) for r in found}


def _schema(client, dimension: int):
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field(ROW, DataType.INT64, is_primary=True)
    schema.add_field(CLAUSE, DataType.VARCHAR, max_length=MAX_VARCHAR)
    schema.add_field(DENSE, DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field(SPARSE, DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field(DOC_ID, DataType.VARCHAR, max_length=1024)
    schema.add_field(PLACES, DataType.VARCHAR, max_length=MAX_VARCHAR)
    schema.add_field(DOC_TYPE, DataType.VARCHAR, max_length=1024)
    schema.add_field(YEAR, DataType.INT64)
    return schema


def _index_params(client, kind: str):
    params = client.prepare_index_params()
    if kind == FLAT:
        params.add_index(DENSE, index_type="FLAT", metric_type="IP")
    else:
        params.add_index(DENSE, index_type="HNSW", metric_type="IP",
                         params={"M": dense.HNSW_M, "efConstruction": dense.HNSW_EF_CONSTRUCTION})
    params.add_index(SPARSE, index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    return params


def _segments(index_dir: Path, manifest: store.Manifest) -> tuple[dict[str, segment.Segment], dict[str, int], SparseIndex]:
    """The generation's segments by name, each one's first row (rows are numbered as the embedded
    backend numbers them: across the segments in manifest order) and their sparse side."""
    segments = [segment.Segment(index_dir / s.name) for s in manifest.segments]
    offsets = dict(zip((s.name for s in manifest.segments), np.cumsum([0] + [s.rows for s in segments]).tolist()))
    live = np.zeros(sum(s.rows for s in segments), dtype=bool)
    for e in manifest.documents.values():
        live[offsets[e.segment] + e.start:offsets[e.segment] + e.start + e.clauses] = True
    return {s.path.name: s for s in segments}, offsets, SparseIndex([s.sparse for s in segments], live)


def _rows(index_dir: Path, manifest: store.Manifest) -> Iterator[dict]:
    """The live rows of the generation, numbered as the embedded backend numbers them, so both
    order candidates alike."""
    by_name, offsets, sparse = _segments(index_dir, manifest)
    vectors = document_vectors(sparse)
    for doc_id, e in manifest.documents.items():
        seg = by_name[e.segment]
        meta = seg.documents[doc_id]
        fields = {DOC_ID: doc_id, PLACES: places_field(meta), DOC_TYPE: " ".join(words(meta.doc_type or "")),
                  YEAR: meta.year or 0}
        embeddings = seg.embeddings[e.start:e.start + e.clauses]
        for i, clause in enumerate(seg.clauses.range(e.start, e.start + e.clauses)):
            row = offsets[e.segment] + e.start + i
            text = json.dumps(clause.to_dict(), ensure_ascii=False)
            if len(text.encode()) > MAX_VARCHAR:
                raise ValueError(f"clause {clause.id} of {doc_id} is {len(text.encode())} bytes as JSON, "
                                 f"more than a Milvus VARCHAR holds ({MAX_VARCHAR})")
            yield {ROW: row, CLAUSE: text, DENSE: embeddings[i].tolist(), SPARSE: vectors.get(row) or dict(_EMPTY),
                   **fields}


def _insert(client, name: str, rows: Iterable[dict]) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            client.insert(name, batch)
            batch = []
    if batch:
        client.insert(name, batch)
    client.flush(name)


def _alias_target(client, alias: str) -> str | None:
    if alias not in client.list_aliases().get("aliases", []):
        return None  # asked first: pymilvus logs a traceback for an unknown alias before raising
    return client.describe_alias(alias).get("collection_name") or None


def _query_all(client, name: str, fields: list[str]) -> list[dict]:
    iterator = client.query_iterator(name, batch_size=1000, output_fields=fields)
    rows = []
    try:
        while batch := iterator.next():
            rows.extend(batch)
    finally:
        iterator.close()
    return rows
