"""Document metadata read from the document itself: number, type, dates, issuer, place, signer, bases.

Nothing is guessed: a field the text does not state stays None. The national header wins over a
website's metadata block, which wins over what the body or an appendix says about the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from ingest.model import PARAGRAPH, DocumentMeta
from ingest.provinces import CENTRAL_CITIES, PROVINCES, key, province_named
from ingest.structure import NUMBER_LINE, PLACE_DATE, SIGNATURE, Parsed
from ingest.text import fold, is_upper

_SYMBOL = r"[A-ZĐ][A-Za-zĐđ0-9₀-₉]*(?:[-–][A-Za-zĐđ0-9₀-₉]+)*"
_NUMBER = rf"(\d*[a-z]?)\s*/\s*(?:(\d{{4}})\s*/\s*)?({_SYMBOL})"  # "178 /KH-UBND", "01/2021/NĐ-CP", "/UBND-KTHT"
_DOC_NUMBER = re.compile(rf"(?<![\w/]){_NUMBER}")
_WEB_PREFIX = re.compile(rf"^\D{{2,30}}?\s+\d+[a-z]?\s*/\s*(?:\d{{4}}\s*/\s*)?{_SYMBOL}\s+")  # "Kế hoạch 45/KH-UBND "
_DATE_WORDS = re.compile(r"ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})", re.IGNORECASE)
_DATE_SLASHES = re.compile(r"(\d{1,2})?\s*/\s*(\d{1,2})?\s*/\s*(\d{4})")  # "08/03/2024", "ngày / /2020"
_YEAR = re.compile(r"\bnăm\s+(\d{4})\b", re.IGNORECASE)
_LEVEL = r"(?i:thành phố|thị xã|tỉnh|huyện|quận)"
_PEOPLES_COMMITTEE = r"(?i:ủy ban nhân dân|uỷ ban nhân dân|ubnd)"
_NAME_AHEAD = r"(?=([^\n]+))"  # the rest of the line, as a look-ahead so that every mention is found
_ORG_PLACE = re.compile(rf"{_PEOPLES_COMMITTEE}\s+({_LEVEL})\s+{_NAME_AHEAD}")
# The issuer names itself as the subject of a sentence: "…, UBND tỉnh Thanh Hóa ban hành …".
_SELF_REFERENCE = re.compile(rf"(?:^|[,;.:]\s*){_PEOPLES_COMMITTEE}\s+({_LEVEL})\s+{_NAME_AHEAD}")
_OF_ISSUER = re.compile(rf"của\s+(?:Chủ tịch\s+)?{_PEOPLES_COMMITTEE}\s+({_LEVEL})\s+{_NAME_AHEAD}")
_WEB_ISSUER = re.compile(rf"^({_LEVEL})\s+{_NAME_AHEAD}")
_UNIT_NUMBER = re.compile(r"\d{1,3}", re.ASCII)  # the name of a numbered unit: "Quận 1", "Phường 10"
_PROVINCE_MENTION = re.compile(rf"(?<!\w)(?i:tỉnh|thành phố)\s+{_NAME_AHEAD}")
_BASIS = re.compile(r"^(?:Thực hiện|Căn cứ|Theo|Triển khai|Ngay sau khi (?:có|nhận được))\b", re.IGNORECASE)
_TYPE_ABBREVIATIONS = {
    "KH": "Kế hoạch", "BC": "Báo cáo", "QĐ": "Quyết định", "CT": "Chỉ thị", "TB": "Thông báo", "NQ": "Nghị quyết",
    "TTr": "Tờ trình", "HD": "Hướng dẫn", "CTr": "Chương trình", "ĐA": "Đề án", "CĐ": "Công điện",
    "TT": "Thông tư", "NĐ": "Nghị định", "QC": "Quy chế",
}


def extract_meta(parsed: Parsed, *, doc_id: str, source: str, content_hash: str) -> DocumentMeta:
    web = parsed.web
    number_line = next((t for t in parsed.header if NUMBER_LINE.match(t)), None)
    number, symbol = _number(number_line) if number_line else (None, None)
    number = number or _first_number([web.get("Số hiệu", "")]) or _first_number(parsed.notes)
    issued = _issued(parsed)
    title = _title(parsed)
    level, name = _issuer_place(parsed)
    province, district = _province_district(level, name, parsed)
    return DocumentMeta(
        doc_id=doc_id,
        source=source,
        content_hash=content_hash,
        title=title,
        doc_type=parsed.doc_type or web.get("Loại văn bản") or ("Công văn" if parsed.subject else None)
        or _type_of_symbol(symbol or (number or "").split("/")[-1]),
        number=number,
        issued=issued,
        year=int(issued[:4]) if issued else _year(title),
        issuer=f"UBND {level} {name}" if name else None,
        locality=f"{level} {name}" if name else None,
        province=province,
        district=district,
        signer=_signer(parsed),
        legal_bases=tuple(n for n in _unique(_bases(parsed)) if n != number),
    )


def _number(text: str) -> tuple[str | None, str | None]:
    """("178/KH-UBND", "KH-UBND") from "Số: 178 /KH-UBND"; (None, "UBND-KTHT") when the number is blank."""
    m = _DOC_NUMBER.search(text)
    if not m:
        return None, None
    return (_format_number(m) if m[1] else None), m[3]


def _format_number(m: re.Match) -> str:
    return "/".join(p for p in (m[1], m[2], m[3]) if p)


def _first_number(texts: Iterable[str]) -> str | None:
    return next((_format_number(m) for t in texts for m in _DOC_NUMBER.finditer(t) if m[1]), None)


def _issued(parsed: Parsed) -> str | None:
    """ISO date of the place-and-date line, else of the website block, else of an appendix's note."""
    candidates = [t for t in parsed.header if PLACE_DATE.match(t)] + [parsed.web.get("Ngày ban hành", "")]
    for text in candidates + parsed.notes:
        if m := _DATE_WORDS.search(text) or _DATE_SLASHES.search(text):
            return _iso(m[1], m[2], m[3])
    return None


