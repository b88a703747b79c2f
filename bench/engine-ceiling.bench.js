// Benchmark (issue 14, last row): the engine's own ceiling. Notion simulator at 1,000 requests/second, engine told
// 1,000, 1 and 8 requests in flight, Postgres store; an initial sync of 4,000 users / 80 groups (seed 1), every
// one assigned, as a separate `sync` process. Figures: Notion requests per second (first to last request), CPU of the
// `sync` process and of its Postgres backends per write. Notion's final state is checked against the tenant.
// Goal: ≥ 150 requests/second at 1 in flight.
// Run: npm run bench -- engine-ceiling [--inflight=1|8]   (about a minute)
import console from 'node:console';
import process from 'node:process';
import { writeResultsSection } from './results.js';
import { benchArgument, createBenchStore, machineLine, notionTraffic, runSync, samplePostgresCpu, startWorld } from './lib/engine-world.js';

const rate = 1000;
const tenantOptions = { seed: 1, users: 4_000, groups: 80, assignedGroupShare: 1, directAssignmentShare: 1 };
const inFlight = benchArgument('inflight') ? [Number(benchArgument('inflight'))] : [1, 8];
const heading = '## Engine: its own ceiling, Notion at 1,000 requests/second (bench/engine-ceiling.bench.js)';

async function ceilingAt(concurrency) {
  const world = await startWorld({ tenant: tenantOptions, notionRps: rate, burst: 20 });
  const store = await createBenchStore('postgres');
  const postgresCpu = samplePostgresCpu(store.name);
  try {
    const run = await runSync(world, store, { NOTION_RATE_LIMIT_RPS: String(rate), NOTION_MAX_CONCURRENCY: String(concurrency) });
    const pgCpuMs = await postgresCpu.stop();
    const traffic = notionTraffic(world.notion);
    const differences = world.differences();
    const correct = run.summary.status === 'succeeded' && differences.length === 0;
    const achieved = traffic.requests / traffic.spanSeconds;
    return {
      concurrency, ...traffic, ...run, achieved, differences, correct,
      cliCpuPerWrite: run.cpuMs / traffic.writes, pgCpuPerWrite: pgCpuMs === undefined ? undefined : pgCpuMs / traffic.writes,
      ok: correct && (concurrency !== 1 || achieved >= 150),
    };
  } finally {
    await postgresCpu.stop();
    await world.close();
    await store.drop();
  }
}

const results = [];
for (const concurrency of inFlight) {
  const r = await ceilingAt(concurrency);
  results.push(r);
  console.log(
    `engine-ceiling ${concurrency} in flight: ${r.requests} requests (${r.writes} writes) in ${r.spanSeconds.toFixed(1)} s = ${r.achieved.toFixed(0)} req/s, ` +
      `CPU per write: sync ${r.cliCpuPerWrite.toFixed(2)} ms, Postgres ${r.pgCpuPerWrite?.toFixed(2) ?? '?'} ms; 429: ${r.throttled}; Notion ${r.correct ? 'matches the tenant' : `WRONG: ${r.differences.slice(0, 3).join('; ')}`} → ${r.ok ? 'ok' : 'GOAL MISSED'}`,
  );
}
for (const r of results) {
  writeResultsSection(`${heading}: ${r.concurrency} in flight`, [
    '',
    `Initial sync of ${tenantOptions.users.toLocaleString('en')} users / ${tenantOptions.groups} groups (seed ${tenantOptions.seed}, all assigned), Postgres store, Notion simulator at ${rate}/s (burst 20), ` +
      `engine told ${rate} with ${r.concurrency} in flight; \`sync\` as its own process. CPU per write: that process's user + system time, and its Postgres backends' (from /proc), ÷ writes answered 2xx. ` +
      `Notion's final state is checked against the tenant. ${await machineLine()}.${r.concurrency === 1 ? ' Goal (issue 14): ≥ 150 requests/second at 1 in flight.' : ''}`,
    '',
    '| Notion requests | writes | Notion phase | requests/second | CPU per write: `sync` | CPU per write: Postgres | 429s | Notion = tenant | goal met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${r.requests.toLocaleString('en')} | ${r.writes.toLocaleString('en')} | ${r.spanSeconds.toFixed(1)} s | ${r.achieved.toFixed(0)} | ${r.cliCpuPerWrite.toFixed(2)} ms | ` +
      `${r.pgCpuPerWrite === undefined ? 'n/a' : `${r.pgCpuPerWrite.toFixed(2)} ms`} | ${r.throttled} | ${r.correct ? 'yes' : 'NO'} | ${r.ok ? 'yes' : 'NO'} |`,
    '',
  ]);
}
if (results.some((r) => !r.ok)) process.exitCode = 1;
