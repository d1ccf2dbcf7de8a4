"""Reading answers out of clauses: agencies (from table fields or prose), dates, figures,
legal bases and the period a clause applies to. Pure functions of clause text."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ingest.model import SECTION_SEP
from ingest.text import fold
from qa.expand import load_lexicon
from qa.model import EN, Term
from qa.terms import coverage, find_spans, key

# Words that open an agency name; lower-case openers ("phòng Văn hóa…") count before a capital.
AGENCY_KINDS = ("Sở", "Phòng", "Cục", "Chi cục", "Ban", "Trung tâm", "Hội", "Liên minh", "Liên đoàn", "Chi nhánh",
          "Ngân hàng", "Đài", "Báo", "Công an", "Bộ", "Tổng cục", "Viện", "Văn phòng", "Ủy ban", "UBND",
          "Đoàn", "Tỉnh đoàn", "Huyện đoàn", "Mặt trận", "Hiệp hội", "Quỹ", "Đội", "Kho bạc", "Hạt")
# Words that end a generic agency name: what usually follows an agency in a sentence.
_AFTER_AGENCY = {key(w) for w in (
    "là", "có", "được", "đã", "sẽ", "triển khai", "thực hiện", "xây dựng", "tổ chức", "hướng dẫn",
    "tuyên truyền", "báo cáo", "chủ trì", "phối hợp", "tham mưu", "thẩm định", "chịu", "theo", "để", "trong",
    "về", "cho", "với", "tại", "kịp thời", "chỉ đạo", "hỗ trợ", "cung cấp", "nhằm", "và các", "thuộc",
    "tăng cường", "chủ động", "tham gia", "kiểm tra", "nâng cao", "đẩy mạnh", "giới thiệu")}
_MAX_AGENCY_WORDS = 9
_MAX_PARTNER_WORDS = 25
_NOT_VERBS = {key("tổ chức chính trị"), key("tổ chức xã hội")}  # "tổ chức" opening a kind of body
_LIST_GOES_ON = re.compile(r"\s*(?:$|,|;|và\b|cùng\b)")  # after an agency: another list item follows
_LIST_JOINS = frozenset({key("và các")})  # "A, B và các đoàn thể": a list of partners goes on
_GENERIC = re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, AGENCY_KINDS), key=len, reverse=True)) + r")\s+(?=\w)",
                      re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:[IVXLC]+\.|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-+•])\s*")
_LEAD_PROSE = re.compile(r"\s+(?:là\s+(?:cơ quan|đơn vị)(?:\s+đầu mối)?\s+chủ trì|chủ trì|có trách nhiệm|"
                         r"chịu trách nhiệm)\b", re.IGNORECASE)
_ASSIGN = re.compile(r"\b(?:giao(?:\s+cho)?|chỉ đạo)\s+", re.IGNORECASE)
_PARTNER_STATEMENT = re.compile(r"\s*(?:phối hợp|tham gia phối hợp|cùng phối hợp)\b", re.IGNORECASE)
# "phối hợp (tốt, chặt chẽ …) với": how one works with others is no partner
_PARTNER = re.compile(r"\bphối hợp(?:\s+(?:tốt|chặt chẽ|thường xuyên|hiệu quả|đồng bộ|nhịp nhàng))?(?:\s+với)?\s+",
                      re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.;!?])\s+|(?<=:)\s+(?=[-+•]\s)|\n+")  # " - " mid-sentence is a dash
_FIGURE = re.compile(r"\d+(?:[.,]\d+)?\s*%|\d+\s*/\s*\d+(?!\s*/)|(?<![\d/.,])\d{1,3}(?![\d/%])")
_NAMED_NUMBER = re.compile(r"(?<![\w-])[A-Za-zĐđ]{2,}-\d+\b")  # "COVID-19": a name, not a figure
_DATE = re.compile(
    r"(?:định kỳ\s+)?(?:hàng|hằng)\s+(?:năm|quý|tháng)|định kỳ\s+\d+\s+tháng|"
    r"trước ngày\s+\d{1,2}/\d{1,2}(?:/\d{2,4})?(?:\s+và\s+\d{1,2}/\d{1,2})?|"
    r"ngày\s+\d{1,2}/\d{1,2}/\d{4}|(?:giai đoạn\s+)?\d{4}\s*[-–]\s*\d{4}|(?:đến|trước|trong)\s+năm\s+\d{4}",
    re.IGNORECASE)
_AMOUNT = re.compile(  # a sum of money ("500.000 đồng", "1,5 tỷ", "20 triệu VNĐ") or a penalty ("phạt tiền")
    r"\d[\d.,]*\s*(?:tỷ|tỉ|triệu|nghìn|ngàn)?\s*(?:đồng|VNĐ|VND|đ)(?!\w)|\d[\d.,]*\s*(?:tỷ|tỉ|triệu)(?!\w)|"
    r"\bphạt\s+(?:tiền|cảnh cáo|vi phạm hành chính)",
    re.IGNORECASE)
_SPELLED_DATE = re.compile(r"(?:ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?", re.IGNORECASE)
_CITED_DATE = re.compile(r"\d+\s*/\s*[A-ZĐ][\wĐ&-]*\s*,?\s*$")  # "…số 214/KH-UBND, ngày …": the document's date
NUMBER = re.compile(r"(?<!\w)\d+\s*/\s*[A-Za-zĐđ][\w&-]*")
_PERIOD = re.compile(r"(\d{4})\s*[-–]\s*(\d{4})|(?:(đến|trước)\s+)?năm\s+(\d{4})", re.IGNORECASE)
_REFERENCE = re.compile(
    r"((?:Quyết định|Kế hoạch|Công văn|Nghị quyết|Nghị định|Thông tư|Chỉ thị|Luật)\s+(?:số\s*:?\s*)?"
    r"\d+\s*/\s*[\wĐđ&-]+)(?:[^;.\n]*?(?=\s+về\s|[;.\n]|$))?")
_BASIS_CUE = re.compile(r"^\W*(?:căn cứ|thực hiện|theo)\b|\bcăn cứ\b", re.IGNORECASE)  # "Thực hiện …" opens
_MAX_REFERENCE = 140


@dataclass(frozen=True)
class Period:
    """The years a clause applies to: (2021, 2025) for "giai đoạn 2021 - 2025", (None, 2030)
    for "đến năm 2030"."""

    first: int | None
    last: int

    def covers(self, year: int) -> bool:
        return (self.first or self.last) <= year <= self.last

    def covers_any(self, years: tuple[int, ...]) -> bool:
        return any(self.covers(y) for y in years)

    def label(self, language: str) -> str:
        if self.first and self.first != self.last:
            return f"{self.first}–{self.last}" if language == EN else f"giai đoạn {self.first}–{self.last}"
        if self.first is None:
            return f"by {self.last}" if language == EN else f"đến năm {self.last}"
        return f"in {self.last}" if language == EN else f"năm {self.last}"


# --- sentences ---------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    """Sentences and list items of a clause, markers stripped."""
    parts = (_LABEL.sub("", p).strip() for p in _SENTENCE_BREAK.split(text))
    return [p for p in parts if p]


def strip_label(text: str) -> str:
    """The text without its item marker ("1.", "a)", "-", "II.")."""
    return _LABEL.sub("", text)


def best_sentence(text: str, terms: Sequence[Term], folded: bool,
                  prefer: Callable[[str], bool] | None = None) -> str:
    """The sentence of `text` that carries most of the question's terms (and, given `prefer`,
    one that holds the wanted kind of value); the first on ties."""
    parts = sentences(text) or [text]
    return max(parts, key=lambda s: coverage(terms, s, folded) + (0.5 if prefer and prefer(s) else 0.0))


def shorten(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


# --- agencies ----------------------------------------------------------------------------------


def agency_spans(text: str) -> list[tuple[int, int]]:
    """Where agency names occur: names from the agency table (with a trailing province, as in
    "Cục Quản lý thị trường Hà Tĩnh"), then generic "Sở/Phòng/Trung tâm … + name" phrases."""
    spans = [_with_place(text, a, b) for a, b in find_spans(text, _agency_phrases())]
    for m in _GENERIC.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        span = _generic_extent(text, m)
        if span:
            spans.append(span)
    return sorted(spans)


@lru_cache(maxsize=1)
def _agency_phrases() -> tuple[str, ...]:
    lex = load_lexicon()
    return tuple(n for a in lex.agencies for n in (a.name, *a.aliases))


@lru_cache(maxsize=1)
def _place_phrases() -> tuple[str, ...]:
    return tuple(n for p in load_lexicon().places for n in (p.name, *p.aliases))


def _with_place(text: str, start: int, end: int) -> tuple[int, int]:
    m = re.match(r"\s+(?:tỉnh\s+|thành phố\s+)?", text[end:], re.IGNORECASE)
    after = end + (m.end() if m else 0)
    places = [s for s in find_spans(text[after:after + 40], _place_phrases()) if s[0] == 0]
    return (start, after + places[0][1]) if m and places else (start, end)


def _generic_extent(text: str, m: re.Match) -> tuple[int, int] | None:
    """A head word followed by name words, up to punctuation or a verb; the first name word must
    be capitalised when the head is not."""
    words = list(re.finditer(r"[\w&–-]+|[^\w\s]", text[m.end():]))
    if not words or not m.group(1)[0].isupper() and not words[0].group()[0].isupper():
        return None
    end = None
    for i, w in enumerate(words[:_MAX_AGENCY_WORDS]):
        if not re.match(r"[\w&–-]", w.group()):
            break
        if _verb_at(words, i):
            break
        end = m.end() + w.end()
    return (m.start(), end) if end else None


def agencies_at(text: str, start: int) -> list[str]:
    """The list of agencies that begins at `start` (within a few characters): "A, B và C"."""
    names, pos = [], start
    for a, b in agency_spans(text):
        if a < pos:
            continue
        gap = text[pos:a]
        if len(gap) > 12 or (names and not re.fullmatch(r"\s*(?:,|;|và|&)?\s*(?:các\s+)?", gap)):
            break
        names.append(text[a:b].strip())
        pos = b
    return names


# "Các Phòng: A, B, C: <task>" names Phòng A, B and C
_COLLECTIVE = re.compile(r"các\s+(" + "|".join(sorted(map(re.escape, AGENCY_KINDS), key=len, reverse=True)) + ")",
                         re.IGNORECASE)


def leads_in(text: str, section: str) -> list[str]:
    """Agencies a prose clause puts in charge: "X là đơn vị đầu mối chủ trì…", "X: <task>",
    "giao/chỉ đạo X …", or the agency heading the clause sits under ("1. Phòng Kinh tế và Hạ tầng")."""
    body = _LABEL.sub("", text)
    head, colon, rest = body.partition(":")
    if colon and len(head) <= 120 and (agencies_at(head, 0) or head.lower().startswith(("các ", "đề nghị "))):
        if _PARTNER_STATEMENT.match(rest):  # "UBND xã, thị trấn: Phối hợp tốt với…": a partner, not a lead
            return []
        kind, listed = _COLLECTIVE.fullmatch(head.strip()), rest.partition(":")
        if kind and listed[1] and len(listed[0]) <= 300:  # "Các Phòng: Tài nguyên…, Y tế: Triển khai…"
            return [f"{kind[1][0].upper()}{kind[1][1:]} {name.strip()}" for name in re.split(r"[,;]", listed[0]) if name.strip()]
        return [re.sub(r"^Đề nghị\s+", "", head.strip())]
    for m in _LEAD_PROSE.finditer(body):
        named = [body[a:b] for a, b in agency_spans(body) if b <= m.start() and not body[b:m.start()].strip()]
        if named:
            return named[-1:]
    for m in _ASSIGN.finditer(body):
        named = agencies_at(body, m.end())
        if named:
            return named
    return heading_agency(section)


def heading_agency(section: str) -> list[str]:
    """The agency a clause's innermost heading is ("1. Phòng Kinh tế và Hạ tầng"): who does what
    the items beneath it say, unless an item names someone else."""
    heading = _LABEL.sub("", section.split(SECTION_SEP)[-1]) if section else ""
    if heading and len(heading) <= 80:
        named = agencies_at(heading, 0)
        if named and named[0] == heading.strip():
            return named
    return []


def partners_in(text: str) -> str | None:
    """Who a prose clause says it works with: the words after "phối hợp (với)" up to the verb of the
    action, cut after the last recognised agency unless a list goes on ("… Sở Khoa học và Công nghệ
    phát 29 đĩa" -> up to "Công nghệ"; "…, Mặt trận Tổ quốc và các đoàn thể" is kept whole)."""
    for m in _PARTNER.finditer(text):
        words = list(re.finditer(r"[\w&–-]+|[^\w\s]", text[m.end():]))
        end = None
        for i, w in enumerate(words[:_MAX_PARTNER_WORDS]):
            if w.group() in ".;:(" or _verb_at(words, i, _LIST_JOINS):
                break
            end = w.end()
        if end:
            found = text[m.end():m.end() + end]
            spans = agency_spans(found)
            if spans and not _LIST_GOES_ON.match(found[spans[-1][1]:]):
                found = found[:spans[-1][1]]
            return found.strip(" ,")
    return None


def _verb_at(words: list[re.Match], i: int, allowed: frozenset[str] = frozenset()) -> bool:
    one, two = key(words[i].group()), key(" ".join(w.group() for w in words[i:i + 2]))
    return ((one in _AFTER_AGENCY and one not in allowed) or (two in _AFTER_AGENCY and two not in allowed)) \
        and two not in _NOT_VERBS


# --- dates, figures, references, periods --------------------------------------------------------


def dates_in(text: str) -> list[str]:
    """Deadlines and time frames; failing those, the issue dates of the documents the text cites
    ("Công văn số 3352/SCT-KHTH ngày 18/11/2021"), which are an answer only when nothing else is."""
    matches = list(_DATE.finditer(text))
    cited = {m.start() for m in matches if _CITED_DATE.search(text[max(0, m.start() - 40):m.start()])}
    own = [m for m in matches if m.start() not in cited]
    return list(dict.fromkeys(m.group().strip() for m in (own or matches)))


def deadlines_in(text: str) -> list[str]:
    """Deadlines and time frames only: a date attached to a cited document ("Công văn số
    3352/SCT-KHTH ngày 18/11/2021", "Quyết định số … ngày …") is when that document was issued."""
    return [m.group().strip() for m in _DATE.finditer(text)
            if not _CITED_DATE.search(text[max(0, m.start() - 40):m.start()])]


def has_figure(text: str) -> bool:
    """A count, share or ratio ("90%", "34/34", "4 sản phẩm"); years, dates ("ngày 24 tháng 6 năm
    2020") and document numbers ("889/QĐ-TTg") aside."""
    text = _SPELLED_DATE.sub(" ", NUMBER.sub(" ", re.sub(r"\d{1,2}/\d{1,2}/\d{4}", " ", text)))
    return bool(_FIGURE.search(_PERIOD.sub(" ", _NAMED_NUMBER.sub(" ", text))))


def counts(text: str, thing: str) -> bool:
    """Whether the figures of `text` may count `thing` (a folded syllable): any count does ("hỗ trợ
    2 doanh nghiệp" for "bao nhiêu cơ sở"); a share only when `thing` follows it within eight words
    ("70% các khu kinh tế, khu công nghiệp, cụm công nghiệp" counts "cum"), not a share of something
    else ("85% trở lên các siêu thị … sản phẩm bao bì" does not count "san")."""
    folded = fold(_SPELLED_DATE.sub(" ", NUMBER.sub(" ", text)))
    if re.search(r"(?<![\d.,/])\d+(?:[.,]\d+)?(?!\s*[%\d.,])", re.sub(r"\d{1,2}/\d{1,2}/\d{4}|\b(?:19|20)\d\d\b", " ", folded)):
        return True
    return re.search(rf"\d\s*%(?:\s+\S+){{0,8}}?\s+{re.escape(thing)}\b", folded) is not None


def has_amount(text: str) -> bool:
    """A sum of money ("500.000 đồng", "1,5 tỷ đồng", "20 triệu") or a penalty ("phạt tiền từ …")."""
    return bool(_AMOUNT.search(text))


def states_basis(text: str) -> bool:
    """The clause says what it implements: "Căn cứ …", "Thực hiện …"."""
    return bool(_BASIS_CUE.search(text))


def references_in(text: str) -> list[tuple[str, str]]:
    """Documents a clause cites, as (short, full) pairs:
    ("Kế hoạch số 172/KH-UBND", "Kế hoạch số 172/KH-UBND ngày 05/10/2021 của UBND tỉnh Hậu Giang")."""
    refs = {}
    for m in _REFERENCE.finditer(text):
        full = m.group().strip(" ,")
        refs.setdefault(m.group(1), shorten(full, _MAX_REFERENCE))
    return list(refs.items())


def document_number(text: str) -> str | None:
    """The first document number in `text`, in a comparable form: "Kế hoạch số 214 /KH-UBND" -> "214/kh-ubnd"."""
    m = NUMBER.search(text)
    return re.sub(r"\s+", "", fold(m.group())) if m else None


def period_of(section: str, period: str | None) -> Period | None:
    """The period a clause applies to: its own period field, else the innermost heading that
    names one ("2.1. Giai đoạn 2021 - 2025", "2. Đến năm 2030")."""
    for text in ([period] if period else []) + list(reversed(section.split(SECTION_SEP) if section else [])):
        m = _PERIOD.search(text)
        if m and m.group(1):
            return Period(int(m.group(1)), int(m.group(2)))
        if m:
            return Period(None if m.group(3) else int(m.group(4)), int(m.group(4)))
    return None
