// The t2sql page: asks POST /api/ask (server-sent events, one per stage) and
// keeps each conversation (questions and answers, newest first) in this
// browser's localStorage, so that an earlier one can be reopened. Each answer
// shows the SQL (editable: POST /api/sql runs an edit read-only), the rows
// (sortable, paged, downloadable as CSV), a chart whose kind the user can
// switch among those that fit the rows, thumbs up/down and a corrected SQL
// kept as the answer (POST /api/feedback), and the stage trace folded into a
// summary line. No build step and no outside requests: vega is served by
// t2sql itself (embedded at build time).
'use strict';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 25;
const STORE_KEY = 't2sql-conversations';
const MAX_CONVERSATIONS = 30;
const MAX_STORED_ROWS = 500;
const state = { health: null, schema: null, examples: [], conversations: [], current: null, busy: false };

// ---- small helpers

function authHeaders() {
  const token = localStorage.getItem('t2sql-token') || '';
  return token ? { Authorization: 'Bearer ' + token } : {};
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function exampleButton(q) {
  const b = el('button', 'example', q);
  b.type = 'button';
  b.addEventListener('click', () => { $('question').value = q; submitQuestion(); });
  return b;
}

// A message and, where it helps, questions to ask instead.
function showError(message, suggestions) {
  const box = $('error');
  box.textContent = message || '';
  if (message && suggestions && suggestions.length) {
    const row = el('div', 'suggestions');
    row.appendChild(el('span', 'muted', 'Try:'));
    suggestions.forEach((q) => row.appendChild(exampleButton(q)));
    box.appendChild(row);
  }
  box.hidden = !message;
}

// Example questions that share words with `question`, else the first ones.
function suggestionsFor(question) {
  const words = new Set(String(question || '').toLowerCase().split(/\W+/).filter((w) => w.length > 3));
  const scored = state.examples.map((q, i) => ({ q, i, s: q.toLowerCase().split(/\W+/).filter((w) => words.has(w)).length }));
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return scored.slice(0, 2).map((x) => x.q);
}

async function httpError(res) {
  let detail = '';
  try { detail = (await res.json()).error || ''; } catch (e) { /* not JSON */ }
  if (res.status === 401) return 'This server needs an access token: enter it in the Token box and ask again.';
  if (res.status === 503) return 'The engine is busy right now; try again in a few seconds.' + (detail ? ' (' + detail + ')' : '');
  if (res.status === 413) return 'That is too long for the server; shorten it and try again.';
  return (detail || `The server answered HTTP ${res.status}.`) + (res.status === 400 ? ' Check it and try again.' : '');
}

function friendlyReason(reason) {
  return String(reason || '').replace(/^(cannot answer: )+/i, '').replace(/\.$/, '');
}

// ---- SQL and values

const SQL_KEYWORDS = new Set(('select from where group by order having limit offset join inner left right full outer cross on ' +
  'using as and or not in is null like between case when then else end distinct union all intersect except with ' +
  'asc desc exists cast over partition window filter values natural true false').split(' '));
const SQL_FUNCS = new Set('count sum avg min max round strftime date datetime coalesce lower upper substr length abs ifnull nullif julianday extract date_trunc'.split(' '));

function highlightSql(sql) {
  const re = /('(?:[^']|'')*')|("(?:[^"]|"")*")|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|(\s+)|(.)/g;
  let out = '';
  for (const m of sql.matchAll(re)) {
    const [tok, str, quoted, num, word] = m;
    if (str) out += '<span class="str">' + escapeHtml(str) + '</span>';
    else if (quoted) out += escapeHtml(quoted);
    else if (num) out += '<span class="num">' + num + '</span>';
    else if (word && SQL_KEYWORDS.has(word.toLowerCase())) out += '<span class="kw">' + escapeHtml(word) + '</span>';
    else if (word && SQL_FUNCS.has(word.toLowerCase())) out += '<span class="fn">' + escapeHtml(word) + '</span>';
    else out += escapeHtml(tok);
  }
  return out;
}

const isNumericType = (t) => t === 'integer' || t === 'real';
const isPlainNumberColumn = (name) => /year|(^|_)id$|^id|code|zip/i.test(name);

