"""Hostile and damaged inputs, built from real documents: the seeds the fuzz test mutates and the
files the limit tests are made of. Every generator takes a `random.Random` and returns
(suffix, bytes), so Hypothesis (tests/test_fuzz.py) and the 10,000-input run (tests/fuzz.py)
draw from the same families.
"""

from __future__ import annotations

import io
import random
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from functools import cache

import docx

from index.config import BUNDLED_CORPUS

SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
_TONES = "\u0300\u0301\u0303\u0309\u0323"


@cache
def corpus_lines() -> tuple[str, ...]:
    return tuple(line for path in sorted(BUNDLED_CORPUS.iterdir())
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes: base letters precomposed, tone marks as combining characters."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out.append((base + tones).encode("cp1258", errors="replace"))
    return b"".join(out)


# --- seeds ---------------------------------------------------------------------------------


@cache
def docx_seed() -> bytes:
    """A real Word file: title, a heading, paragraphs and a task table with merged cells."""
    document = docx.Document()
    lines = corpus_lines()
    document.add_paragraph(lines[2])
    document.add_heading("I. MỤC TIÊU", level=1)
    for line in lines[10:30]:
        document.add_paragraph(line)
    table = document.add_table(rows=4, cols=4)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = ("TT", "Nội dung", "Đơn vị chủ trì", "Thời gian")[c] if r == 0 else lines[40 + r * 4 + c]
    table.cell(1, 1).merge(table.cell(1, 2))  # gridSpan
    table.cell(2, 3).merge(table.cell(3, 3))  # vMerge
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pdf(lines: list[str], pages: int = 1) -> bytes:
    """A small, valid text PDF (Helvetica, Latin-1 text), with a correct cross-reference table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    font = 3 + 2 * pages
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        text = "".join(f"({_pdf_escape(line)}) Tj T* " for line in lines)
        stream = f"BT /F1 11 Tf 14 TL 50 800 Td {text}ET".encode("latin-1", errors="replace")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


@cache
def pdf_seed() -> bytes:
    folded = [unicodedata.normalize("NFD", line).encode("ascii", "ignore").decode() for line in corpus_lines()[:40]]
    return make_pdf([line[:90] for line in folded])


# --- hostile files of known kinds ----------------------------------------------------------


@cache
def zip_bomb(megabytes_expanded: int = 1000) -> bytes:
    """The seed .docx with a document part that inflates from about 1 MB to `megabytes_expanded` MB.

    Built as a bomb-maker would: one 1 MB block of "<" deflated once (a full flush makes every
    block's output identical) and repeated, so making it takes a second, not a minute."""
    block = b"<" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    unit = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = unit * megabytes_expanded + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(megabytes_expanded):
        crc = zlib.crc32(block, crc)
    with zipfile.ZipFile(docx_seed_io()) as seed:
        parts = [(i.filename, _deflate(seed.read(i)), zlib.crc32(seed.read(i)), i.file_size)
                 for i in seed.infolist() if i.filename != "word/document.xml"]
    parts.append(("word/document.xml", stream, crc, megabytes_expanded << 20))
    return _raw_zip(parts)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _raw_zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already deflated parts: (name, deflated bytes, crc32, size)."""
    out, central = bytearray(), bytearray()
    for name, data, crc, size in parts:
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0)
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                               len(name), 0, 0, 0, 0, 0, len(out)) + name.encode()
        out += header + name.encode() + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central), len(out), 0)
    return bytes(out + central + end)


def docx_seed_io() -> io.BytesIO:
    return io.BytesIO(docx_seed())


def docx_with(document_xml: Callable[[str], str]) -> bytes:
    """The seed .docx with its document part rewritten by `document_xml`."""
    out = io.BytesIO()
    with zipfile.ZipFile(docx_seed_io()) as seed, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in seed.infolist():
            data = seed.read(item)
            if item.filename == "word/document.xml":
                data = document_xml(data.decode("utf-8")).encode("utf-8")
            z.writestr(item.filename, data)
    return out.getvalue()


def nested_html(depth: int, tags: tuple[str, ...] = ("div",), text: str = "Kế hoạch thực hiện") -> bytes:
    opening = "".join(f"<{tags[i % len(tags)]}>" for i in range(depth))
    closing = "".join(f"</{tags[i % len(tags)]}>" for i in reversed(range(depth)))
    return f"<html><body><p>{text}</p>{opening}{text}{closing}</body></html>".encode()


# --- fuzz families -------------------------------------------------------------------------

_JUNK_VALUES = ("abc", "", "-1", "0", "10000000", "99999999999999999999", "1e9", "NaN", "１", "\u202e", "ﬀ" * 50)


def random_bytes(rng: random.Random) -> tuple[str, bytes]:
    prefix = rng.choice((b"", b"PK\x03\x04", b"%PDF-1.4\n", b"<html>", b"\xef\xbb\xbf", b"\xff\xfe", b"{\\rtf1"))
    data = prefix + rng.randbytes(rng.choice((0, 1, 16, 300, 5000, 40_000)))
    return rng.choice(SUFFIXES), data


def mutated_docx(rng: random.Random) -> tuple[str, bytes]:
    kind = rng.randrange(8)
    if kind == 0:  # an attribute value Word would not write
        return ".docx", docx_with(lambda xml: _replace_nth(xml, r'(w:\w+)="[^"]*"', rng,
                                                             lambda m: f'{m[1]}="{rng.choice(_JUNK_VALUES)}"'))
    if kind == 1:  # a value-less attribute or element
        return ".docx", docx_with(lambda xml: _replace_nth(xml, r' w:val="[^"]*"', rng, lambda m: ""))
    if kind == 2:  # deep nesting
        depth = rng.choice((50, 120, 300, 2000))
        return ".docx", docx_with(lambda xml: xml.replace(
            "<w:body>", "<w:body>" + "<w:sdt><w:sdtContent>" * depth, 1).replace(
            "</w:body>", "</w:sdtContent></w:sdt>" * depth + "</w:body>", 1))
    if kind == 3:  # random damage to the XML text
        return ".docx", docx_with(lambda xml: _damage(xml, rng))
    if kind == 4:  # a huge span
        return ".docx", docx_with(lambda xml: xml.replace(
            '<w:gridSpan w:val="2"/>', f'<w:gridSpan w:val="{rng.choice(("10000000", "64", "abc", "-5"))}"/>'))
    if kind == 5:  # damage to the zip container
        data = bytearray(docx_seed())
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return ".docx", bytes(data)
    if kind == 6:  # many entries or a small bomb
        if rng.random() < 0.5:
            return ".docx", zip_bomb(rng.choice((10, 50, 300)))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for i in range(rng.choice((100, 6000))):
                z.writestr(f"x/{i}", b"")
        return ".docx", out.getvalue()
    return ".docx", docx_with(lambda xml: _replace_nth(xml, r"<w:t(?: [^>]*)?>[^<]*</w:t>", rng,  # a long run
                                                       lambda m: "<w:t>" + "dài " * rng.choice((100, 20_000)) + "</w:t>"))


def mutated_pdf(rng: random.Random) -> tuple[str, bytes]:
    data = bytearray(pdf_seed())
    kind = rng.randrange(6)
    if kind == 0:
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:
        data = data[: rng.randrange(len(data))]
    elif kind == 2:  # numbers that claim too much
        text = bytes(data)
        data = bytearray(re.sub(rb"/(Count|Length|Size) \d+", lambda m: b"/%s %d" % (
            m[1], rng.choice((0, -1, 999_999_999, 2**63))), text, count=rng.randint(1, 3)))
    elif kind == 3:  # deep nesting in the content stream
        depth = rng.choice((100, 5000, 50_000))
        data = bytearray(bytes(data).replace(b"BT ", b"[" * depth + b"]" * depth + b" BT ", 1))
    elif kind == 4:  # many pages
        data = bytearray(make_pdf(["Trang"], pages=rng.choice((2, 600))))
    else:  # a chunk repeated
        start = rng.randrange(len(data))
        chunk = data[start:start + rng.randint(1, 200)]
        data[start:start] = chunk * rng.randint(1, 50)
    return ".pdf", bytes(data)


def hostile_html(rng: random.Random) -> tuple[str, bytes]:
    tags = rng.choice((("div",), ("table", "tr", "td"), ("ul", "li"), ("span", "b", "i"), ("p",), ("div", "h2")))
    data = nested_html(rng.choice((5, 150, 250, 1000, 5000)), tags, rng.choice(corpus_lines()))
    if rng.random() < 0.3:  # unclosed
        data = data[: rng.randrange(len(data))]
    if rng.random() < 0.2:
        data = data.replace(b"<p>", b"<p>" + b"x" * rng.choice((1000, 60_000)), 1)
    return rng.choice((".html", ".htm")), data


def legacy_text(rng: random.Random) -> tuple[str, bytes]:
    lines = corpus_lines()
    start = rng.randrange(len(lines))
    text = "\n".join(lines[start:start + rng.randint(1, 60)])
    encode = rng.choice((
        lambda t: t.encode("utf-8"), lambda t: t.encode("utf-16"), cp1258,
        lambda t: t.encode("cp1252", errors="replace"), lambda t: t.encode("latin-1", errors="ignore"),
        lambda t: unicodedata.normalize("NFD", t).encode("utf-8"),
        lambda t: "Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do\n".encode("cp1252") * rng.randint(1, 30),
        lambda t: "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\n".encode("cp1252") * rng.randint(1, 30),
    ))
    data = bytearray(encode(text))
    for _ in range(rng.choice((0, 0, 1, 10))):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    if rng.random() < 0.1:
        data += b"a" * rng.choice((10_000, 100_000))  # one long line
    return rng.choice((".txt", ".md", ".html")), bytes(data)


FAMILIES: dict[str, Callable[[random.Random], tuple[str, bytes]]] = {
    "bytes": random_bytes, "docx": mutated_docx, "pdf": mutated_pdf, "html": hostile_html, "legacy": legacy_text,
}


def _replace_nth(text: str, pattern: str, rng: random.Random, replace: Callable[[re.Match], str]) -> str:
    matches = list(re.finditer(pattern, text))
    if not matches:
        return text
    m = rng.choice(matches)
    return text[: m.start()] + replace(m) + text[m.end():]


def _damage(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 10)):
        i = rng.randrange(len(chars))
        action = rng.randrange(3)
        if action == 0:
            del chars[i]
        elif action == 1:
            chars.insert(i, rng.choice('<>"&/=w: \x00'))
        else:
            chars[i] = rng.choice("<>\"'&;")
    return "".join(chars)
