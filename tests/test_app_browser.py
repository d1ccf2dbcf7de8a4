"""The app as an official uses it: headless Debian chromium against `python app.py`.

The tests share one page and run in file order, like one working session: ask, ask in English,
upload a plan, upload a broken file, keep asking. Screenshots of each step go to
artifacts/screenshots/ for a human look.
"""

from __future__ import annotations

import csv
import io
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
    """Upload through the button's file input; returns the status message that names the file.
    Every text the status area showed meanwhile (the progress) is kept in window.pqSeen."""
    open_tab(page, "Văn bản")
    page.evaluate("""() => {
        window.pqSeen = new Set();
        const status = document.querySelector('#pq-upload-status');
        new MutationObserver(() => window.pqSeen.add(status.innerText)).observe(
            status, {childList: true, subtree: true, characterData: true});
    }""")
    page.locator("#pq-upload-row input[type=file]").set_input_files(str(path))
    status = page.locator("#pq-upload-status")
    playwright_api.expect(status).to_contain_text(path.name, timeout=ANSWER_TIMEOUT_MS)
    return status.inner_text()


def first_line_visible_ms(page, question: str) -> float:
    """Enter -> the first line of the new reply inside the chat's view and the window, in ms (in-page clock)."""
    before = page.locator(BOT).count()
    box = page.locator("#pq-question textarea")
    box.fill(question)
    page.evaluate("() => { window.pqT0 = performance.now(); }")
    box.press("Enter")
    handle = page.wait_for_function(
        """([sel, n, pending]) => {
            const bots = document.querySelectorAll(sel);
            const last = bots[bots.length - 1];
            if (bots.length <= n || last.innerText.includes(pending)) return false;
            const top = last.getBoundingClientRect().top + 12;  // the first line's middle
            const chat = document.querySelector('#pq-chat').getBoundingClientRect();
            return top >= Math.max(chat.top, 0) && top <= Math.min(chat.bottom, innerHeight)
                && performance.now() - window.pqT0;
        }""",
        arg=[BOT, before, PENDING], timeout=ANSWER_TIMEOUT_MS, polling="raf",
    )
    return float(handle.json_value())


def panel_question(page) -> str:
    return page.locator("#pq-sources .pq-sources-head q").inner_text()


def marked_reply(page) -> int:
    return page.evaluate(f"[...document.querySelectorAll('{BOT}')].findIndex(b => b.classList.contains('pq-current'))")


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
    assert "Chủ trì" in panel and "Thanh Hóa" in panel
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


LONG = "Sở Tài nguyên và Môi trường chủ trì những nhiệm vụ nào?"


def test_the_first_line_of_a_new_answer_is_in_view(page):
    ask(page, "Cơ quan nào chủ trì việc dán nhãn sinh thái?")  # warm
    elapsed = first_line_visible_ms(page, LONG)
    shot(page, "11-long-answer-first-line")
    last = page.locator(BOT).last
    assert last.inner_text().startswith(("Đơn vị", "Sở Tài nguyên")), last.inner_text()[:80]
    assert page.locator(BOT).last.evaluate("b => b.scrollHeight > b.closest('.bubble-wrap').clientHeight / 2")
    short = first_line_visible_ms(page, "Đơn vị nào chủ trì hướng dẫn mua sắm công xanh đối với nguồn kinh phí sự nghiệp?")
    TIMINGS.update(enter_to_first_line_visible_ms=round(short), enter_to_first_line_visible_long_ms=round(elapsed))
    print(f"\n[timing] Enter -> first line of a warm answer visible: {short:.0f} ms "
          f"(a long agency-tasks answer: {elapsed:.0f} ms)")


def test_an_old_answer_clicked_then_a_new_question_keeps_answer_and_sources_in_step(page):
    first_q, second_q = "Cơ quan nào chủ trì việc dán nhãn sinh thái?", "Kế hoạch 45/KH-UBND của Hậu Giang căn cứ vào văn bản nào?"
    ask(page, first_q)
    ask(page, second_q)
    n = page.locator(BOT).count()
    page.locator(BOT).nth(n - 2).click()
    playwright_api.expect(page.locator("#pq-sources .pq-sources-head q")).to_have_text(first_q)
    assert marked_reply(page) == n - 2
    shot(page, "12-old-answer-marked")
    third_q = "Đơn vị nào chủ trì hướng dẫn mua sắm công xanh đối với nguồn kinh phí sự nghiệp?"
    first_line_visible_ms(page, third_q)
    playwright_api.expect(page.locator("#pq-sources .pq-sources-head q")).to_have_text(third_q)
    page.wait_for_function(f"document.querySelectorAll('{BOT}')[{n}].classList.contains('pq-current')")
    assert marked_reply(page) == n and "mua sắm công xanh" in sources(page)
    shot(page, "13-new-answer-in-step")


