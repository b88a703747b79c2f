// Benchmark (issue 14): what a cycle costs at 10k, 100k (and once 1M) users when little or nothing changed. The state
// is built BY ADOPTION: a dry run plans the first cycle, its users and groups are created in the Notion simulator
// directly, and the first real cycle links them instead of creating them (minutes, not hours). Each measured cycle
// runs in a child process (bench/scale-cycle.js) whose peak RSS (VmHWM) is the engine's alone; the simulators live here.
// Every step checks Notion against the expectation, so a fast wrong answer cannot pass.
//
// Subsets: SCALE_BENCH=10k,100k (default), or any of 10k, 100k, 1m; SCALE_BENCH_STORES=pglite,postgres (default: the
// store each case's goal names; Postgres needs SCALE_BENCH_DATABASE_URL or TEST_DATABASE_URL).
//   npm run build && SCALE_BENCH=10k node bench/scale.bench.js
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import console from 'node:console';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import pg from 'pg';
import { entraUserName } from '../dist/cli/commands/demo-verdict.js';
import { generateTenant, simulatorCaPath, startGraphSimulator } from '../dist/sim/graph/index.js';
import { startNotionSimulator } from '../dist/sim/notion/index.js';
import { writeResultsSection } from './results.js';

const heading = '## Scale: cycles proportional to change (bench/scale.bench.js)';
const child = fileURLToPath(new URL('./scale-cycle.js', import.meta.url));

if (process.env.NODE_EXTRA_CA_CERTS !== simulatorCaPath) {
  const run = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: simulatorCaPath } });
  process.exit(run.status ?? 1);
}

const cases = {
  '10k': { users: 10_000, groups: 200, stores: ['pglite'], goal: { seconds: 1, rssMb: 200 } },
  '100k': { users: 100_000, groups: 500, stores: ['postgres'], goal: { seconds: 1.5, rssMb: 200 }, rename: 0.01 },
  '1m': { users: 1_000_000, groups: 1000, stores: ['postgres'], goal: undefined },
};
const chosen = (process.env.SCALE_BENCH ?? '10k,100k').split(',').map((name) => name.trim()).filter(Boolean);
const storeChoice = process.env.SCALE_BENCH_STORES?.split(',').map((name) => name.trim());
const postgresUrl = process.env.SCALE_BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

/** A cycle whose Graph read was cut (a loaded machine drops connections) is run again; the retries are reported. */
async function runCycleChild(env, cwd, label) {
  for (let attempt = 1; ; attempt += 1) {
    const result = await runChild('cycle', env, cwd);
    if (result.status !== 'partial' || !/Graph request failed/.test(result.error ?? '') || attempt === 3) return { ...result, attempts: attempt };
    console.log(`${label}: the Graph read was cut (${result.error}); running the cycle again`);
  }
}