// One column's display: real numbers with the same two decimals, so that a
// column does not mix "4,016,719.4" and "3,279,139"; years and ids plain.
function cellFormatter(name, type, rows, col) {
  const reals = type === 'real' && rows.some((r) => typeof r[col] === 'number' && !Number.isInteger(r[col]));
  return (v) => {
    if (v === null || v === undefined) return { text: 'NULL', cls: 'null' };
    if (typeof v === 'number') {
      if (isPlainNumberColumn(name) && Number.isInteger(v)) return { text: String(v), cls: 'n' };
      const digits = reals ? 2 : 0;
      return { text: v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: reals ? 2 : 0 }), cls: 'n' };
    }
    return { text: String(v), cls: '' };
  };
}

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

// RFC 4180: every value at full precision, fields quoted when they must be.
function toCsv(columns, rows) {
  const field = (v) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]|^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  return [columns, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function slug(text) {
  return (String(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'result');
}

// ---- charts: the kinds that fit the rows, built here from the rows

const KIND_LABELS = { bar: 'Bars', hbar: 'Horizontal bars', line: 'Line', pie: 'Pie', grouped_bar: 'Grouped bars',
                      stacked_bar: 'Stacked bars', multi_line: 'Lines', scatter: 'Scatter', table: 'None' };

function fieldRef(name) { return String(name).replace(/[.[\]\\]/g, (c) => '\\' + c); }
function words(name) { return String(name).replace(/_/g, ' '); }

function profile(columns, types, rows) {
  return columns.map((name, i) => {
    const values = rows.map((r) => r[i]).filter((v) => v !== null && v !== undefined);
    const t = types[i];
    const timeText = values.length > 0 && values.every((v) => typeof v === 'string' && /^\d{4}(-\d{2}){0,2}([ T].*)?$/.test(v));
    const yearLike = /year|month|quarter|week|day|date|period/i.test(name);
    let role = 'category';
    if (t === 'date' || t === 'timestamp' || timeText || (isNumericType(t) && yearLike)) role = 'time';
    else if (isNumericType(t) && !isPlainNumberColumn(name)) role = 'measure';
    const vlType = role === 'measure' ? 'quantitative'
      : role === 'time' ? ((t === 'date' || t === 'timestamp' || (timeText && values.some((v) => v.length >= 10))) ? 'temporal' : 'ordinal')
        : 'nominal';
    const large = role === 'measure' && values.some((v) => typeof v === 'number' && Math.abs(v) >= 1e4);
    return { name, i, role, vlType, large, positive: values.every((v) => typeof v === 'number' && v > 0) };
  });
}

function chartOptions(body) {
  const columns = body.columns || [];
  const rows = body.rows || [];
  if (!rows.length || !columns.length) return [];
  const cols = profile(columns, body.column_types || [], rows);
  const measures = cols.filter((c) => c.role === 'measure');
  const dims = cols.filter((c) => c.role !== 'measure');
  const values = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
  const base = (mark, encoding, extra) => ({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json', data: { values }, mark, encoding,
    width: 'container', height: 260, autosize: { type: 'fit', contains: 'padding' }, ...(extra || {}) });
  // Large measures read as 16M, not 16,000,000.
  const axis = (c, type) => ({ field: fieldRef(c.name), type: type || c.vlType, title: words(c.name),
                               ...(c.large && !type ? { axis: { format: '~s' } } : {}) });
  const tip = cols.map((c) => ({ field: fieldRef(c.name), type: c.vlType, title: words(c.name) }));
  const out = {};
  if (!dims.length && measures.length >= 2) {
    out.scatter = base({ type: 'point', tooltip: true }, { x: axis(measures[0]), y: axis(measures[1]), tooltip: tip });
    return out;
  }
  if (!dims.length || !measures.length) return out;
  const d = dims.find((c) => c.role === 'time') || dims[0];
  const other = dims.find((c) => c !== d);
  const m = measures[0];
  if (dims.length === 1 && measures.length === 1) {
    out.bar = base({ type: 'bar', tooltip: true }, { x: { ...axis(d), sort: null }, y: axis(m), tooltip: tip });
    out.hbar = base({ type: 'bar', tooltip: true }, { y: { ...axis(d), sort: d.role === 'time' ? null : '-x' }, x: axis(m), tooltip: tip },
      { height: { step: 18 } });
    if (rows.length >= 2) out.line = base({ type: 'line', point: true, tooltip: true }, { x: { ...axis(d), sort: null }, y: axis(m), tooltip: tip });
    if (m.positive && rows.length <= 12 && d.role !== 'time')
      out.pie = base({ type: 'arc', tooltip: true }, { theta: axis(m), color: axis(d, 'nominal'), tooltip: tip }, { height: 240 });
  } else if (other && measures.length >= 1) {
    const series = { ...axis(other, 'nominal') };
    out.grouped_bar = base({ type: 'bar', tooltip: true }, { x: { ...axis(d), sort: null }, xOffset: { field: fieldRef(other.name) },
      y: axis(m), color: series, tooltip: tip });
    out.stacked_bar = base({ type: 'bar', tooltip: true }, { x: { ...axis(d), sort: null }, y: axis(m), color: series, tooltip: tip });
    out.multi_line = base({ type: 'line', point: true, tooltip: true }, { x: { ...axis(d), sort: null }, y: axis(m), color: series, tooltip: tip });
  } else {
    // One dimension, several measures: side by side, from a fold.
    const fold = { transform: [{ fold: measures.map((c) => c.name), as: ['measure', 'value'] }] };
    const enc = (extra) => ({ x: { ...axis(d), sort: null }, y: { field: 'value', type: 'quantitative', title: 'value' },
      color: { field: 'measure', type: 'nominal', title: null }, ...extra });
    out.grouped_bar = base({ type: 'bar', tooltip: true }, enc({ xOffset: { field: 'measure' } }), fold);
    out.multi_line = base({ type: 'line', point: true, tooltip: true }, enc({}), fold);
  }
  return out;
}

async function drawChart(box, spec, svgFallback) {
  box.innerHTML = '';
  if (!spec) {
    box.innerHTML = '<p class="muted">No chart for this result: the table says it best.</p>';
    return;
  }
  if (typeof vegaEmbed === 'function') {
    try {
      await vegaEmbed(box, spec, { actions: { export: true, source: false, compiled: false, editor: false }, renderer: 'svg' });
    } catch (e) {
      box.innerHTML = '<p class="muted">The chart could not be drawn: ' + escapeHtml(e.message) + '</p>';
    }
    return;
  }
  if (svgFallback) box.innerHTML = svgFallback.replace(/^<\?xml[^>]*>\s*/, '');
  else box.innerHTML = '<p class="muted">Charts need vega, which this server does not serve.</p>';
}

// The server's chart first (its kind, its spec), then the other kinds that fit.
function renderChartPanel(node, body) {
  const kinds = node.querySelector('.chart-kinds');
  const box = node.querySelector('.chart');
  const built = chartOptions(body);
  const suggested = body.chart ? (body.chart_kind || 'bar') : 'table';
  const specs = { ...built };
  if (body.chart) specs[suggested] = { ...body.chart, width: 'container', autosize: { type: 'fit', contains: 'padding' } };
  const order = [suggested, ...Object.keys(specs).filter((k) => k !== suggested)];
  if (suggested !== 'table' && !order.includes('table')) order.push('table');
  kinds.innerHTML = '';
  const select = (kind) => {
    kinds.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.kind === kind)));
    box.dataset.kind = kind;
    drawChart(box, kind === 'table' ? null : specs[kind], kind === suggested ? body.chart_svg : null);
  };
  if (order.length > 1) {
    for (const kind of order) {
      const b = el('button', 'secondary small', KIND_LABELS[kind] || kind.replace('_', ' '));
      b.type = 'button';
      b.dataset.kind = kind;
      if (kind === suggested && kind !== 'table') b.title = 'Chosen by t2sql for this result';
      b.addEventListener('click', () => select(kind));
      kinds.appendChild(b);
    }
  }
  select(suggested);
}

