"""The app as an official uses it: headless Debian chromium against `python app.py`.

The tests share one page and run in file order, like one working session: ask, ask in English,
upload a plan, upload a broken file, keep asking. Screenshots of each step go to
artifacts/screenshots/ for a human look.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from browser_support import CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS

playwright_api = pytest.importorskip("playwright.sync_api")
docx = pytest.importorskip("docx")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} not installed (make browser)"),
]

ANSWER_TIMEOUT_MS = 180_000  # the first answer also loads the embedding model
REFRESH_TIMEOUT_MS = 60_000  # a few ticks of the app's refresh timer
TIMINGS: dict[str, float] = {}

BOT = '#pq-chat [data-testid="bot"]'
PENDING = "Đang tìm trong các văn bản"


@pytest.fixture(scope="module")
def app(running_app):
    return running_app


@pytest.fixture(scope="module")
def page(app):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
        page = context.new_page()
        page.goto(app.url)
        page.wait_for_selector("#pq-question textarea")
        page.wait_for_function("document.querySelector('#pq-index-status').innerText.includes('văn bản')")
        yield page
        browser.close()
    (ROOT / "artifacts" / "browser-timings.json").write_text(json.dumps(TIMINGS, indent=2))


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def ask(page, question: str) -> tuple[str, float]:
    """Type a question, press Enter, wait for the reply; returns its text and the seconds it took."""
    before = page.locator(BOT).count()
    box = page.locator("#pq-question textarea")
    box.fill(question)
    started = time.monotonic()
    box.press("Enter")
    try:
        page.wait_for_function(
            """([sel, n, pending]) => {
                const bots = document.querySelectorAll(sel);
                return bots.length > n && !bots[bots.length - 1].innerText.includes(pending);
            }""",
            arg=[BOT, before, PENDING],
            timeout=ANSWER_TIMEOUT_MS,
        )
    except playwright_api.TimeoutError:
        shot(page, "timeout")
        raise AssertionError(f"no reply to {question!r}; chat shows: {page.locator('#pq-chat').inner_text()!r}")
    elapsed = time.monotonic() - started
    return page.locator(BOT).last.inner_text(), elapsed


def sources(page) -> str:
    return page.locator("#pq-sources").inner_text()


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def upload(page, path) -> str:
    """Upload through the button's file input; returns the status message that names the file."""
    open_tab(page, "Văn bản")
    page.locator("#pq-upload-row input[type=file]").set_input_files(str(path))
    status = page.locator("#pq-upload-status")
    playwright_api.expect(status).to_contain_text(path.name, timeout=ANSWER_TIMEOUT_MS)
    return status.inner_text()


def documents_indexed(page) -> int:
    """The document count in the page's index status line ("Đang tra cứu trên N văn bản, …")."""
    return int(re.search(r"(\d+) văn bản", page.locator("#pq-index-status").inner_text()).group(1))


def test_first_and_warm_answer_cite_the_thanh_hoa_appendix_row(page):
    shot(page, "01-start")
    reply, first = ask(page, "Cơ quan nào chủ trì việc dán nhãn sinh thái?")
    shot(page, "02-answer-vi")
    assert "Sở Công Thương" in reply
    assert "[1]" in reply
    panel = sources(page)
    assert "Hướng dẫn áp dụng và vận hành hệ thống chứng nhận, dán nhãn tái chế" in panel
    assert "VI.1" in panel
    assert "Đơn vị chủ trì" in panel and "Thanh Hóa" in panel
    assert page.locator("#pq-sources mark").count() > 0, "query terms are highlighted"

    reply, warm = ask(page, "Đơn vị nào chủ trì hướng dẫn mua sắm công xanh đối với nguồn kinh phí sự nghiệp?")
    assert "Sở Tài chính" in reply
    TIMINGS.update(first_answer_s=round(first, 2), warm_answer_s=round(warm, 2))
    print(f"\n[timing] first answer in the browser: {first:.2f}s; warm answer: {warm:.2f}s")


def test_history_is_kept_and_old_sources_can_be_reopened(page):
    earlier = page.locator(BOT).count()
    ask(page, "Kế hoạch 45/KH-UBND của Hậu Giang căn cứ vào văn bản nào?")
    assert earlier >= 1 and page.locator(BOT).count() == earlier + 1
    playwright_api.expect(page.locator("#pq-sources")).to_contain_text("tỉnh Hậu Giang")
    page.locator(BOT).first.click()  # the first reply cited the Thanh Hóa plan only
    playwright_api.expect(page.locator("#pq-sources")).to_contain_text("tỉnh Thanh Hóa")
    playwright_api.expect(page.locator("#pq-sources")).not_to_contain_text("tỉnh Hậu Giang")


