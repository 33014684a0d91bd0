"""The HTML page's stylesheet and script, inlined so the page works offline and as a CI artifact.

The script holds no data: it only sorts and filters table rows that the page already contains,
so nothing from scanned code ever lands inside a <script> element.
"""

CSS = """
:root { --error: #c62828; --warning: #b26a00; --note: #1565c0; --ink: #1d2329; --muted: #5f6b76;
        --line: #d8dee4; --soft: #f4f6f8; --accent: #6a1b9a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px; }
header.top { background: linear-gradient(90deg, #4a148c, #ad1457 60%, #ef6c00); color: #fff; padding: 28px 24px 22px; }
header.top > div { max-width: 1180px; margin: 0 auto; }
header.top h1 { margin: 0 0 6px; font-size: 28px; }
header.top p { margin: 0; opacity: .92; }
nav.toc { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line); }
nav.toc ul { max-width: 1180px; margin: 0 auto; padding: 8px 24px; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; }
nav.toc a { color: var(--accent); text-decoration: none; font-weight: 600; font-size: 14px; }
section, article { scroll-margin-top: 44px; }  /* headings stay clear of the sticky menu */
h2 { margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); font-size: 22px; }
h3 { margin: 22px 0 8px; font-size: 17px; }
a { color: var(--accent); }
p.lead { color: var(--muted); margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 18px; }
.card { flex: 1 1 140px; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--soft); }
.card b { display: block; font-size: 26px; line-height: 1.2; }
.card span { color: var(--muted); font-size: 13px; }
.card.error b { color: var(--error); } .card.warning b { color: var(--warning); } .card.note b { color: var(--note); }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
.charts figure { margin: 0; flex: 1 1 420px; min-width: 0; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.charts figcaption { font-weight: 600; margin-bottom: 6px; }
.bars { display: grid; grid-template-columns: minmax(4em, max-content) minmax(60px, 1fr) auto; gap: 4px 8px;
        align-items: center; font-size: 13px; }
.bar-row { display: contents; }
.bar-label { text-align: right; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 26ch; }
.bar-label a { text-decoration: none; }
.bar-track { display: block; height: 14px; }
.bar-track > span { display: block; height: 100%; border-radius: 3px; background: #8e24aa; }
.bar-track > span.error { background: var(--error); } .bar-track > span.warning { background: var(--warning); }
.bar-track > span.note { background: var(--note); } .bar-track > span.other { background: #9e9e9e; }
.bar-value { color: var(--muted); font-variant-numeric: tabular-nums; }
svg.burndown { width: 100%; height: auto; }
svg.burndown text { font: 12px system-ui, sans-serif; fill: var(--muted); }
svg.burndown line.grid { stroke: var(--line); }
svg.burndown polyline { fill: none; stroke-width: 2.5; }
svg.burndown .error { stroke: var(--error); fill: var(--error); } svg.burndown polyline.error { fill: none; }
svg.burndown .warning { stroke: var(--warning); fill: var(--warning); } svg.burndown polyline.warning { fill: none; }
svg.burndown .note { stroke: var(--note); fill: var(--note); } svg.burndown polyline.note { fill: none; }
svg.burndown.wide { max-width: 720px; } svg.burndown.narrow { display: none; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); }
td.num, th.num { text-align: right; }
table.dates { width: auto; }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
td code { white-space: pre-wrap; overflow-wrap: anywhere; }
td.loc code { overflow-wrap: break-word; }  /* breaks only at the <wbr> after each "/" */
pre { background: #272822; color: #f8f8f2; padding: 10px 12px; border-radius: 6px; overflow-x: auto; margin: 4px 0; }
.sev { display: inline-block; padding: 0 7px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
.sev.error { background: var(--error); } .sev.warning { background: var(--warning); } .sev.note { background: var(--note); }
.verdict { font-weight: 600; } .verdict.removed { color: var(--error); } .verdict.alive { color: #2e7d32; }
.status-new { color: var(--error); font-weight: 600; }
article.rule, article.flow, article.manual { border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 8px; margin: 14px 0; }
article.rule h3 .id, article.flow h3 .count { color: var(--muted); font-weight: 500; }
.ba { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.ba figure { margin: 0; min-width: 0; }
.ba pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.ba figcaption { font-size: 13px; color: var(--muted); }
.ba .before pre { border-left: 4px solid var(--error); } .ba .after pre { border-left: 4px solid #43a047; }
article.manual { border-left: 5px solid var(--warning); }
.controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 8px 0; }
.controls input, .controls select { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; }
.controls input { flex: 1 1 260px; }
#findings-table th, #repo-table th, #files-table th { cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort="ascending"]::after { content: " \\25B2"; font-size: 10px; }
th[aria-sort="descending"]::after { content: " \\25BC"; font-size: 10px; }
tfoot th { background: #eceff3; }
td.nowrap, table.dates td:first-child { white-space: nowrap; }
td.name { white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0 10px; font-size: 14px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
article.repo { border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 8px; margin: 14px 0; }
.label-local { display: inline-block; padding: 0 7px; border-radius: 10px; background: #fff3cd; color: #6b4e00;
               border: 1px solid #e0c36a; font-size: 12px; font-weight: 600; }
#findings-table tr.hide { display: none; }
/* A narrow screen scrolls the table rather than squeezing its text columns (a cell's width is
   its minimum in automatic table layout; min-width on a cell is ignored). */
td.snip { width: 26ch; } td.snip code { display: block; min-width: 24ch; }
td.rep, td.live, td.evidence { font-size: 13px; width: 22ch; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
.scroll > table { margin: 0; }
.scroll { margin: 8px 0 16px; }
.muted { color: var(--muted); }
footer { color: var(--muted); font-size: 13px; margin-top: 36px; }
@media (max-width: 760px) {
  .ba { grid-template-columns: 1fr; }
  main { padding: 0 12px 36px; }
  header.top { padding: 18px 12px 14px; } header.top h1 { font-size: 22px; }
  nav.toc ul { padding: 6px 12px; gap: 2px 12px; }
  .charts figure { flex-basis: 100%; padding: 8px; }
  .card { flex-basis: 40%; } .card b { font-size: 22px; }
  svg.burndown.wide { display: none; } svg.burndown.narrow { display: block; }
  .bars.long { grid-template-columns: minmax(0, 1fr) auto; gap: 0 8px; }  /* label on its own line, bar below */
  .bars.long .bar-label { grid-column: 1 / -1; text-align: left; max-width: none; margin-top: 4px; }
  td.snip { width: 22ch; }
  td.name { white-space: normal; width: 16ch; }
  table { font-size: 13px; }
}
@media print {
  nav.toc, .controls { display: none; }
  header.top { background: none; color: #000; padding: 0 0 8px; border-bottom: 2px solid #000; }
  main { max-width: none; padding: 0; }
  body { font-size: 11pt; }
  #findings-table tr.hide { display: table-row; }
  tr, article, figure { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  pre { background: #f4f4f4; color: #000; white-space: pre-wrap; }
  a { color: #000; }
  .sev { color: #000; border: 1px solid #000; background: none !important; }
}
"""