// ---- the stage trace

function stageSummary(s) {
  const o = s.output || {};
  if (s.status === 'skipped') return o.reason || '';
  switch (s.name) {
    case 'intent': return o.intent + (o.follow_up ? ' · follow-up → ' + o.effective_question : '') + (o.reason ? ' · ' + o.reason : '');
    case 'entities': {
      const parts = [];
      if (o.years && o.years.length) parts.push('years ' + o.years.join(', '));
      if (o.months && o.months.length) parts.push('months ' + o.months.join(', '));
      if (o.top_k) parts.push('top ' + o.top_k);
      if (o.numbers && o.numbers.length) parts.push('numbers ' + o.numbers.join(', '));
      if (o.ranges && o.ranges.length) parts.push(o.ranges.join(', '));
      if (o.values && o.values.length) parts.push(o.values.map((v) => `${v.value} → ${v.table}.${v.column}`).join(', '));
      return parts.join(' · ') || 'none';
    }
    case 'retrieval': return o.tables ? `${o.source}: ${o.tables.join(', ')}` : (o.reason || o.error || '');
    case 'generation': return (o.engine || '') + (o.confidence !== undefined ? ` · confidence ${Number(o.confidence).toFixed(2)}` : '') +
      (o.reason ? ' · ' + o.reason : '') + (o.attempts && o.attempts.length > 1 ? ` · ${o.attempts.length} tries` : '');
    case 'validation': return o.valid ? 'valid' : (o.error || o.reason || '');
    case 'repair': return o.tries ? `${o.tries.length} tries, ${o.fixed ? 'fixed' : 'not fixed'}` : (o.reason || '');
    case 'execution': return o.row_count !== undefined ? `${o.row_count} rows${o.truncated ? ' (truncated)' : ''}` : (o.error || o.reason || '');
    case 'chart': return o.kind ? `${o.kind}${o.reason ? ' · ' + o.reason : ''}` : (o.reason || '');
    case 'answer': return o.answer || o.reason || '';
    default: return JSON.stringify(o);
  }
}

