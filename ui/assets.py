"""The page's style and its one script (answer in view, answer and sources in step, [n] links)."""

CSS = """
.pq-header h1 { margin-bottom: 0.2rem; }
.pq-header p { margin-top: 0; }
#pq-index-status { padding: 0; font-size: 0.9em; }
#pq-sources { max-height: 640px; overflow-y: auto !important; scroll-behavior: smooth; }
.pq-empty { color: var(--body-text-color-subdued); padding: 0.5rem 0; font-style: italic; }
.pq-note { padding: 0.6rem 0.8rem; margin-bottom: 0.8rem; border-radius: 6px;
           background: var(--background-fill-secondary); }
.pq-sources-head { position: sticky; top: 0; z-index: 1; background: var(--background-fill-primary);
                   padding: 0.4rem 0 0.5rem; margin-bottom: 0.5rem; font-weight: 600;
                   border-bottom: 2px solid var(--color-accent); }
.pq-sources-head q { font-weight: normal; font-style: italic; }
.pq-source { position: relative; border: 1px solid var(--border-color-primary); border-radius: 8px;
             padding: 0.6rem 0.8rem 0.5rem 2.6rem; margin-bottom: 0.7rem; transition: background 0.4s; }
.pq-source.pq-flash { background: #fef9c3; border-color: #ca8a04; box-shadow: 0 0 0 2px #facc15; }
.pq-num { position: absolute; left: 0.6rem; top: 0.6rem; font-weight: 700; color: var(--color-accent); }
.pq-row { margin: 0; }
.pq-row > div, .pq-doc-detail > div { display: flex; gap: 0.6rem; padding: 0.2rem 0; line-height: 1.45; }
.pq-row > div + div { border-top: 1px solid var(--border-color-primary); }
.pq-row dt, .pq-doc-detail dt { flex: 0 0 5.5rem; font-weight: 600; margin: 0; }
.pq-doc-detail dt { flex-basis: 11rem; }
.pq-row dd, .pq-doc-detail dd { margin: 0; flex: 1; overflow-wrap: anywhere; }
.pq-text { margin: 0; line-height: 1.5; }
.pq-cite { font-size: 0.85em; opacity: 0.8; margin-top: 0.4rem; }
.pq-more { font-size: 0.85em; margin-top: 0.2rem; }
.pq-more summary { cursor: pointer; opacity: 0.8; }
#pq-sources mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
#pq-chat .pq-current { outline: 3px solid var(--color-accent); outline-offset: 2px; }
#pq-chat a[href^="#pq-src-"] { text-decoration: none; color: var(--color-accent); font-weight: 700; }
#pq-examples button { justify-content: flex-start; text-align: left; font-weight: normal; font-size: var(--text-md); }
.pq-upload-msg { padding: 0.5rem 0.8rem; border-radius: 6px; margin: 0.4rem 0; }
.pq-ok { background: #ecfdf5; color: #064e3b; border-left: 4px solid #059669; }
.pq-fail { background: #fef2f2; color: #7f1d1d; border-left: 4px solid #dc2626; }
.pq-warn { background: #fffbeb; color: #78350f; border-left: 4px solid #d97706; }
.pq-cards { width: 100%; border-collapse: collapse; font-size: 0.92em; border: none !important; padding: 0 !important; }
.pq-cards tr, .pq-cards thead, .pq-cards tbody { border: none !important; }
#pq-docs .html-container, #pq-matrix .html-container { padding: 0 !important; }
.pq-cards th, .pq-cards td { text-align: left; padding: 0.4rem 0.5rem; vertical-align: top;
                             border: none !important; border-bottom: 1px solid var(--border-color-primary) !important; }
.pq-cards th { background: var(--background-fill-secondary); }
.pq-matrix td[data-label="Thời gian"] { white-space: nowrap; }
.pq-cards td:first-child { overflow-wrap: anywhere; min-width: 12rem; }
.pq-doc-table td[data-label="Mã nội dung"] { font-family: var(--font-mono); font-size: 0.9em; }
@media (max-width: 600px) {
  .pq-cards thead { display: none; }
  .pq-cards, .pq-cards tbody, .pq-cards tr, .pq-cards td { display: block; width: 100%; }
  .pq-cards tr { border: 1px solid var(--border-color-primary) !important; border-radius: 8px;
                     margin-bottom: 0.7rem; padding: 0.3rem 0.6rem; }
  .pq-cards td { display: flex; gap: 0.6rem; border: none !important; padding: 0.2rem 0; min-width: 0; }
  .pq-matrix td[data-label="Thời gian"] { white-space: normal; }
  .pq-cards td::before { content: attr(data-label); flex: 0 0 7rem; font-weight: 600; }
  .pq-cards td:empty { display: none; }
  .pq-doc-table td:first-child { font-weight: 600; }
  #pq-sources { max-height: none; }
  .pq-doc-table td:first-child::before { display: none; }
  .pq-doc-detail > div { flex-direction: column; gap: 0; }
  .pq-doc-detail dt { flex-basis: auto; }
  #pq-chat { height: 62vh !important; }
  .pq-header h1 { font-size: 1.35rem; }
}
"""

