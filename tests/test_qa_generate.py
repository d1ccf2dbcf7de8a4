"""Optional LLM rewrite against a local OpenAI-compatible stub server."""

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from settings import Settings
from index.model import Hit
from ingest.model import DocumentMeta, TaskRow
from qa.generate import rewrite, verify_citations
from qa.model import LEAD, Answer

DOC = DocumentMeta("thanh-hoa", "thanh-hoa.txt", "a", doc_type="Kế hoạch", locality="tỉnh Thanh Hóa")
HITS = [Hit(id=f"h{i}", text=text, score=1.0, doc=DOC, section="Phụ lục", citation=f"Kế hoạch › dòng VI.{i}",
            kind="table_row", row=TaskRow(lead=lead)) for i, (text, lead) in enumerate([
                ("Hướng dẫn áp dụng và vận hành hệ thống chứng nhận, dán nhãn tái chế.", "Sở Công Thương"),
                ("Triển khai chỉ đạo, hướng dẫn về hoạt động dán nhãn xanh.", "Sở Tài nguyên và Môi trường")], 1)]
ANSWER = Answer("Ai chủ trì dán nhãn sinh thái?",
                "Đơn vị chủ trì: Sở Công Thương [1]; Sở Tài nguyên và Môi trường [2].",
                HITS, False, "vi", LEAD, confidence=0.9)


class _Stub(BaseHTTPRequestHandler):
    reply: object = None  # what the next request gets: a dict (JSON body) or an int (HTTP error)
    requests: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append((self.path, dict(self.headers), body))
        if isinstance(self.reply, int):
            self.send_error(self.reply)
            return
        data = json.dumps(self.reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def llm():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Stub.requests = []
    settings = Settings(llm_url=f"http://127.0.0.1:{server.server_port}/v1", llm_model="stub", llm_api_key="k")
    yield settings
    server.shutdown()
    server.server_close()


def _says(content):
    return {"choices": [{"message": {"role": "assistant", "content": content}}]}


def test_rewrite_keeps_verified_citations_and_drops_the_rest(llm):
    _Stub.reply = _says("Sở Công Thương chủ trì [1], cùng Sở Tài nguyên và Môi trường [2] và Bộ X [7].")
    out = rewrite(ANSWER, llm)
    assert out.generated and out.text == "Sở Công Thương chủ trì [1], cùng Sở Tài nguyên và Môi trường [2] và Bộ X."
    assert out.citations == HITS and out.confidence == ANSWER.confidence
    path, headers, body = _Stub.requests[0]
    assert path == "/v1/chat/completions" and headers["Authorization"] == "Bearer k" and body["model"] == "stub"
    prompt = body["messages"][1]["content"]
    assert "[1] Kế hoạch › dòng VI.1" in prompt and "Đơn vị chủ trì: Sở Tài nguyên và Môi trường" in prompt


@pytest.mark.parametrize("reply", [
    500,  # server error
    {"choices": []},  # malformed
    _says("Sở Công Thương chủ trì."),  # no citation at all: nothing verifiable
    _says("Bộ X chủ trì [9]."),  # only unverifiable citations
    _says(""),
])
def test_rewrite_falls_back_to_the_extractive_answer(llm, reply):
    _Stub.reply = reply
    assert rewrite(ANSWER, llm) is ANSWER


def test_rewrite_falls_back_when_the_server_is_unreachable():
    settings = Settings(llm_url="http://127.0.0.1:9/v1", llm_model="stub")
    assert rewrite(ANSWER, settings) is ANSWER


def test_rewrite_is_off_by_default_and_never_touches_an_abstention(llm):
    assert rewrite(ANSWER, Settings()) is ANSWER
    abstained = replace(ANSWER, abstained=True)
    assert rewrite(abstained, llm) is abstained
    assert _Stub.requests == []


def test_verify_citations():
    assert verify_citations("A [1][3] B [2].", 2) == "A [1] B [2]."
    assert verify_citations("A [0].", 2) is None


def test_engine_ask_rewrites_through_the_configured_endpoint(llm, built):
    from qa import PolicyQA

    settings = replace(built, llm_url=llm.llm_url, llm_model=llm.llm_model, llm_api_key=llm.llm_api_key)
    engine = PolicyQA.open(settings=settings, build=False)
    _Stub.reply = _says("Sở Công Thương chủ trì việc dán nhãn sinh thái [1]; xem thêm [99].")
    answer = engine.ask("Cơ quan nào chủ trì việc dán nhãn sinh thái?")
    assert answer.generated and answer.text == "Sở Công Thương chủ trì việc dán nhãn sinh thái [1]; xem thêm."
    assert answer.citations and _Stub.requests  # the extractive citations stay the evidence
    assert not engine.ask("how to bake sourdough bread").generated  # abstentions never go to the LLM
