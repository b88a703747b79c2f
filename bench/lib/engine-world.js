// Shared by the engine benchmarks: a generated tenant behind the Graph simulator, a rate-limited Notion simulator, a
// fresh store (Postgres database or PGlite directory), one `sync` run as a separate process (bench/lib/measured-cli.js),
// and the check that Notion ends up holding exactly what the tenant says (demo-verdict), so a fast wrong answer fails.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import pg from 'pg';
import { expectedWorkspace, workspaceDifferences } from '../../dist/cli/commands/demo-verdict.js';
import { simulatorConnectionEnv } from '../../dist/sim/connection-env.js';
import { generateTenant, simulatorCaPath, startGraphSimulator } from '../../dist/sim/graph/index.js';
import { startNotionSimulator } from '../../dist/sim/notion/index.js';

const measuredCli = process.env.BENCH_MEASURED_CLI ?? fileURLToPath(new URL('./measured-cli.js', import.meta.url));
export const postgresAdminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh store: a new Postgres database (dropped at the end) or a PGlite data directory. */
export async function createBenchStore(kind) {
  if (kind === 'postgres') {
    const name = `ens_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    await withPg(postgresAdminUrl, (c) => c.query(`create database ${name}`));
    const url = new URL(postgresAdminUrl);
    url.pathname = `/${name}`;
    return { kind, name, env: { DATABASE_URL: url.toString() }, sizeBytes: async () => Number((await withPg(url.toString(), (c) => c.query('select pg_database_size(current_database()) as n'))).rows[0].n), drop: () => withPg(postgresAdminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)) };
  }
  const folder = mkdtempSync(join(tmpdir(), 'ens-bench-'));
  const dataDir = join(folder, 'data');
  return { kind, env: { DATA_DIR: dataDir }, sizeBytes: async () => directorySize(dataDir), drop: async () => rmSync(folder, { recursive: true, force: true }) };
}

async function withPg(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function directorySize(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(path) : statSync(path).size;
  }
  return total;
}

/**
 * Postgres backends serving `database`: CPU time (ms) summed over every backend seen, sampled from /proc while the
 * run lasts (a backend's figures vanish when it exits). Undefined when /proc cannot be read (Postgres elsewhere).
 */
export function samplePostgresCpu(database) {
  const seen = new Map();
  const ticksPerSecond = 100;
  let stopped = false;
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query('select pid from pg_stat_activity where datname = $1', [database]);
      for (const { pid } of rows) {
        try {
          const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
          seen.set(pid, ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000);
        } catch {
          // The backend exited between the query and the read.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await client.end();
  })();
  return {
    async stop() {
      stopped = true;
      await loop.catch(() => undefined);
      return seen.size === 0 ? undefined : [...seen.values()].reduce((a, b) => a + b, 0);
    },
  };
}

export async function startWorld({ tenant: tenantOptions, notionRps, burst = 2 }) {
  const tenant = generateTenant(tenantOptions);
  const graph = await startGraphSimulator({ tenant });
  const notion = await startNotionSimulator({ rateLimit: { requestsPerSecond: notionRps, burst } });
  const memberships = tenant.groups().reduce((n, g) => n + tenant.membersOf(g.id).length, 0);
  return {
    tenant, graph, notion, memberships,
    differences: () => workspaceDifferences(expectedWorkspace(tenant), notion.workspace),
    close: () => Promise.all([graph.close(), notion.close()]),
  };
}

/**
 * One `sync` as its own process; resolves with the summary, wall time, peak RSS and CPU of that process, its RSS
 * sampled over time ([ms since start, MB]), its stdout (the log lines at LOG_LEVEL=info) and when it started (epoch ms).
 */
export async function runSync(world, store, env) {
  const usageFile = join(tmpdir(), `ens-bench-usage-${randomUUID()}.json`);
  const childEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME,
    ...simulatorConnectionEnv(world.graph, world.notion), NODE_EXTRA_CA_CERTS: simulatorCaPath,
    DELETION_THRESHOLD_PERCENT: '100', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', BENCH_USAGE_FILE: usageFile,
    ...store.env, ...env,
  };
  const started = performance.now();
  // BENCH_NODE_FLAGS (e.g. --cpu-prof, --trace-gc) profile the sync process.
  const nodeFlags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeFlags, measuredCli, 'sync'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const code = await new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  const wallSeconds = (performance.now() - started) / 1000;
  const usage = JSON.parse(await readFile(usageFile, 'utf8').catch(() => '{}'));
  rmSync(usageFile, { force: true });
  const summaryLine = stdout.trim().split('\n').at(-1) ?? '';
  let summary;
  try {
    summary = JSON.parse(summaryLine);
  } catch {
    summary = undefined;
  }
  // A cycle that ends partial or held still printed its summary: recorded (and checked) rather than thrown.
  if (!summary) throw new Error(`sync exited ${code} without a summary: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return {
    exitCode: code, summary, wallSeconds, peakRssMb: usage.maxRssKb / 1024, cpuMs: (usage.userCpuMs ?? 0) + (usage.systemCpuMs ?? 0),
    rssTimeline: usage.rssTimeline ?? [], stdout, startedAt: performance.timeOrigin + started,
  };
}

/** Requests the Notion simulator answered, with the 429s and writes among them, and the span from first to last. */
export function notionTraffic(notion) {
  const requests = notion.requests();
  const first = Math.min(...requests.map((r) => r.at));
  const last = Math.max(...requests.map((r) => r.at));
  return {
    requests: requests.length,
    firstAt: first,
    throttled: requests.filter((r) => r.status === 429).length,
    writes: requests.filter((r) => r.method !== 'GET' && r.status < 400).length,
    spanSeconds: Math.max(0.001, (last - first) / 1000),
  };
}

/** The machine line every results section starts with. */
export async function machineLine() {
  const { cpus, loadavg, totalmem } = await import('node:os');
  const cpu = cpus();
  // The load says whether the figures are a quiet machine's or a shared one's.
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end, measured ${new Date().toISOString().slice(0, 10)}`;
}

/** Arguments after the bench name: `--store=pglite`, `--rows=...`. */
export function benchArgument(name) {
  const prefix = `--${name}=`;
  return process.argv.slice(2).find((a) => a.startsWith(prefix))?.slice(prefix.length);
}
