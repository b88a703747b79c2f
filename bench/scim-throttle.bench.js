// Benchmark: the SCIM client against the Notion simulator's token bucket of R requests/second, knowing R.
// Goal (issue 3): 500 requests finish with at most 1% answered 429 and in at most 1.15 × 500/R seconds.
import console from 'node:console';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { createScimClient } from '../dist/scim/index.js';
import { startNotionSimulator } from '../dist/sim/notion/index.js';
import { writeResultsSection } from './results.js';

const requestCount = 500;
const rates = [20, 50];
const burst = 2;
const seedUsers = 50;
const heading = '## SCIM client throttling (bench/scim-throttle.bench.js)';

/** 500 requests all asked for at once (the limiter is the only brake): 4 reads for each write. */
async function runAtRate(rate) {
  const sim = await startNotionSimulator({ rateLimit: { requestsPerSecond: rate, burst } });
  const ids = Array.from({ length: seedUsers }, (_, i) => sim.workspace.addUser({ userName: `bench.${i}@example.com`, inWorkspace: true }).id);
  const client = createScimClient({ baseUrl: sim.url, token: sim.token, requestsPerSecond: rate, maxConcurrency: 4 });
  const guard = setTimeout(() => {
    console.error(`scim-throttle: R=${rate} did not finish within 60 s`);
    process.exit(1);
  }, 60_000);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: requestCount }, (_, i) => {
      const id = ids[i % ids.length];
      return i % 5 === 4 ? client.patchUser(id, [{ op: 'replace', path: 'title', value: `Title ${i}` }]) : client.getUser(id);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearTimeout(guard);
  const answered = sim.requests();
  const throttled = answered.filter((r) => r.status === 429).length;
  const stats = client.stats();
  await client.close();
  await sim.close();
  const limitSeconds = (1.15 * requestCount) / rate;
  return {
    rate,
    seconds,
    idealSeconds: requestCount / rate,
    limitSeconds,
    sent: answered.length,
    throttled,
    throttledShare: throttled / requestCount,
    retries: stats.retries,
    ok: throttled / requestCount <= 0.01 && seconds <= limitSeconds,
  };
}

function recordResults(results) {
  writeResultsSection(heading, [
    '',
    `${requestCount} requests (4 GET /Users/{id} to 1 PATCH) asked for at once; simulator token bucket of R/s, burst ${burst}; client told R (spaced exactly 1/R apart), 4 in flight. ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end, measured ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| R (req/s) | wall time | 500/R | limit 1.15 × 500/R | answered 429 | retries | requests sent | goal met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.rate} | ${r.seconds.toFixed(2)} s | ${r.idealSeconds.toFixed(2)} s | ${r.limitSeconds.toFixed(2)} s | ${r.throttled} (${(r.throttledShare * 100).toFixed(1)}%) | ${r.retries} | ${r.sent} | ${r.ok ? 'yes' : 'NO'} |`,
    ),
    '',
  ]);
}

const results = [];
for (const rate of rates) {
  const result = await runAtRate(rate);
  results.push(result);
  console.log(
    `scim-throttle R=${rate}/s: ${requestCount} requests in ${result.seconds.toFixed(2)} s (limit ${result.limitSeconds.toFixed(2)} s), ` +
      `429: ${result.throttled} (${(result.throttledShare * 100).toFixed(1)}%), retries ${result.retries} → ${result.ok ? 'ok' : 'GOAL MISSED'}`,
  );
}
recordResults(results);
if (results.some((r) => !r.ok)) process.exit(1);
