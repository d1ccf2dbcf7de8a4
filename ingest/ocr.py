"""Text of page images (scanned PDF pages, .png/.jpg/.tif) by Tesseract with its Vietnamese model.

Each page is straightened (the skew angle that makes the text rows sharpest), cleared of table
rules (long straight runs of dark pixels, which Tesseract would read as "|" or "I"), and read
with Tesseract's TSV output so that `ingest.layout` can rebuild lines and task tables from word
boxes. OCR is slow (seconds a page), so:
- each page's TSV is cached under `OcrOptions.cache_dir` by the file's hash and the page number,
  so an unchanged file is never read twice, and a run stopped by the time limit resumes;
- `OcrOptions.progress(done, total)` is called after every page;
- more pages than `max_pages`, or a run past `max_seconds`, stops with a message naming the setting.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageSequence, UnidentifiedImageError

from ingest.blocks import Block, Line, Page, Read, Unreadable
from ingest.layout import Columns, Numbering, page_blocks, parse_tsv

# Part of the cache key: change it when preprocessing or Tesseract's flags change what a page reads as.
PIPELINE_VERSION = "3"
_PSM = "6"  # one uniform block: a table's cells on one visual line stay one line
_TESSERACT_TIMEOUT = 600  # seconds for one page; a stuck process must not hang the run
_MIN_WORDS = 3  # a page with fewer recognised words is blank (or not text)

Progress = Callable[[int, int], None]  # (pages done, pages to read)


@dataclass(frozen=True)
class OcrOptions:
    """How to OCR; filled from the index settings by the caller (ingest knows nothing of them)."""

    cache_dir: Path | None = None  # None: no cache
    max_pages: int = 100  # setting ocr_max_pages
    max_seconds: float = 1800.0  # setting ocr_max_seconds
    dpi: int = 300  # scanned PDF pages are rendered at this resolution
    language: str = "vie"
    progress: Progress | None = None


@dataclass(frozen=True)
class PageImage:
    """A page to OCR: its 1-based number in the file and how to get its pixels (only on a cache miss)."""

    number: int
    render: Callable[[], Image.Image]


def read_image(data: bytes, options: OcrOptions) -> Read:
    """An image file; every frame of a multi-page TIFF is a page."""
    try:
        image = Image.open(io.BytesIO(data))
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise Unreadable(f"not a readable image ({type(exc).__name__})", "corrupt") from exc
    pages = [PageImage(n, lambda f=frame: f) for n, frame in enumerate(frames, 1)]
    return paged(ocr_pages(pages, digest(data), options), {})


def paged(ocr: dict[int, list[Block]], text: dict[int, list[Block]]) -> Read:
    """One file's blocks in page order from its OCR pages and its text-layer pages."""
    if not any(ocr.values()) and not any(text.values()):
        raise Unreadable(f"OCR found no text on {len(ocr)} scanned page(s)", "ocr_empty")
    numbers = sorted(ocr.keys() | text.keys())
    pages = tuple(Page(n, block_text(ocr[n] if n in ocr else text[n]), n in ocr) for n in numbers)
    return Read([b for n in numbers for b in (ocr[n] if n in ocr else text[n])], pages)


def ocr_pages(pages: Sequence[PageImage], file_digest: str, options: OcrOptions) -> dict[int, list[Block]]:
    """Blocks of each page; a table open at a page's foot goes on at the next page's head."""
    if len(pages) > options.max_pages:
        raise Unreadable(f"{len(pages)} pages to OCR, more than the limit of {options.max_pages} "
                         "(setting ocr_max_pages)", "ocr_limit")
    started = time.monotonic()
    out: dict[int, list[Block]] = {}
    carry: Columns | None = None
    numbering = Numbering()
    for done, page in enumerate(pages, 1):
        tsv = _cached(options, file_digest, page.number)
        if tsv is None:
            tsv = run_tesseract(prepare(page.render()), options)
            _store(options, file_digest, page.number, tsv)
        words = parse_tsv(tsv)
        if page.number - 1 not in out:
            carry = None
        blocks, carry = page_blocks(words, carry) if len(words) >= _MIN_WORDS else ([], None)
        out[page.number] = numbering.repair(blocks)
        if options.progress:
            options.progress(done, len(pages))
        elapsed = time.monotonic() - started
        if elapsed > options.max_seconds and done < len(pages):
            raise Unreadable(f"OCR stopped after {done} of {len(pages)} pages ({elapsed:.0f} s, limit "
                             f"{options.max_seconds:.0f} s: setting ocr_max_seconds); the pages read are "
                             "cached, so indexing again goes on from there", "ocr_limit")
    return out


def block_text(blocks: Sequence[Block]) -> str:
    """Blocks' text in reading order, one space between lines and cells (for finding a clause's page)."""
    parts = [b.text if isinstance(b, Line) else " ".join(c for row in b.rows for c in row) for b in blocks]
    return " ".join(" ".join(parts).split())


# --- Tesseract ------------------------------------------------------------------------------


@functools.cache
def tesseract_problem(language: str) -> str | None:
    """Why Tesseract cannot read `language` here, or None when it can."""
    exe = shutil.which("tesseract")
    if exe is None:
        return "OCR needs Tesseract, which is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-vie)"
    try:
        listed = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"OCR needs Tesseract, which does not run ({type(exc).__name__})"
    if language not in listed.split():
        return f"Tesseract has no {language!r} language model (Debian: apt-get install tesseract-ocr-{language})"
    return None


