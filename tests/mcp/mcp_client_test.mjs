// `t2sql mcp` driven by the official MCP TypeScript SDK (@modelcontextprotocol/sdk,
// pinned in scripts/deps.sh) as a real client over stdio, on the demo warehouse
// as SQLite and as DuckDB: the handshake, the tools and resources, a question,
// a SELECT, and every case of the adversarial suite (tests/adversarial:
// common.test and the engine's own file) sent to run_sql, each of which must
// come back as a tool error with its reason, the database's bytes and folder
// unchanged afterwards.
//
//   node tests/mcp/mcp_client_test.mjs BUILD/t2sql WORK_DIR
//
// Environment: T2SQL_MCP_CLIENT_DIR (the node_modules folder install.sh builds).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [binary, workDir] = process.argv.slice(2);
if (!binary || !workDir) {
  console.error('usage: node mcp_client_test.mjs T2SQL_BINARY WORK_DIR');
  process.exit(2);
}
const sdk = join(process.env.T2SQL_MCP_CLIENT_DIR || '', 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm');
const { Client } = await import(pathToFileURL(join(sdk, 'client', 'index.js')).href);
const { StdioClientTransport } = await import(pathToFileURL(join(sdk, 'client', 'stdio.js')).href);
const { StreamableHTTPClientTransport } = await import(pathToFileURL(join(sdk, 'client', 'streamableHttp.js')).href);
const { LATEST_PROTOCOL_VERSION } = await import(pathToFileURL(join(sdk, 'types.js')).href);

const here = dirname(fileURLToPath(import.meta.url));
const adversarialDir = join(here, '..', 'adversarial');

let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) { passed++; } else { failed++; console.log('FAIL ' + what); }
}

// The adversarial files: "refuse|reject|bounded NAME", SQL lines, a blank line.
function readCases(file) {
  const cases = [];
  let current = null;
  for (const line of readFileSync(join(adversarialDir, file), 'utf8').split('\n')) {
    if (line.startsWith('#')) continue;
    const head = line.match(/^(refuse|reject|bounded) (\S+)\s*$/);
    if (head && !current) { current = { kind: head[1], name: head[2], sql: [] }; continue; }
    if (line.trim() === '') {
      if (current) cases.push({ ...current, sql: current.sql.join('\n') });
      current = null;
      continue;
    }
    if (current) current.sql.push(line);
  }
  if (current) cases.push({ ...current, sql: current.sql.join('\n') });
  return cases;
}

// Every file of a folder with its sha256: what must not change.
function snapshot(dir) {
  const out = {};
  for (const name of readdirSync(dir).sort()) {
    out[name] = createHash('sha256').update(readFileSync(join(dir, name))).digest('hex');
  }
  return JSON.stringify(out);
}