def test_english_question(page):
    reply, _ = ask(page, "Which agency leads green public procurement with recurrent funds?")
    shot(page, "03-answer-en")
    assert "Sở Tài chính" in reply
    assert "mua sắm công xanh" in sources(page)


def choose(page, dropdown: str, option: str, screenshot: str | None = None) -> None:
    page.locator(f"#{dropdown} input").click()
    if screenshot:
        shot(page, screenshot)
    page.get_by_role("option", name=option, exact=True).click()
    playwright_api.expect(page.locator(f"#{dropdown} input")).to_have_value(option)


def test_locality_filter_scopes_the_answer(page):
    choose(page, "pq-filter-locality", "huyện Cao Lãnh", screenshot="04-filter-open")
    reply, _ = ask(page, "Ai chủ trì xây dựng mô hình cụm công nghiệp sinh thái?")
    shot(page, "05-answer-filtered")
    assert "Phòng Kinh tế và Hạ tầng" in reply
    metas = page.locator("#pq-sources .pq-meta").all_inner_texts()
    assert metas and all("huyện Cao Lãnh" in m for m in metas)
    choose(page, "pq-filter-locality", "Tất cả địa phương")


def test_document_list_shows_the_bundled_corpus(page):
    open_tab(page, "Văn bản")
    table = page.locator("#pq-docs")
    for number in ("178/KH-UBND", "45/KH-UBND"):
        playwright_api.expect(table).to_contain_text(number)
    shot(page, "06-documents")
    assert documents_indexed(page) == 5


def _plan_docx(path) -> None:
    """A short district plan with a real Word task table, as officials write them."""
    doc = docx.Document()
    header = doc.add_table(rows=1, cols=2).rows[0].cells  # issuer | national motto, as on every plan
    header[0].text = "ỦY BAN NHÂN DÂN\nQUẬN 1\n\nSố: 21/KH-UBND"
    header[1].text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nQuận 1, ngày 05 tháng 3 năm 2025"
    doc.add_paragraph("KẾ HOẠCH")
    doc.add_paragraph("Thí điểm phân loại rác thải tại nguồn trên địa bàn Quận 1 năm 2025")
    doc.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    doc.add_paragraph("Giảm lượng rác thải nhựa tại các chợ truyền thống trên địa bàn Quận.")
    doc.add_paragraph("II. NHIỆM VỤ CỤ THỂ")
    table = doc.add_table(rows=3, cols=5)
    rows = [
        ("STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian"),
        ("1", "Thí điểm phân loại rác thải tại nguồn ở chợ Bến Thành", "Phòng Quản lý đô thị",
         "Ban Quản lý chợ Bến Thành; UBND phường Bến Thành", "Quý II/2025"),
        ("2", "Tuyên truyền tiểu thương hạn chế túi ni lông khó phân hủy", "Phòng Văn hóa và Thông tin",
         "Hội Liên hiệp Phụ nữ Quận", "Năm 2025"),
    ]
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    doc.save(str(path))


def test_uploaded_plan_is_listed_and_answerable_at_once(page, app, tmp_path):
    docs_before = documents_indexed(page)
    plan = tmp_path / "ke-hoach-21-kh-ubnd-quan-1_2025.docx"
    _plan_docx(plan)
    message = upload(page, plan)
    shot(page, "07-upload-ok")
    assert "Đã thêm" in message
    assert (app.index_dir / "uploads" / plan.name).is_file()
    assert documents_indexed(page) == docs_before + 1
    playwright_api.expect(page.locator("#pq-docs")).to_contain_text("21/KH-UBND")

    open_tab(page, "Hỏi đáp")
    playwright_api.expect(page.locator("#pq-filter-doc")).to_be_visible()
    reply, _ = ask(page, "Ai chủ trì thí điểm phân loại rác thải tại nguồn ở chợ Bến Thành?")
    shot(page, "08-answer-uploaded")
    assert "Phòng Quản lý đô thị" in reply
    assert "Bến Thành" in sources(page)