function renderTrace(node, stages, total) {
  const max = Math.max(1, ...stages.map((s) => s.elapsed_ms || 0));
  node.querySelector('.trace-list').innerHTML = stages.map((s) => `<li>
      <span><b>${escapeHtml(s.name)}</b></span>
      <span class="status-${escapeHtml(s.status)}">${escapeHtml(s.status)}</span>
      <span class="ms">${(s.elapsed_ms || 0).toFixed(2)} ms</span>
      <span class="out"><span class="bar" style="width:${Math.round(60 * (s.elapsed_ms || 0) / max)}px"></span>${escapeHtml(stageSummary(s))}</span>
    </li>`).join('');
  const ran = stages.filter((s) => s.status !== 'skipped');
  const last = stages.length ? stages[stages.length - 1] : null;
  const odd = stages.find((s) => s.status !== 'ok' && s.status !== 'skipped');
  node.querySelector('.trace-summary').textContent = total === undefined
    ? `Working… ${last ? last.name : 'starting'}`
    : `Stages: ${ran.length} ran · ${total.toFixed(1)} ms` + (odd ? ` · ${odd.name} ${odd.status}` : '');
}

// ---- one turn of a conversation

function renderTable(node, body, view) {
  const columns = body.columns || [];
  const types = body.column_types || [];
  const all = body.rows || [];
  const formats = columns.map((c, i) => cellFormatter(c, types[i], all, i));
  const numeric = columns.map((c, i) => isNumericType(types[i]));
  const thead = node.querySelector('thead');
  const tbody = node.querySelector('tbody');
  thead.innerHTML = '<tr>' + columns.map((c, i) => {
    const arrow = i === view.sortCol ? (view.sortDir > 0 ? '▲' : '▼') : '↕';
    return `<th data-col="${i}" class="${numeric[i] ? 'n' : ''}" title="Sort by ${escapeHtml(c)}">${escapeHtml(c)} <span class="arrow">${arrow}</span></th>`;
  }).join('') + '</tr>';
  let rows = all.map((r, i) => ({ r, i }));
  if (view.sortCol >= 0) rows.sort((x, y) => view.sortDir * compare(x.r[view.sortCol], y.r[view.sortCol]) || x.i - y.i);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  view.page = Math.min(view.page, pages - 1);
  tbody.innerHTML = rows.slice(view.page * PAGE_SIZE, (view.page + 1) * PAGE_SIZE).map(({ r }) => '<tr>' + r.map((v, i) => {
    const f = formats[i](v);
    return `<td class="${f.cls}">${escapeHtml(f.text)}</td>`;
  }).join('') + '</tr>').join('');
  node.querySelector('.page-info').textContent = rows.length ? `page ${view.page + 1} of ${pages}` : 'no rows';
  node.querySelector('.prev-page').disabled = view.page === 0;
  node.querySelector('.next-page').disabled = view.page >= pages - 1;
  node.querySelector('.pager').hidden = pages <= 1;
  thead.querySelectorAll('th').forEach((th) => th.addEventListener('click', () => {
    const col = Number(th.dataset.col);
    view.sortDir = view.sortCol === col ? -view.sortDir : 1;
    view.sortCol = col;
    renderTable(node, body, view);
  }));
}

