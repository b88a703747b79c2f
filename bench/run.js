// Runs bench/*.bench.js in turn with node; fails when one fails. `npm run bench` builds first.
// `npm run bench -- engine-initial adaptive-rate` runs only the benchmarks whose file name contains one of the words;
// arguments starting with `--` (e.g. `--store=pglite`) go to each benchmark run. The scale benchmark takes its own
// subset from SCALE_BENCH (see bench/scale.bench.js).
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { readdirSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const words = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passed = process.argv.slice(2).filter((a) => a.startsWith('--'));
const benches = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.js'))
  .filter((name) => words.length === 0 || words.some((word) => name.includes(word)))
  .sort();
if (benches.length === 0) {
  console.error(`no benchmark file name contains ${words.join(' or ')}; see bench/*.bench.js`);
  process.exit(2);
}
const failed = [];
for (const name of benches) {
  console.log(`\n▶ ${name}`);
  const run = spawnSync(process.execPath, [fileURLToPath(new URL(name, import.meta.url)), ...passed], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nbenchmarks failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\n${benches.length} benchmarks passed`);