function runChild(step, env, cwd) {
  return new Promise((resolve, reject) => {
    // Cycles run in a 256 MB heap, as a small container would give them: the bound on what a cycle holds (issue 14).
    // Without a limit V8 lets garbage grow far past what is live before it collects, and peak RSS says little. The
    // seed is a whole-plan dry run (`plan`), which holds every operation: it gets room.
    const heap = step === 'seed' ? 4096 : 256;
    const proc = spawn(process.execPath, [`--max-old-space-size=${heap}`, child, step], { env, cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${step} exited with ${code}: ${out.slice(-2000)}`));
      resolve(JSON.parse(line));
    });
  });
}

/** What Notion holds, canonical: members (userName, active, name) and groups (name, sorted member userNames). */
function notionState(notion) {
  const snapshot = notion.workspace.snapshot();
  const userNames = new Map(snapshot.users.map((user) => [user.id, user.userName]));
  const users = snapshot.users.filter((user) => user.inWorkspace).map((user) => ({ userName: user.userName, name: user.name }));
  const groups = snapshot.groups.map((group) => ({ displayName: group.displayName, members: group.members.map((id) => userNames.get(id)).sort() }));
  const digest = createHash('sha256').update(JSON.stringify({ users: users.sort((a, b) => (a.userName < b.userName ? -1 : 1)), groups: groups.sort((a, b) => (a.displayName < b.displayName ? -1 : 1)) })).digest('hex');
  return { users: users.length, groups: groups.length, memberships: groups.reduce((n, g) => n + g.members.length, 0), digest, byUserName: new Map(snapshot.users.map((u) => [u.userName, u])) };
}

function directoryBytes(path) {
  return readdirSync(path, { withFileTypes: true })
    .reduce((sum, entry) => sum + (entry.isDirectory() ? directoryBytes(join(path, entry.name)) : statSync(join(path, entry.name)).size), 0);
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function freshPostgres() {
  const name = `scale_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = new pg.Client({ connectionString: postgresUrl });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}

async function runCase(name, spec, storeKind) {
  console.log(`\n▶ ${name} users, ${storeKind}`);
  const tenant = generateTenant({ seed: 14, users: spec.users, groups: spec.groups });
  const graph = await startGraphSimulator({ tenant, throttle: null });
  const notion = await startNotionSimulator();
  const folder = mkdtempSync(join(tmpdir(), 'scale-bench-'));
  const database = storeKind === 'postgres' ? await freshPostgres() : undefined;
  const env = {
    ...process.env,
    ENTRA_TENANT_ID: graph.tenantId, ENTRA_CLIENT_ID: graph.clientId, ENTRA_CLIENT_SECRET: graph.clientSecret,
    ENTRA_SERVICE_PRINCIPAL_ID: graph.servicePrincipalId, ENTRA_AUTHORITY_HOST: graph.authorityHost, GRAPH_BASE_URL: graph.graphBaseUrl,
    NOTION_SCIM_URL: notion.url, NOTION_SCIM_TOKEN: notion.token, NOTION_RATE_LIMIT_RPS: '1000', NOTION_MAX_CONCURRENCY: '8',
    SYNC_SCOPE: 'all', DELETION_THRESHOLD_PERCENT: '100', LOG_LEVEL: 'silent',
    ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: join(folder, 'data') }),
  };
  try {
    const seed = await runChild('seed', env, folder);
    console.log(`seeded Notion with ${seed.users} users, ${seed.groups} groups, ${seed.memberships} memberships in ${(seed.ms / 1000).toFixed(1)} s`);
    const seeded = notionState(notion);
    check(seeded.users === seed.users && seeded.groups === seed.groups && seeded.memberships === seed.memberships, 'Notion holds what was seeded');

    notion.clearRequests();
    const adoption = await runCycleChild(env, folder, 'adoption');
    const adoptionWrites = notion.requests().filter((request) => request.method === 'POST' || request.method === 'DELETE').length;
    const adopted = notionState(notion);
    console.log(`adoption cycle: ${(adoption.ms / 1000).toFixed(1)} s, peak RSS ${adoption.peakRssMb.toFixed(0)} MB, ${adoption.status}, links ${adoption.counts['link.success'] ?? 0}`);
    check(adoption.status === 'succeeded', `the adoption cycle succeeded (${adoption.status}: ${adoption.error ?? ''})`);
    check(adoptionWrites === 0, `adoption created and deleted nothing in Notion (it sent ${adoptionWrites} POST/DELETE)`);
    check(adopted.digest === seeded.digest, 'adoption left Notion as seeded');

    const storeMb = database ? undefined : directoryBytes(join(folder, 'data')) / 2 ** 20;
    if (storeMb !== undefined) console.log(`PGlite store on disk: ${storeMb.toFixed(0)} MB`);
    notion.clearRequests();
    const quiet = await runCycleChild(env, folder, 'no-change');
    const after = notionState(notion);
    const quietScim = notion.requests().length;
    console.log(`no-change cycle: ${(quiet.ms / 1000).toFixed(2)} s (cycle ${quiet.durationMs} ms), peak RSS ${quiet.peakRssMb.toFixed(0)} MB, Graph ${quiet.graph.requests}, SCIM ${quietScim}`);
    check(quiet.status === 'succeeded', `the no-change cycle succeeded (${quiet.status})`);
    check(quietScim === 0, 'a no-change cycle sends nothing to Notion');
    check(after.digest === seeded.digest, 'Notion is unchanged');
    const row = { name, storeKind, seed, adoption, quiet, quietScim, memberships: seed.memberships, storeMb, whole: [] };

    // The cycles that evaluate everything (issue 14: bounded memory at any size): `--full` and `--verify` on a settled
    // store. Neither may change anything here; verify reads Notion's listings (GETs only).
    for (const mode of ['full', 'verify']) {
      notion.clearRequests();
      const cycle = await runCycleChild({ ...env, SCALE_CYCLE_MODE: mode }, folder, mode);
      const requests = notion.requests();
      const writes = requests.filter((request) => request.method !== 'GET').length;
      console.log(`${mode} cycle: ${(cycle.ms / 1000).toFixed(1)} s, peak RSS ${cycle.peakRssMb.toFixed(0)} MB, Graph ${cycle.graph.requests}, SCIM ${requests.length} (${writes} writes)`);
      check(cycle.status === 'succeeded', `the ${mode} cycle succeeded (${cycle.status}: ${cycle.error ?? ''})`);
      check(writes === 0, `a ${mode} cycle over a settled store writes nothing to Notion (it sent ${writes})`);
      check(notionState(notion).digest === seeded.digest, `Notion is unchanged after the ${mode} cycle`);
      row.whole.push({ mode, cycle, scim: requests.length });
    }

    if (spec.rename) {
      const renamed = [...seeded.byUserName.values()].filter((user) => user.inWorkspace).slice(0, Math.round(spec.users * spec.rename)).map((user) => user.userName);
      // A B2B guest's Notion userName is its UPN without #EXT# (GUEST_USERS=map-upn): the demo oracle's rule.
      const tenantByUpn = new Map(tenant.users().map((user) => [entraUserName(user.userPrincipalName), user]));
      const expected = new Map();
      for (const userName of renamed) {
        const user = tenantByUpn.get(userName);
        check(user !== undefined, `${userName} is a tenant user`);
        const displayName = `${user.displayName} Renamed`;
        tenant.renameUser(user.id, { displayName });
        expected.set(userName, displayName);
      }
      notion.clearRequests();
      const rename = await runCycleChild(env, folder, 'rename');
      const writes = notion.requests().filter((request) => request.method !== 'GET');
      const patches = writes.filter((request) => request.method === 'PATCH').length;
      const firstWriteMs = writes.length > 0 ? Math.min(...writes.map((request) => request.at)) - rename.startedAt : Number.NaN;
      const state = notionState(notion);
      for (const [userName, displayName] of expected) check(JSON.stringify(state.byUserName.get(userName)?.name ?? {}).includes(displayName), `${userName} carries the new name`);
      check(state.users === seeded.users && state.memberships === seeded.memberships, 'no member or membership changed');
      console.log(`1% renamed: ${patches} PATCHes, first write after ${(firstWriteMs / 1000).toFixed(2)} s, cycle ${(rename.ms / 1000).toFixed(1)} s, peak RSS ${rename.peakRssMb.toFixed(0)} MB`);
      check(patches === expected.size, `exactly ${expected.size} PATCHes`);
      row.rename = { renamed: expected.size, patches, firstWriteMs, rename };
    }
    return row;
  } finally {
    await Promise.all([graph.close(), notion.close()]);
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  }
}

const rows = [];
for (const name of chosen) {
  const spec = cases[name];
  if (!spec) throw new Error(`unknown SCALE_BENCH case ${name}; expected ${Object.keys(cases).join(', ')}`);
  for (const storeKind of storeChoice ?? spec.stores) {
    if (storeKind === 'postgres' && !postgresUrl) {
      console.log(`skipping ${name} on Postgres: set SCALE_BENCH_DATABASE_URL`);
      continue;
    }
    rows.push({ ...(await runCase(name, spec, storeKind)), goal: spec.goal });
  }
}

/** Rows of the cases not run this time stay as they were (run one case at a time with SCALE_BENCH). */
function keptRows() {
  const file = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = text.indexOf(heading);
  if (start === -1) return [];
  const end = text.indexOf('\n## ', start + heading.length);
  const ran = new Set(rows.map((row) => `${row.name}:${row.storeKind}`));
  return text.slice(start, end === -1 ? undefined : end).split('\n')
    .filter((line) => /^\| (1% of |full of |verify of )?\d+[km]? /.test(line))
    .filter((line) => {
      const [, first = '', store = ''] = line.split('|').map((cell) => cell.trim());
      const name = /(?:1% of |full of |verify of )?(\d+[km]?)/.exec(first)?.[1] ?? '';
      return !ran.has(`${name}:${store.split(' ')[0]}`);
    });
}

const mb = (value) => `${value.toFixed(0)} MB`;
const met = (row) => (row.goal ? (row.quiet.ms / 1000 < row.goal.seconds && row.quiet.peakRssMb < row.goal.rssMb ? 'yes' : 'NO') : 'recorded');
writeResultsSection(heading, [
  '',
  `Generated tenants (seed 14, SYNC_SCOPE=all), state built by adoption, each cycle in its own process with a 256 MB V8 heap (--max-old-space-size=256; time = from the store opened to the cycle's end, in brackets the cycle's own duration; peak RSS = the child's VmHWM, Node and the opened store included). Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, shared with other work; Node ${process.version}; measured ${new Date().toISOString().slice(0, 10)}. Run a subset with SCALE_BENCH=10k (or 100k, 1m) and SCALE_BENCH_STORES=pglite,postgres.`,
  '',
  '| case | store | adoption cycle | no-change cycle (in-cycle) | peak RSS | Graph / SCIM requests | goal | met |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...keptRows(),
  ...rows.map((row) => `| ${row.name} users, ${row.seed.groups} groups, ${row.memberships} memberships | ${row.storeKind}${row.storeMb ? ` (${row.storeMb.toFixed(0)} MB on disk)` : ''} | ${(row.adoption.ms / 1000).toFixed(1)} s, ${mb(row.adoption.peakRssMb)} | ${(row.quiet.ms / 1000).toFixed(2)} s (${(row.quiet.durationMs / 1000).toFixed(2)} s) | ${mb(row.quiet.peakRssMb)} | ${row.quiet.graph.requests} / ${row.quietScim} | ${row.goal ? `< ${row.goal.seconds} s, < ${row.goal.rssMb} MB` : '—'} | ${met(row)} |`),
  ...rows.flatMap((row) => row.whole.map((whole) => `| ${whole.mode} of ${row.name} | ${row.storeKind} | — | ${(whole.cycle.ms / 1000).toFixed(1)} s (${(whole.cycle.durationMs / 1000).toFixed(1)} s) | ${mb(whole.cycle.peakRssMb)} | ${whole.cycle.graph.requests} / ${whole.scim} (GETs only) | — | recorded |`)),
  ...rows.filter((row) => row.rename).map((row) => `| 1% of ${row.name} renamed (${row.rename.renamed}) | ${row.storeKind} | — | first write after ${(row.rename.firstWriteMs / 1000).toFixed(2)} s; cycle ${(row.rename.rename.ms / 1000).toFixed(1)} s | ${mb(row.rename.rename.peakRssMb)} | ${row.rename.rename.graph.requests} / ${row.rename.patches} PATCHes | first write < 2 s, exactly ${row.rename.renamed} PATCHes | ${row.rename.firstWriteMs < 2000 && row.rename.patches === row.rename.renamed ? 'yes' : 'NO'} |`),
  '',
]);
