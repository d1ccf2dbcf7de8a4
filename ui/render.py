"""What the app shows, as pure functions of typed values: chat replies (Markdown), source cards and
the document list (HTML), upload outcomes and their Vietnamese wording, the conversation export.

Document text is always escaped; only the markup written here reaches the page.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ingest.citation import display_date
from ingest.model import SECTION_SEP, TABLE_ROW
from ingest.text import fold, nfc

if TYPE_CHECKING:
    from index.model import Hit
    from ingest.model import DocumentMeta
    from qa.assignments import Assignment
    from qa.library import DocumentRecord, UploadResult
    from qa.model import Answer

ALL = ""  # filter value meaning "no constraint"

SOURCES_PLACEHOLDER = (
    '<div class="pq-empty">Các điều khoản được trích dẫn trong câu trả lời sẽ hiện ở đây, '
    "đầy đủ nội dung và thông tin văn bản.</div>"
)


@dataclass(frozen=True)
class Turn:
    """One question of a session and what it got: the chat reply (Markdown), the answer (None when
    the question was refused or answering failed) and the sources panel shown beside it."""

    question: str
    reply: str
    answer: Answer | None
    panel: str


PENDING = "*Đang tìm trong các văn bản…*"


def chat_messages(turns: list[Turn], pending: str | None = None) -> list[dict]:
    """The chat's messages: a question and its reply per turn, so reply i is turn i."""
    messages = [m for t in turns for m in ({"role": "user", "content": md_escape(t.question)},
                                           {"role": "assistant", "content": t.reply})]
    if pending is not None:
        messages += [{"role": "user", "content": md_escape(pending)}, {"role": "assistant", "content": PENDING}]
    return messages


def esc(text: str | None) -> str:
    return html.escape(nfc(text or ""))


_MD_INLINE = re.compile(r"[\\`*_\[\]|~]|&(?=#?\w+;)|<(?=[A-Za-z/!?])")
_MD_LINE_START = re.compile(r"^([ \t]*)(\d+(?=[.)])|[#>+=]|-(?! ))", re.M)  # "- " bullets stay lists


def md_escape(text: str) -> str:
    """Plain text made inert for the chat's Markdown and HTML, with as few backslashes as possible
    (the chat's copy button copies them): only characters that would start markup are escaped."""
    text = _MD_INLINE.sub(lambda m: "\\" + m.group(), nfc(text))
    return _MD_LINE_START.sub(lambda m: m.group(1) + m.group(2) + "\\" if m.group(2).isdigit()
                              else m.group(1) + "\\" + m.group(2), text)


def doc_label(meta: DocumentMeta) -> str:
    """Short name for a document in a dropdown: its number (or type and year) and place."""
    head = meta.number or " ".join(filter(None, [meta.doc_type or meta.source, str(meta.year or "")]))
    return " · ".join(filter(None, [head, meta.locality]))


def short_citation(hit: Hit) -> str:
    """One line per cited clause under a chat reply: the document, and the row or section."""
    where = f"dòng {hit.label}" if hit.kind == TABLE_ROW and hit.label else hit.section.split(SECTION_SEP)[-1]
    return SECTION_SEP.join(filter(None, [doc_label(hit.doc), where]))


def source_link(turn: int, n: int) -> str:
    """A chat link to source card n of turn `turn`; the page's script scrolls to and marks the card."""
    return f"[\\[{n}\\]](#pq-src-{turn}-{n})"


def render_answer(answer: Answer, turn: int) -> str:
    """The chat reply: the answer with each [n] a link to its source card, then one short line per
    cited clause (the sources panel has them in full)."""
    parts = re.split(r"(\[\d+\])", answer.text)
    body = "".join(source_link(turn, int(p[1:-1])) if i % 2 else md_escape(p) for i, p in enumerate(parts))
    if not answer.citations:
        return body
    sources = "  \n".join(f"{source_link(turn, i)} {md_escape(short_citation(h))}"
                          for i, h in enumerate(answer.citations, 1))
    return f"{body}\n\n{sources}"


