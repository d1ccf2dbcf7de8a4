"""Scanned copies of the seed documents, made here so the expected text is known exactly.

A seed is read and cleaned as ingest reads it (`Line` and `Table` blocks), then typeset on A4
pages with DejaVu Serif (Vietnamese glyphs): running text wrapped to the margins, task tables
ruled, their header repeated on every page. `degrade` tilts and speckles a page like a worn
scanner; `to_pdf` wraps pages as an image-only PDF. `cer` is the character error rate of OCR text.
"""

from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from rapidfuzz.distance import Levenshtein

from ingest.blocks import Block, Line
from ingest.cleanup import clean
from ingest.readers import read_plain

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAGE_INCHES = (8.27, 11.69)  # A4
MARGIN_INCHES = 0.8
_WIDTHS = {5: (0.07, 0.43, 0.18, 0.20, 0.12), 6: (0.06, 0.36, 0.17, 0.17, 0.12, 0.12)}  # STT, task, lead, partners, period[, note]


@dataclass(frozen=True)
class Scan:
    pages: list[Image.Image]
    texts: list[str]  # per page, what was printed on it (cells row by row), for CER


def seed_blocks(path: Path) -> list[Block]:
    return clean(read_plain(path.read_text(encoding="utf-8")))


def render(blocks: list[Block], dpi: int = 300, max_pages: int | None = None) -> Scan:
    return _Typesetter(dpi).run(blocks, max_pages)


def degrade(page: Image.Image, angle: float, noise: float = 0.02, seed: int = 0) -> Image.Image:
    """Rotated by `angle` degrees and with a `noise` share of pixels flipped (salt and pepper)."""
    rotated = page.convert("L").rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
    pixels = np.asarray(rotated).copy()
    rng = np.random.default_rng(seed)
    flips = rng.random(pixels.shape) < noise
    pixels[flips] = np.where(rng.random(int(flips.sum())) < 0.5, 0, 255)
    return Image.fromarray(pixels)


def to_pdf(pages: list[Image.Image], dpi: int) -> bytes:
    out = io.BytesIO()
    first, *rest = [p.convert("L") for p in pages]
    epoch = time.gmtime(0)  # fixed dates: the same pages make the same bytes (and the same OCR cache key)
    first.save(out, format="PDF", save_all=True, append_images=rest, resolution=dpi, creationDate=epoch, modDate=epoch)
    return out.getvalue()


def to_png(page: Image.Image) -> bytes:
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()


def normalise(text: str) -> str:
    return " ".join(text.split())


def cer(reference: str, hypothesis: str) -> float:
    reference, hypothesis = normalise(reference), normalise(hypothesis)
    return Levenshtein.distance(reference, hypothesis) / max(1, len(reference))


def block_text(blocks: list[Block]) -> str:
    """Text of blocks in reading order: lines, then table cells row by row."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Line):
            parts.append(block.text)
        else:
            parts.extend(cell.replace("\n", " ") for row in block.rows for cell in row if cell.strip())
    return normalise(" ".join(parts))


class _Typesetter:
    def __init__(self, dpi: int):
        self.dpi = dpi
        self.width, self.height = (round(x * dpi) for x in PAGE_INCHES)
        self.margin = round(MARGIN_INCHES * dpi)
        self.body = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif.ttf"), round(12 / 72 * dpi))
        self.small = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif.ttf"), round(10 / 72 * dpi))
        self.pages: list[Image.Image] = []
        self.texts: list[list[str]] = []
        self._new_page()

    def run(self, blocks: list[Block], max_pages: int | None) -> Scan:
        for block in blocks:
            if max_pages and len(self.pages) > max_pages:
                break
            if isinstance(block, Line):
                self._paragraph(block.text)
            else:
                self._table(block.rows)
        pages, texts = self.pages[:max_pages], self.texts[:max_pages]
        return Scan(pages, [normalise(" ".join(t)) for t in texts])

    def _new_page(self) -> None:
        self.pages.append(Image.new("L", (self.width, self.height), 255))
        self.texts.append([])
        self.draw = ImageDraw.Draw(self.pages[-1])
        self.y = self.margin

    def _line_height(self, font) -> int:
        return round(font.size * 1.45)

    def _wrap(self, text: str, font, width: int) -> list[str]:
        lines, current = [], ""
        for word in text.split():
            trial = f"{current} {word}".strip()
            if current and self.draw.textlength(trial, font=font) > width:
                lines.append(current)
                current = word
            else:
                current = trial
        return [*lines, current] if current else lines

    def _paragraph(self, text: str) -> None:
        step = self._line_height(self.body)
        for line in self._wrap(text, self.body, self.width - 2 * self.margin):
            if self.y + step > self.height - self.margin:
                self._new_page()
            self.draw.text((self.margin, self.y), line, font=self.body, fill=0)
            self.y += step
        self.texts[-1].append(text)
        self.y += step // 3

    def _table(self, rows: tuple[tuple[str, ...], ...]) -> None:
        n = len(rows[0])
        total = self.width - 2 * self.margin
        fractions = _WIDTHS.get(n, tuple(1 / n for _ in range(n)))
        xs = [self.margin + round(total * sum(fractions[:i])) for i in range(n + 1)]
        pad = round(0.05 * self.dpi)
        step = self._line_height(self.small)
        header = rows[0]
        for index, row in enumerate(rows):
            cells = [self._wrap(cell.replace("\n", " "), self.small, xs[i + 1] - xs[i] - 2 * pad) for i, cell in enumerate(row)]
            height = max(len(c) for c in cells) * step + 2 * pad
            if self.y + height > self.height - self.margin:
                self._new_page()
                if index:  # a table going on over a page break repeats its header, as printed plans do
                    self._row(self._cells(header, xs, pad), xs, pad, step, header)
            self._row(cells, xs, pad, step, row)

    def _cells(self, row, xs, pad):
        return [self._wrap(cell, self.small, xs[i + 1] - xs[i] - 2 * pad) for i, cell in enumerate(row)]

    def _row(self, cells: list[list[str]], xs: list[int], pad: int, step: int, row) -> None:
        height = max(len(c) for c in cells) * step + 2 * pad
        rule = max(2, self.dpi // 150)
        top = self.y
        for i, lines in enumerate(cells):
            for k, line in enumerate(lines):
                self.draw.text((xs[i] + pad, top + pad + k * step), line, font=self.small, fill=0)
        for x in xs:
            self.draw.line([(x, top), (x, top + height)], fill=0, width=rule)
        self.draw.line([(xs[0], top), (xs[-1], top)], fill=0, width=rule)
        self.draw.line([(xs[0], top + height), (xs[-1], top + height)], fill=0, width=rule)
        self.texts[-1].extend(cell.replace("\n", " ") for cell in row if cell.strip())
        self.y = top + height


def tilted(scan: Scan, seed: int = 0, max_angle: float = 1.5, noise: float = 0.02) -> Scan:
    rng = random.Random(seed)
    pages = [degrade(p, rng.uniform(-max_angle, max_angle), noise, seed + i) for i, p in enumerate(scan.pages)]
    return Scan(pages, scan.texts)
