// Benchmark: recording a first cycle's unaccounted Notion members (src/engine/record-unaccounted.ts): a link and a log
// row each, in one transaction, for 10,000 and 100,000 members, on embedded PGlite and on Postgres (BENCH_DATABASE_URL,
// default the local server). What is recorded is counted back from the store, so a fast wrong answer cannot pass.
// Run: npm run bench -- unaccounted
import console from 'node:console';
import { randomUUID } from 'node:crypto';
import process from 'node:process';
import { recordUnaccountedMembers } from '../dist/engine/record-unaccounted.js';
import { createLogger } from '../dist/observe/index.js';
import { openStore, tables } from '../dist/store/index.js';
import { eq, sql } from 'drizzle-orm';
import { createBenchStore, machineLine } from './lib/engine-world.js';
import { writeResultsSection } from './results.js';

const sizes = [10_000, 100_000];
const heading = "## A first cycle's unaccounted Notion members, recorded (bench/unaccounted.bench.js)";

async function record(kind, count) {
  const bench = await createBenchStore(kind);
  const store = await openStore(bench.env.DATABASE_URL ? { databaseUrl: bench.env.DATABASE_URL } : { dataDir: bench.env.DATA_DIR });
  try {
    await store.migrate();
    const members = Array.from({ length: count }, (_, i) => ({ notionId: randomUUID(), userName: `member.${i}@contoso.example` }));
    const started = performance.now();
    await recordUnaccountedMembers({ db: store.db, target: 'default', cycleId: null, logger: createLogger({ level: 'silent' }), now: new Date() }, members, {});
    const seconds = (performance.now() - started) / 1000;
    const countOf = async (table, condition) => Number((await store.db.select({ n: sql`count(*)` }).from(table).where(condition))[0].n);
    const links = await countOf(tables.links, eq(tables.links.state, 'unaccounted'));
    const logRows = await countOf(tables.provisioningLog, eq(tables.provisioningLog.action, 'unaccounted'));
    return { kind, count, seconds, correct: links === count && logRows === count, links, logRows };
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
    console.log(`unaccounted ${kind} ${count}: ${r.seconds.toFixed(2)} s, ${r.links} links and ${r.logRows} log rows → ${r.correct ? 'ok' : 'WRONG'}`);
  }
}
writeResultsSection(heading, [
  '',
  `Links (state \`unaccounted\`) and provisioning-log warnings for N members, one transaction, as a first cycle records the Notion members no user in scope accounts for. Counted back from the store. ${await machineLine()}.`,
  '',
  '| store | members | time | links / log rows recorded |',
  '| --- | --- | --- | --- |',
  ...results.map((r) => `| ${r.kind} | ${r.count.toLocaleString('en')} | ${r.seconds.toFixed(2)} s | ${r.correct ? 'all' : `WRONG: ${r.links} / ${r.logRows}`} |`),
  '',
]);
if (results.some((r) => !r.correct)) process.exitCode = 1;