def render_sources(answer: Answer, turn: int, mark: Callable[[str], str]) -> str:
    """The sources panel of one answer: a header naming its question (so it can never pass for
    another answer's), then every cited clause as a card; `mark(text)` returns escaped HTML with
    <mark> around the question's terms."""
    head = (f'<div class="pq-sources-head" data-turn="{turn}">Nguồn của câu trả lời cho câu hỏi: '
            f'<q>{esc(answer.question)}</q></div>')
    if not answer.citations:
        return head + ('<div class="pq-empty">Không có điều khoản nào trong các văn bản đã lập chỉ mục '
                       "trả lời câu hỏi này.</div>")
    note = ('<div class="pq-note">Chưa đủ căn cứ để trả lời; dưới đây là các điều khoản gần nhất.</div>'
            if answer.abstained else "")
    return head + note + "".join(_card(i, h, mark) for i, h in enumerate(answer.citations, 1))


def _card(n: int, hit: Hit, mark: Callable[[str], str]) -> str:
    """Row fields first (task, lead, partners, period), then the citation; title and section fold."""
    if hit.kind == TABLE_ROW:
        fields = [
            ("Nhiệm vụ", mark(hit.text)),
            ("Chủ trì", mark(hit.row.lead) if hit.row.lead else ""),
            ("Phối hợp", mark(hit.row.partners) if hit.row.partners else ""),
            ("Thời gian", esc(hit.row.period) if hit.row.period else ""),
            ("Ghi chú", esc(hit.row.note) if hit.row.note else ""),
        ]
        content = '<dl class="pq-row">' + "".join(
            f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in fields if value) + "</dl>"
    else:
        label = f"{esc(hit.label)} " if hit.label else ""
        content = f'<p class="pq-text">{label}{mark(hit.text)}</p>'
    doc = hit.doc
    folded = "".join(
        f"<div><b>{name}:</b> {esc(value)}</div>"
        for name, value in (("Văn bản", doc.title or doc.source), ("Mục", hit.section),
                            ("Nhóm nhiệm vụ", hit.row.group if hit.kind == TABLE_ROW else None),
                            ("Loại", doc.doc_type), ("Tệp", doc.source))
        if value
    )
    return (
        f'<div class="pq-source" id="pq-source-{n}"><span class="pq-num">[{n}]</span>{content}'
        f'<div class="pq-cite">{esc(short_citation(hit))}</div>'
        f'<details class="pq-more"><summary>Văn bản và mục</summary>{folded}</details></div>'
    )


def render_refusal(question: str, turn: int, message: str) -> str:
    return (f'<div class="pq-sources-head" data-turn="{turn}">Nguồn của câu trả lời cho câu hỏi: '
            f'<q>{esc(question)}</q></div><div class="pq-empty">{esc(message)}</div>')


def conversation_markdown(turns: list[Turn], generation: str) -> str:
    """The session as a Markdown file an official can file or forward: each answer with its citations."""
    lines = ["# Hỏi đáp văn bản chính sách", "",
             f"Xuất lúc {datetime.now().strftime('%d/%m/%Y %H:%M')} · chỉ mục {generation}", ""]
    for i, turn in enumerate(turns, 1):
        lines += [f"## {i}. {md_escape(turn.question)}", ""]
        if turn.answer is None:
            lines += ["*(không có câu trả lời)*", ""]
            continue
        lines += [md_escape(turn.answer.text), ""]
        lines += [f"{n}. {md_escape(h.citation)}  \n   > {md_escape(h.text)}"
                  for n, h in enumerate(turn.answer.citations, 1)]
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------- filters and the document page


def filter_choices(documents: list[DocumentMeta]) -> dict[str, list[tuple[str, str]]]:
    """Dropdown choices per filter, each led by "all"; values are what PolicyQA's filters take.
    Places: every province (a district document counts for its province too), each followed by
    the districts of it that have documents."""
    docs = sorted(((doc_label(m), m.doc_id) for m in documents), key=lambda c: fold(c[0]))
    places: dict[str, set[str]] = {}
    for m in documents:
        if m.province:
            places.setdefault(m.province, set())
            if m.district and m.locality:
                places[m.province].add(m.locality)
        elif m.locality:
            places.setdefault(m.locality, set())
    localities = [item for province in sorted(places, key=fold)
                  for item in [(province, province),
                               *((f"{d} ({province})", d) for d in sorted(places[province], key=fold))]]
    types = sorted({m.doc_type for m in documents if m.doc_type})
    years = sorted({m.year for m in documents if m.year}, reverse=True)
    return {
        "doc": [("Tất cả văn bản", ALL), *docs],
        "locality": [("Tất cả địa phương", ALL), *localities],
        "doc_type": [("Tất cả loại", ALL), *((x, x) for x in types)],
        "year": [("Tất cả các năm", ALL), *((str(y), str(y)) for y in years)],
    }


