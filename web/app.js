// The t2sql page: asks POST /api/ask (server-sent events, one per stage),
// shows the answer, the SQL, the rows (sortable, paged), the chart and the
// stage trace. No build step and no outside requests: vega is served by
// t2sql itself from the npm tarballs pinned in scripts/deps.sh.
'use strict';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 25;
const state = { session: null, health: null, columns: [], types: [], rows: [], sortCol: -1, sortDir: 1, page: 0 };

function authHeaders() {
  const token = localStorage.getItem('t2sql-token') || '';
  return token ? { Authorization: 'Bearer ' + token } : {};
}

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

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

function formatCell(v) {
  if (v === null || v === undefined) return { text: 'NULL', cls: 'null' };
  if (typeof v === 'number') {
    const text = Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
    return { text, cls: 'n' };
  }
  if (typeof v === 'boolean') return { text: String(v), cls: '' };
  return { text: String(v), cls: '' };
}

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

function renderTable() {
  const thead = $('rows').querySelector('thead');
  const tbody = $('rows').querySelector('tbody');
  thead.innerHTML = '<tr>' + state.columns.map((c, i) => {
    const arrow = i === state.sortCol ? (state.sortDir > 0 ? '▲' : '▼') : '↕';
    return `<th data-col="${i}" title="Sort by ${escapeHtml(c)}">${escapeHtml(c)} <span class="arrow">${arrow}</span></th>`;
  }).join('') + '</tr>';
  let rows = state.rows.map((r, i) => ({ r, i }));
  if (state.sortCol >= 0) rows.sort((x, y) => state.sortDir * compare(x.r[state.sortCol], y.r[state.sortCol]) || x.i - y.i);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const slice = rows.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
  tbody.innerHTML = slice.map(({ r }) => '<tr>' + r.map((v) => {
    const f = formatCell(v);
    return `<td class="${f.cls}">${escapeHtml(f.text)}</td>`;
  }).join('') + '</tr>').join('');
  $('page-info').textContent = rows.length ? `page ${state.page + 1} of ${pages}` : 'no rows';
  $('prev-page').disabled = state.page === 0;
  $('next-page').disabled = state.page >= pages - 1;
  $('pager').hidden = pages <= 1;
  thead.querySelectorAll('th').forEach((th) => th.addEventListener('click', () => {
    const col = Number(th.dataset.col);
    state.sortDir = state.sortCol === col ? -state.sortDir : 1;
    state.sortCol = col;
    renderTable();
  }));
}

async function renderChart(body) {
  const box = $('chart');
  box.innerHTML = '';
  $('chart-kind').textContent = body.chart_kind && body.chart_kind !== 'table' ? '(' + body.chart_kind.replace('_', ' ') + ')' : '';
  if (!body.chart) {
    box.innerHTML = '<p class="muted">No chart for this result: the table says it best.</p>';
    return;
  }
  if (typeof vegaEmbed === 'function') {
    try {
      await vegaEmbed(box, body.chart, { actions: { export: true, source: false, compiled: false, editor: false }, renderer: 'svg' });
      return;
    } catch (e) {
      box.innerHTML = '<p class="muted">The chart could not be drawn: ' + escapeHtml(e.message) + '</p>';
      return;
    }
  }
  if (body.chart_svg) box.innerHTML = body.chart_svg.replace(/^<\?xml[^>]*>\s*/, '');
  else box.innerHTML = '<p class="muted">Charts need vega (run scripts/install.sh on the server).</p>';
}

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

function renderTrace(stages, total) {
  $('trace-panel').hidden = false;
  const max = Math.max(1, ...stages.map((s) => s.elapsed_ms || 0));
  $('trace').innerHTML = stages.map((s) => `<li>
      <span><b>${escapeHtml(s.name)}</b></span>
      <span class="status-${escapeHtml(s.status)}">${escapeHtml(s.status)}</span>
      <span class="ms">${(s.elapsed_ms || 0).toFixed(2)} ms</span>
      <span class="out"><span class="bar" style="width:${Math.round(60 * (s.elapsed_ms || 0) / max)}px"></span>${escapeHtml(stageSummary(s))}</span>
    </li>`).join('');
  $('total-time').textContent = total !== undefined ? `(total ${total.toFixed(1)} ms)` : '(running…)';
}