def test_broken_upload_is_refused_and_answers_still_work(page, app, tmp_path):
    docs_before = documents_indexed(page)
    broken = tmp_path / "bao-cao-hong.docx"
    broken.write_bytes(os.urandom(4096))
    message = upload(page, broken)
    shot(page, "09-upload-broken")
    assert "Không thêm được" in message and "Chỉ mục không thay đổi" in message
    assert not (app.index_dir / "uploads" / broken.name).exists()
    assert documents_indexed(page) == docs_before

    open_tab(page, "Hỏi đáp")
    reply, _ = ask(page, "Đơn vị nào chủ trì hướng dẫn mua sắm công xanh đối với nguồn kinh phí sự nghiệp?")
    assert "Sở Tài chính" in reply


def test_markup_in_a_question_is_shown_as_text(page):
    reply, _ = ask(page, 'Ai chủ trì <img src=x onerror="document.title=1"> *dán nhãn*?')
    user = page.locator('#pq-chat [data-testid="user"]').last
    assert "<img" in user.inner_text()
    assert page.locator("#pq-chat img[src=x]").count() == 0
    assert page.title() != "1"


def test_markup_inside_a_document_is_shown_as_text(page, tmp_path):
    """Ingest drops tags it recognises; whatever reaches the page is text, never markup."""
    plan = tmp_path / "ke-hoach-thu-markup_2025.txt"
    plan.write_text(
        "KẾ HOẠCH\n\nThử nghiệm <img src=x onerror=\"document.title='1'\"> hiển thị an toàn\n\n"
        "I. NHIỆM VỤ\n\n1. Sở Khoa học và Công nghệ chủ trì kiểm thử <b>hiển thị</b> <script>document.title='2'"
        "</script> ký hiệu đặc biệt: tỷ lệ lỗi <5% & >2% với &lt;thẻ&gt; *nghiêng* [liên kết](http://x).\n",
        encoding="utf-8",
    )
    assert "Đã thêm" in upload(page, plan)
    open_tab(page, "Hỏi đáp")
    reply, _ = ask(page, "Ai chủ trì kiểm thử hiển thị ký hiệu đặc biệt?")
    assert "Sở Khoa học và Công nghệ" in reply
    shown = sources(page)
    assert "<5% & >2%" in shown and "<thẻ>" in shown and "[liên kết](http://x)" in shown
    for where in ("#pq-sources", "#pq-chat", "#pq-docs"):
        assert page.locator(f"{where} img, {where} script, {where} em, {where} a[href='http://x']").count() == 0
    assert page.title() not in ("1", "2")


def test_overlong_question_gets_a_clear_message(page, app):
    reply, _ = ask(page, "dán nhãn sinh thái " * 60)
    assert "vượt quá giới hạn" in reply


def test_index_rebuilt_from_a_terminal_is_served_without_restart(page, app, tmp_path):
    """`policyqa index <file>` while the app runs: the page's timer picks the new generation up."""
    plan = tmp_path / "ke-hoach-9-kh-ubnd-phu-quoc_2025.txt"
    plan.write_text(
        "ỦY BAN NHÂN DÂN THÀNH PHỐ PHÚ QUỐC\n\nSố: 9/KH-UBND\n\nPhú Quốc, ngày 10 tháng 1 năm 2025\n\n"
        "KẾ HOẠCH\n\nGiảm thiểu rác thải nhựa đại dương trên địa bàn thành phố Phú Quốc\n\n"
        "I. NHIỆM VỤ\n\n1. Phòng Tài nguyên và Môi trường chủ trì tổ chức thu gom ngư cụ bỏ đi "
        "tại các cảng cá trên đảo Phú Quốc.\n",
        encoding="utf-8",
    )
    docs_before = documents_indexed(page)
    subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "index", "--index-dir", str(app.index_dir), str(plan)],
        cwd=ROOT, check=True, capture_output=True, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    open_tab(page, "Văn bản")
    playwright_api.expect(page.locator("#pq-docs")).to_contain_text("9/KH-UBND", timeout=REFRESH_TIMEOUT_MS)
    assert documents_indexed(page) == docs_before + 1
    shot(page, "10-refreshed")
    open_tab(page, "Hỏi đáp")
    reply, _ = ask(page, "Ai chủ trì thu gom ngư cụ bỏ đi tại các cảng cá ở Phú Quốc?")
    assert "Phòng Tài nguyên và Môi trường" in reply