function turnQuestion(turn) {
  const b = turn.body || {};
  return b.effective_question || b.question || turn.question;
}

// The card of one question and its answer; `live` while the answer streams.
function renderTurn(turn, live) {
  const node = $('turn-template').content.firstElementChild.cloneNode(true);
  const body = turn.body || {};
  node.querySelector('.q-text').textContent = turn.question;
  node.querySelector('.read-as').textContent = body.follow_up ? `read as “${body.effective_question}”` : '';
  if (live) {
    node.classList.add('pending');
    node.querySelector('.answer').textContent = 'Working';
    ['.sql-head', '.sql', '.panels', '.feedback', '.meta'].forEach((s) => { node.querySelector(s).hidden = true; });
    renderTrace(node, live.stages);
    return node;
  }
  const answered = body.answered;
  const errBox = node.querySelector('.turn-error');
  if (turn.error || !answered) {
    let text;
    if (turn.error) text = turn.error;
    else if (body.error && !turn.edited) text = 'That could not be asked: ' + friendlyReason(body.error) + '.';
    else if (body.intent === 'refused') text = 'Refused: ' + friendlyReason(body.reason) + '. Ask about the data instead.';
    else text = (turn.edited ? 'Your SQL did not run: ' : 'I could not answer that: ') + friendlyReason(body.reason || body.error) +
      (turn.edited ? '. Check the table and column names (listed when you start a new conversation).' : '. Rephrase it with words from the tables, or try a question below.');
    errBox.textContent = text;
    if (!turn.edited && !turn.error && !body.error) {
      const row = el('div', 'suggestions');
      suggestionsFor(turn.question).forEach((q) => row.appendChild(exampleButton(q)));
      errBox.appendChild(row);
    }
    errBox.hidden = false;
  }
  node.querySelector('.answer').textContent = body.answer || '';
  const explanation = node.querySelector('.explanation');
  explanation.textContent = body.explanation || '';
  explanation.hidden = !body.explanation;
  const meta = body.meta || {};
  node.querySelector('.meta').textContent = [
    'Model: ' + (meta.model || 'none'),
    meta.mode ? 'mode: ' + meta.mode : '',
    meta.rag_used ? 'RAG context used' : '',
    turn.edited ? 'your edited SQL' : '',
  ].filter(Boolean).join(' · ');
  const sql = body.sql || '';
  node.querySelector('.sql code').innerHTML = sql ? highlightSql(sql) : '<span class="muted">(no SQL: ' +
    escapeHtml(body.intent === 'schema' ? 'answered from the schema' : body.intent === 'small_talk' ? 'small talk' : 'not answered') + ')</span>';
  node.querySelector('.copy-sql').hidden = !sql;
  const hasRows = (body.columns || []).length > 0;
  node.querySelector('.panels').hidden = !hasRows;
  if (hasRows) {
    node.querySelector('.row-count').textContent = `(${body.row_count} row${body.row_count === 1 ? '' : 's'}${body.truncated ? ', truncated' : ''})`;
    const view = { sortCol: -1, sortDir: 1, page: 0 };
    renderTable(node, body, view);
    node.querySelector('.prev-page').addEventListener('click', () => { view.page--; renderTable(node, body, view); });
    node.querySelector('.next-page').addEventListener('click', () => { view.page++; renderTable(node, body, view); });
    node.querySelector('.download-csv').addEventListener('click', () =>
      download(slug(turn.question) + '.csv', toCsv(body.columns, body.rows || []), 'text/csv;charset=utf-8'));
    renderChartPanel(node, body);
  }
  renderTrace(node, meta.stages || [], meta.timings ? meta.timings.total_ms : 0);
  wireSqlEditor(node, turn);
  wireFeedback(node, turn);
  return node;
}

