// Runs the built CLI in this process and, at exit, writes its peak RSS and CPU time to BENCH_USAGE_FILE: the
// engine's own figures, apart from the simulators that live in the bench process.
// Usage: node bench/lib/measured-cli.js <cli arguments>
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const usageFile = process.env.BENCH_USAGE_FILE;
process.on('exit', () => {
  if (!usageFile) return;
  const usage = process.resourceUsage();
  writeFileSync(usageFile, JSON.stringify({ maxRssKb: usage.maxRSS, userCpuMs: usage.userCPUTime / 1000, systemCpuMs: usage.systemCPUTime / 1000 }));
});
await import('../../dist/cli/main.js');