function renderResult(body) {
  state.session = body.session || state.session;
  const answered = body.answered;
  if (!answered) {
    const prefix = body.intent === 'refused' ? 'Refused: ' : 'Cannot answer: ';
    showError(prefix + (body.reason || body.error || 'no reason given'));
  } else {
    showError('');
  }
  const hasRows = (body.columns || []).length > 0;
  $('result').hidden = !(answered || body.sql);
  $('answer').textContent = body.answer || (answered ? '' : '');
  const meta = body.meta || {};
  $('meta').textContent = [
    'Model: ' + (meta.model || 'none'),
    'mode: ' + (meta.mode || ''),
    meta.rag_used ? 'RAG context used' : 'no RAG',
    body.follow_up ? 'read as: “' + body.effective_question + '”' : '',
  ].filter(Boolean).join(' · ');
  $('sql').querySelector('code').innerHTML = body.sql ? highlightSql(body.sql) : '<span class="muted">(no SQL: ' +
    escapeHtml(body.intent === 'schema' ? 'answered from the schema' : body.intent === 'small_talk' ? 'small talk' : 'not answered') + ')</span>';
  $('copy-sql').hidden = !body.sql;
  state.columns = body.columns || [];
  state.types = body.column_types || [];
  state.rows = body.rows || [];
  state.sortCol = -1;
  state.page = 0;
  $('row-count').textContent = hasRows ? `(${body.row_count} row${body.row_count === 1 ? '' : 's'}${body.truncated ? ', truncated' : ''})` : '';
  renderTable();
  renderChart(body);
  renderTrace(meta.stages || [], meta.timings ? meta.timings.total_ms : undefined);
}

// POST /api/ask and read its server-sent events as they come.
async function ask(question) {
  showError('');
  const button = $('analyze');
  button.disabled = true;
  button.textContent = 'Analyzing…';
  const stages = [];
  renderTrace(stages);
  try {
    const payload = { query: question, mode: $('mode').value, use_rag: $('use-rag').checked,
                      svg: typeof vegaEmbed !== 'function' };
    if (state.session) payload.session = state.session;
    const instructions = $('instructions').value.trim();
    if (instructions) payload.instructions = instructions;
    const res = await fetch('/api/ask', { method: 'POST', headers: { 'Content-Type': 'application/json', ...authHeaders() },
                                          body: JSON.stringify(payload) });
    if (!res.ok || !(res.headers.get('Content-Type') || '').startsWith('text/event-stream')) {
      let message = `HTTP ${res.status}`;
      try { message += ': ' + (await res.json()).error; } catch (e) { /* not JSON */ }
      showError(message);
      return;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let gotResult = false;
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
          stages.push(body);
          renderTrace(stages);
        } else if (event === 'result') {
          gotResult = true;
          renderResult(body);
        } else if (event === 'error') {
          showError(body.error);
        }
      }
    }
    if (!gotResult) showError('The server closed the stream before the answer came.');
  } catch (e) {
    showError('Could not reach the t2sql server: ' + e.message);
  } finally {
    button.disabled = false;
    button.textContent = 'Analyze';
  }
}

async function init() {
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
    showError('Could not reach the t2sql server: ' + e.message);
    return;
  }
  try {
    const res = await fetch('/api/schema', { headers: authHeaders() });
    const schema = await res.json();
    if (!res.ok) throw new Error(schema.error || 'HTTP ' + res.status);
    const box = $('examples');
    for (const q of schema.examples || []) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'example';
      b.textContent = q;
      b.addEventListener('click', () => { $('question').value = q; ask(q); });
      box.appendChild(b);
    }
  } catch (e) {
    showError('Could not read the schema: ' + e.message);
  }
}

$('ask-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = $('question').value.trim();
  if (!q) { showError('Type a question first.'); return; }
  ask(q);
});
$('question').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey) { ev.preventDefault(); $('ask-form').requestSubmit(); }
});
$('new-conversation').addEventListener('click', () => { state.session = null; $('question').value = ''; $('question').focus(); });
$('copy-sql').addEventListener('click', async () => {
  const text = $('sql').textContent;
  try { await navigator.clipboard.writeText(text); $('copy-sql').textContent = 'Copied'; }
  catch (e) {
    const range = document.createRange();
    range.selectNodeContents($('sql'));
    const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
    $('copy-sql').textContent = 'Selected: press Ctrl+C';
  }
  setTimeout(() => { $('copy-sql').textContent = 'Copy'; }, 1500);
});
$('prev-page').addEventListener('click', () => { state.page--; renderTable(); });
$('next-page').addEventListener('click', () => { state.page++; renderTable(); });
$('token').addEventListener('change', () => localStorage.setItem('t2sql-token', $('token').value));
init();