function wireSqlEditor(node, turn) {
  const editor = node.querySelector('.sql-editor');
  const area = node.querySelector('.sql-edit');
  const open = () => {
    area.value = (turn.body && turn.body.sql) || '';
    editor.hidden = false;
    area.focus();
  };
  node.querySelector('.edit-sql').addEventListener('click', open);
  node.querySelector('.cancel-edit').addEventListener('click', () => { editor.hidden = true; });
  node.querySelector('.copy-sql').addEventListener('click', async (ev) => {
    const button = ev.currentTarget;
    try { await navigator.clipboard.writeText((turn.body && turn.body.sql) || ''); button.textContent = 'Copied'; }
    catch (e) { open(); area.select(); button.textContent = 'Selected: press Ctrl+C'; }
    setTimeout(() => { button.textContent = 'Copy'; }, 1500);
  });
  const run = () => runEditedSql(turn, area.value);
  node.querySelector('.run-sql').addEventListener('click', run);
  area.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
  });
  node.querySelector('.save-sql').addEventListener('click', () => saveCorrection(node, turn, area.value));
  if (turn.editorOpen) { editor.hidden = false; area.value = turn.editorOpen; }
}

function wireFeedback(node, turn) {
  const up = node.querySelector('.thumb-up');
  const down = node.querySelector('.thumb-down');
  const note = node.querySelector('.feedback-note');
  up.setAttribute('aria-pressed', String(turn.rating === 'up'));
  down.setAttribute('aria-pressed', String(turn.rating === 'down'));
  if (turn.note) note.textContent = turn.note;
  const body = turn.body || {};
  node.querySelector('.feedback').hidden = !body.sql || !(state.health && state.health.feedback);
  const rate = async (rating) => {
    const res = await postJson('/api/feedback', { question: turnQuestion(turn), sql: body.sql, rating,
                                                  engine: (body.meta && body.meta.model) || '' });
    if (!res.ok) { note.textContent = res.error; return; }
    turn.rating = rating;
    turn.note = rating === 'up' ? 'Thanks: noted as right.'
      : 'Noted as wrong. Correct the SQL below, run it, and save it as the right answer.';
    if (rating === 'down') turn.editorOpen = body.sql || ' ';
    saveConversations();
    renderConversation();
  };
  up.addEventListener('click', () => rate('up'));
  down.addEventListener('click', () => rate('down'));
}

async function postJson(url, payload) {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...authHeaders() },
                                   body: JSON.stringify(payload) });
    if (!res.ok && res.status !== 403) return { ok: false, error: await httpError(res) };
    return { ok: true, body: await res.json() };
  } catch (e) {
    return { ok: false, error: 'Could not reach the t2sql server (is `t2sql serve` still running?): ' + e.message };
  }
}

// Runs an edit of a turn's SQL read-only and shows the result in its place.
async function runEditedSql(turn, sql) {
  if (!sql.trim()) return;
  const conv = currentConversation();
  const res = await postJson('/api/sql', { question: turnQuestion(turn), sql, session: conv ? conv.session : undefined,
                                           svg: typeof vegaEmbed !== 'function' });
  if (!res.ok) { turn.note = res.error; renderConversation(); return; }
  if (!turn.originalSql) turn.originalSql = (turn.body && turn.body.sql) || '';
  turn.body = res.body;
  turn.edited = true;
  turn.editorOpen = sql;
  turn.note = res.body.answered ? 'Ran your SQL. Save it as the right answer if it is.' : '';
  saveConversations();
  renderConversation();
}

