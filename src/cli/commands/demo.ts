// `demo`: both simulators on loopback, a generated tenant and a fresh embedded store: an initial cycle, a scripted
// day of changes, an incremental cycle, and a check that Notion holds exactly what Entra says it should.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { describeSummary, runCycle, type CycleSummary } from '../../engine/index.js';
import { createLogger } from '../../observe/index.js';
import { generateTenant, startGraphSimulator, simulatorCaPath, type GraphSimulator } from '../../sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../sim/notion/index.js';
import { openStore, type Store } from '../../store/index.js';
import { wholeNumber } from '../options.js';
import { exitCodes, runCommand } from '../run-command.js';
import { reExecuteWith } from '../re-execute.js';
import { onStopSignal } from '../stop-signal.js';
import { playScriptedDay } from './demo-day.js';
import { expectedWorkspace, workspaceDifferences } from './demo-verdict.js';
import { simulatorConnectionEnv } from '../../sim/connection-env.js';

interface DemoOptions {
  users: number;
  groups: number;
  seed: number;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run an initial and an incremental sync against the built-in Graph and Notion simulators, then check the result')
    .option('--users <n>', 'users in the generated tenant', wholeNumber(20, 100_000), 200)
    .option('--groups <n>', 'groups in the generated tenant', wholeNumber(2, 10_000), 10)
    .option('--seed <n>', 'seed of the generated tenant', wholeNumber(), 1)
    .addHelpText('after', '\nNothing leaves this machine: both simulators listen on 127.0.0.1 and the store lives in a temporary folder.\nExit code 1 when Notion does not end up holding exactly what Entra says it should.')
    .action((options: DemoOptions) =>
      runCommand(async () => {
        const sizes = { users: options.users, groups: options.groups, seed: options.seed };
        // Node reads NODE_EXTRA_CA_CERTS at start only: run once more with the simulator's CA trusted.
        if (process.env.NODE_EXTRA_CA_CERTS !== simulatorCaPath) return reExecuteWith({ NODE_EXTRA_CA_CERTS: simulatorCaPath });
        return runDemo(sizes);
      }),
    );
}

const say = (text: string) => process.stdout.write(`${text}\n`);

async function runDemo(sizes: { users: number; groups: number; seed: number }): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'entra-notion-sync-demo-'));
  // Half the users assigned directly, a third of the groups assigned: a scope large enough to show the pace.
  const tenant = generateTenant({ seed: sizes.seed, users: sizes.users, groups: sizes.groups, directAssignmentShare: 0.5, assignedGroupShare: 0.4 });
  let graph: GraphSimulator | undefined;
  let notion: NotionSimulator | undefined;
  let store: Store | undefined;
  // A stop signal (SIGTERM, SIGINT, SIGHUP) ends the cycle in flight as `sync` does, then the simulators and the
  // folder are removed.
  const stop = new AbortController();
  const stopSignals = onStopSignal(() => stop.abort());
  try {
    graph = await startGraphSimulator({ tenant });
    notion = await startNotionSimulator({});
    store = await openStore({ dataDir: join(folder, 'data') });
    await store.migrate();
    const config = loadConfig({
      cwd: folder,
      env: {
        ...simulatorConnectionEnv(graph, notion),
        // The simulator has no rate limit; a real Notion workspace allows about 2.5 requests per second.
        NOTION_RATE_LIMIT_RPS: '200', NOTION_MAX_CONCURRENCY: '4', DATA_DIR: join(folder, 'data'), LOG_LEVEL: 'silent',
      },
    });
    const deps = { config, store, logger: createLogger({ level: 'silent' }), signal: stop.signal };
    say(`Demo tenant: ${sizes.users} users, ${sizes.groups} groups (seed ${sizes.seed}); Graph simulator at ${graph.graphBaseUrl}, Notion simulator at ${notion.url}`);
    say(`Store: ${join(folder, 'data')}\n`);
    const initial = await runCycle(deps);
    say(describeSummary(initial));
    if (stop.signal.aborted) return reportInterrupted();
    say('\nA day in Entra:');
    for (const line of playScriptedDay(tenant)) say(`  - ${line}`);
    say('');
    const incremental = await runCycle(deps);
    say(describeSummary(incremental));
    if (stop.signal.aborted) return reportInterrupted();
    return reportVerdict(tenant, notion, [initial, incremental]);
  } finally {
    stopSignals.dispose();
    await Promise.all([graph?.close(), notion?.close()]);
    await store?.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

function reportInterrupted(): number {
  say('\nInterrupted: no verdict. The simulators and the temporary store are removed.');
  return exitCodes.interrupted;
}

function reportVerdict(tenant: Parameters<typeof expectedWorkspace>[0], notion: NotionSimulator, summaries: CycleSummary[]): number {
  const expected = expectedWorkspace(tenant);
  const problems = workspaceDifferences(expected, notion.workspace);
  const failed = summaries.filter((s) => s.status !== 'succeeded');
  say('');
  if (problems.length === 0 && failed.length === 0) {
    say(`Verdict: OK. Notion holds exactly what Entra says it should: ${expected.users.size} active users and ${expected.groups.size} groups with their members.`);
    return exitCodes.ok;
  }
  say(`Verdict: MISMATCH (${problems.length} difference(s)${failed.length > 0 ? `, ${failed.length} cycle(s) not succeeded` : ''}):`);
  for (const line of problems.slice(0, 50)) say(`  - ${line}`);
  return exitCodes.failure;
}
