"""`policyqa` command line: ingest, index, search, ask, matrix, stats, eval, bench, feedback, serve."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from index.config import BACKENDS, DEFAULT_MODEL
from settings import Settings, load_settings


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:  # the app owns its flags (--host, --port, ...), incl. --help
        import app

        return app.main(argv[1:]) or 0
    args = _parser().parse_args(argv)
    from index import IndexProblem

    try:
        return args.run(args) or 0
    except BrokenPipeError:  # `policyqa ingest … --json | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (IndexProblem, ValueError, OSError, RuntimeError) as exc:  # clear one-line errors, no traceback
        print(f"policyqa: error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", help="index directory (default: settings / POLICYQA_INDEX_DIR)")
    common.add_argument("--model", help=f"embedding model name or path (default: {DEFAULT_MODEL}, offline)")
    common.add_argument("--backend", choices=BACKENDS,
                        help="where the index lives: embedded files (default) or Milvus (settings milvus_uri, "
                             "milvus_collection); `policyqa index --backend milvus` migrates an index, reusing its vectors")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    scope = argparse.ArgumentParser(add_help=False)
    scope.add_argument("--doc", help="only this document id")
    scope.add_argument("--locality", help="only documents of this province/district")
    scope.add_argument("--type", dest="doc_type", help="only this document type, e.g. 'Kế hoạch'")
    scope.add_argument("--year", type=int, help="only documents of this year")

    parser = argparse.ArgumentParser(prog="policyqa", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[common], help="print the clauses of files (JSON lines with --json)")
    p.add_argument("paths", nargs="+")
    p.set_defaults(run=_ingest)
    p = sub.add_parser("docs", parents=[common], help="print document metadata")
    p.add_argument("paths", nargs="+")
    p.set_defaults(run=_docs)
    p = sub.add_parser("index", parents=[common], help="incrementally (re)index files (default: corpus/)")
    p.add_argument("paths", nargs="*")
    p.set_defaults(run=_index)
    p = sub.add_parser("search", parents=[common, scope], help="hybrid search")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=10)
    p.set_defaults(run=_search)
    p = sub.add_parser("ask", parents=[common, scope], help="answer a question with citations")
    p.add_argument("question")
    p.set_defaults(run=_ask)
    p = sub.add_parser("matrix", parents=[common], help="who does what: agency × task with document, period, citation")
    p.add_argument("--agency", help="only this agency (any spelling: 'Sở TN&MT')")
    p.add_argument("--role", choices=("lead", "partner", "any"), default="lead", help="how --agency takes part")
    p.add_argument("--locality", help="only documents of this province/district")
    p.add_argument("--doc", help="only this document (id or number, e.g. 178/KH-UBND)")
    p.add_argument("--topic", help="only tasks that mention all these words")
    p.add_argument("--csv", action="store_true", help="CSV with a header row")
    p.set_defaults(run=_matrix)
    p = sub.add_parser("stats", parents=[common], help="documents, clauses, model, index size")
    p.set_defaults(run=_stats)
    p = sub.add_parser("eval", parents=[common], help="score a gold question file (JSONL)")
    p.add_argument("file")
    p.set_defaults(run=_eval)
    p = sub.add_parser("bench", parents=[common], help="speed and memory figures on the bundled corpus")
    p.add_argument("--questions", help="gold JSONL whose questions time the searches (default: tests/gold.jsonl)")
    p.add_argument("--scale", type=int, metavar="N",
                   help="instead: index costs on a synthetic corpus of N clauses of the seeds' shape")
    p.add_argument("--workdir", help="with --scale: keep the corpus and index here (reused by a rerun)")
    p.add_argument("--embed-build", type=int, metavar="M", default=0,
                   help="with --scale: also build M clauses with the real model and measure its rate")
    p.add_argument("--skip", default="", metavar="STEPS",
                   help="with --scale: leave out these comma-separated steps (change, merge, bm25s, faiss, hnsw)")
    p.set_defaults(run=_bench)
    p = sub.add_parser("feedback", parents=[common], help="officials' ratings of answers (CSV with --csv)")
    p.add_argument("--csv", action="store_true", help="CSV on stdout: one row per rating, with question, "
                   "answer, citations and index generation")
    p.set_defaults(run=_feedback)
    sub.add_parser("serve", help="start the web app (flags: `policyqa serve --help`)")
    return parser


def _emit(args, obj, text: str) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=None if isinstance(obj, list) else 2) if args.json else text)


def _read(args):
    """Files are read as `policyqa index` reads them (index.build.reader: the bounded worker, OCR
    with the index's cache), printing each page OCR reads (to stderr)."""
    from index.build import reader

    return reader(_settings(args), _page_printer())


def _page_printer():
    """Prints "OCR <file>: page 3/16 (4.2 s/page)" after each page OCR reads: scans are slow."""
    import time

    first: dict[Path, float] = {}  # when each file's first page was done

    def show(path: Path, done: int, total: int) -> None:
        now = time.monotonic()
        start = first.setdefault(path, now)
        rate = f" ({(now - start) / (done - 1):.1f} s/page)" if done > 1 else ""
        print(f"OCR {Path(path).name}: page {done}/{total}{rate}", file=sys.stderr, flush=True)

    return show


def _ingest(args) -> int:
    def show(doc) -> None:
        for clause in doc.clauses:
            if args.json:
                print(json.dumps({"doc": doc.meta.doc_id, **clause.to_dict()}, ensure_ascii=False))
            else:
                print(f"{clause.id}\t{clause.kind}\t{clause.citation}\n    {clause.text}")

    return _each_document(args, show)


def _docs(args) -> int:
    def show(doc) -> None:
        if args.json:
            print(json.dumps({**doc.meta.to_dict(), "clauses": len(doc.clauses)}, ensure_ascii=False))
        else:
            meta = doc.meta
            print(f"{meta.doc_id}: {meta.doc_type or '?'} {meta.number or '(không số)'} · {meta.locality} · "
                  f"{meta.issued or '?'} · {len(doc.clauses)} clauses\n    {meta.title}")

    return _each_document(args, show)


def _each_document(args, show) -> int:
    """`show` each document of `args.paths` as it is read (one held at a time), then the errors."""
    from ingest import IngestError, iter_documents

    errors = []
    for doc in iter_documents(args.paths, _read(args)):
        if isinstance(doc, IngestError):
            errors.append(doc)
        else:
            show(doc)
    return _report_errors(errors)


def _report_errors(errors) -> int:
    for err in errors:
        print(f"policyqa: skipped {err}", file=sys.stderr)
    return 1 if errors else 0


def _settings(args):
    return load_settings(index_dir=args.index_dir, model=args.model, backend=args.backend)


def _engine(args):
    from qa import PolicyQA

    return PolicyQA.open(settings=_settings(args), progress=not args.json)


def _index(args) -> int:
    import index

    settings = _settings(args)
    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    changes = index.sync(settings, paths, progress=not args.json, on_page=_page_printer())
    lines = [f"{label}: {', '.join(ids)}" for label, ids in
             (("added", changes.added), ("updated", changes.updated), ("removed", changes.removed)) if ids]
    lines.append(f"unchanged: {len(changes.unchanged)} document(s); clauses embedded: {changes.embedded}")
    lines += [f"skipped {err}" for err in changes.errors]
    _emit(args, changes.to_dict(), "\n".join(lines))
    _wait_for_merges(args)
    return 1 if changes.errors else 0


def _wait_for_merges(args) -> None:
    """The new generation is already served; its merge (index.merger) finishes before we exit."""
    from index import merger

    if merger.running():
        if not args.json:
            print("merging segments in the background (the new documents are already searchable); "
                  "waiting for it to finish (safe to interrupt: the next index run merges again)", file=sys.stderr)
        merger.wait()


def _search(args) -> int:
    hits = _engine(args).search(args.query, args.k, doc=args.doc, locality=args.locality,
                                doc_type=args.doc_type, year=args.year)
    _emit(args, [h.to_dict() for h in hits],
          "\n".join(f"{i}. [{h.score:.3f}] {h.citation}\n   {h.text}" + (f"\n   Chủ trì: {h.row.lead}" if h.row.lead else "")
                    for i, h in enumerate(hits, 1)) or "no results")
    return 0


def _ask(args) -> int:
    answer = _engine(args).ask(args.question, doc=args.doc, locality=args.locality,
                               doc_type=args.doc_type, year=args.year)
    sources = "\n".join(f"[{i}] {h.citation}\n    {h.text}" for i, h in enumerate(answer.citations, 1))
    _emit(args, answer.to_dict(), f"{answer.text}\n\n{sources}".strip())
    return 0


MATRIX_COLUMNS = ("agency", "lead", "partners", "task", "period", "locality", "doc_id", "label", "citation")


def _matrix(args) -> int:
    import csv

    rows = _engine(args).assignments(agency=args.agency, locality=args.locality, doc=args.doc, topic=args.topic,
                                     role=args.role)
    if args.csv:
        out = csv.writer(sys.stdout)
        out.writerow(MATRIX_COLUMNS)
        for r in rows:
            d = r.to_dict()
            out.writerow([" | ".join(d[c]) if c == "partners" else d[c] or "" for c in MATRIX_COLUMNS])
        return 0
    _emit(args, [r.to_dict() for r in rows],
          "\n".join(f"{r.lead} · {r.period or '—'} · {r.citation}\n    {r.task}" for r in rows) or "no assignments")
    return 0


def _stats(args) -> int:
    stats = _engine(args).stats()
    _emit(args, stats.to_dict(),
          f"documents: {stats.documents}\nclauses: {stats.clauses}\nmodel: {stats.model} (dim {stats.dimension})\n"
          f"index size: {stats.size_bytes / 1e6:.1f} MB\nbuilt: {stats.built_at}\ngeneration: {stats.generation}")
    return 0


def _eval(args) -> int:
    from qa.evaluate import evaluate, format_report, load_gold

    questions = load_gold(args.file)
    report = evaluate(_engine(args), questions)
    _emit(args, report.to_dict(), format_report(report))
    return 0


def _feedback(args) -> int:
    from qa import feedback

    items = feedback.rows(_settings(args).index_dir)
    if args.csv:
        sys.stdout.write(feedback.to_csv(items))
    else:
        lines = [f"{r['at']} {'👍' if r['rating'] > 0 else '👎'} {r['question']}"
                 + (f"\n    {r['comment']}" if r["comment"] else "") for r in items]
        _emit(args, items, "\n".join(lines) or "no feedback yet")
    return 0


def _bench(args) -> int:
    if args.scale:
        from bench.scale import format_scale, run_scale

        settings = _settings(args)  # another backend than the default is measured beside the default one
        runs = [run_scale(settings.with_overrides(backend=backend), args.scale,
                          workdir=Path(args.workdir) / backend if args.workdir else None, embed_build=args.embed_build,
                          skip=frozenset(filter(None, args.skip.split(","))),
                          **({"questions": Path(args.questions)} if args.questions else {}))
                for backend in dict.fromkeys([Settings().backend, settings.backend])]
        _emit(args, runs if len(runs) > 1 else runs[0], "\n\n".join(map(format_scale, runs)))
        return 0
    from qa.bench import format_bench, run_bench

    figures = run_bench(_settings(args), Path(args.questions) if args.questions else None)
    _emit(args, figures, format_bench(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