async function saveCorrection(node, turn, sql) {
  const note = node.querySelector('.feedback-note');
  if (!sql.trim()) return;
  const res = await postJson('/api/feedback', { question: turnQuestion(turn), sql, accept: true,
                                                original_sql: turn.originalSql || (turn.body && turn.body.sql) || '' });
  if (!res.ok) { note.textContent = res.error; return; }
  turn.editorOpen = '';
  turn.saved = true;
  turn.note = 'Saved: t2sql answers this question with your SQL from now on.';
  if (!turn.edited || (turn.body && turn.body.sql) !== sql) await runEditedSql(turn, sql);
  turn.note = 'Saved: t2sql answers this question with your SQL from now on.';
  saveConversations();
  renderConversation();
}

// ---- conversations, kept in localStorage

function loadConversations() {
  try { state.conversations = JSON.parse(localStorage.getItem(STORE_KEY) || '[]'); } catch (e) { state.conversations = []; }
  if (!Array.isArray(state.conversations)) state.conversations = [];
}

function storedTurn(t) {
  const body = { ...(t.body || {}) };
  delete body.results;
  delete body.chart_svg;
  if (Array.isArray(body.rows) && body.rows.length > MAX_STORED_ROWS) {
    body.rows = body.rows.slice(0, MAX_STORED_ROWS);
    body.truncated = true;
  }
  return { ...t, body };
}

function saveConversations() {
  let list = state.conversations.slice(0, MAX_CONVERSATIONS).map((c) => ({ ...c, turns: c.turns.map(storedTurn) }));
  // Over the browser's quota: the oldest conversations go first.
  while (list.length) {
    try { localStorage.setItem(STORE_KEY, JSON.stringify(list)); return; } catch (e) { list = list.slice(0, -1); }
  }
  localStorage.removeItem(STORE_KEY);
}

function currentConversation() {
  return state.conversations.find((c) => c.id === state.current) || null;
}

function newConversation() {
  state.current = null;
  showError('');
  renderConversation();
  renderHistory();
  $('question').value = '';
  $('question').focus();
}

function renderHistory() {
  const list = $('history-list');
  list.innerHTML = '';
  for (const c of state.conversations) {
    const li = el('li', c.id === state.current ? 'current' : '');
    const b = el('button', '', c.title);
    b.type = 'button';
    b.title = c.title;
    b.appendChild(el('span', 'when', `${c.turns.length} question${c.turns.length === 1 ? '' : 's'} · ${new Date(c.updated).toLocaleString()}`));
    b.addEventListener('click', () => {
      state.current = c.id;
      showError('');
      document.body.classList.remove('history-open');
      $('history-toggle').setAttribute('aria-expanded', 'false');
      renderConversation();
      renderHistory();
    });
    li.appendChild(b);
    list.appendChild(li);
  }
  $('history-empty').hidden = state.conversations.length > 0;
}

function renderConversation(live) {
  const conv = currentConversation();
  const box = $('conversation');
  box.innerHTML = '';
  if (live) box.appendChild(renderTurn(live.turn, live));
  if (conv) for (let i = conv.turns.length - 1; i >= 0; i--) box.appendChild(renderTurn(conv.turns[i]));
  $('empty-state').hidden = !!conv || !!live;
}

// ---- asking

function submitQuestion() {
  const q = $('question').value.trim();
  if (!q) { showError('Type a question first, or pick one of the examples.', state.examples.slice(0, 2)); return; }
  ask(q);
}

