// Benchmark: the console's log page over 1,000,000 provisioning-log rows (inserted with generate_series), on embedded
// PGlite and on Postgres (BENCH_DATABASE_URL, default the local server). Goal (issue 16): each filtered query of the log
// page answers in under 200 ms; the whole page (query + HTML) is timed too. Run by hand: npm run build && node bench/console-log.bench.js
import console from 'node:console';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import pg from 'pg';
import { loadConfig } from '../dist/config/index.js';
import { createConsoleApp } from '../dist/console/index.js';
import { createLogger } from '../dist/observe/index.js';
import { openStore, searchLog } from '../dist/store/index.js';
import { writeResultsSection } from './results.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const heading = '## Console: provisioning log search over 1,000,000 rows (bench/console-log.bench.js)';
const target = 'default';
const rounds = 7;

// 5,000 users; per row: action and status by share, one cycle per 1,000 rows, times spread over 30 days.
const fill = `
insert into provisioning_log (target, cycle_id, change_id, at, object_type, source_id, notion_id, display_name, action, status, reason, modified, error_kind, error_message, duration_ms)
select '${target}', 'cycle-' || (i / 1000), 'change-' || i, timestamptz '2026-10-01' + (i * interval '2.592 second'),
       'user', 'entra-' || (i % 5000), 'notion-' || (i % 5000), 'user' || (i % 5000) || '@contoso.example',
       (array['update','update','update','update','update','update','create','add-members','add-members','disable'])[1 + (i % 10)],
       case when i % 97 = 0 then 'failure' when i % 53 = 0 then 'skipped' else 'success' end,
       'attributes changed in Entra', '[{"path":"title","old":"Engineer","new":"Lead"}]'::jsonb,
       case when i % 97 = 0 then 'bad-request' end, case when i % 97 = 0 then 'Notion refused the request' end, 120
from generate_series(1, ${rows}) as i`;

const searches = [
  ['newest page, no filter', {}],
  ['user by UPN (exact name)', { object: 'user1234@contoso.example' }],
  ['user by name prefix "user12"', { object: 'user12' }],
  ['user by Entra id', { object: 'entra-4321' }],
  ['user by Notion id + action update', { object: 'notion-77', action: 'update' }],
  ['status failure', { status: 'failure' }],
  ['action disable + status failure', { action: 'disable', status: 'failure' }],
  ['one cycle', { cycleId: 'cycle-654' }],
  ['status failure, one day', { status: 'failure', from: new Date('2026-10-15T00:00:00Z'), to: new Date('2026-10-16T00:00:00Z') }],
  ['page 200 of action update (keyset)', { action: 'update', before: Math.floor(rows * 0.5) }],
];

async function median(work) {
  await work();
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], max: times[times.length - 1] };
}

async function measure(store, label) {
  console.log(`${label}: inserting ${rows} rows...`);
  const fillStart = performance.now();
  await store.db.execute(fill);
  await store.db.execute('analyze provisioning_log');
  const fillMs = performance.now() - fillStart;
  const results = [];
  for (const [name, filter] of searches) {
    const t = await median(() => searchLog(store.db, { target, limit: 50, ...filter }));
    results.push({ name, ...t });
    console.log(`  ${name}: median ${t.median.toFixed(1)} ms, max ${t.max.toFixed(1)} ms`);
  }
  // The whole page through the app: sign in, then GET /log with a filter (query + HTML rendering).
  const app = createConsoleApp({ config: loadConfig({ env: { DATA_DIR: '/nonexistent' } }), store, logger: createLogger({ level: 'silent' }), loopback: true });
  const signIn = await app.request('/sign-in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=bench' });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
  const page = await median(async () => {
    const answer = await app.request('/log?object=user1234%40contoso.example&action=update', { headers: { cookie } });
    if (answer.status !== 200) throw new Error(`GET /log answered ${answer.status}`);
    await answer.text();
  });
  console.log(`  GET /log page (name + action): median ${page.median.toFixed(1)} ms`);
  return { label, fillMs, results, page };
}

async function onPglite() {
  const folder = mkdtempSync(join(tmpdir(), 'console-bench-'));
  const store = await openStore({ dataDir: join(folder, 'data') });
  try {
    await store.migrate();
    return await measure(store, 'PGlite (embedded)');
  } finally {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function onPostgres() {
  const admin = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `ens_bench_console_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const withAdmin = async (sql) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await withAdmin(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });
  try {
    await store.migrate();
    const version = await store.db.execute('show server_version');
    return { ...(await measure(store, 'Postgres')), version: version.rows[0].server_version };
  } finally {
    await store.close();
    await withAdmin(`drop database if exists ${name} with (force)`);
  }
}

const measured = [await onPglite(), await onPostgres()];
const lines = [
  '',
  `${rows.toLocaleString('en')} rows (5,000 users, 10 actions, 1% failures, 1,000 cycles, 30 days); \`searchLog\`, 50 rows per page, median of ${rounds} after a warm-up. ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${measured[1].version ? `Postgres ${measured[1].version}, ` : ''}measured ${new Date().toISOString().slice(0, 10)}. Goal: every query under 200 ms.`,
  '',
  `| query | ${measured.map((m) => m.label).join(' | ')} |`,
  `| --- | ${measured.map(() => '---').join(' | ')} |`,
  ...searches.map(([name], i) => `| ${name} | ${measured.map((m) => `${m.results[i].median.toFixed(1)} ms`).join(' | ')} |`),
  `| whole GET /log page (name + action, HTML) | ${measured.map((m) => `${m.page.median.toFixed(1)} ms`).join(' | ')} |`,
  `| insert ${rows.toLocaleString('en')} rows + analyze | ${measured.map((m) => `${(m.fillMs / 1000).toFixed(1)} s`).join(' | ')} |`,
  '',
  `Goal met: ${measured.every((m) => m.results.every((r) => r.median < 200)) ? 'yes' : 'NO'} (slowest median ${Math.max(...measured.flatMap((m) => m.results.map((r) => r.median))).toFixed(1)} ms).`,
];
writeResultsSection(heading, lines);
console.log(lines.join('\n'));
