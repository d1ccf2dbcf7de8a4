"""The running app through gradio_client and plain HTTP: same answers as the Python API, and no
file on the server readable through it."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request

import pytest

from browser_support import ROOT

gradio_client = pytest.importorskip("gradio_client")


@pytest.fixture(scope="module")
def app(running_app):
    return running_app


@pytest.fixture(scope="module")
def client(app):
    return gradio_client.Client(app.url, verbose=False, analytics_enabled=False)


@pytest.fixture(scope="module")
def engine(app):
    """The Python API over the same index directory the app serves."""
    from qa import PolicyQA

    return PolicyQA.open(index_dir=app.index_dir, build=False)


def _rounded(value):
    """JSON-equal up to float noise between two processes."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 5)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def test_only_ask_and_search_are_public(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/ask", "/search"}


@pytest.mark.parametrize("question", [
    "Cơ quan nào chủ trì việc dán nhãn sinh thái?",
    "Which agency leads eco-labelling?",
    "Kế hoạch 45/KH-UBND của Hậu Giang căn cứ vào văn bản nào?",
])
def test_ask_matches_the_python_api(client, engine, question):
    engine.refresh()
    over_http = client.predict(question, api_name="/ask")
    assert _rounded(over_http) == _rounded(engine.ask(question).to_dict())
    assert over_http["citations"] and over_http["text"]


def test_search_with_filters_matches_the_python_api(client, engine):
    engine.refresh()
    over_http = client.predict("mua sắm công xanh", 5, None, None, None, 2020, api_name="/search")
    direct = [h.to_dict() for h in engine.search("mua sắm công xanh", 5, year=2020)]
    assert _rounded(over_http) == _rounded(direct)
    assert over_http and all(h["doc"]["year"] == 2020 for h in over_http)


def test_overlong_question_is_refused_with_a_clear_message(client, engine):
    limit = engine.settings.max_question_chars
    with pytest.raises(Exception, match=f"vượt quá giới hạn {limit} ký tự"):
        client.predict("x" * (limit + 1), api_name="/ask")


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            body = resp.read()
            assert b"root:" not in body
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.parametrize("path", [
    "gradio_api/file=/etc/passwd",
    "gradio_api/file//etc/passwd",
    "gradio_api/file=%2Fetc%2Fpasswd",
    "gradio_api/file=../../../../../etc/passwd",
    "file=/etc/passwd",
    "file//etc/passwd",
    f"gradio_api/file={ROOT}/corpus/thanh-hoa_ke-hoach_2020.txt",
    f"gradio_api/file={ROOT}/app.py",
])
def test_server_files_are_not_readable(app, path):
    assert _status(app.url + path) in (403, 404)


def test_index_and_uploads_are_not_readable(app):
    for f in [p for p in app.index_dir.rglob("*") if p.is_file()][:20]:
        assert _status(f"{app.url}gradio_api/file={f}") in (403, 404), f


def test_raw_uploads_are_never_served(app):
    """Without a login, gradio's upload route takes a file from anyone; it must not host it."""
    boundary = "policyqa-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="trang.html"\r\n'
            "Content-Type: text/html\r\n\r\n<script>alert(1)</script>\r\n"
            f"--{boundary}--\r\n").encode()
    request = urllib.request.Request(app.url + "gradio_api/upload", data=body,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        (stored,) = json.loads(resp.read())
    assert stored.endswith("trang.html")
    for url in (f"gradio_api/file={stored}", f"gradio_api/file={urllib.parse.quote(stored)}",
                f"gradio_api/file={urllib.parse.quote(urllib.parse.quote(stored))}", f"file={stored}"):
        assert _status(app.url + url) in (403, 404), url


def test_monitoring_is_off(app):
    assert _status(app.url + "monitoring") in (403, 404)