# Outside gradio's scoping of CSS (which cannot reach the page's own margins): narrow margins on a phone.
HEAD = ("<style>@media (max-width: 600px) { .main.fillable { padding-left: 10px !important; "
        "padding-right: 10px !important; } }</style>")

# Runs once when the page loads. Gradio re-renders the chat and the panel; the script watches both:
# - a new reply (or the pending one turning into it) is scrolled so its first line is at the top;
# - the bubble whose sources the panel shows (the panel's data-turn) is outlined;
# - a click on an [n] link in the chat scrolls to and flashes card n once that answer's panel shows.
JS = """
() => {
  const BOT = '#pq-chat [data-testid="bot"]';
  let pending = null, lastSig = '';
  const bots = () => document.querySelectorAll(BOT);
  const panelTurn = () => {
    const head = document.querySelector('#pq-sources .pq-sources-head');
    return head ? Number(head.dataset.turn) : -1;
  };
  const mark = () => {
    const turn = panelTurn();
    bots().forEach((b, i) => b.classList.toggle('pq-current', i === turn));
  };
  const flash = (n) => {
    const card = document.querySelector('#pq-sources #pq-source-' + n);
    if (!card) return;
    document.querySelectorAll('#pq-sources .pq-flash').forEach(c => c.classList.remove('pq-flash'));
    card.classList.add('pq-flash');
    card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
  };
  const showLatest = () => {
    const all = bots();
    const last = all[all.length - 1];
    if (!last) return;
    const row = last.closest('.message-row') || last;
    const wrap = last.closest('.bubble-wrap');
    if (wrap) wrap.scrollTop += row.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 8;
    const top = row.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight - 120) window.scrollBy(0, top - 8);
  };
  const onPanel = () => {
    mark();
    if (pending && pending.turn === panelTurn()) { flash(pending.n); pending = null; }
  };
  const onChat = () => {
    const all = bots();
    const last = all[all.length - 1];
    const sig = all.length + ':' + (last && last.innerText.includes('Đang tìm trong các văn bản') ? 'p' : 'a');
    if (sig !== lastSig) { lastSig = sig; requestAnimationFrame(() => { showLatest(); mark(); }); }
  };
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('#pq-chat a[href^="#pq-src-"]');
    if (!a) return;
    e.preventDefault();
    const [, turn, n] = a.getAttribute('href').match(/#pq-src-(\\d+)-(\\d+)/).map(Number);
    if (panelTurn() === turn) flash(n); else pending = {turn, n};
  }, true);
  const watch = () => {
    const panel = document.querySelector('#pq-sources'), chat = document.querySelector('#pq-chat');
    if (!panel || !chat) return setTimeout(watch, 200);
    new MutationObserver(onPanel).observe(panel, {childList: true, subtree: true, characterData: true});
    new MutationObserver(onChat).observe(chat, {childList: true, subtree: true, characterData: true});
  };
  watch();
}
"""