ASSIGNMENT_COLUMNS = ("Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời gian", "Văn bản")


def _assignment_cells(a: Assignment) -> tuple[str, ...]:
    return (a.task, a.lead, "; ".join(a.partners), a.period or "", a.citation)


def render_assignments(rows: list[Assignment], limit: int) -> str:
    """Who does what, as a table (cards below 600 px); at most `limit` rows on the page, the CSV has all."""
    if not rows:
        return '<div class="pq-empty">Không có nhiệm vụ nào khớp bộ lọc.</div>'
    shown = rows[:limit]
    more = (f'<div class="pq-note">Đang hiện {len(shown)} trên {len(rows)} nhiệm vụ; '
            "tải tệp CSV để xem tất cả, hoặc lọc hẹp hơn.</div>" if len(rows) > limit else
            f'<div class="pq-note">{len(rows)} nhiệm vụ.</div>')
    return more + _table("pq-matrix", ASSIGNMENT_COLUMNS, [_assignment_cells(a) for a in shown])


def assignments_csv(rows: list[Assignment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ASSIGNMENT_COLUMNS)
    writer.writerows(_assignment_cells(a) for a in rows)
    return out.getvalue()


def _table(kind: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A table on a desktop, one card per row below 600 px (the CSS shows each cell's data-label)."""
    head = "".join(f"<th>{c}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f'<td data-label="{c}">{esc(v)}</td>' for c, v in zip(columns, cells)) + "</tr>"
                   for cells in rows)
    return f'<table class="pq-cards {kind}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


DOC_COLUMNS = ("Tệp", "Loại", "Số hiệu", "Ngày ban hành", "Địa phương", "Điều khoản", "Nhiệm vụ", "Tải lên",
               "Mã nội dung")


def uploaded(record: DocumentRecord) -> str:
    if not record.uploaded_at:
        return "có sẵn"
    when = datetime.fromisoformat(record.uploaded_at).astimezone().strftime("%d/%m/%Y %H:%M")
    return f"{when}, {record.uploaded_by}" if record.uploaded_by else when


def _doc_cells(r: DocumentRecord) -> tuple[str, ...]:
    m = r.meta
    return (m.source, m.doc_type or "", m.number or "", display_date(m.issued) or "", m.locality or "",
            str(r.clauses), str(r.tasks), uploaded(r), m.content_hash[:12])


def render_documents(records: list[DocumentRecord]) -> str:
    """The document list: a table on a desktop, one card per document below 600 px."""
    if not records:
        return '<div class="pq-empty">Chưa có văn bản nào.</div>'
    return _table("pq-doc-table", DOC_COLUMNS, [_doc_cells(r) for r in records])


def render_document(record: DocumentRecord, same_number: list, same_text: list) -> str:
    """One document in full, with a warning naming any indexed document that looks like the same one."""
    m = record.meta
    fields = [("Tên văn bản", m.title), ("Tệp", m.source), ("Loại", m.doc_type), ("Số hiệu", m.number),
              ("Ngày ban hành", display_date(m.issued)), ("Địa phương", m.locality), ("Cơ quan ban hành", m.issuer),
              ("Số điều khoản", str(record.clauses)), ("Số nhiệm vụ (dòng bảng)", str(record.tasks)),
              ("Tải lên", uploaded(record)), ("Mã nội dung (SHA-256)", m.content_hash)]
    body = "".join(f"<div><dt>{k}</dt><dd>{esc(v)}</dd></div>" for k, v in fields if v)
    warning = duplicate_warning(esc(m.source), [r.meta.source for r in same_number],
                                [r.meta.source for r in same_text])
    return warning + f'<dl class="pq-doc-detail">{body}</dl>'


def duplicate_warning(name_html: str, same_number: list[str], same_text: list[str]) -> str:
    """A warning naming the indexed documents that look like the same document as this one."""
    notes = [f"cùng số hiệu với «{esc(s)}»" for s in same_number]
    notes += [f"trùng nội dung với «{esc(s)}»" for s in same_text if s not in same_number]
    if not notes:
        return ""
    return _message("pq-warn", f"Lưu ý: {name_html} có thể trùng văn bản đã có: {'; '.join(notes)}. "
                               "Nếu là cùng một văn bản, hãy xóa bản thừa ở mục «Quản lý văn bản».")


# ---------------------------------------------------------------- upload outcomes


# Why a file was not added (a stable code: ingest's, the index's, the library's) -> what an
# official reads. The English detail goes to the log, not the page.
REASONS_VI = {
    "empty": "tệp rỗng",
    "binary": "tệp nhị phân, không phải văn bản",
    "unsupported": "định dạng tệp không được hỗ trợ",
    "corrupt": "tệp bị hỏng, có mật khẩu bảo vệ, hoặc không đúng định dạng",
    "encoding": "không nhận ra bảng mã của tệp văn bản; hãy lưu lại dưới dạng UTF-8",
    "legacy_font": "văn bản dùng font cũ (TCVN3/VNI); hãy chuyển sang Unicode (ví dụ bằng UniKey) rồi tải lại",
    "no_text": "không tìm thấy nội dung văn bản",
    "ocr_unavailable": "tệp là bản scan hoặc ảnh nhưng máy chủ chưa cài phần mềm nhận dạng chữ (Tesseract); "
                       "vui lòng báo cho quản trị viên",
    "ocr_empty": "không nhận dạng được chữ nào trên bản scan; hãy scan lại rõ hơn (300 dpi)",
    "ocr_limit": "bản scan quá dài hoặc nhận dạng quá lâu so với giới hạn cho phép; hãy chia nhỏ tệp "
                 "hoặc thử lại (các trang đã nhận dạng được giữ lại)",
    "unsupported_legacy": "không chuyển đổi được tệp Word/Excel đời cũ (.doc/.xls); hãy lưu lại dưới dạng "
                          ".docx/.xlsx rồi tải lên",
    "unreadable": "hệ thống không đọc được tệp",
    "too_large": "tệp vượt quá giới hạn xử lý (quá lớn, lồng nhau quá sâu hoặc quá nhiều trang)",
    "timeout": "đọc tệp mất quá nhiều thời gian nên đã dừng",
    "internal": "hệ thống gặp lỗi khi phân tích văn bản; vui lòng báo cho quản trị viên",
    "missing": "không tìm thấy tệp",
    "duplicate_id": "đã có một văn bản khác cùng tên trong chỉ mục; hãy đổi tên tệp rồi tải lại",
    "duplicate": "văn bản này đã có trong chỉ mục (trùng nội dung); không có gì thay đổi",
    "not_indexed": "văn bản không có trong chỉ mục",
    "bad_name": "tên tệp không hợp lệ",
    "over_upload_limit": "tệp vượt quá giới hạn dung lượng tải lên",
    "save_failed": "không lưu được tệp (ổ đĩa đầy hoặc không có quyền ghi)",
    "index_failed": "hệ thống chưa lập chỉ mục được lúc này; vui lòng thử lại sau",
    "no_content": "không tìm thấy nội dung văn bản",
}
UNKNOWN_REASON = "không đọc được nội dung tệp"  # a code added since


def vietnamese_reason(code: str | None) -> str:
    return REASONS_VI.get(code or "", UNKNOWN_REASON)


def render_upload(results: list[UploadResult], max_mb: int, accepted: tuple[str, ...]) -> str:
    """One message per file: added/updated with its clause count, or why not (index unchanged),
    and a warning naming an indexed document with the same number or text."""
    out = []
    for r in results:
        name = f"<b>{esc(r.name)}</b>"
        if not r.ok:
            reason = vietnamese_reason(r.code)
            if r.code == "over_upload_limit":
                reason = f"tệp vượt quá giới hạn {max_mb} MB"
            elif r.code == "unsupported":
                reason = f"định dạng không được hỗ trợ: chỉ nhận tệp {', '.join(accepted)}"
            out.append(_message("pq-fail", f"Không thêm được tệp {name}: {esc(reason)}. Chỉ mục không thay đổi."))
            continue
        verb = {"added": "Đã thêm", "updated": "Đã cập nhật",
                "unchanged": "Văn bản đã có sẵn, không thay đổi:"}[r.status]
        out.append(_message("pq-ok", f"{verb} {name} ({r.clauses} điều khoản). "
                                     "Có thể đặt câu hỏi về văn bản này ngay."))
        out.append(duplicate_warning(name, list(r.same_number), list(r.same_text)))
    return "".join(out)


def _message(kind: str, text: str) -> str:
    return f'<div class="pq-upload-msg {kind}">{text}</div>'
