// Child process of bench/scale.bench.js: runs one step against the store in its own process, so that its peak RSS
// (VmHWM) is the engine's alone (the simulators live in the parent). Prints one JSON line on stdout.
//   node bench/scale-cycle.js seed   : plan a first cycle (a dry run) and create its users and groups in Notion
//                                     directly, so that the next cycle adopts them instead of creating them.
//   node bench/scale-cycle.js cycle  : run one cycle.
// Configuration comes from the environment (the same variables as the CLI).
import console from 'node:console';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { loadConfig } from '../dist/config/index.js';
import { planCycle, runCycle } from '../dist/engine/index.js';
import { createLogger } from '../dist/observe/index.js';
import { scimResourceFromAttributes } from '../dist/scim/index.js';
import { openStore } from '../dist/store/index.js';

const cpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const peakRssMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

const step = process.argv[2];
const config = loadConfig({ cwd: process.cwd(), env: process.env });
const store = await openStore(config.database.url ? { databaseUrl: config.database.url } : { dataDir: config.database.dataDir });
await store.migrate();
const logger = createLogger({ level: 'silent' });
const startedAt = Date.now();
try {
  if (step === 'seed') {
    // A loaded machine can drop a Graph connection: plan again (the import resumes from its checkpoint) until complete.
    let report = await planCycle({ config, store, logger });
    for (let attempt = 1; !report.importComplete && attempt < 5; attempt += 1) report = await planCycle({ config, store, logger });
    if (!report.importComplete) throw new Error(`seed: the Entra import stayed incomplete: ${report.importIncompleteReason}`);
    const ops = [...report.plan.upserts];
    const users = ops.filter((op) => op.kind === 'create-user');
    const notionIds = new Map();
    const send = async (path, body) => {
      const answer = await fetch(`${config.notion.scimUrl}${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${config.notion.token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body),
      });
      if (answer.status !== 201) throw new Error(`seed: POST ${path} answered ${answer.status}: ${await answer.text()}`);
      return answer.json();
    };
    for (let i = 0; i < users.length; i += 32) {
      await Promise.all(users.slice(i, i + 32).map(async (op) => {
        const created = await send('/Users', scimResourceFromAttributes('User', op.attributes));
        notionIds.set(op.sourceId, created.id);
      }));
    }
    const members = new Map();
    for (const op of report.plan.memberships) {
      if (op.kind === 'add-members') members.set(op.sourceId, [...(members.get(op.sourceId) ?? []), ...op.userSourceIds]);
    }
    const groups = ops.filter((op) => op.kind === 'create-group');
    for (const op of groups) {
      const value = (members.get(op.sourceId) ?? []).map((id) => ({ value: notionIds.get(id) }));
      await send('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: op.attributes.displayName ?? op.name, members: value });
    }
    console.log(JSON.stringify({ step, startedAt, ms: Date.now() - startedAt, cpuSeconds: cpuSeconds(), peakRssMb: peakRssMb(), users: users.length, groups: groups.length, memberships: [...members.values()].reduce((n, list) => n + list.length, 0) }));
  } else {
    const summary = await runCycle({ config, store, logger }, { mode: process.env.SCALE_CYCLE_MODE ?? 'incremental' });
    console.log(JSON.stringify({ step, startedAt, ms: Date.now() - startedAt, cpuSeconds: cpuSeconds(), peakRssMb: peakRssMb(), status: summary.status, counts: summary.counts, scim: summary.scim, graph: summary.graph, durationMs: summary.durationMs, error: summary.error }));
  }
} finally {
  await store.close();
}