def run_tesseract(image: Image.Image, options: OcrOptions) -> str:
    if problem := tesseract_problem(options.language):
        raise Unreadable(problem, "ocr_unavailable")
    png = io.BytesIO()
    image.save(png, format="PNG")
    cmd = ["tesseract", "stdin", "stdout", "-l", options.language, "--psm", _PSM, "--dpi", str(options.dpi), "tsv"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one page, one core: the machine is shared
    try:
        done = subprocess.run(cmd, input=png.getvalue(), capture_output=True, timeout=_TESSERACT_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as exc:
        raise Unreadable(f"Tesseract took over {_TESSERACT_TIMEOUT} s on one page", "ocr_limit") from exc
    if done.returncode != 0:
        raise Unreadable(f"Tesseract failed: {done.stderr.decode(errors='replace').strip()[-200:]}", "ocr_empty")
    return done.stdout.decode("utf-8", errors="replace")


# --- image clean-up -------------------------------------------------------------------------


def prepare(image: Image.Image) -> Image.Image:
    """Grey, despeckled, straightened, table rules removed."""
    grey = despeckle(image.convert("L"))
    angle = skew_angle(grey)
    if abs(angle) >= 0.05:
        grey = grey.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    return remove_rules(grey)


_SPECKLED = 0.002  # share of the page in lone dark dots past which a page is despeckled


def despeckle(grey: Image.Image) -> Image.Image:
    """A 3×3 median filter when the page is speckled (scanner dust, a photocopy's grain): it wipes
    lone dots, which Tesseract reads as marks and accents, but also thins letters a little, so a
    clean page is left alone (measured: CER 73% -> 2% on a speckled page, 1.1% -> 1.3% on a clean one)."""
    filtered = grey.filter(ImageFilter.MedianFilter(3))
    specks = np.mean((np.asarray(grey) < 128) & (np.asarray(filtered) >= 128))
    return filtered if specks > _SPECKLED else grey


def skew_angle(grey: Image.Image, limit: float = 5.0) -> float:
    """Degrees to rotate by (counter-clockwise) so text rows are level: the angle at which the
    row profile of the dark pixels is sharpest, coarse then fine, on a quarter-size copy."""
    small = grey.reduce(4) if min(grey.size) > 800 else grey
    ink = Image.fromarray(((np.asarray(small) < 128) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float64).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    best = max(np.arange(-limit, limit + 0.01, 0.5), key=sharpness)
    return float(max(np.arange(best - 0.5, best + 0.51, 0.1), key=sharpness))


def remove_rules(grey: Image.Image) -> Image.Image:
    """Whiten straight dark runs longer than a third of an inch, across or down: table rules,
    never letters (whose strokes are a few hundredths of an inch)."""
    pixels = np.asarray(grey).copy()
    dark = pixels < 160
    length = max(20, grey.width // 25)
    rules = _widen(_long_runs(dark, length, axis=1), axis=0) | _widen(_long_runs(dark, length, axis=0), axis=1)
    pixels[rules] = 255
    return Image.fromarray(pixels)


def _widen(mask: np.ndarray, axis: int, by: int = 3) -> np.ndarray:
    """The mask grown `by` pixels both ways across the rule: its grey fringe (scanner blur,
    JPEG ringing) would otherwise stay behind as a faint line."""
    out = mask.copy()
    for shift in range(1, by + 1):
        out |= np.roll(mask, shift, axis=axis) | np.roll(mask, -shift, axis=axis)
    return out


def _long_runs(dark: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels in a run of at least `length` dark pixels along `axis` (a morphological opening)."""
    a = np.moveaxis(dark, axis, -1).astype(np.int32)
    c = np.concatenate([np.zeros((*a.shape[:-1], 1), np.int32), np.cumsum(a, axis=-1)], axis=-1)
    starts = (c[..., length:] - c[..., :-length]) == length  # window [i, i+length) all dark
    s = np.concatenate([np.zeros((*a.shape[:-1], 1), np.int32), np.cumsum(starts, axis=-1)], axis=-1)
    n = a.shape[-1]
    idx = np.arange(n)
    lo, hi = np.clip(idx - length + 1, 0, starts.shape[-1]), np.clip(idx + 1, 0, starts.shape[-1])
    covered = (s[..., hi] - s[..., lo]) > 0
    return np.moveaxis(covered, -1, axis)


# --- cache ----------------------------------------------------------------------------------


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cache_path(options: OcrOptions, digest: str, page: int) -> Path | None:
    if options.cache_dir is None:
        return None
    key = f"{digest}-{options.language}-{options.dpi}-v{PIPELINE_VERSION}-p{page}.tsv"
    return Path(options.cache_dir) / digest[:2] / key


def _cached(options: OcrOptions, digest: str, page: int) -> str | None:
    path = _cache_path(options, digest, page)
    try:
        return path.read_text(encoding="utf-8") if path is not None else None
    except OSError:
        return None


def _store(options: OcrOptions, digest: str, page: int, tsv: str) -> None:
    """Atomic write; a cache that cannot be written costs speed, never the run."""
    path = _cache_path(options, digest, page)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tsv-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(tsv)
        os.replace(tmp, path)
    except OSError:
        pass
