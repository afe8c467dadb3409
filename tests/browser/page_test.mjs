// End-to-end test of the web page in headless Chromium (Debian's chromium,
// driven by playwright-core from npm): starts `t2sql serve` on 127.0.0.1
// (the page and vega embedded in the binary) and, at 1280 px and at 390 px
// (a phone), uses the page as a person would: the empty state (schema and
// example questions), a question submitted with Enter, rows, chart, the
// folded trace, sorting, switching the chart kind, the CSV download, a
// conversation of several questions kept in the history and reopened (also
// after a reload), editing the SQL and running it again, a thumbs-down with
// a corrected SQL saved as the answer (which the next ask of the question
// returns), a refusal and an abstention with suggestions, and no horizontal
// scrolling at 390 px. Saves screenshots of both widths.
//
//   node tests/browser/page_test.mjs BUILD/t2sql OUT_DIR
//
// Environment: T2SQL_PLAYWRIGHT (the unpacked playwright-core package),
// T2SQL_CHROMIUM (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [binary, outDir] = process.argv.slice(2);
if (!binary || !outDir) {
  console.error('usage: node page_test.mjs T2SQL_BINARY OUT_DIR');
  process.exit(2);
}
const playwrightDir = process.env.T2SQL_PLAYWRIGHT;
const chromiumPath = process.env.T2SQL_CHROMIUM || '/usr/bin/chromium';
const { chromium } = await import(pathToFileURL(join(playwrightDir, 'index.mjs')).href);

const work = mkdtempSync(join(tmpdir(), 't2sql-browser-'));
mkdirSync(outDir, { recursive: true });
let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) { passed++; console.log('ok   ' + what); } else { failed++; console.log('FAIL ' + what); }
}

const CORRECTED = 'SELECT region, COUNT(*) AS active_stores FROM stores GROUP BY region ORDER BY region';

// The server makes the demo warehouse in its own data folder and keeps the
// feedback in its own cache folder.
const server = spawn(binary, ['serve', '--port', '0'], {
  env: { ...process.env, XDG_DATA_HOME: join(work, 'data'), XDG_CACHE_HOME: join(work, 'cache') },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error('t2sql serve did not start within 60 s')), 60000);
  server.stdout.on('data', (chunk) => {
    out += chunk;
    const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  server.on('exit', (code) => reject(new Error('t2sql serve exited with ' + code)));
});

function feedbackLines() {
  const found = [];
  const walk = (dir) => {
    let entries = [];
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch (e) { return; }
    for (const e of entries) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name === 'feedback.jsonl') found.push(...readFileSync(join(dir, e.name), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
    }
  };
  walk(join(work, 'cache'));
  return found;
}

const noSideScroll = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const newest = '#conversation .turn:not(.pending) >> nth=0';

// Types a question, presses Enter and waits for its answer card.
async function askByKeyboard(page, question) {
  const before = await page.locator('#conversation .turn:not(.pending)').count();
  await page.fill('#question', question);
  await page.press('#question', 'Enter');
  await page.waitForFunction((n) => document.querySelectorAll('#conversation .turn:not(.pending)').length > n &&
    !document.querySelector('#conversation .pending'), before, { timeout: 30000 });
  return page.locator(newest);
}