def _iso(day: str | None, month: str | None, year: str) -> str:
    """"2021-10-13"; "2021-11" or "2021" when the day (and month) are left blank, as in drafts."""
    try:
        if day and month:
            return date(int(year), int(month), int(day)).isoformat()
        if month and 1 <= int(month) <= 12:
            return f"{year}-{int(month):02d}"
    except ValueError:
        pass
    return year


def _title(parsed: Parsed) -> str | None:
    """The title under the type line, or the công văn's subject; a title typed in capitals gives
    way to the website's mixed-case copy of the same words."""
    title = parsed.title or (_capitalise(parsed.subject.rstrip(" .")) if parsed.subject else None)
    web_title = parsed.web.get("title")
    if web_title:
        rest = _WEB_PREFIX.sub("", web_title)
        if title is None or (is_upper(title) and _words(title) == _words(rest)):
            return _capitalise(rest)
    return title


def _words(text: str) -> str:
    return re.sub(r"\W", "", fold(text))


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _year(title: str | None) -> int | None:
    m = _YEAR.search(title or "")
    return int(m[1]) if m else None


def _type_of_symbol(symbol: str | None) -> str | None:
    """A symbol starts with the type's abbreviation ("KH-UBND"); a công văn's starts with the issuer's ("UBND-KTHT")."""
    if not symbol or "-" not in symbol:
        return None
    return _TYPE_ABBREVIATIONS.get(symbol.split("-")[0], "Công văn")


def _issuer_place(parsed: Parsed) -> tuple[str | None, str | None]:
    """Administrative level and name of the issuing People's Committee, e.g. ("huyện", "Cao Lãnh")."""
    sources = [
        (_ORG_PLACE, ["\n".join(parsed.organisation)]),
        (_OF_ISSUER, parsed.notes),
        (_SELF_REFERENCE, [d.text for d in parsed.drafts if d.kind == PARAGRAPH]),
        (_WEB_ISSUER, [parsed.web.get("Cơ quan ban hành", "")]),
    ]
    for pattern, texts in sources:
        for m in (m for text in texts for m in pattern.finditer(text)):
            if name := _proper_name(m[2]):
                return m[1].lower(), name
    return None, None


def _proper_name(text: str) -> str | None:
    """The capitalised words that open the text: "Đồng Tháp về việc…" -> "Đồng Tháp"; or the
    number a numbered unit goes by: "1" of "Quận 1"."""
    words: list[str] = []
    for word in text.split()[:6]:
        bare = word.strip("()[],.;:\"'“”")
        if not words and _UNIT_NUMBER.fullmatch(bare):
            return bare
        if bare in ("-", "–") and words:
            words.append("-")
            continue
        if not bare or not bare[0].isupper() or any(c.isdigit() for c in bare):
            break
        words.append(bare)
        if bare != word:
            break
    while words and words[-1] == "-":
        words.pop()
    name = " ".join(words)
    if not name:
        return None
    return province_named(name) or (name.title() if is_upper(name) else name)


def _province_district(level: str | None, name: str | None, parsed: Parsed) -> tuple[str | None, str | None]:
    if not name:
        return None, None
    if level == "tỉnh" or (level == "thành phố" and name in CENTRAL_CITIES):
        return province_named(name), None
    # "1" alone names nothing: a numbered unit is called by its level and number, "Quận 1".
    district = f"{level.capitalize()} {name}" if _UNIT_NUMBER.fullmatch(name) else name
    return _province_mentioned(parsed, exclude=name), district


def _province_mentioned(parsed: Parsed, exclude: str) -> str | None:
    """The province a district document names: "tỉnh Đồng Tháp" first, else any province name."""
    texts = [*parsed.header, *parsed.notes, *(d.text for d in parsed.drafts), *parsed.tail]
    for text in texts:
        for m in _PROVINCE_MENTION.finditer(text):
            province = _proper_name(m[1])
            if province in PROVINCES and province != exclude:
                return province
    folded = key(" ".join(texts))
    first = {p: m.start() for p in PROVINCES
             if key(p) != key(exclude) and (m := re.search(rf"\b{re.escape(key(p))}\b", folded))}
    return min(first, key=first.__getitem__, default=None)


def _signer(parsed: Parsed) -> str | None:
    """The first personal name after the signature block's title lines (KT. CHỦ TỊCH …)."""
    signed = False
    for text in parsed.tail:
        if SIGNATURE.match(text):
            signed = True
        elif signed and _is_person(text):
            return text
    return parsed.web.get("Người ký")


def _is_person(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 5 and not is_upper(text) and all(w.isalpha() and w[0].isupper() for w in words)


def _bases(parsed: Parsed) -> Iterable[str]:
    """Document numbers cited by the opening paragraphs that give the legal basis ("Thực hiện …", "Căn cứ …")."""
    for draft in parsed.drafts:
        if draft.kind == PARAGRAPH and not draft.section and _BASIS.match(draft.text):
            yield from (_format_number(m) for m in _DOC_NUMBER.finditer(draft.text) if m[1])


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))