function text(result) {
  return (result.content || []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

// The reason's first words are the Status code (tests/adversarial/README.md).
const expectedReason = {
  refuse: /^permission denied: /,
  reject: /^invalid argument: /,
  bounded: /^(deadline exceeded|resource exhausted): /,
};

async function runEngine(engine) {
  const dbDir = join(workDir, engine);
  rmSync(dbDir, { recursive: true, force: true });
  mkdirSync(dbDir, { recursive: true });
  const dbPath = join(dbDir, engine === 'duckdb' ? 'demo.duckdb' : 'demo.db');
  const init = spawnSync(binary, ['demo', 'init', '--engine', engine, '--path', dbPath], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`demo init --engine ${engine} failed: ${init.stderr}`);
  const before = snapshot(dbDir);

  const transport = new StdioClientTransport({
    command: binary,
    args: ['mcp', '--db', dbPath, '--timeout-ms', '1000', '--max-rows', '100'],
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => { stderr += chunk; });
  const client = new Client({ name: 't2sql-test', version: '1.0.0' });
  await client.connect(transport);
  const tag = `[${engine}] `;

  check(client.getServerVersion()?.name === 't2sql', tag + 'serverInfo names t2sql');
  check(client.getServerCapabilities()?.tools !== undefined && client.getServerCapabilities()?.resources !== undefined,
        tag + 'the server offers tools and resources');
  check(LATEST_PROTOCOL_VERSION === '2025-11-25', tag + 'the SDK speaks revision 2025-11-25 (as the server)');
  check((client.getInstructions() || '').includes('read-only'), tag + 'the instructions say read-only');

  const { tools } = await client.listTools();
  check(JSON.stringify(tools.map((t) => t.name).sort()) ===
        JSON.stringify(['ask', 'describe_table', 'list_tables', 'run_sql']), tag + 'tools/list: the four tools');
  check(tools.every((t) => t.annotations?.readOnlyHint === true && t.annotations?.destructiveHint === false),
        tag + 'every tool is annotated read-only');

  const listed = await client.callTool({ name: 'list_tables', arguments: {} });
  const tables = listed.structuredContent?.tables || [];
  const sales = tables.find((t) => t.name === 'sales');
  check(!listed.isError && tables.length === 5 && sales && sales.row_count > 0, tag + 'list_tables: the demo tables');
  check(listed.structuredContent?.engine === engine, tag + 'list_tables: the engine');

  const described = await client.callTool({ name: 'describe_table', arguments: { table: 'SALES' } });
  check(!described.isError && /CREATE TABLE/i.test(described.structuredContent?.ddl || '') &&
        described.structuredContent.columns.some((c) => c.name === 'amount'), tag + 'describe_table sales');
  const missing = await client.callTool({ name: 'describe_table', arguments: { table: 'no_such_table' } });
  check(missing.isError === true && /no table 'no_such_table'.*sales/.test(text(missing)),
        tag + 'describe_table of an unknown table: a tool error naming the tables');

  // A SELECT: the count must equal list_tables' row count.
  const count = await client.callTool({ name: 'run_sql', arguments: { sql: 'SELECT count(*) AS n FROM sales' } });
  check(!count.isError && count.structuredContent?.rows?.[0]?.[0] === sales.row_count,
        tag + 'run_sql SELECT count(*): the rows agree with list_tables');
  const capped = await client.callTool({ name: 'run_sql', arguments: { sql: 'SELECT * FROM sales', max_rows: 5 } });
  check(!capped.isError && capped.structuredContent.rows.length === 5 && capped.structuredContent.truncated === true,
        tag + 'run_sql max_rows: 5 rows, truncated');
  const server_cap = await client.callTool({ name: 'run_sql', arguments: { sql: 'SELECT * FROM sales', max_rows: 100000 } });
  check(!server_cap.isError && server_cap.structuredContent.rows.length === 100,
        tag + 'run_sql cannot raise the server\'s row cap (--max-rows 100)');
  const bad = await client.callTool({ name: 'run_sql', arguments: { sql: 'SELECT no_such_column FROM sales' } });
  check(bad.isError === true && text(bad).length > 0, tag + 'run_sql of bad SQL: a tool error with the engine\'s reason');
  const noSql = await client.callTool({ name: 'run_sql', arguments: {} });
  check(noSql.isError === true && /'sql'/.test(text(noSql)), tag + 'run_sql without sql: a tool error');

  // A question: the answer must equal the gold SQL's, run through run_sql.
  const asked = await client.callTool({ name: 'ask', arguments: { question: 'What were total sales in 2023?' } });
  const gold = await client.callTool({
    name: 'run_sql',
    arguments: { sql: "SELECT SUM(amount) FROM sales WHERE sale_date >= '2023-01-01' AND sale_date < '2024-01-01'" },
  });
  const got = Number(asked.structuredContent?.rows?.[0]?.[0]);
  const want = Number(gold.structuredContent?.rows?.[0]?.[0]);
  check(!asked.isError && /SELECT/i.test(asked.structuredContent?.sql || '') && Math.abs(got - want) < 0.01 && want > 0,
        tag + `ask "What were total sales in 2023?": ${got} = ${want}`);
  check(typeof asked.structuredContent?.answer === 'string' && asked.structuredContent.answer.length > 0 &&
        asked.structuredContent.explanation.length > 0, tag + 'ask: an answer and an explanation');
  const byRegion = await client.callTool({ name: 'ask', arguments: { question: 'Active stores by region' } });
  check(!byRegion.isError && byRegion.structuredContent?.chart?.$schema?.includes('vega-lite'),
        tag + 'ask "Active stores by region": a Vega-Lite chart spec');
  const write = await client.callTool({ name: 'ask', arguments: { question: 'delete all sales from 2023' } });
  check(write.isError === true && /refused/.test(text(write)), tag + 'ask to delete: refused as a tool error');

  // Resources: the schema as JSON, as DDL, and per table.
  const { resources } = await client.listResources();
  check(resources.some((r) => r.uri === 't2sql://schema') && resources.some((r) => r.uri === 't2sql://tables/sales'),
        tag + 'resources/list: the schema and each table');
  const schema = await client.readResource({ uri: 't2sql://schema' });
  check(JSON.parse(schema.contents[0].text).tables.length === 5, tag + 'resources/read t2sql://schema');
  const ddl = await client.readResource({ uri: 't2sql://tables/sales' });
  check(/CREATE TABLE/i.test(ddl.contents[0].text), tag + 'resources/read t2sql://tables/sales');
  const { resourceTemplates } = await client.listResourceTemplates();
  check(resourceTemplates[0]?.uriTemplate === 't2sql://tables/{table}', tag + 'resources/templates/list');
  let notFound = null;
  try { await client.readResource({ uri: 't2sql://tables/nope' }); } catch (e) { notFound = e; }
  check(notFound?.code === -32002, tag + 'an unknown resource: error -32002');
  let unknownTool = null;
  try {
    const r = await client.callTool({ name: 'drop_everything', arguments: {} });
    unknownTool = r.isError ? { code: 'tool error' } : null;
  } catch (e) { unknownTool = e; }
  check(unknownTool?.code === -32602, tag + 'an unknown tool: error -32602');

  // The adversarial suite through run_sql.
  const cases = [...readCases('common.test'), ...readCases(`${engine}.test`)];
  let refusedCases = 0;
  for (const c of cases) {
    const r = await client.callTool({ name: 'run_sql', arguments: { sql: c.sql } });
    const ok = r.isError === true && expectedReason[c.kind].test(text(r));
    if (ok) refusedCases++;
    check(ok, `${tag}${c.kind} ${c.name}: a tool error with its reason (got ${JSON.stringify(text(r)).slice(0, 160)})`);
  }
  check(cases.length > 100, tag + `${cases.length} adversarial cases read`);
  console.log(`${tag}${refusedCases}/${cases.length} adversarial cases refused or bounded with their reason`);

  // Still answering after all that.
  const after = await client.callTool({ name: 'run_sql', arguments: { sql: 'SELECT count(*) FROM sales' } });
  check(!after.isError && after.structuredContent.rows[0][0] === sales.row_count, tag + 'the data is unchanged');
  await client.close();
  check(snapshot(dbDir) === before, tag + 'the database file\'s bytes and its folder are unchanged');
  if (failed > 0 && stderr) console.log(tag + 'server stderr:\n' + stderr.slice(-2000));
}

for (const engine of ['sqlite', 'duckdb']) {
  try {
    await runEngine(engine);
  } catch (e) {
    failed++;
    console.log(`FAIL [${engine}] ${e.stack || e}`);
  }
}
// The same server over streamable HTTP on `t2sql serve` (/mcp), behind its bearer token.
async function runHttp() {
  const dbDir = join(workDir, 'http');
  rmSync(dbDir, { recursive: true, force: true });
  mkdirSync(dbDir, { recursive: true });
  const dbPath = join(dbDir, 'demo.db');
  const init = spawnSync(binary, ['demo', 'init', '--path', dbPath], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error('demo init failed: ' + init.stderr);
  const before = snapshot(dbDir);
  const token = 'mcp-test-token';
  const server = spawn(binary, ['serve', '--db', dbPath, '--port', '0', '--token-env', 'T2SQL_MCP_TEST_TOKEN'], {
    env: { ...process.env, T2SQL_MCP_TEST_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const base = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('t2sql serve did not start within 60 s')), 60000);
      server.stdout.on('data', (chunk) => {
        out += chunk;
        const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      server.on('exit', (code) => reject(new Error('t2sql serve exited with ' + code)));
    });
    const url = new URL('mcp', base);
    const tag = '[http] ';

    let refused = null;
    try {
      const anonymous = new Client({ name: 't2sql-test', version: '1.0.0' });
      await anonymous.connect(new StreamableHTTPClientTransport(url));
    } catch (e) { refused = e; }
    check(refused?.code === 401 && /bearer token/.test(String(refused)), tag + 'without the bearer token: 401 (' + refused + ')');

    const client = new Client({ name: 't2sql-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { Authorization: 'Bearer ' + token } },
    }));
    check(client.getServerVersion()?.name === 't2sql', tag + 'initialize over HTTP');
    const { tools } = await client.listTools();
    check(tools.length === 4, tag + 'tools/list');
    const count = await client.callTool({ name: 'run_sql', arguments: { sql: 'SELECT count(*) FROM stores' } });
    check(!count.isError && count.structuredContent.rows[0][0] === 35, tag + 'run_sql SELECT: 35 stores');
    const write = await client.callTool({ name: 'run_sql', arguments: { sql: 'DELETE FROM stores' } });
    check(write.isError === true && /^permission denied: /.test(text(write)), tag + 'run_sql DELETE: refused');
    const asked = await client.callTool({ name: 'ask', arguments: { question: 'How many stores are there?' } });
    check(!asked.isError && asked.structuredContent.rows?.[0]?.[0] === 35, tag + 'ask: 35 stores');
    const get = await fetch(url, { headers: { Authorization: 'Bearer ' + token, Accept: 'text/event-stream' } });
    check(get.status === 405 && get.headers.get('allow') === 'POST', tag + 'GET /mcp: 405, Allow: POST');
    const badVersion = await fetch(url, {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json',
                 Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '1999-01-01' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    check(badVersion.status === 400, tag + 'an unsupported MCP-Protocol-Version: 400');
    const note = await fetch(url, {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json',
                 Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    check(note.status === 202, tag + 'a notification: 202');
    await client.close();
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.on('exit', resolve));
  }
  check(snapshot(dbDir) === before, '[http] the database file\'s bytes and its folder are unchanged');
}

try {
  await runHttp();
} catch (e) {
  failed++;
  console.log(`FAIL [http] ${e.stack || e}`);
}

const escape = '/tmp/t2sql-adversarial';
check(!existsSync(escape) || readdirSync(escape).length === 0, 'nothing written under ' + escape);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
