"""OCR figures on scans of the seed documents: CER per document and condition, task rows
recovered with the right lead, seconds per page, and answers from the scanned vs the text corpus.

    PYTHONPATH=. .venv/bin/python tests/bench_ocr.py                 # every seed, clean and tilted 300 dpi
    PYTHONPATH=. .venv/bin/python tests/bench_ocr.py --docs thanh-hoa --conditions clean-200
    PYTHONPATH=. .venv/bin/python tests/bench_ocr.py --qa            # also the gold questions on both corpora

Timings are wall-clock on whatever else the machine is doing; OCR runs one Tesseract thread.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scans import block_text, cer, render, seed_blocks, tilted, to_pdf  # noqa: E402

from index.config import BUNDLED_CORPUS  # noqa: E402
from settings import Settings  # noqa: E402
from ingest import ingest_file  # noqa: E402
from ingest.model import TABLE_ROW  # noqa: E402
from ingest.ocr import OcrOptions  # noqa: E402
from ingest.readers import read_pdf  # noqa: E402

CONDITIONS = {"clean-300": (300, False), "tilted-300": (300, True), "clean-200": (200, False)}


@dataclass(frozen=True)
class Figures:
    doc: str
    condition: str
    pages: int
    cer: float
    seconds_per_page: float
    rows: int  # task rows in the text version
    rows_right: int  # of those, found in the scan with the same label and lead


def scan_pdf(seed: Path, condition: str, out_dir: Path) -> tuple[Path, str]:
    """The seed rendered under `condition` as an image-only PDF named like the seed; and its text."""
    dpi, tilt = CONDITIONS[condition]
    scan = render(seed_blocks(seed), dpi)
    if tilt:
        scan = tilted(scan, seed=len(seed.name))
    path = out_dir / f"{seed.stem}.pdf"
    path.write_bytes(to_pdf(scan.pages, dpi))
    return path, " ".join(scan.texts)


def rows_recovered(text_doc, scan_doc) -> tuple[int, int]:
    def rows(doc):
        return {c.label: (c.row.lead or "") for c in doc.clauses if c.kind == TABLE_ROW}

    expected, found = rows(text_doc), rows(scan_doc)
    return len(expected), sum(1 for label, lead in expected.items() if found.get(label) == lead)


def measure(seed: Path, condition: str, work: Path) -> Figures:
    out = work / condition
    out.mkdir(parents=True, exist_ok=True)
    pdf, expected = scan_pdf(seed, condition, out)
    dpi = CONDITIONS[condition][0]
    options = OcrOptions(cache_dir=out / "ocr-cache", dpi=dpi)
    started = time.perf_counter()
    read = read_pdf(pdf.read_bytes(), options)
    seconds = time.perf_counter() - started
    scan_doc = ingest_file(pdf, options)  # from the cache: no page is read twice
    total, right = rows_recovered(ingest_file(seed), scan_doc)
    return Figures(seed.stem, condition, len(read.pages), cer(expected, block_text(read.blocks)),
                   seconds / max(1, len(read.pages)), total, right)


def qa_compare(work: Path) -> tuple[float, float]:
    """Answer accuracy on tests/gold.jsonl: text corpus vs its clean 300 dpi scans."""
    from index import sync
    from qa import PolicyQA
    from qa.evaluate import evaluate, load_gold

    questions = load_gold(Path(__file__).with_name("gold.jsonl"))
    scans = work / "clean-300"
    accuracy = []
    for name, corpus in (("text", BUNDLED_CORPUS), ("scan", scans)):
        settings = Settings(index_dir=work / f"index-{name}", corpus_dir=corpus, lock_timeout=0)
        if name == "scan":  # the scans' OCR output is already cached from the CER run
            (settings.index_dir).mkdir(parents=True, exist_ok=True)
            (settings.index_dir / "ocr-cache").symlink_to(scans / "ocr-cache")
        sync(settings, [corpus])
        report = evaluate(PolicyQA.open(settings=settings, build=False), questions)
        accuracy.append(report.answers["*/*"]["accuracy"])
    return accuracy[0], accuracy[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", nargs="*", default=[], help="seed name prefixes (default: all)")
    parser.add_argument("--conditions", nargs="*", default=["clean-300", "tilted-300"], choices=list(CONDITIONS))
    parser.add_argument("--qa", action="store_true", help="answer the gold questions from text and clean scans")
    parser.add_argument("--work", type=Path, help="keep scans and caches here (default: a temporary directory)")
    args = parser.parse_args(argv)
    seeds = [s for s in sorted(BUNDLED_CORPUS.glob("*.txt")) if not args.docs or s.name.startswith(tuple(args.docs))]
    conditions = list(dict.fromkeys([*args.conditions, *(["clean-300"] if args.qa else [])]))
    with tempfile.TemporaryDirectory(prefix="policyqa-ocr-bench-") as tmp:
        work = args.work or Path(tmp)
        print(f"{'document':<55} {'condition':<11} {'pages':>5} {'CER':>7} {'s/page':>7} {'rows ok':>8}")
        for condition in conditions:
            for seed in seeds:
                f = measure(seed, condition, work)
                rows = f"{f.rows_right}/{f.rows}" if f.rows else "-"
                print(f"{f.doc:<55} {f.condition:<11} {f.pages:>5} {f.cer:>7.2%} {f.seconds_per_page:>7.1f} {rows:>8}",
                      flush=True)
        if args.qa:
            text, scan = qa_compare(work)
            print(f"answer accuracy on tests/gold.jsonl: text corpus {text:.3f}, clean 300 dpi scans {scan:.3f} "
                  f"({(scan - text) * 100:+.1f} points)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
