"""Question analysis: language, intent, scope (locality, document), content terms and the
search expansion, from the question text alone (no search here)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

from index.filtering import admits
from index.model import Filters
from ingest.model import DocumentMeta
from ingest.text import fold, has_diacritics, nfc, squash
from qa.expand import ENGLISH_AGENCY_KINDS, AnyOrder, Lexicon, english_key, load_lexicon, longest_matches
from qa.extract import AGENCY_KINDS, NUMBER, agency_spans, document_number, has_figure
from qa.model import BASIS, DOC_NUMBER, EN, GENERAL, ISSUED, ISSUER, LEAD, PARTNER, SIGNER, TARGET, VI, WHEN, Query, Term
from qa.terms import contains, find_spans, fold_aligned, key, tokens

__all__ = ["Query", "analyze"]

_AGENCY_NOUNS = ("agency", "organisation", "department", "body", "unit", "office", "division", "authority",
                 "board", "committee", "centre", "association", "ministry")
# "which units support …": an agency noun before a verb of taking part asks partners.
_WHICH_PARTNER = tuple(f"{w} {noun} {verb}" for w in ("which", "what") for noun in _AGENCY_NOUNS
                       for verb in ("coordinate", "cooperate", "support", "assist", "work with", "partner"))
# Intent cues, in order of precedence. "mục tiêu"/"target" alone is no cue: goals are quoted
# like any text, while "bao nhiêu" asks for a figure the answer must contain.
_STRONG = {
    VI: (
        (BASIS, ("căn cứ", "cơ sở pháp lý", "văn bản nào", "quyết định nào", "kế hoạch nào", "công văn nào",
                 "nghị quyết nào", "chỉ thị nào", "thực hiện theo", "số hiệu", "số ký hiệu",
                 *(f"{d} số {w}" for d in ("kế hoạch", "kh", "quyết định", "qđ", "công văn", "văn bản", "báo cáo",
                                           "nghị quyết", "chỉ thị") for w in ("bao nhiêu", "mấy", "gì")),
                 "kế hoạch giai đoạn nào", "chương trình giai đoạn nào", "văn bản chỉ đạo nào", "theo chỉ đạo nào")),  # years masked: "kế hoạch giai đoạn 2021-2030 nào"
        (TARGET, ("bao nhiêu", "tỷ lệ", "tỉ lệ", "phần trăm", "mức nào")),
        (WHEN, ("khi nào", "bao giờ", "thời hạn", "hạn chót", "lúc nào", "ngày nào", "năm nào", "thời điểm nào",
                "thời gian thực hiện", "thời gian nào", "trước ngày", "định kỳ", "giai đoạn nào", "thời kỳ nào")),
        (PARTNER, ("phối hợp thực hiện", "phối hợp", "cùng với")),
        (LEAD, ("chủ trì thực hiện", "chủ trì", "phụ trách", "đầu mối", "chịu trách nhiệm", "trách nhiệm", "ai", "cơ quan nào",
                "đơn vị nào", "phòng nào", "sở nào", "sở, ngành nào", "ban nào", "tổ chức nào", "người nào",
                "giao cho", "được giao")),
    ),
    EN: (
        (BASIS, ("legal basis", "based on", "pursuant to", "basis", "which decision", "which plan",
                 "which document", "what document", "legal ground", "cite", "refer to", "what number",
                 "which number", "document number", "reference number",
                 *(f"number of the {d}" for d in ("plan", "report", "letter", "decision")),
                 *(f"under which {d}" for d in ("document", "provincial document", "plan", "decision", "letter",
                                                "official letter", "directive")),
                 "which provincial document", "which official letter", "which directive")),
        (TARGET, ("how many", "how much", "what percentage", "what percent", "percentage", "percent",
                  "what share", "what proportion", "what rate", "what level", "number of", "total of")),
        # ("number of the Prime Minister's decision" is BASIS: _DOCUMENT_NUMBER, checked first)
        # "period" alone is no when-cue: "tasks for the coming period" asks what
        (WHEN, ("when", "deadline", "what date", "which date", "how often", "time frame", "timeframe",
                "timeline", "due date", "what period", "which period", "time period", "implementation period",
                "what year", "which year")),
        (PARTNER, ("coordinate", "coordinating", "coordination", "partner", "cooperate", "cooperation",
                   "work with", "works with", "working with", "together with", "assist", "collaborate",
                   "who supports", "who support", "agencies support", "supporting agencies", "supporting agency",
                   "in support", "alongside", *_WHICH_PARTNER)),
        (LEAD, ("who", *(f"{w} {noun}" for w in ("which", "what") for noun in _AGENCY_NOUNS),
                "in charge", "responsible", "lead", "led by", "preside", "lead agency", "lead agencies",
                "leading agency", "main agency")),
    ),
}
# Verbs of leading: with one present, "coordinate" marks a partner question only next to a who-word;
# and when the question names the agency itself, they do not make it a who-question.
_LEAD_VERBS = {VI: ("chủ trì", "phụ trách", "đầu mối", "chịu trách nhiệm", "trách nhiệm", "giao cho", "được giao"),
               EN: ("lead", "in charge", "responsible", "preside", "led by", "is tasked", "are tasked", "was tasked",
                    "were tasked", "tasked with")}  # not "tasked" alone: as a key it is the noun "task"
# Verbs of taking part: "Sở X phối hợp những nhiệm vụ nào?" asks what the agency supports.
_PARTNER_VERBS = {VI: ("phối hợp", "tham gia phối hợp"), EN: ("coordinate", "support", "assist", "work with")}
# "What is the date of the Hau Giang plan?" asks its issue date, not "the reporting deadline date of …"
# (English key: stemmed, lower case)
_DATE_OF = re.compile(r"\bdat(?:e)? of (?:the )?(?:\S+ ){0,3}?(?:plan|report|letter|decis\w*|document)\b")
_OTHER_DATE = re.compile(r"\b(?:deadlin\w*|report\w*|end|due|start\w*|complet\w*|submi\w*)\s+dat(?:e)?\b")
# Questions about a document itself, answered from its metadata ("ban hành ngày nào", "ai ký").
_DOCUMENT_CUES = {
    VI: ((ISSUED, ("ban hành ngày nào", "ban hành khi nào", "ban hành vào ngày nào", "ngày ban hành", "ký ngày nào",
                   "ngày ký", "ban hành năm nào", "ban hành vào năm nào", "hiệu lực từ ngày nào", "hiệu lực từ khi nào",
                   "có hiệu lực từ", "hiệu lực khi nào", "ngày có hiệu lực", "ban hành lúc nào", "ra đời khi nào",
                   "ký khi nào", "ký vào ngày nào", "ký ban hành ngày nào", "ban hành hôm nào", "ký hôm nào",
                   "ban hành bao giờ", "đề ngày nào", "đề ngày", "ghi ngày nào")),
         (SIGNER, ("ai ký", "người ký", "ký bởi", "do ai ký", "ai là người ký", "nào ký", "ai đã ký")),
         (ISSUER, ("do ai ban hành", "ai ban hành", "cơ quan nào ban hành", "đơn vị nào ban hành", "ban hành bởi",
                   "cấp nào ban hành", "ai đã ban hành", "cơ quan ban hành"))),
    EN: ((ISSUED, ("when was", "issued on", "date of issue", "issue date", "date was", "when did", "what date",
                   "which date", "effective from", "take effect", "come into effect")),
         (SIGNER, ("who signed", "signed by", "signatory", "signer")),
         (ISSUER, ("who issued", "issued by", "which agency issued", "which body issued", "what agency issued",
                   "issuing agency", "issuing body", "issuing authority", "issuer"))),
}
# A document's number asked ("Kế hoạch của Hậu Giang có số hiệu gì?") is read from its metadata,
# unless the question asks what another document cites ("Báo cáo viện dẫn kế hoạch số bao nhiêu?").
_NUMBER_CUES = {VI: ("số hiệu", "số ký hiệu", "số bao nhiêu", "số mấy", "số gì", "mang số"),
                EN: ("what number", "which number", "document number", "reference number", "its number",
                     *(f"number of the {d}" for d in ("plan", "report", "letter", "decision")))}
_CITING_CUES = {VI: ("viện dẫn", "dẫn chiếu", "trích dẫn", "căn cứ", "thực hiện theo", "triển khai theo",
                     "cụ thể hóa", *(f"{v} {d}" for v in ("thực hiện", "triển khai") for d in ("kế hoạch", "kh",
                                                                                          "quyết định", "qđ"))),
                EN: ("cite", "cites", "cited", "refer", "refers", "pursuant", "implement", "implements", "based on",
                     "under which", "follows", "according to which")}
# The type of document a question asks for, as the type word of ingest.structure.DOC_TYPES.
_ASKED_TYPE = {VI: ((("kế hoạch", "kh"), "Kế hoạch"), (("quyết định", "qđ"), "Quyết định"),
                    (("công văn", "cv"), "Công văn"), (("nghị quyết",), "Nghị quyết"), (("chỉ thị",), "Chỉ thị"),
                    (("nghị định",), "Nghị định"), (("thông tư",), "Thông tư")),
               EN: ((("plan",), "Kế hoạch"), (("decision",), "Quyết định"), (("official letter", "letter"), "Công văn"),
                    (("resolution",), "Nghị quyết"), (("directive",), "Chỉ thị"), (("decree",), "Nghị định"),
                    (("circular",), "Thông tư"))}
_ASKED_TYPE_FORMS = {VI: ("{} số bao nhiêu", "{} số mấy", "{} số gì", "{} nào"), EN: ("which {}", "what {}", "{} number")}
_DOCUMENT_WORDS = {VI: ("kế hoạch", "kh", "báo cáo", "công văn", "văn bản", "quyết định", "nghị quyết"),
                   EN: ("plan", "report", "letter", "document", "decision", "resolution")}
# "Công văn 3352/SCT-KHTH … ngày bao nhiêu?" (folded): the date of the document named, when it is no
# indexed document (whose own dates are tasks' dates: "KH 178 báo cáo vào ngày nào?"), and no
# deadline is asked ("theo Công văn 7664, báo cáo trước / vào ngày nào?").
_DATE_ASKED = {VI: re.compile(r"^(?!.*\b(?:truoc|han|dinh ky|phai|vao|den|tu) ngay\b).*\bngay (?:bao nhieu|nao|may|thang nao)\b",
                             re.IGNORECASE),
               EN: re.compile(r"\b(?:what|which) date\b|\bdated\b", re.IGNORECASE)}
_WHEN_WORDS = {VI: ("ngày", "khi nào", "bao giờ", "lúc nào", "năm nào", "tháng nào", "mấy", "thời điểm"),
               EN: ("when", "date", "what day", "what year")}
# A question on a document's date or signature holds one of these (a task's "thời gian" does not).
_ISSUE_WORDS = {VI: ("ban hành", "ký", "hiệu lực", "ra đời", "đề ngày"),
                EN: ("issued", "signed", "adopted", "effective", "effect")}
# "<agency> chủ trì những nhiệm vụ nào?": what a named agency leads (with a lead verb of _LEAD_VERBS).
_TASKS_CUES = {
    VI: ("những nhiệm vụ nào", "nhiệm vụ nào", "nhiệm vụ gì", "những việc gì", "những việc nào", "việc gì",
         "những gì", "nội dung nào", "nội dung gì", "hoạt động nào", "hoạt động gì", "liệt kê", "tất cả nhiệm vụ",
         "các nhiệm vụ", "danh sách nhiệm vụ", "bao nhiêu nhiệm vụ", "mấy nhiệm vụ"),
    EN: ("what tasks", "which tasks", "what task", "what does", "what do", "what did", "what has", "what have",
         "what activities", "which activities",
         "what work", "what is", "what are", "list", "all tasks", "all the tasks", "how many tasks", "number of tasks"),
}
# Words naming a quantified target ("Chỉ tiêu giảm túi nhựa … ở Cao Lãnh?"): a figure is asked when no
# stronger cue is there ("Ai chủ trì … hệ thống chỉ tiêu …?" asks who). They stay content words.
_VI_TARGET_WORDS = ("chỉ tiêu",)
# Figure questions asking for an amount of money: the answer must state one (a sum in đồng), not
# any figure. A fine ("mức xử phạt") is an amount even without "bao nhiêu": "What is the fine for …?".
# Bare "đồng" is no cue: "cộng đồng" (community) holds it.
_AMOUNT_CUES = {
    VI: ("tỷ đồng", "tỉ đồng", "triệu đồng", "nghìn đồng", "ngàn đồng", "bao nhiêu đồng", "vnđ", "kinh phí",
         "ngân sách", "bao nhiêu tiền", "số tiền", "chi phí", "tổng vốn"),
    EN: ("money", "funding", "funds", "budget", "cost", "costs", "spend", "dong", "vnd", "billion", "million"),
}
# English asks for an amount without "how much" (Vietnamese ones hold "bao nhiêu": a figure already).
_AMOUNT_ASKS = {VI: (), EN: ("what budget did", "what budget does", "what budget was", "what budget is",
                             "how much budget", "how much funding", "how much money")}
_FINE_CUES = {
    VI: ("mức phạt", "mức xử phạt", "tiền phạt", "phạt tiền", "phạt bao nhiêu", "xử phạt bao nhiêu"),
    EN: ("the fine", "a fine", "fine for", "fines for", "fined", "penalty", "penalties"),
}
# English goal words that, with a year ("What is Cao Lanh's 2030 target for …?"), ask for a figure.
_EN_TARGET_WORDS = ("target", "goal", "objective")
# "Còn Cao Lãnh thì sao?", "And Hau Giang?": a follow-up opening, and the words such a question has
# besides a place or a year. With nothing else asked there is nothing to answer without the earlier question.
_FOLLOWUP = re.compile(r"^\W*(?:còn|thế còn|vậy còn|con|the con|vay con|and|what about|how about)\b", re.IGNORECASE)
_FOLLOWUP_WORDS = frozenset({"con", "the", "vay", "thi", "sao", "nao", "nam", "giai", "doan", "o", "tai", "nua",
                             "and", "what", "about", "how", "in", "for", "of", "year", "then",
                             # what to ask about the same task: "Còn đơn vị phối hợp?", "And the partners?"
                             "don", "vi", "co", "quan", "thoi", "gian", "han", "chi", "tieu", "can", "cu",
                             "agency", "agencies", "partner", "partners", "deadline", "timeframe", "target",
                             "basis", "lead", "who", "which"})
# A document named by its type and number ("Quyết định 889", "KH số 178", "Decision 889/QĐ-TTg").
_TYPE_AND_NUMBER = (r"(?:kế hoạch|ke hoach|kh|quyết định|quyet dinh|qđ|qd|công văn|cong van|cv|báo cáo|bao cao|"
                    r"plan|decision|report|official letter|letter)\s+(?:số\s+|so\s+|no\.?\s*|number\s+)?(\d+)")
_BARE_NUMBER = re.compile(rf"\b{_TYPE_AND_NUMBER}\b(?!\s*/)", re.IGNORECASE)
# Comparing documents: one line per document ("So sánh chỉ tiêu … giữa Cao Lãnh và Thanh Hóa").
_COMPARE_CUES = {
    VI: ("so sánh", "so với", "khác nhau", "khác biệt", "lần lượt", "đối chiếu"),
    EN: ("compare", "comparison", "compared", "versus", "vs", "differ", "difference", "respectively"),
}
_WHO_PARTNER = {
    VI: ("nào phối hợp", "ai phối hợp", "phối hợp với ai", "phối hợp với cơ quan nào", "phối hợp với đơn vị nào",
         "đơn vị phối hợp", "cơ quan phối hợp"),
    EN: ("who coordinate", "coordinating agency", "partner agency", "who cooperate",
         "who support", "who supports", "who work with", "who works with", "agencies work with", "agency work with",
         "who assist", "supporting agency", "supporting agencies", "collaborate", *_WHICH_PARTNER),
}

# English cues whose Vietnamese rendering helps find the answer ("based on" -> "căn cứ"); "chủ trì"
# or "phối hợp" would instead pull up the general coordination clauses over the task rows.
_SEARCHED_CUES = (BASIS, WHEN, TARGET)

_ADMIN_PREFIX = re.compile(r"^(tỉnh|thành phố|tp\.?|huyện|quận|thị xã|thị trấn|xã|phường)\s+", re.IGNORECASE)
_PLACE_PATTERN = re.compile(r"(?<!\w)(tinh|thanh pho|tp\.|tp|huyen|quan|thi xa)\s+")  # on folded text
_BASELINE = re.compile(r"(?:so với|so voi|compared (?:to|with)|relative to)\s+(?:năm|nam|the year)?\s*$",
                       re.IGNORECASE)  # "giảm … so với năm 2025": a baseline year, not the one asked about
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_SEGMENT_BREAK = re.compile(r"[,;:?!.()\[\]\"“”…]+")
_VI_SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$")
Span = tuple[int, int]
_MASK = "\u2029"  # stands in for a locality, document number or year: breaks phrases, matches nothing
_CUE, _STOP = "cue", "stop"
_MAX_PAIR_ALTERNATIVES = 3


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    surface: str  # the question's words
    alternatives: tuple[str, ...]  # expansions, synonyms, translations (not the surface)
    content: bool = True  # False for intent cues ("chủ trì", "based on"): searched, not scored
    parts: tuple[_Unit, ...] = ()  # the units inside a phrase


def analyze(question: str, known_localities: Iterable[str], documents: Iterable[DocumentMeta] = ()) -> Query:
    """Understand a question. `known_localities` are the places the indexed documents cover;
    `documents` (optional) lets a document number in the question ("45/KH-UBND") scope the search."""
    lex = load_lexicon()
    documents = list(documents)
    text = squash(nfc(question))
    known = _known_cores(known_localities)
    places, unknown, place_spans = _places(text, known, lex)
    scope = places[0] if places else None
    doc_ids, doc_spans = _document_scope(text, documents)
    years = tuple(sorted({int(m.group(1)) for m in _YEAR.finditer(text) if not _BASELINE.search(text[:m.start()])}))
    masks = place_spans + doc_spans + [m.span() for m in _YEAR.finditer(text)]
    content = _masked(text, masks)
    language = _language(content, lex)
    excluded = _excluded_span(text, language)
    if excluded:  # the agencies set aside are neither the topic nor the asked agency
        content = _masked(text, [*masks, excluded])
    accented = has_diacritics(text)
    units = _english_units(content, lex) if language == EN else _vietnamese_units(content, not accented, lex)
    agencies = lex.agency_names(folded=True)
    names_agency = any(key(a, folded=True) in agencies for u in units for a in (u.surface, *u.alternatives))
    folded = language == VI and not accented
    document_field = _document_field(text, language, folded)
    if document_field is None and NUMBER.search(text) and not doc_ids and _DATE_ASKED[language].search(fold(text)):
        document_field = ISSUED  # the date of a document the index only cites: from the citing clause
    if document_field:  # "ban hành", "issued": what is asked, not what the document is about
        issue = {_cue_key(language, folded)(w) for w in _ISSUE_WORDS[language]}
        units = [u for u in units if _cue_key(language, folded)(u.surface) not in issue]
    intent = _intent(content, language, folded, names_agency)  # places masked: "which Cao Lanh division"
    if intent == BASIS:  # "Báo cáo … viện dẫn kế hoạch nào?": which document, not one about citing or reports
        k = _cue_key(language, folded)
        cue_words = {w for c in (*_CITING_CUES[language], *_DOCUMENT_WORDS[language]) if contains(k(content), k(c))
                     for w in k(c).split()}
        units = [u for u in units if not u.content or not set(k(u.surface).split()) <= cue_words]
    if intent == GENERAL and language == VI and _has_cue(content, _VI_TARGET_WORDS, language, folded):
        intent = TARGET  # "Chỉ tiêu … của huyện Cao Lãnh?": the figures, each with its period
    if intent == GENERAL and _has_cue(text, (*_FINE_CUES[language], *_AMOUNT_ASKS[language]), language, folded):
        intent = TARGET  # "What is the fine for …?", "What budget did … allocate?": an amount, read as a figure
    if intent == GENERAL and language == EN and years and any(
            contains(english_key(content), english_key(w)) for w in _EN_TARGET_WORDS):
        intent = TARGET  # "Cao Lanh's 2030 target for plastic bags": a figure for that year
    if intent == GENERAL and any(names_a_role(a) for u in units if u.content for a in u.alternatives):
        intent = LEAD  # "What is the focal point for …?": the agency in that role
    agency = _asked_agency(text, content, units, language, folded, lex) if not document_field else ()
    if agency:  # what the agency leads, or (asked with "phối hợp" alone) what it supports
        partner_only = _has_cue(content, _PARTNER_VERBS[language], language, folded) and not _has_cue(
            content, _LEAD_VERBS[language], language, folded)
        intent = PARTNER if partner_only else LEAD
    followup = _is_followup(text, [u for u in units if u.content])
    noun = _list_noun(content, language, folded)
    listed = _listed(noun, language, folded)
    terms = _terms([u for u in units if u.content], language == VI,
                   (lambda u: _english_weight(u, lex)) if language == EN else (lambda u: float(u.end - u.start)))
    return Query(
        text=text,
        language=language,
        accented=accented,
        intent={ISSUED: WHEN, SIGNER: GENERAL, DOC_NUMBER: BASIS, ISSUER: GENERAL}.get(document_field, intent),
        expansion=" ".join(dict.fromkeys([a for u in units for a in u.alternatives]
                                         + ([f"chủ trì {agency[0]}"] if agency else []))),
        filters=Filters(doc_ids=doc_ids, locality=scope,
                        doc_type=None if doc_ids or document_field or intent == BASIS  # other documents cite it
                        else _subject_type(text, language, scope, documents)),
        unknown_locality=None if scope else unknown,
        # "Thanh Hóa đặt ra những mục tiêu gì?": the kind is what is asked; of figures ("những chỉ tiêu nào
        # đến năm 2030") it is the cue, and clauses that say "chỉ tiêu" are not the targets
        terms=terms or ((listed,) if listed and intent != TARGET else ()),
        years=years,
        localities=_display_localities(known_localities),
        document_field=document_field,
        doc_numbers=tuple(document_number(m.group()) for m in NUMBER.finditer(text)) + _bare_numbers(text, documents),
        agency=agency,
        followup=followup,
        topic=" ".join(u.surface for u in units if u.content),
        places=places,
        compare=_has_cue(text, _COMPARE_CUES[language], language, folded),
        asks_list=noun is not None or _asks_list(content, language, folded),
        listed=listed,
        asked_type=_asked_type(text, language, folded),
        search_text=_search_text(text, places, place_spans, document_field, excluded),
        excluded=fold(text[slice(*excluded)]) if excluded else "",
    )


# "những giải pháp gì", "nhiệm vụ chủ yếu nào", "what measures": every item of a kind is asked; each
# noun with the words a document's headings name such items by ("II. MỤC TIÊU", "II. CHỈ TIÊU CHỦ YẾU"),
# none for a noun of any kind of item ("những việc gì").
_LIST_NOUNS = {VI: {**{n: (n,) for n in ("nhiệm vụ", "giải pháp", "mục tiêu", "kết quả", "nội dung",
                                         "mục đích", "yêu cầu")},
                    "chỉ tiêu": ("chỉ tiêu", "mục tiêu"),  # a plan without a "CHỈ TIÊU" section sets them as goals
                    "hoạt động": (), "việc": ()},  # () names no heading
               EN: {"tasks": ("nhiệm vụ",), "measures": ("giải pháp",), "solutions": ("giải pháp",),
                    "activities": ("hoạt động",), "objectives": ("mục tiêu",), "targets": ("mục tiêu", "chỉ tiêu"),
                    "results": ("kết quả",), "actions": ("nhiệm vụ", "hoạt động"), "purposes": ("mục đích",),
                    "requirements": ("yêu cầu",), "aims": ("mục tiêu", "mục đích")}}


def _asks_list(content: str, language: str, folded: bool) -> bool:
    """The question asks for every item without naming their kind: a tasks cue, "làm (được) gì"
    (a kind named, "<noun> … gì/nào", is `_list_noun`)."""
    return _has_cue(content, (*_TASKS_CUES[language], *_AGENCIES_ASKED[language]), language, folded) or _has_cue(
        content, ("làm gì", "được gì"), language, folded)


# "Which agencies lead …", "những đơn vị nào chủ trì …": every agency, as a task group's rows name them
_AGENCIES_ASKED = {VI: ("những cơ quan nào", "những đơn vị nào", "các cơ quan nào", "các đơn vị nào", "những sở nào"),
                   EN: (*(f"{w} {n}" for w in ("which", "what") for n in ("agencies", "departments", "units", "bodies",
                                                                          "offices")),
                        "all lead agencies", "every lead agency", "all agencies")}


def _list_noun(content: str, language: str, folded: bool) -> str | None:
    """The noun of a kind of item asked for every item of: "những mục tiêu gì", "what objectives"."""
    k = _cue_key(language, folded)
    q = k(content)
    if language != VI:
        return next((n for n in _LIST_NOUNS[EN] if any(contains(q, k(f"{w} {n}")) for w in ("what", "which",
                                                                                             "what are the"))
                     or _counts(content, n, language, folded)), None)
    what, which = re.escape(k("gì")), re.escape(k("nào"))
    return next((n for n in _LIST_NOUNS[VI]
                 if re.search(rf"\b{re.escape(k(n))}(?:\s+\S+){{0,3}}?\s+(?:{what}|{which})\b", q)
                 or _counts(content, n, language, folded)), None)


_COUNT_FORMS = {VI: ("bao nhiêu {}", "mấy {}"), EN: ("how many {}", "number of {}")}


def _counts(content: str, noun: str, language: str, folded: bool) -> bool:
    """"Kế hoạch có bao nhiêu mục tiêu?", "How many targets …": the items of a kind, counted."""
    k = _cue_key(language, folded)
    return any(contains(k(content), k(form.format(noun))) for form in _COUNT_FORMS[language])


def _listed(noun: str | None, language: str, folded: bool) -> Term | None:
    """The kind of item a list question names, in the words of headings ("mục tiêu" for "what objectives")."""
    words = _LIST_NOUNS[language][noun] if noun else ()
    return Term(tuple(key(w, folded) if folded else w for w in words)) if words else None


def _asked_type(text: str, language: str, folded: bool) -> str | None:
    """"Báo cáo viện dẫn kế hoạch số bao nhiêu?" -> "Kế hoạch": a basis answer names documents of that type."""
    for words, doc_type in _ASKED_TYPE[language]:
        if _has_cue(text, [form.format(w) for w in words for form in _ASKED_TYPE_FORMS[language]], language, folded):
            return doc_type
    return None


def _search_text(text: str, places: tuple[str, ...], spans: list[Span], document_field: str | None,
                 excluded: Span | None) -> str:
    """The question less the one place it names: the locality filter already scopes the search to
    it, and as a search term it only favours clauses that repeat the name (headers, closing
    sentences) over the clause that answers. Kept when the question is about a document itself (its
    header names the place) or names several places (one is scope, the others content). Less the
    agencies it sets aside ("ngoài …"), whose own clauses would otherwise rank first."""
    spans = [s for s in (spans if len(places) == 1 and not document_field else [])] + ([excluded] if excluded else [])
    return squash(_masked(text, spans).replace(_MASK, " ")) if spans else text


# "Phòng Y tế có mấy nhiệm vụ?": the tasks an agency has are those it is given to lead.
_HAS_TASKS = {VI: ("có bao nhiêu nhiệm vụ", "có mấy nhiệm vụ"),  # "có nhiệm vụ gì" also asks what it supports
              EN: ("how many tasks does", "how many tasks do", "how many tasks has", "how many tasks have")}


def _asked_agency(text: str, content: str, units: list[_Unit], language: str, folded: bool,
                  lex: Lexicon) -> tuple[str, ...]:
    """The agency a "what does it lead" question names ("Sở Tài chính chủ trì những nhiệm vụ nào?",
    "What tasks does the Department of Finance lead?"), as its name and other spellings; () otherwise."""
    k = _cue_key(language, folded)
    q = k(content)
    if not any(contains(q, k(c)) for c in _TASKS_CUES[language]):
        return ()
    verbs = (*_LEAD_VERBS[language], *_PARTNER_VERBS[language], *_HAS_TASKS[language])
    if not any(contains(q, k(c)) for c in verbs):
        return ()
    table = lex.agency_names(folded=True)
    names: list[str] = []
    for u in units:
        for a in (u.surface, *u.alternatives):
            agency = table.get(key(a, folded=True))
            if agency:
                names += [agency.name, *agency.aliases]
    if not names and language == VI:  # a name the table lacks, or one with a comma in it
        for a, b in agency_spans(text):
            span = text[a:b].strip()
            words = set(key(span, folded=True).split())
            if words & {"nao", "ai", "gi"}:
                continue
            agency = table.get(key(span, folded=True))
            names += [agency.name, *agency.aliases] if agency else [span]
    return tuple(dict.fromkeys(names))


def _is_followup(text: str, content_units: list[_Unit]) -> bool:
    """"Còn Cao Lãnh thì sao?", "Còn đơn vị phối hợp?", "And the deadline?": an opening that leans
    on the previous question, followed by nothing but a place, a year or what to ask about it."""
    if not _FOLLOWUP.match(text):
        return False
    return all(fold(t) in _FOLLOWUP_WORDS for u in content_units for t in tokens(u.surface))


def _bare_numbers(text: str, documents: Iterable[DocumentMeta]) -> tuple[str, ...]:
    """Numbers of the indexed documents a question cites without their suffix ("Kế hoạch 178")."""
    found = []
    for n in bare_numbers(text):
        found += [document_number(meta.number) for meta in documents
                  if meta.number and (document_number(meta.number) or "").startswith(n + "/")]
    return tuple(dict.fromkeys(found))


def bare_numbers(text: str) -> tuple[str, ...]:
    """Document numbers a question gives without their suffix: "Quyết định 889", "Kế hoạch số 178" (not
    "Kế hoạch 2024": a year)."""
    return tuple(m.group(1) for m in _BARE_NUMBER.finditer(text) if not _YEAR.fullmatch(m.group(1)))


# --- scope -----------------------------------------------------------------------------------


def _core(name: str) -> str:
    return _ADMIN_PREFIX.sub("", squash(nfc(name)))


def _known_cores(names: Iterable[str]) -> dict[str, str]:
    """Folded core name ("cao lanh") -> the core as written, preferring the accented spelling."""
    cores: dict[str, str] = {}
    for name in names:
        core = _core(name)
        k = key(core, folded=True)
        if k and (k not in cores or has_diacritics(core) and not has_diacritics(cores[k])):
            cores[k] = core
    return cores


def _display_localities(names: Iterable[str]) -> tuple[str, ...]:
    """One name per covered place, with its administrative prefix when some spelling has one."""
    best: dict[str, str] = {}
    for name in sorted({squash(nfc(n)) for n in names if n.strip()}):
        k = key(_core(name), folded=True)
        if k not in best or len(name) > len(best[k]):
            best[k] = name
    return tuple(best.values())


def _places(text: str, known: dict[str, str], lex: Lexicon) -> tuple[tuple[str, ...], str | None, list[Span]]:
    """(covered localities the question names, in order; an uncovered place it names; spans of all).
    A province named by another spelling ("TH", "Thanh Hoa") is covered when its name is."""
    covered = [(a, b, known[key(text[a:b], folded=True)]) for a, b in find_spans(text, known.values())]
    others = []
    for a, b, name in _place_mentions(text, lex):
        if any(_overlaps((a, b), [c[:2]]) for c in covered):
            continue
        core = key(name, folded=True)
        (covered if core in known else others).append((a, b, known.get(core, name)))
    covered.sort()
    unknown = others[0][2] if others else None
    return tuple(dict.fromkeys(c[2] for c in covered)), unknown, [c[:2] for c in covered] + [o[:2] for o in others]


def _place_mentions(text: str, lex: Lexicon) -> list[tuple[int, int, str]]:
    """Places named in the text: provinces from the data file, and "huyện/tỉnh/… + Capitalised words"."""
    table = lex.place_names(folded=True)
    found = [(a, b, table[key(text[a:b], folded=True)].name)
             for a, b in find_spans(text, [n for p in lex.places for n in (p.name, *p.aliases)])]
    for m in _PLACE_PATTERN.finditer(fold_aligned(text)):
        words = re.findall(r"\S+", text[m.end():])
        name = []
        for word in words[:4]:
            clean = word.strip(",.;:?!()")
            if not clean or not clean[0].isupper():
                break
            name.append(clean)
            if clean != word:
                break
        if name:
            start = m.end()
            end = text.index(name[-1], start) + len(name[-1])
            if not any(_overlaps((start, end), [f[:2]]) for f in found):
                found.append((start, end, " ".join(name)))
    return sorted(found)


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in spans)


def _document_scope(text: str, documents: Iterable[DocumentMeta]) -> tuple[tuple[str, ...] | None, list[Span]]:
    """Documents whose number the question cites, and where it cites them."""
    by_number: dict[str, list[str]] = {}
    for meta in documents:
        if meta.number:
            by_number.setdefault(document_number(meta.number), []).append(meta.doc_id)
    ids, spans = [], []
    for m in NUMBER.finditer(text):
        spans.append(m.span())
        ids += by_number.get(document_number(m.group()), [])
    for m in _BARE_NUMBER.finditer(text):  # "Kế hoạch 178", "plan 45": an indexed document's number
        cited = [i for number, doc in by_number.items() if number and number.startswith(m.group(1) + "/") for i in doc]
        if cited:
            spans.append(m.span())
            ids += cited
    return (tuple(dict.fromkeys(ids)) or None), spans


def _masked(text: str, spans: list[Span]) -> str:
    merged: list[Span] = []
    for a, b in sorted(spans):  # a place inside an excluded span is masked once, with it
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    for a, b in reversed(merged):
        text = text[:a] + f" {_MASK} " + text[b:]
    return text


# --- language and intent -----------------------------------------------------------------------


def _language(text: str, lex: Lexicon) -> str:
    """English when more words look English (stop word, glossary term, or not a Vietnamese
    syllable) than Vietnamese; places, abbreviations and words of both languages do not vote."""
    abbreviations = lex.abbreviation_table(folded=True)
    english = vietnamese = 0
    for tok in tokens(text):
        if tok.isdigit() or fold(tok) in abbreviations or _MASK in tok:
            continue
        if has_diacritics(tok):
            vietnamese += 1
        elif english_key(tok) in lex.stopwords[EN] or english_key(tok) in lex.glossary:
            english += not _VI_SYLLABLE.match(tok)  # "do", "ai", "the", "to" are Vietnamese words too: no vote
        elif _VI_SYLLABLE.match(tok):
            vietnamese += 1
        else:
            english += 1
    return EN if english > vietnamese else VI


# "the number of the (Prime Minister's) decision/plan …": a document's number, not a count.
_DOCUMENT_NUMBER = re.compile(r"\bnumber of the (?:(?!in\b|of\b|for\b|under\b|with\b)[\w']+\s+){0,3}?"
                              r"(?:plan|decision|report|letter|dispatch|document|resolution|directive|decree|circular)s?\b",
                              re.IGNORECASE)


# "the number of the Nghi Xuan report", "the number of Cao Lanh's plan" (on the key form): a document
# of the kinds indexed, its own number; a decision is only ever cited (_DOCUMENT_NUMBER: basis).
_OWN_NUMBER = re.compile(r"\bnumber of (?:the )?(?:(?!that\b|which\b|decision\b)[\w']+ ){0,4}?(?:plan|report|letter|dispatch)\b"
                         r"(?!\s+(?:that|which|implemented|cited|referred|mentioned|quoted|named)\b)")


# "mấy <thing>" counts things; "ngày mấy", "số mấy", "mấy giờ" ask a date, a number, an hour (accented
# and folded forms: unaccented "may" is also "máy", which only a question typed without marks risks).
def _count_ask(before: str, many: str, after: str) -> re.Pattern:
    """"<many> <thing>", not after one of `before` ("ngày mấy") nor before one of `after` ("mấy giờ")."""
    return re.compile("".join(rf"(?<!\b{w} )" for w in before.split())
                      + rf"\b{many}\s+(?!(?:{'|'.join(after.split())})\b)\w")


_HOW_MANY = {False: _count_ask("ngày tháng năm số lần thứ", "mấy", "giờ ngày tháng năm lần"),
             True: _count_ask("ngay thang nam so lan thu", "may", "gio ngay thang nam lan")}


# Unaccented "may" is also "máy", "dệt may", "may mặc": a count only before a thing officials count.
_COUNT_NOUNS = ("doanh nghiep", "co so", "mo hinh", "lop", "hoi nghi", "cuoc", "van ban", "nguoi", "luot", "xa", "ho",
                "san pham", "cum", "lang nghe", "bang ron", "phong su", "chuong trinh", "de tai", "dot", "buoi",
                "don vi", "co quan")
_COUNT_NOUN = re.compile(rf"\bmay (?:{'|'.join(_COUNT_NOUNS + ('dia', 'nhiem vu', 'muc tieu', 'chi tieu', 'giai phap'))})\b")


# "which Ministry of Industry and Trade decision": a document named by its issuer (capitalised), not an agency asked
_WHICH_ISSUERS_DOCUMENT = re.compile(r"\bwhich (?:(?:[A-Z][\w'&-]*|of|and|the) ){1,7}(?:decision|plan|letter|directive|"
                                     r"circular|resolution|document)s?\b")


def _intent(text: str, language: str, folded: bool, names_agency: bool) -> str:
    if language == EN and (_DOCUMENT_NUMBER.search(text) or _WHICH_ISSUERS_DOCUMENT.search(text)):
        return BASIS
    q = english_key(text) if language == EN else key(text, folded)
    cues = _cue_keys(language, folded)
    has = lambda phrases: any(contains(q, p) for p in phrases)  # noqa: E731
    if language == VI and _HOW_MANY[folded].search(q) and (not folded or _COUNT_NOUN.search(q)):
        return TARGET  # "hỗ trợ mấy doanh nghiệp": a count, before the partner or lead cue beside it
    for intent, phrases in cues["strong"]:
        if intent == PARTNER and has(phrases) and has(cues["lead_verbs"]) and not has(cues["who_partner"]):
            continue
        if intent == LEAD and names_agency:  # "Sở Công Thương chủ trì những gì?" asks what, not who
            phrases = tuple(p for p in phrases if p not in cues["lead_verbs"])
        if has(phrases):
            return intent
    return GENERAL


def _cue_key(language: str, folded: bool) -> Callable[[str], str]:
    return english_key if language == EN else (lambda p: key(p, folded))


def names_a_role(phrase: str) -> bool:
    """The phrase names who leads or supports ("đơn vị đầu mối", "focal point"): an agency's role,
    which a document may state in other words ("Chủ trì … triển khai thực hiện Kế hoạch")."""
    k = key(phrase)
    return any(contains(k, cue) for cue in _role_cues())


@lru_cache(maxsize=1)
def _role_cues() -> tuple[str, ...]:
    """Keys of the lead and partner cues longer than a who-word ("ai", "who"), read once."""
    return tuple(key(cue) for language in (VI, EN) for intent, cues in _STRONG[language]
                 if intent in (LEAD, PARTNER) for cue in cues if len(cue) > 3)


def counted(text: str, language: str) -> str | None:
    """The thing a Vietnamese question counts, when it is one officials count (_COUNT_NOUNS, an
    abbreviation spelled out: "bao nhiêu DN" is "doanh nghiệp"), as its first folded syllable:
    "bao nhiêu sản phẩm" -> "san". A figure answers it only if it counts that thing ("4 sản phẩm
    OCOP"), not if it is a share of something else ("85% trở lên các siêu thị … sản phẩm bao bì")."""
    if language != VI:
        return None
    m = re.search(r"\b(?:bao nhieu|may)\s+(\w+(?:\s+\w+)?)", key(text, True))
    if not m:
        return None
    first = m.group(1).split()[0]
    spelled = load_lexicon().abbreviation_table(True).get(first)
    words = key(spelled[0], True) if spelled else m.group(1)
    return next((n.split()[0] for n in _COUNT_NOUNS if f"{words} ".startswith(f"{n} ")), None)


_DEADLINE_CUES = {VI: ("báo cáo", "hạn", "thời hạn", "hạn chót", "trước ngày nào"),
                  EN: ("report", "reports", "reporting", "deadline", "deadlines", "due", "by what date", "by when")}


def asks_deadline(text: str, language: str, folded: bool) -> bool:
    """A when-question about a deadline or a report's due date ("hạn báo cáo", "reporting deadlines"):
    a day ("trước ngày 20/6") answers it, the period a plan runs over ("2021 - 2030") does not."""
    return _has_cue(text, _DEADLINE_CUES[language], language, folded)


def asks_horizon(text: str, language: str, folded: bool) -> bool:
    """A when-question about a target ("By when must Cao Lanh reduce plastic bags by 90%?", "mục tiêu
    … đến khi nào?"): the target's heading ("2. Đến năm 2030") gives its horizon."""
    return has_figure(text) or _has_cue(text, ("mục tiêu", "chỉ tiêu", "target", "targets", "goal", "goals"),
                                        language, folded)


def asks_amount(text: str, language: str, folded: bool) -> bool:
    """The question asks for an amount of money or a fine ("kinh phí … bao nhiêu tỷ đồng",
    "mức xử phạt", "how much funding", "what is the fine"): a figure that must be one in money."""
    return _has_cue(text, _FINE_CUES[language], language, folded) or (
        _intent(text, language, folded, False) == TARGET and _has_cue(text, _AMOUNT_CUES[language], language, folded))


def _has_cue(text: str, cues: Iterable[str], language: str, folded: bool) -> bool:
    k = _cue_key(language, folded)
    q = k(text)
    return any(contains(q, k(c)) for c in cues)


_FIGURE_ASKS = {VI: ("bao nhiêu", "mấy", "tỷ lệ", "tỉ lệ"), EN: ("how many", "how much", "what share", "what percentage",
                                                             "what proportion", "what rate")}


def asks_several_figures(text: str, language: str, folded: bool) -> bool:
    """"Hỗ trợ bao nhiêu doanh nghiệp … và chọn bao nhiêu doanh nghiệp điển hình?": two figures asked."""
    k = _cue_key(language, folded)
    q = f" {k(text)} "
    return sum(q.count(f" {k(c)} ") for c in _FIGURE_ASKS[language]) >= 2


def asks_too(text: str, field: str, language: str, folded: bool) -> bool:
    """A question on one field of a document that also asks the other: "ban hành ngày nào, ai ký?"
    (SIGNER too), "Who signed the plan and when?" (ISSUED too)."""
    k = _cue_key(language, folded)
    q = k(text)
    cues = next(c for f, c in _DOCUMENT_CUES[language] if f == field) + (_WHEN_WORDS[language] if field == ISSUED else ())
    return any(contains(q, k(c)) for c in cues)


_ISSUED_RA = re.compile(r"(?<!\bde )(?<!\bdua )\bra ngay (?:nao|bao nhieu)\W*$")


def _document_field(text: str, language: str, folded: bool) -> str | None:
    """ISSUED or SIGNER when the question asks when a document was issued or who signed it: a cue
    phrase, or an issue word beside a document word and a when-word ("KH 178 ban hành ngày mấy?");
    DOC_NUMBER when it asks the document's number."""
    k = _cue_key(language, folded)
    q = k(text)
    if language == EN and _DATE_OF.search(q) and not _OTHER_DATE.search(q):
        return ISSUED
    if language == VI and _ISSUED_RA.search(fold(q)):  # "KH 214 … ra ngày nào?", not "đề ra / đưa ra ngày nào phải …"
        return ISSUED
    if not any(contains(q, k(w)) for w in _ISSUE_WORDS[language]):
        return _number_field(q, k, language, text)
    field = next((f for f, cues in _DOCUMENT_CUES[language] if any(contains(q, k(c)) for c in cues)), None)
    field = field or _number_field(q, k, language, text)  # "Cao Lãnh ban hành kế hoạch số mấy?": its number
    if field is None and any(contains(q, k(w)) for w in _DOCUMENT_WORDS[language]) and any(
            contains(q, k(w)) for w in _WHEN_WORDS[language]) and not counted(text, language) \
            and not _FOLLOWS.search(fold(q)):  # "ban hành mấy văn bản", "ban hành theo quyết định số mấy"
        field = ISSUED
    return field


# "KH SXTDBV của tỉnh Thanh Hóa …", "Theo báo cáo năm 2021 của Nghi Xuân, …": a question opening with a
# document of a place is about a document of this type (folded forms; types as DocumentMeta.doc_type);
# "kết quả thực hiện kế hoạch của tỉnh …" is not (the districts' reports answer it).
_SUBJECT_TYPE = {
    VI: re.compile(r"^\W*(?:theo\s+)?(ke hoach|kh|bao cao|cong van)\b(?:\s+[\w/-]+){0,6}?\s+cua\b", re.IGNORECASE),
    EN: None}  # English puts the document anywhere ("… under the provincial plan"): not told apart
_SUBJECT_TYPES = {"ke hoach": "Kế hoạch", "kh": "Kế hoạch", "bao cao": "Báo cáo", "cong van": "Công văn"}


def _subject_type(text: str, language: str, locality: str | None, documents: list[DocumentMeta]) -> str | None:
    """The type of document the question is about, when it names one as the subject and the place
    has a document of that type: a province's plan is not its districts' reports. None otherwise
    (also when no document is known: nothing to check the type against)."""
    m = _SUBJECT_TYPE[language] and _SUBJECT_TYPE[language].search(fold(text))
    doc_type = _SUBJECT_TYPES.get(m.group(1).lower()) if m else None
    if doc_type and any(admits(Filters(locality=locality, doc_type=doc_type), d) for d in documents):
        return doc_type
    return None


# "… làm báo cáo theo công văn số mấy của UBND tỉnh?": the number of a document followed, cited (not at
# the start, where "Theo kế hoạch …, …" names the source asked about).
_FOLLOWS = re.compile(r"\w\W*\s+theo (?:ke hoach|kh|cong van|cv|quyet dinh|qd|van ban)\b")


def _number_field(q: str, k: Callable[[str], str], language: str, raw: str) -> str | None:
    """DOC_NUMBER when the question asks a document's own number (not one it cites)."""
    has = lambda cues: any(contains(q, k(c)) for c in cues)  # noqa: E731
    if language == EN and _OWN_NUMBER.search(raw.lower()):  # "the number of Cao Lanh's plan implementing the programme"
        return DOC_NUMBER
    if has(_NUMBER_CUES[language]) and has(_DOCUMENT_WORDS[language]) and not has(_CITING_CUES[language]) \
            and not _FOLLOWS.search(fold(q)):
        return DOC_NUMBER
    return None


@lru_cache(maxsize=4)
def _cue_keys(language: str, folded: bool) -> dict:
    """Cue phrases in the key form questions of this language are compared in."""
    k = _cue_key(language, folded)
    return {
        "strong": tuple((intent, tuple(k(p) for p in phrases)) for intent, phrases in _STRONG[language]),
        "lead_verbs": tuple(k(p) for p in _LEAD_VERBS[language]),
        "who_partner": tuple(k(p) for p in _WHO_PARTNER[language]),
        "intent_of": {k(p): intent for intent, ps in _STRONG[language] for p in ps},
    }


# --- content units, terms and expansion ----------------------------------------------------------


def _vietnamese_units(text: str, folded: bool, lex: Lexicon) -> list[_Unit]:
    """Content words and phrases: agency names, abbreviations and synonym phrases as single units
    carrying their alternatives; question words, intent cues and stop words dropped."""
    stop = {(fold(w) if folded else w): _STOP for w in lex.stopwords[VI]}
    cues = {c: (_CUE,) for c in _cue_keys(VI, folded)["intent_of"]}
    agencies = {k: (a.name, *a.aliases) for k, a in lex.agency_names(folded).items()}
    tables = [cues, stop, agencies, lex.abbreviation_table(folded), lex.synonyms(folded)]
    if folded:
        tables.append({k: (v,) for k, v in lex.vocabulary().items()})
    return _units(text, folded, tables, vietnamese=True, names=agencies.keys())


# "the Department of Culture, Sports and Tourism": a comma between capitalised words is inside a name.
_NAME_COMMA = re.compile(r"(\b[A-Z][a-z]+),\s+(?=[A-Z][a-z])")


def _english_units(text: str, lex: Lexicon) -> list[_Unit]:
    """Content concepts of an English question, each carrying its Vietnamese renderings."""
    text = _NAME_COMMA.sub(r"\1 ", text)
    cues = {c: (_CUE, *(lex.glossary.get(c, ()) if intent in _SEARCHED_CUES else ()))
            for c, intent in _cue_keys(EN, False)["intent_of"].items()}
    stop = {w: _STOP for w in lex.stopwords[EN]}
    agencies = AnyOrder({k: (a.name, *a.aliases) for k, a in lex.english_agencies().items()})
    return _units(text, False, [cues, stop, agencies, lex.glossary], vietnamese=False, names=agencies)


# The kind of an agency, shared by every agency of that kind: no partial credit for a name on its own.
_KIND_WORDS = frozenset({fold(k).lower() for k in AGENCY_KINDS} | ENGLISH_AGENCY_KINDS)


# "Ngoài Phòng KT&HT và Phòng TC-KH, … những phòng nào …?", "Apart from the Finance office, which …":
# agencies named right after the cue are set aside, up to a comma or the question going on ("thì",
# "ai", "chủ trì", "which", "leads"): the words after the cue must begin with an agency ("ngoài ra",
# "ngoài tuyên truyền thì …", "besides eco-labelling which …", "nước ngoài" set nothing aside). A comma
# before a capitalised word is inside a name ("Ngoài Sở Văn hóa, Thể thao và Du lịch, …").
_EXCLUDING = {VI: re.compile(r"\b(?:ngoai tru|ngoai|khong ke|tru)\b"),
              EN: re.compile(r"\b(?:apart from|aside from|besides|other than|except for|except|excluding)\b")}
_EXCLUSION_ENDS = {
    VI: re.compile(r"[,;?!]|\b(?:thi|ra|con|ai|nao|gi|chu tri|phoi hop|thuc hien|trien khai|duoc|la|da|giao|tham gia|"
                   r"lam|can|phai|se|dam nhiem|phu trach)\b"),
    EN: re.compile(r"[,;?!]|\b(?:which|who|whom|whose|what|how|lead|leads|led|leading|does|do|did|is|are|was|were|has|"
                   r"have|will|should|coordinates?|supports?|carr(?:y|ies)|in|on|at)\b")}
# Kinds that begin an agency's name even typed without marks (folded "so", "ban", "hoi" are also
# "số", "ban hành", "hỏi": those begin one only as a name the lexicon knows, or marked and capitalised).
_PLAIN_KINDS = ("phong", "ubnd", "uy ban", "trung tam", "chi cuc", "lien minh", "mat tran", "hiep hoi", "cong an",
                "van phong", "kho bac", "co quan", "don vi", "cac phong", "cac so", "cac co quan", "cac don vi")
_ENGLISH_KINDS = re.compile(r"\b(?:" + "|".join(sorted(ENGLISH_AGENCY_KINDS | {"agency", "agencies", "association", "union",
                                                                            "people's committee"}, key=len, reverse=True))
                            + r")s?\b")


def _excluded_span(text: str, language: str) -> Span | None:
    k = fold(text) if language == VI else text.lower()  # fold keeps an NFC text's length
    m = _EXCLUDING[language].search(k)
    if not m:
        return None
    start = m.end() + len(k[m.end():]) - len(k[m.end():].lstrip())
    stop = _EXCLUSION_ENDS[language].search(k, start)
    while stop and k[stop.start()] == "," and text[stop.end():].lstrip()[:1].isupper():
        stop = _EXCLUSION_ENDS[language].search(k, stop.end())
    end = stop.start() if stop else len(k)
    named = text[start:end].strip()
    if not named:
        return None
    if (_names_agencies_vi(named) if language == VI else _names_agencies_en(named)) or _names_a_document(named):
        return m.start(), end
    return None  # a topic set aside ("Ngoài túi nhựa, …") stays: the clause that answers often names it too


_NAMED_DOCUMENT = re.compile(f"^{_TYPE_AND_NUMBER}", re.IGNORECASE)  # "Quyết định 889 của Thủ tướng"


def _names_a_document(named: str) -> bool:
    """A document set aside ("Ngoài Quyết định 889 …, kế hoạch còn thực hiện quyết định nào?")."""
    return _NAMED_DOCUMENT.match(named) is not None


def _names_agencies_vi(named: str) -> bool:
    folded = key(named, folded=True)
    agencies = load_lexicon().agency_names(folded=True)
    words = folded.split()
    if any(" ".join(words[:n]) in agencies for n in range(len(words), 0, -1)):
        return True
    if any(folded == kind or folded.startswith(kind + " ") for kind in _PLAIN_KINDS):
        return True
    first, _, rest = named.partition(" ")
    return fold(first).lower() in _KIND_WORDS and first[:1].isupper() and rest[:1].isupper()  # "Sở Y tế", "Ban Quản lý"


def _names_agencies_en(named: str) -> bool:
    first = named.split()[1] if named.lower().startswith("the ") and len(named.split()) > 1 else named.split()[0]
    return (first[:1].isupper() or first.lower() in _KIND_WORDS) and bool(_ENGLISH_KINDS.search(named.lower()))


def _units(text: str, folded: bool, tables: list[dict], vietnamese: bool, names: Collection[str]) -> list[_Unit]:
    """`names`: keys of agency names, whose parts leave out the kind word ("Phòng Y tế" is not half
    of "Phòng Kinh tế"; "Phòng Kinh tế - Hạ tầng" still meets "Phòng Kinh tế và Hạ tầng" by its field).
    An English name has no parts: its field words translate to the programme's common words
    ("Finance-Planning Office": kinh phí, kế hoạch)."""
    units: list[_Unit] = []
    offset = 0
    for segment in _SEGMENT_BREAK.split(text):
        for part in segment.split(_MASK):
            raw = tokens(part)
            keys = [fold(t) if folded else t for t in raw] if vietnamese else [english_key(t) for t in raw]
            units += _match(raw, keys, tables, offset, len(raw), names, vietnamese)
            offset += len(raw) + 1  # a gap: no pair across segments or masks
    return units


def _field_parts(raw: list[str], offset: int, parts: tuple[_Unit, ...]) -> tuple[_Unit, ...]:
    """An agency name's parts: its field as one phrase ("y tế" of "Phòng Y tế") and the field's
    phrases of two words or more, never its kind word or a lone syllable ("tế" is in "Kinh tế",
    "tỉnh" of "UBND tỉnh" in every place name)."""
    kind = next((n for n in (2, 1) if len(raw) > n and fold(" ".join(raw[:n])).lower() in _KIND_WORDS), 0)
    field = (_Unit(offset + kind, offset + len(raw), " ".join(raw[kind:]), ()),) if kind and len(raw) - kind > 1 else ()
    return field + tuple(p for p in parts if p.end - p.start > 1 and fold(p.surface).lower() not in _KIND_WORDS)


def _match(raw: list[str], keys: list[str], tables: list[dict], offset: int, max_len: int,
           names: Collection[str], vietnamese: bool) -> list[_Unit]:
    """Units of one token run, longest table phrase first; a phrase also gets its parts (the
    same matching inside it, shorter phrases only) so a clause can meet it piecewise. A Vietnamese
    phrase of two syllables is one word and has no parts: "tái chế" is not half met by "chế biến",
    nor "chất thải" by "hóa chất" (least of all unaccented, where syllables collide)."""
    matched = {m.start: m for m in longest_matches(keys, tables, max_len)}
    units, i = [], 0
    while i < len(raw):
        m = matched.get(i)
        end = m.end if m else i + 1
        value = m.value if m else ()
        if value != _STOP:
            cue = bool(value) and value[0] == _CUE  # an English cue carries its translation
            surface = " ".join(raw[i:end])
            alternatives = tuple(a for a in value[cue:] if key(a) != key(surface))
            parts = tuple(_match(raw[i:end], keys[i:end], tables, offset + i, end - i - 1, names, vietnamese)) \
                if end - i > (2 if vietnamese else 1) else ()
            if " ".join(keys[i:end]) in names:
                parts = _field_parts(raw[i:end], offset + i, parts) if vietnamese else ()
            units.append(_Unit(offset + i, offset + end, surface, alternatives, not cue, parts))
        i = end
    return units


def _term(unit: _Unit, weigh: Callable[[_Unit], float]) -> Term:
    parts = tuple(_term(p, weigh) for p in unit.parts if p.content)
    return Term((unit.surface, *unit.alternatives), weigh(unit), parts)


def _english_weight(unit: _Unit, lex: Lexicon) -> float:
    """Content words a concept stands for: "the People's Committee" weighs 2, not 4."""
    return float(max(1, sum(english_key(t) not in lex.stopwords[EN] for t in unit.surface.split())))


def _terms(units: list[_Unit], pairs: bool, weigh: Callable[[_Unit], float]) -> tuple[Term, ...]:
    """One term per unit, plus (Vietnamese) one per adjacent pair of units: word order carries
    meaning there, so "cụm công nghiệp" must not be met by "công nghiệp" and "cụm" far apart."""
    terms = [_term(u, weigh) for u in units]
    if pairs:
        for a, b in zip(units, units[1:], strict=False):
            if a.end == b.start:
                left = (a.surface, *a.alternatives)[:_MAX_PAIR_ALTERNATIVES]
                right = (b.surface, *b.alternatives)[:_MAX_PAIR_ALTERNATIVES]
                terms.append(Term(tuple(f"{x} {y}" for x in left for y in right), 1.0))
    return tuple(terms)
