// Runs the built CLI in this process and, at exit, writes its peak RSS and CPU time to BENCH_USAGE_FILE: the
// engine's own figures, apart from the simulators that live in the bench process. The RSS is also sampled every
// half second, with what the V8 heap and the memory outside it held, so that a peak can be put against the phase that made it.
// Usage: node bench/lib/measured-cli.js <cli arguments>
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const usageFile = process.env.BENCH_USAGE_FILE;
const started = performance.now();
const rssTimeline = [];
const mb = (bytes) => Math.round(bytes / 2 ** 20);
// [ms since start, RSS, V8 heap used, memory outside the V8 heap (buffers; PGlite's WebAssembly heap)] in MB.
const sampleRss = () => {
  const memory = process.memoryUsage();
  rssTimeline.push([Math.round(performance.now() - started), mb(memory.rss), mb(memory.heapUsed), mb(memory.external)]);
};
if (usageFile) setInterval(sampleRss, 500).unref();
process.on('exit', () => {
  if (!usageFile) return;
  const usage = process.resourceUsage();
  sampleRss();
  writeFileSync(usageFile, JSON.stringify({ maxRssKb: usage.maxRSS, userCpuMs: usage.userCPUTime / 1000, systemCpuMs: usage.systemCPUTime / 1000, rssTimeline }));
});
await import('../../dist/cli/main.js');