let context;
try {
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] || await context.newPage();
  const outside = [];
  const consoleErrors = [];
  const answers = [];
  const watch = (p) => {
    p.on('request', (req) => { if (!req.url().startsWith(url)) outside.push(req.url()); });
    p.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  };
  watch(page);
  page.on('response', async (res) => {
    if (res.url().endsWith('/api/sql')) answers.push(await res.json().catch(() => null));
  });

  // ---- 1280 px: the empty state
  const response = await page.goto(url);
  const headers = response.headers();
  check((headers['content-security-policy'] || '').includes("default-src 'self'") &&
        headers['x-content-type-options'] === 'nosniff' && headers['x-frame-options'] === 'DENY',
        'the page is served with its security headers');
  await page.waitForSelector('#examples .example', { timeout: 20000 });
  check(await page.isVisible('#empty-state'), 'the first view is the empty state');
  check((await page.locator('#examples .example').count()) >= 4, 'example questions for the demo database are listed');
  check((await page.locator('#schema-list details').count()) >= 4 &&
        (await page.textContent('#schema-list')).includes('sales'), 'the empty state shows the tables');
  check((await page.locator('#mode option').allTextContents()).join('|').startsWith('Template|Fine-Tuned'),
        'mode selector offers Template / Fine-Tuned / Ensemble');

  // ---- a question submitted with Enter
  let turn = await askByKeyboard(page, 'Active stores by region');
  check(!(await page.isVisible('#empty-state')), 'the empty state gives way to the conversation');
  check((await turn.locator('.rows tbody tr').count()) === 5, 'five rows (one per region) are shown');
  const firstSql = await turn.locator('.sql').textContent();
  check(firstSql.includes('SELECT') && (await turn.locator('.sql .kw').count()) > 0, 'the SQL is shown, highlighted');
  await turn.locator('.chart svg .mark-rect path').first().waitFor({ timeout: 20000 });
  check((await turn.locator('.chart svg .mark-rect path').count()) >= 5, 'a bar chart is drawn');
  check(/^Stages: \d+ ran · [\d.]+ ms/.test(await turn.locator('.trace-summary').textContent()),
        'the trace is folded into a summary line with the time');
  check(!(await turn.locator('.trace-list').isVisible()), 'the stage list is folded away');
  await turn.locator('.trace-summary').click();
  check((await turn.locator('.trace-list li').count()) === 9, 'unfolded, the trace lists nine stages');
  check((await turn.locator('.answer').textContent()).length > 0, 'a one-line answer is shown');
  check((await turn.locator('.meta').textContent()).includes('Model: template'), 'the model used is shown');
  const explained = (await turn.locator('.explanation').textContent()) || '';
  check(await turn.locator('.explanation').isVisible() && /stores/i.test(explained) && /region/i.test(explained),
        'the SQL is explained in words (stores, per region): ' + explained);

  const values = async () => (await turn.locator('.rows tbody tr td:nth-child(2)').allTextContents())
    .map((t) => Number(t.replace(/,/g, '')));
  await turn.locator('.rows thead th:nth-child(2)').click();
  const asc = await values();
  check(asc.every((v, i) => i === 0 || asc[i - 1] <= v), 'clicking a header sorts the table');

  // ---- chart kinds that fit the rows
  const kinds = await turn.locator('.chart-kinds button').allTextContents();
  check(['Bars', 'Horizontal bars', 'Line', 'Pie', 'None'].every((k) => kinds.includes(k)),
        'the chart kinds that fit one category and one measure are offered: ' + kinds.join(', '));
  check((await turn.locator('.chart-kinds button[aria-pressed=true]').textContent()) === 'Bars', "t2sql's own choice is selected");
  await turn.locator('.chart-kinds button', { hasText: 'Pie' }).click();
  await turn.locator('.chart svg .mark-arc path').first().waitFor({ timeout: 10000 }).catch(async () =>
    console.log('chart: ' + (await turn.locator('.chart').innerHTML()).slice(0, 600)));
  check((await turn.locator('.chart svg .mark-arc path').count()) === 5, 'switched to a pie: five slices');
  await turn.locator('.chart-kinds button', { hasText: 'Horizontal bars' }).click();
  await page.waitForFunction(() => document.querySelector('#conversation .turn .chart').dataset.kind === 'hbar');
  await turn.locator('.chart svg .mark-rect path').first().waitFor({ timeout: 10000 });
  const bar = await turn.locator('.chart svg .mark-rect path').first().boundingBox();
  check(bar && bar.width > bar.height, 'switched to horizontal bars (wider than tall)');
  await turn.locator('.chart-kinds button', { hasText: 'None' }).click();
  check((await turn.locator('.chart').textContent()).includes('table says it best'), 'the chart can be switched off');
  await turn.locator('.chart-kinds button', { hasText: 'Bars' }).first().click();

  // ---- CSV download
  const [download] = await Promise.all([page.waitForEvent('download'), turn.locator('.download-csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  const header = (await turn.locator('.rows thead th').allTextContents()).map((t) => t.replace(/\s*[↕▲▼]$/, ''));
  check(download.suggestedFilename() === 'active-stores-by-region.csv', 'the CSV is named after the question');
  check(csv.length === 6 && csv[0] === header.join(','), 'the CSV holds the header and the five rows');
  await page.screenshot({ path: join(outDir, 'page.png'), fullPage: true });

  // ---- a conversation of two questions, and a second conversation
  turn = await askByKeyboard(page, 'What were total sales in 2023?');
  check((await page.locator('#conversation .turn').count()) === 2, 'the conversation keeps both questions');
  check((await page.locator('#history-list li').count()) === 1 &&
        (await page.textContent('#history-list')).includes('2 questions'), 'the history lists the conversation');
  await page.click('#new-conversation');
  check(await page.isVisible('#empty-state'), 'a new conversation starts at the empty state');
  await askByKeyboard(page, 'Top 5 brands by revenue');
  check((await page.locator('#history-list li').count()) === 2, 'the history lists two conversations');
  await page.reload();
  await page.waitForSelector('#history-list li');
  check((await page.locator('#history-list li').count()) === 2, 'the history survives a reload');
  await page.locator('#history-list li button', { hasText: 'Active stores by region' }).click();
  const questions = await page.locator('#conversation .turn .q-text').allTextContents();
  check(questions.join('|') === 'What were total sales in 2023?|Active stores by region', 'an earlier conversation reopens with its questions');
  check((await page.locator('#conversation .turn >> nth=1').locator('.rows tbody tr').count()) === 5, 'its answers come back with their rows');

  // ---- edit the SQL and run it again
  turn = page.locator('#conversation .turn >> nth=1');
  await turn.locator('.edit-sql').click();
  check((await turn.locator('.sql-edit').inputValue()) === firstSql.trim(), 'the editor opens with the answer\'s SQL');
  await turn.locator('.sql-edit').fill(CORRECTED);
  await turn.locator('.sql-edit').press('Control+Enter');
  await page.waitForFunction(() => (document.querySelectorAll('#conversation .turn')[1].querySelector('.meta').textContent || '')
    .includes('your edited SQL'), null, { timeout: 20000 });
  turn = page.locator('#conversation .turn >> nth=1');
  check((await turn.locator('.sql').textContent()).trim() === CORRECTED, 'the edited SQL is shown');
  check((await turn.locator('.rows thead th').first().textContent()).startsWith('region') &&
        (await turn.locator('.rows tbody tr td:nth-child(1)').allTextContents()).join() ===
        [...(await turn.locator('.rows tbody tr td:nth-child(1)').allTextContents())].sort().join(),
        'its rows are shown (ordered by region as the edit says)');
  const last = answers[answers.length - 1] || {};
  check(last.meta && last.meta.model === 'user' && last.answered, 'the edit ran on the server read-only (engine user)');
  check((await turn.locator('.explanation').isVisible()) === Boolean(last.explanation),
        'the explanation is shown exactly when the answer carries one');

  // A write in the editor is refused with the reason.
  await turn.locator('.edit-sql').click();
  await turn.locator('.sql-edit').fill('DELETE FROM sales');
  await turn.locator('.run-sql').click();
  await page.waitForFunction(() => (document.querySelectorAll('#conversation .turn')[1].querySelector('.turn-error').textContent || '')
    .startsWith('Your SQL did not run'), null, { timeout: 20000 });
  check(true, 'a write typed into the editor is refused with the reason');

  // ---- thumbs down on an answer, then the corrected SQL saved as the answer
  await page.click('#new-conversation');
  turn = await askByKeyboard(page, 'Active stores by region');
  check((await turn.locator('.meta').textContent()).includes('Model: template'), 'before the correction the engine answers');
  await turn.locator('.thumb-down').click();
  await page.waitForFunction(() => (document.querySelector('#conversation .turn .feedback-note').textContent || '')
    .startsWith('Noted as wrong'), null, { timeout: 10000 });
  turn = page.locator(newest);
  check(await turn.locator('.sql-editor').isVisible() &&
        (await turn.locator('.sql-edit').inputValue()) === firstSql.trim(), 'a thumbs-down opens the SQL editor on the answer');
  check((await turn.locator('.thumb-down').getAttribute('aria-pressed')) === 'true', 'the thumbs-down shows as pressed');
  await turn.locator('.sql-edit').fill(CORRECTED);
  await turn.locator('.save-sql').click();
  await page.waitForFunction(() => (document.querySelector('#conversation .turn .feedback-note').textContent || '')
    .startsWith('Saved'), null, { timeout: 20000 });
  turn = page.locator(newest);
  check((await turn.locator('.sql').textContent()).trim() === CORRECTED && (await turn.locator('.rows tbody tr').count()) === 5,
        'the saved SQL is run and shown in place of the wrong answer');
  const stored = feedbackLines();
  check(stored.some((e) => e.rating === 'down' && e.sql === firstSql.trim()) &&
        stored.some((e) => e.accepted && e.sql === CORRECTED && e.question === 'Active stores by region' &&
                           e.original_sql === firstSql.trim()),
        'the rating and the accepted SQL (with the original) are in the feedback file');
  await page.click('#new-conversation');
  turn = await askByKeyboard(page, 'Active stores by region');
  check((await turn.locator('.sql').textContent()).trim() === CORRECTED &&
        (await turn.locator('.meta').textContent()).includes('Model: feedback'),
        'the corrected answer is returned the next time the question is asked');
  await turn.locator('.thumb-up').click();
  await page.waitForFunction(() => (document.querySelector('#conversation .turn .feedback-note').textContent || '').startsWith('Thanks'));
  check(feedbackLines().some((e) => e.rating === 'up'), 'a thumbs-up is stored');

  // ---- refusals and abstentions, in words, with something to try
  turn = await askByKeyboard(page, 'drop the sales table');
  check(/^Refused: .*only reads.*Ask about the data instead/.test(await turn.locator('.turn-error').textContent()),
        'a refusal is explained, with questions to ask instead');
  turn = await askByKeyboard(page, 'How many zorblax quibbles did the moon file?');
  const abstained = await turn.locator('.turn-error').isVisible();
  check(abstained && (await turn.locator('.turn-error').textContent()).startsWith('I could not answer that') &&
        (await turn.locator('.turn-error .example').count()) >= 1, 'an abstention says why and suggests questions');
  await page.screenshot({ path: join(outDir, 'page-errors.png') });

  // Instructions travel with the question; ones that are too long are refused with the reason.
  const bodies = [];
  page.on('request', (req) => { if (req.url().endsWith('/api/ask')) bodies.push(req.postData() || ''); });
  await page.click('#hints summary');
  await page.fill('#instructions', 'x'.repeat(5000));
  await page.fill('#question', 'Active stores by region');
  await page.click('#analyze');
  await page.waitForFunction(() => (document.querySelector('#conversation .turn .turn-error').textContent || '')
    .includes('instructions'), null, { timeout: 20000 });
  check((await page.locator(newest).locator('.turn-error').textContent()).startsWith('That could not be asked: the instructions are too long'),
        'too long instructions are refused with the reason');
  check(bodies.length === 1 && JSON.parse(bodies[0]).instructions === 'x'.repeat(5000), 'instructions are sent');
  await page.fill('#instructions', '');

  // ---- 390 px: a phone
  const phone = await context.newPage();
  watch(phone);
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(url);
  await phone.waitForSelector('#examples .example', { timeout: 20000 });
  check(await phone.isHidden('#history'), 'at 390 px the history is a drawer, closed');
  check(await noSideScroll(phone), 'no horizontal scroll at 390 px: the empty state');
  await phone.screenshot({ path: join(outDir, 'page-390-empty.png'), fullPage: true });
  await phone.click('#history-toggle');
  check(await phone.isVisible('#history-list'), 'the drawer opens');
  await phone.locator('#history-list li button', { hasText: 'Top 5 brands by revenue' }).click();
  check(await phone.isHidden('#history'), 'choosing a conversation closes the drawer');
  await phone.locator('#conversation .turn .trace-summary').first().click();
  await phone.locator('#conversation .turn .chart svg').first().waitFor({ timeout: 20000 });
  check(await noSideScroll(phone), 'no horizontal scroll at 390 px: answers with rows, chart and an unfolded trace');
  const traceRow = await phone.locator('#conversation .turn .trace-list li').first().boundingBox();
  check(traceRow && traceRow.height < 120, 'the trace rows stay short at 390 px');
  phone.on('response', async (res) => { if (res.url().endsWith('/api/sql')) answers.push(await res.json().catch(() => null)); });
  const t = await askByKeyboard(phone, 'Total sales per region per year');
  await t.locator('.chart svg').first().waitFor({ timeout: 20000 });
  const phoneKinds = await t.locator('.chart-kinds button').allTextContents();
  check(phoneKinds.includes('Grouped bars') && phoneKinds.includes('Stacked bars') && phoneKinds.includes('Lines'),
        'two categories and a measure offer grouped, stacked bars and lines: ' + phoneKinds.join(', '));
  await t.locator('.chart-kinds button', { hasText: 'Stacked bars' }).click();
  await t.locator('.chart svg .mark-rect path').first().waitFor({ timeout: 10000 });
  check(await noSideScroll(phone), 'no horizontal scroll at 390 px after a new answer');
  await phone.screenshot({ path: join(outDir, 'page-390.png'), fullPage: true });

  check(outside.length === 0, 'no request leaves the t2sql server' + (outside.length ? ': ' + outside.join(', ') : ''));
  check(consoleErrors.length === 0, 'no console errors' + (consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''));
} catch (e) {
  failed++;
  console.log('FAIL ' + e.message);
} finally {
  if (context) await context.close();
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