def test_a_citation_marker_scrolls_to_and_highlights_its_card(page):
    reply = page.locator(BOT).last
    assert "[2]" in reply.inner_text()
    reply.locator('a[href$="-2"]').first.click()
    card = page.locator("#pq-sources #pq-source-2")
    playwright_api.expect(card).to_have_class(re.compile("pq-flash"))
    assert page.locator("#pq-sources .pq-flash").count() == 1
    page.wait_for_function("""() => {
        const c = document.querySelector('#pq-source-2').getBoundingClientRect();
        const p = document.querySelector('#pq-sources').getBoundingClientRect();
        return c.top >= p.top - 1 && c.top < p.bottom; }""")
    shot(page, "14-citation-2-highlighted")
    # a marker in an older answer brings that answer's sources back first
    older = page.locator(BOT).nth(page.locator(BOT).count() - 3)
    older.locator('a[href$="-1"]').first.click()
    playwright_api.expect(page.locator("#pq-sources .pq-sources-head q")).to_have_text(
        "Cơ quan nào chủ trì việc dán nhãn sinh thái?")
    playwright_api.expect(page.locator("#pq-sources #pq-source-1")).to_have_class(re.compile("pq-flash"))


def test_a_follow_up_is_read_against_the_previous_answer(page):
    ask(page, "Cơ quan nào chủ trì việc dán nhãn sinh thái?")
    reply, _ = ask(page, "Còn đơn vị phối hợp?")
    assert "UBND cấp huyện" in reply


def test_a_thumbs_down_with_a_comment_reaches_the_feedback_export(page, app):
    page.get_by_role("button", name="Dislike").last.click()
    comment = page.locator("#pq-feedback-comment textarea")
    playwright_api.expect(comment).to_be_visible()
    comment.fill("Thiếu thời gian thực hiện của từng đơn vị")
    shot(page, "15-feedback")
    page.locator("#pq-feedback-send").click()
    playwright_api.expect(page.locator("#pq-feedback-status")).to_contain_text("góp ý đã được gửi")
    out = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "feedback", "--csv", "--index-dir", str(app.index_dir)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[-1]["rating"] == "-1" and rows[-1]["comment"] == "Thiếu thời gian thực hiện của từng đơn vị"
    assert rows[-1]["question"] == "Đơn vị nào phối hợp dán nhãn sinh thái?"  # the follow-up as it was answered
    assert "[1]" in rows[-1]["citations"] and rows[-1]["generation"].startswith("gen-")


def test_at_400_px_answers_sit_by_their_sources_and_documents_are_cards(page, app):
    context = page.context.browser.new_context(viewport={"width": 400, "height": 850}, locale="vi-VN")
    phone = context.new_page()
    phone.goto(app.url)
    phone.wait_for_selector("#pq-question textarea")
    phone.wait_for_function("document.querySelector('#pq-index-status').innerText.includes('văn bản')")
    ask(phone, "Cơ quan nào chủ trì việc dán nhãn sinh thái?")
    phone.wait_for_timeout(300)  # the reply is scrolled into view on the next frame
    phone.screenshot(path=str(SCREENSHOTS / "20-mobile-chat.png"))
    shot(phone, "21-mobile-chat-full")
    y = {sel: phone.locator(sel).bounding_box()["y"] for sel in ("#pq-question", "#pq-sources", "#pq-examples")}
    assert y["#pq-question"] < y["#pq-sources"] < y["#pq-examples"], y
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400
    open_tab(phone, "Văn bản")
    playwright_api.expect(phone.locator("#pq-docs")).to_contain_text("178/KH-UBND")
    shot(phone, "22-mobile-documents")
    assert phone.locator("#pq-docs thead").evaluate("h => getComputedStyle(h).display") == "none"
    row = phone.locator("#pq-docs tbody tr").first.bounding_box()
    assert row["width"] > 300 and row["height"] > 150  # one card per document, not a squeezed row
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400
    context.close()


def choose(page, dropdown: str, option: str, screenshot: str | None = None) -> None:
    page.locator(f"#{dropdown} input").click()
    if screenshot:
        shot(page, screenshot)
    page.get_by_role("option", name=option, exact=True).click()
    playwright_api.expect(page.locator(f"#{dropdown} input")).to_have_value(option)


