"""Optional LLM rewrite of an extractive answer, from the cited clauses only.

Off unless `settings.llm_url` names an OpenAI-compatible endpoint. The model sees the question,
the numbered clauses and the extractive draft; citation markers in its reply are checked against
those clauses and any that point nowhere are dropped. Any failure (network, HTTP, malformed
reply, no verifiable citation left) returns the extractive answer unchanged.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from dataclasses import replace

from index.model import Hit
from qa.config import QASettings
from qa.model import EN, Answer

log = logging.getLogger(__name__)
_MARKER = re.compile(r"\[(\d+)\]")
_INSTRUCTIONS = {
    "vi": ("Bạn trả lời câu hỏi của cán bộ về văn bản chính sách. Chỉ dùng các đoạn trích được đánh số; "
           "mỗi ý phải kèm số trích dẫn dạng [n]. Trả lời ngắn gọn bằng tiếng Việt, câu trả lời trực tiếp "
           "trước. Giữ nguyên tên cơ quan. Nếu các đoạn trích không trả lời được, hãy nói vậy."),
    "en": ("You answer an official's question about policy documents. Use only the numbered excerpts; "
           "every claim carries its citation as [n]. Answer briefly in English, direct answer first. Keep "
           "Vietnamese agency names as written and add their English rendering in parentheses. If the "
           "excerpts do not answer the question, say so."),
}


def rewrite(answer: Answer, settings: QASettings) -> Answer:
    """The answer reworded by the configured LLM, or `answer` itself when generation is off,
    the answer abstained, or anything about the reply cannot be trusted."""
    if not settings.llm_url or answer.abstained or not answer.citations:
        return answer
    try:
        reply = _complete(settings, _messages(answer))
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:  # URLError/HTTPError/timeouts: OSError
        log.warning("LLM rewrite via %s failed, extractive answer kept: %s", settings.llm_url, exc)
        return answer
    text = verify_citations(reply, len(answer.citations))
    if not text:
        log.warning("LLM reply cited none of the %d clauses, extractive answer kept", len(answer.citations))
    return replace(answer, text=text, generated=True) if text else answer


def verify_citations(text: str, count: int) -> str | None:
    """`text` with markers outside [1]..[count] removed; None when no valid marker remains."""
    kept = _MARKER.sub(lambda m: m.group() if 1 <= int(m.group(1)) <= count else "", text)
    kept = re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", kept)).strip()
    return kept if kept and _MARKER.search(kept) else None


def _messages(answer: Answer) -> list[dict]:
    excerpts = "\n\n".join(f"[{i}] {_excerpt(hit)}" for i, hit in enumerate(answer.citations, 1))
    language = "en" if answer.language == EN else "vi"
    user = (f"Câu hỏi / Question: {answer.question}\n\nĐoạn trích / Excerpts:\n{excerpts}\n\n"
            f"Bản nháp / Draft:\n{answer.text}")
    return [{"role": "system", "content": _INSTRUCTIONS[language]}, {"role": "user", "content": user}]


def _excerpt(hit: Hit) -> str:
    fields = [("Đơn vị chủ trì", hit.row.lead), ("Đơn vị phối hợp", hit.row.partners), ("Thời gian", hit.row.period)]
    extra = "".join(f"\n{name}: {value}" for name, value in fields if value)
    return f"{hit.citation}\n{hit.text}{extra}"


def _complete(settings: QASettings, messages: list[dict]) -> str:
    """POST {llm_url}/chat/completions; the reply's first message content."""
    body = json.dumps({"model": settings.llm_model, "messages": messages, "temperature": 0}).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if settings.llm_api_key:
        headers["Authorization"] = f"Bearer {settings.llm_api_key}"
    request = urllib.request.Request(f"{settings.llm_url.rstrip('/')}/chat/completions", body, headers, method="POST")
    with urllib.request.urlopen(request, timeout=settings.llm_timeout) as response:
        content = json.loads(response.read().decode("utf-8"))["choices"][0]["message"]["content"]
    if not isinstance(content, str) or not content.strip():
        raise ValueError("empty completion")
    return content