// POST /api/ask and read its server-sent events as they come.
async function ask(question) {
  if (state.busy) return;
  state.busy = true;
  showError('');
  const button = $('analyze');
  button.disabled = true;
  button.textContent = 'Analyzing…';
  const live = { turn: { question }, stages: [] };
  renderConversation(live);
  let conv = currentConversation();
  let result = null;
  let failure = '';
  try {
    const payload = { query: question, mode: $('mode').value, use_rag: $('use-rag').checked, svg: typeof vegaEmbed !== 'function' };
    if (conv && conv.session) payload.session = conv.session;
    const instructions = $('instructions').value.trim();
    if (instructions) payload.instructions = instructions;
    const res = await fetch('/api/ask', { method: 'POST', headers: { 'Content-Type': 'application/json', ...authHeaders() },
                                          body: JSON.stringify(payload) });
    if (!res.ok || !(res.headers.get('Content-Type') || '').startsWith('text/event-stream')) {
      failure = await httpError(res);
    } else {
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          let data = '';
          for (const line of frame.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          const body = JSON.parse(data);
          if (event === 'stage') {
            live.stages.push(body);
            const node = $('conversation').querySelector('.pending');
            if (node) renderTrace(node, live.stages);
          } else if (event === 'result') {
            result = body;
          } else if (event === 'error') {
            failure = 'The server failed while answering: ' + body.error;
          }
        }
      }
      if (!result && !failure) failure = 'The server closed the stream before the answer came; try again.';
    }
  } catch (e) {
    failure = 'Could not reach the t2sql server (is `t2sql serve` still running?): ' + e.message;
  } finally {
    button.disabled = false;
    button.textContent = 'Analyze';
    state.busy = false;
  }
  if (!result) {
    renderConversation();
    showError(failure, suggestionsFor(question));
    return;
  }
  if (!conv) {
    conv = { id: Date.now().toString(36) + Math.random().toString(36).slice(2, 8), title: question, turns: [], session: null, updated: 0 };
    state.conversations.unshift(conv);
    state.current = conv.id;
  } else {
    // The conversation used last goes to the top of the list.
    state.conversations = [conv, ...state.conversations.filter((c) => c !== conv)];
  }
  conv.session = result.session || conv.session;
  conv.updated = Date.now();
  conv.turns.push({ question, body: result });
  saveConversations();
  renderConversation();
  renderHistory();
  $('question').value = '';
}

// ---- start

function renderEmptyState(schema) {
  const box = $('examples');
  box.innerHTML = '';
  state.examples.forEach((q) => box.appendChild(exampleButton(q)));
  const list = $('schema-list');
  list.innerHTML = '';
  for (const t of (schema && schema.tables) || []) {
    const d = el('details');
    const rows = typeof t.row_count === 'number' && t.row_count >= 0 ? ` · ${t.row_count.toLocaleString('en-US')} rows` : '';
    d.appendChild(el('summary', '', `${t.name} (${t.columns.length} columns${rows})`));
    const ul = el('ul');
    for (const c of t.columns) ul.appendChild(el('li', '', `${c.name}: ${c.kind || c.type}${c.primary_key ? ' (key)' : ''}`));
    d.appendChild(ul);
    list.appendChild(d);
  }
}

async function init() {
  loadConversations();
  renderHistory();
  renderConversation();
  try {
    const res = await fetch('/health');
    state.health = await res.json();
    $('db-info').textContent = `${state.health.engine} database · ${state.health.tables} tables · t2sql ${state.health.version}`;
    const modes = new Set(state.health.modes || ['template']);
    for (const opt of $('mode').options) {
      opt.disabled = !modes.has(opt.value);
      if (opt.disabled) opt.textContent += ' (needs a model)';
    }
    $('mode').value = state.health.default_mode || 'template';
    $('use-rag').checked = !!state.health.rag_default;
    if (state.health.auth) {
      $('token-box').hidden = false;
      $('token').value = localStorage.getItem('t2sql-token') || '';
    }
  } catch (e) {
    showError('Could not reach the t2sql server (is `t2sql serve` running?): ' + e.message);
    return;
  }
  try {
    const res = await fetch('/api/schema', { headers: authHeaders() });
    if (!res.ok) throw new Error(await httpError(res));
    state.schema = await res.json();
    state.examples = state.schema.examples || [];
    renderEmptyState(state.schema);
    renderConversation();
  } catch (e) {
    showError('Could not read the schema: ' + e.message);
  }
}

$('ask-form').addEventListener('submit', (ev) => { ev.preventDefault(); submitQuestion(); });
$('question').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); submitQuestion(); }
});
$('new-conversation').addEventListener('click', newConversation);
$('history-toggle').addEventListener('click', () => {
  const open = document.body.classList.toggle('history-open');
  $('history-toggle').setAttribute('aria-expanded', String(open));
});
$('token').addEventListener('change', () => localStorage.setItem('t2sql-token', $('token').value));
init();
