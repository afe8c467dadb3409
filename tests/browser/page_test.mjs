// End-to-end test of the web page in headless Chromium (Debian's chromium,
// driven by playwright-core from npm): start `t2sql serve` on 127.0.0.1, ask
// a demo question ("Active stores by region"), see rows, a chart and the stage trace, sort the table, and
// save a screenshot.
//
//   node tests/browser/page_test.mjs BUILD/t2sql OUT_DIR
//
// Environment: T2SQL_PLAYWRIGHT (the unpacked playwright-core package),
// T2SQL_CHROMIUM (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
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

// The server makes the demo warehouse in its own data folder.
const server = spawn(binary, ['serve', '--port', '0'], {
  env: { ...process.env, XDG_DATA_HOME: join(work, 'data') },
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

let context;
try {
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 1100 },
  });
  const page = context.pages()[0] || await context.newPage();
  const outside = [];
  page.on('request', (req) => { if (!req.url().startsWith(url)) outside.push(req.url()); });
  const consoleErrors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });

  const response = await page.goto(url);
  const headers = response.headers();
  check((headers['content-security-policy'] || '').includes("default-src 'self'") &&
        headers['x-content-type-options'] === 'nosniff' && headers['x-frame-options'] === 'DENY',
        'the page is served with its security headers (the CSP must let the page and its chart work: no console errors below)');
  await page.waitForSelector('#examples .example', { timeout: 20000 });
  check((await page.locator('#examples .example').count()) >= 4, 'example questions for the demo database are listed');
  check((await page.locator('#mode option').allTextContents()).join('|').startsWith('Template|Fine-Tuned'),
        'mode selector offers Template / Fine-Tuned / Ensemble');

  await page.fill('#question', 'Active stores by region');
  await page.click('#analyze');
  await page.waitForSelector('#rows tbody tr', { timeout: 30000 });
  check((await page.locator('#rows tbody tr').count()) === 5, 'five rows (one per region) are shown');
  check((await page.textContent('#sql')).includes('SELECT'), 'the SQL is shown');
  check((await page.locator('#sql .kw').count()) > 0, 'the SQL is highlighted');
  await page.waitForSelector('#chart svg, #chart canvas', { timeout: 20000 });
  check((await page.locator('#chart svg .mark-rect path, #chart svg rect').count()) >= 5, 'a bar chart is drawn');
  await page.waitForFunction(() => document.querySelectorAll('#trace li').length === 9, null, { timeout: 10000 });
  check(/total \d/.test(await page.textContent('#total-time')), 'the stage trace has timings');
  check((await page.textContent('#meta')).includes('Model:'), 'the model used is shown');
  check((await page.textContent('#answer')).length > 0, 'a one-line answer is shown');

  // Sorting by the measure ascending puts the smallest first.
  const values = async () => (await page.locator('#rows tbody tr td:nth-child(2)').allTextContents())
    .map((t) => Number(t.replace(/,/g, '')));
  await page.click('#rows thead th:nth-child(2)');
  const asc = await values();
  check(asc.every((v, i) => i === 0 || asc[i - 1] <= v), 'clicking a header sorts the table');

  await page.screenshot({ path: join(outDir, 'page.png'), fullPage: true });

  // A refusal is shown plainly.
  await page.fill('#question', 'drop the sales table');
  await page.click('#analyze');
  await page.waitForSelector('#error:not([hidden])', { timeout: 20000 });
  check((await page.textContent('#error')).startsWith('Refused'), 'a refusal is shown as an error');
  await page.screenshot({ path: join(outDir, 'page-refused.png') });

  // Instructions travel with the question; ones that are too long are refused with the reason.
  const bodies = [];
  page.on('request', (req) => { if (req.url().endsWith('/api/ask')) bodies.push(req.postData() || ''); });
  await page.click('#hints summary');
  await page.fill('#instructions', 'x'.repeat(5000));
  await page.fill('#question', 'Active stores by region');
  await page.click('#analyze');
  await page.waitForFunction(() => (document.querySelector('#error').textContent || '').includes('instructions'), null,
                             { timeout: 20000 });
  check((await page.textContent('#error')).includes('the instructions are too long'), 'too long instructions are refused');
  check(bodies.length === 1 && JSON.parse(bodies[0]).instructions === 'x'.repeat(5000), 'instructions are sent');

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
