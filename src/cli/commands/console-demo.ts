// `console --demo`: the demo's tenant and simulators, cycles that leave something to look at (changes, deletions
// staged for approval, an escrowed create), then the console on loopback, with the simulators still running so that
// approvals, retries and "provision now" act for real. Everything lives in a temporary folder removed on exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.js';
import { createPhaseRecorder, startConsoleServer } from '../../console/index.js';
import { describeSummary, runCycle } from '../../engine/index.js';
import { createLogger } from '../../observe/index.js';
import { generateTenant, simulatorCaPath, startGraphSimulator } from '../../sim/graph/index.js';
import { startNotionSimulator } from '../../sim/notion/index.js';
import { openStore } from '../../store/index.js';
import { exitCodes } from '../run-command.js';
import { reExecuteWith } from '../re-execute.js';
import { onStopSignal } from '../stop-signal.js';
import { playScriptedDay } from './demo-day.js';
import { simulatorConnectionEnv } from '../../sim/connection-env.js';

const say = (text: string): void => void process.stdout.write(`${text}\n`);

export async function runConsoleDemo(port: number): Promise<number> {
  // Node reads NODE_EXTRA_CA_CERTS at start only: run once more with the simulator's CA trusted (as `demo` does).
  if (process.env.NODE_EXTRA_CA_CERTS !== simulatorCaPath) {
    return reExecuteWith({ NODE_EXTRA_CA_CERTS: simulatorCaPath });
  }
  const folder = mkdtempSync(join(tmpdir(), 'entra-notion-sync-console-demo-'));
  const tenant = generateTenant({ seed: 1, users: 200, groups: 10, directAssignmentShare: 0.5, assignedGroupShare: 0.4 });
  const graph = await startGraphSimulator({ tenant });
  const notion = await startNotionSimulator({});
  const store = await openStore({ dataDir: join(folder, 'data') });
  try {
    await store.migrate();
    const config = loadConfig({
      cwd: folder,
      env: {
        ...simulatorConnectionEnv(graph, notion),
        NOTION_RATE_LIMIT_RPS: '200', NOTION_MAX_CONCURRENCY: '4',
        // Low enough that the scripted day's leavers wait for an approval in the console.
        DELETION_THRESHOLD: '2', DATA_DIR: join(folder, 'data'), LOG_LEVEL: 'silent',
      },
    });
    const recorder = createPhaseRecorder();
    const deps = { config, store, logger: createLogger({ level: 'silent' }), progress: recorder.progress };
    say(describeSummary(await runCycle(deps)));
    for (const line of playScriptedDay(tenant)) say(`  - ${line}`);
    // Notion refuses one create once: that user waits in escrow until "retry now".
    notion.injectFault({ kind: 'status', status: 400, count: 1, match: { method: 'POST', path: /^\/Users$/ } });
    say(describeSummary(await runCycle(deps)));
    let cycles = Promise.resolve();
    const requestCycle = () => {
      cycles = cycles.then(async () => say(describeSummary(await runCycle(deps)))).catch((error: unknown) => void say(`cycle failed: ${String(error)}`));
    };
    const server = await startConsoleServer({ config, store, logger: deps.logger, host: '127.0.0.1', port, requestCycle, phaseInFlight: recorder.snapshot });
    say(`\nConsole: ${server.url} (sign in with any name; approvals and retries run a cycle at once). Ctrl-C to stop.`);
    // Ctrl-C reaches this process twice (from the terminal and passed on by the parent that re-executed it): every
    // stop signal is heard until the simulators and the folder are gone, so that a second one cannot cut that short.
    let stopped = (): void => undefined;
    const stopSignals = onStopSignal(() => stopped());
    try {
      await new Promise<void>((resolve) => (stopped = resolve));
      await server.close();
      await cycles;
    } finally {
      stopSignals.dispose();
    }
    return exitCodes.ok;
  } finally {
    await Promise.all([graph.close(), notion.close()]);
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
