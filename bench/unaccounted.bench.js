// Benchmark: recording a first cycle's unaccounted Notion members (src/engine/record-unaccounted.ts): a link and a log
// row each, in one transaction, for 10,000 and 100,000 members of Notion's listing in the store, on embedded PGlite
// and on Postgres (BENCH_DATABASE_URL, default the local server). Beside the time, how far the live V8 heap grew: while
// recording (a page at a time) and while reading the same members as one array (what a dry run's plan lists, and what
// a cycle held before it recorded them). What is recorded is counted back from the store, so a fast wrong answer
// cannot pass.
// Run: npm run bench -- unaccounted
import console from 'node:console';
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { readUnaccountedMembers } from '../dist/engine/notion-listing.js';
import { recordUnaccountedMembers } from '../dist/engine/record-unaccounted.js';
import { createLogger } from '../dist/observe/index.js';
import { analyzeNotionListing, openStore, tables, writeNotionListingPage } from '../dist/store/index.js';
import { and, eq, sql } from 'drizzle-orm';
import { createBenchStore, machineLine } from './lib/engine-world.js';
import { writeResultsSection } from './results.js';

// The heap is measured collected: the benchmark runs itself again with the collector exposed.
if (typeof globalThis.gc !== 'function') {
  const run = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const sizes = [10_000, 100_000];
const [timed, measured] = ['default', 'measured'];
const heading = "## A first cycle's unaccounted Notion members, recorded (bench/unaccounted.bench.js)";
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/**
 * Runs `work` from a collected heap and returns how far the live heap grew above it: every 20 ms the heap is collected
 * and measured, so garbage not yet collected does not count. Slows the work down: it is timed in another run.
 */
async function liveHeapGrowth(work) {
  globalThis.gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const measure = () => {
    globalThis.gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const sampler = setInterval(measure, 20);
  try {
    const result = await work();
    measure();
    return { result, growth: peak - base };
  } finally {
    clearInterval(sampler);
  }
}

async function seedListing(db, target, count) {
  for (let from = 0; from < count; from += 1_000) {
    const page = Array.from({ length: Math.min(1_000, count - from) }, (_, k) => {
      const i = from + k;
      const notionId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const userName = `member.${i}@contoso.example`;
      return { notionId, matchName: userName, emails: [userName], active: true, owner: false, resource: { id: notionId, userName, active: true, emails: [{ value: userName, primary: true }] } };
    });
    await writeNotionListingPage(db, target, 'user', page);
  }
}

async function record(kind, count) {
  const bench = await createBenchStore(kind);
  const store = await openStore(bench.env.DATABASE_URL ? { databaseUrl: bench.env.DATABASE_URL } : { dataDir: bench.env.DATA_DIR });
  try {
    await store.migrate();
    // Two targets alike: one recorded as a cycle would, timed; the other under the heap measurement.
    for (const target of [timed, measured]) await seedListing(store.db, target, count);
    await analyzeNotionListing(store.db);
    const base = (target) => ({ db: store.db, target, cycleId: null, logger: createLogger({ level: 'silent' }), now: new Date() });
    const started = performance.now();
    await recordUnaccountedMembers(base(timed), new Set(), {});
    const seconds = (performance.now() - started) / 1000;
    const asOneArray = await liveHeapGrowth(() => readUnaccountedMembers(store.db, measured, new Set()));
    const recorded = await liveHeapGrowth(() => recordUnaccountedMembers(base(measured), new Set(), {}));
    const countOf = async (table, condition) => Number((await store.db.select({ n: sql`count(*)` }).from(table).where(condition))[0].n);
    const links = await countOf(tables.links, and(eq(tables.links.target, timed), eq(tables.links.state, 'unaccounted')));
    const logRows = await countOf(tables.provisioningLog, and(eq(tables.provisioningLog.target, timed), eq(tables.provisioningLog.action, 'unaccounted')));
    const measuredLinks = await countOf(tables.links, and(eq(tables.links.target, measured), eq(tables.links.state, 'unaccounted')));
    const correct = links === count && logRows === count && measuredLinks === count && asOneArray.result.length === count;
    return { kind, count, seconds, heap: recorded.growth, heapAsOneArray: asOneArray.growth, correct, links, logRows };
  } finally {
    await store.close();
    await bench.drop();
  }
}

const results = [];
for (const kind of ['pglite', 'postgres']) {
  for (const count of sizes) {
    const r = await record(kind, count);
    results.push(r);
    console.log(`unaccounted ${kind} ${count}: ${r.seconds.toFixed(2)} s, live heap +${mb(r.heap)} (as one array +${mb(r.heapAsOneArray)}), ${r.links} links and ${r.logRows} log rows → ${r.correct ? 'ok' : 'WRONG'}`);
  }
}
writeResultsSection(heading, [
  '',
  'Links (state `unaccounted`) and provisioning-log warnings for N members, one transaction, read from Notion\'s listing in the store a page of 1,000 at a time, as a first cycle records the Notion members no user in scope accounts for. Counted back from the store. ' +
    `Heap: how far the live V8 heap grew (collected and measured every 20 ms, in a second run) while recording, and while reading the same members as one array (what a dry run lists, and what a cycle held until it recorded them, before). ${await machineLine()}.`,
  '',
  '| store | members | time | live heap growth: recording / as one array | links / log rows recorded |',
  '| --- | --- | --- | --- | --- |',
  ...results.map((r) => `| ${r.kind} | ${r.count.toLocaleString('en')} | ${r.seconds.toFixed(2)} s | ${mb(r.heap)} / ${mb(r.heapAsOneArray)} | ${r.correct ? 'all' : `WRONG: ${r.links} / ${r.logRows}`} |`),
  '',
]);
if (results.some((r) => !r.correct)) process.exitCode = 1;