def test_locality_filter_scopes_the_answer(page):
    page.locator("#pq-filter-locality input").click()
    for place in ("Đồng Tháp", "Hà Tĩnh", "huyện Nghi Xuân (Hà Tĩnh)"):
        playwright_api.expect(page.get_by_role("option", name=place, exact=True)).to_be_visible()
    shot(page, "04-filter-open")
    page.get_by_role("option", name="huyện Cao Lãnh (Đồng Tháp)", exact=True).click()
    playwright_api.expect(page.locator("#pq-filter-locality input")).to_have_value("huyện Cao Lãnh (Đồng Tháp)")
    reply, _ = ask(page, "Ai chủ trì xây dựng mô hình cụm công nghiệp sinh thái?")
    shot(page, "05-answer-filtered")
    assert "Phòng Kinh tế và Hạ tầng" in reply
    cites = page.locator("#pq-sources .pq-cite").all_inner_texts()
    assert cites and all("huyện Cao Lãnh" in c for c in cites)
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
    seen = " ".join(page.evaluate("[...window.pqSeen]"))
    assert "Đang đọc văn bản và lập chỉ mục" in seen, seen
    assert not re.search(r"embedding|Batches|%\s*/", seen), seen
    assert (app.index_dir / "uploads" / plan.name).is_file()
    assert documents_indexed(page) == docs_before + 1
    playwright_api.expect(page.locator("#pq-docs")).to_contain_text("21/KH-UBND")

    open_tab(page, "Hỏi đáp")
    playwright_api.expect(page.locator("#pq-filter-doc")).to_be_visible()
    reply, _ = ask(page, "Ai chủ trì thí điểm phân loại rác thải tại nguồn ở chợ Bến Thành?")
    shot(page, "08-answer-uploaded")
    assert "Phòng Quản lý đô thị" in reply
    assert "Bến Thành" in sources(page)


def test_a_deleted_document_is_gone_from_the_list_and_from_answers(page, app):
    open_tab(page, "Văn bản")
    page.locator("#pq-manage-doc input").click()
    page.get_by_role("option", name=re.compile("ke-hoach-21-kh-ubnd-quan-1_2025.docx")).click()
    detail = page.locator("#pq-doc-detail")
    for field in ("ke-hoach-21-kh-ubnd-quan-1_2025.docx", "21/KH-UBND", "05/03/2025", "Số nhiệm vụ", "SHA-256"):
        playwright_api.expect(detail).to_contain_text(field)
    playwright_api.expect(page.locator("#pq-download")).to_be_enabled()
    shot(page, "16-document-page")
    docs_before = documents_indexed(page)
    page.locator("#pq-delete").click()
    playwright_api.expect(page.locator("#pq-confirm-text")).to_contain_text("Xóa văn bản")
    shot(page, "17-delete-confirm")
    page.locator("#pq-confirm-yes").click()
    playwright_api.expect(page.locator("#pq-manage-status")).to_contain_text("Đã xóa", timeout=ANSWER_TIMEOUT_MS)
    playwright_api.expect(page.locator("#pq-docs")).not_to_contain_text("21/KH-UBND")
    assert documents_indexed(page) == docs_before - 1
    assert not (app.index_dir / "uploads" / "ke-hoach-21-kh-ubnd-quan-1_2025.docx").exists()
    open_tab(page, "Hỏi đáp")
    reply, _ = ask(page, "Ai chủ trì thí điểm phân loại rác thải tại nguồn ở chợ Bến Thành?")
    assert "Phòng Quản lý đô thị" not in reply
    assert "Bến Thành" not in " ".join(page.locator("#pq-sources .pq-source").all_inner_texts())


def test_the_assignments_tab_filters_by_agency_and_offers_a_csv(page):
    open_tab(page, "Phân công")
    table = page.locator("#pq-matrix")
    playwright_api.expect(table).to_contain_text("nhiệm vụ", timeout=ANSWER_TIMEOUT_MS)
    page.locator("#pq-matrix-agency textarea, #pq-matrix-agency input").first.fill("Sở Công Thương")
    page.locator("#pq-matrix-run").click()
    playwright_api.expect(table).not_to_contain_text("Phòng Kinh tế và Hạ tầng", timeout=ANSWER_TIMEOUT_MS)
    leads = page.locator('#pq-matrix td[data-label="Chủ trì"]').all_inner_texts()
    assert leads and all("Công Thương" in lead for lead in leads)
    shot(page, "18-assignments")
    assert "not in the list of choices" not in page.locator("body").inner_text()  # the deleted document's name
    with page.expect_download() as download:
        page.locator("#pq-matrix-csv").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.startswith("Nhiệm vụ,Chủ trì,Phối hợp,Thời gian,Văn bản") and text.count("\n") == len(leads) + 1
    open_tab(page, "Hỏi đáp")


def test_broken_upload_is_refused_and_answers_still_work(page, app, tmp_path):
    docs_before = documents_indexed(page)
    broken = tmp_path / "bao-cao-hong.docx"
    broken.write_bytes(os.urandom(4096))
    message = upload(page, broken)
    shot(page, "09-upload-broken")
    assert "Không thêm được" in message and "Chỉ mục không thay đổi" in message
    assert not re.search(r"[Bb]ad[Zz]ip|readable|\.docx file", message), message
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
