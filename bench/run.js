// Runs every bench/*.bench.js in turn with node; fails when one fails. `npm run bench` builds first.
// A subset: `npm run bench -- scale engine` runs only the files whose names start with those words; the scale
// benchmark takes its own subset from SCALE_BENCH (see bench/scale.bench.js).
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { readdirSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.js') && (only.length === 0 || only.some((word) => name.startsWith(word))))
  .sort();
const failed = [];
for (const name of benches) {
  console.log(`\n▶ ${name}`);
  const run = spawnSync(process.execPath, [fileURLToPath(new URL(name, import.meta.url))], { stdio: 'inherit' });
  if (run.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nbenchmarks failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\n${benches.length} benchmarks passed`);