# Sorts by a header click (numbers where data-num is set), filters by text, severity and status.
JS = """
(function () {
  function key(row, index, numeric) {
    var cell = row.cells[index];
    var value = cell.getAttribute('data-sort');
    if (value === null) { value = cell.textContent; }
    return numeric ? parseFloat(value.replace(/,/g, '')) : value.toLowerCase();
  }
  function sortable(table) {
    var body = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, index) {
      th.tabIndex = 0;
      function sortBy() {
        var rows = Array.prototype.slice.call(body.rows);
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        var numeric = th.hasAttribute('data-num');
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        rows.sort(function (a, b) {
          var x = key(a, index, numeric), y = key(b, index, numeric);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener('click', sortBy);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { sortBy(); } });
    });
  }
  ['findings-table', 'repo-table', 'files-table'].forEach(function (id) {
    var table = document.getElementById(id);
    if (table) { sortable(table); }
  });
  var findings = document.getElementById('findings-table');
  var text = document.getElementById('filter-text');
  if (!findings || !text) { return; }
  var rows = Array.prototype.slice.call(findings.tBodies[0].rows);
  var sev = document.getElementById('filter-severity');
  var status = document.getElementById('filter-status');
  var count = document.getElementById('filter-count');
  function apply() {
    var q = text.value.toLowerCase().trim();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!q || row.textContent.toLowerCase().indexOf(q) !== -1) &&
               (!sev.value || row.getAttribute('data-severity') === sev.value) &&
               (!status || !status.value || row.getAttribute('data-status') === status.value);
      row.classList.toggle('hide', !ok);
      if (ok) { shown += 1; }
    });
    count.textContent = shown + ' of ' + rows.length + ' shown';
  }
  [text, sev, status].forEach(function (el) { if (el) { el.addEventListener('input', apply); } });
  apply();
})();
"""
