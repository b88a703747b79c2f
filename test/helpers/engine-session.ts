// Test helper: a Graph simulator with a generated tenant, a Notion simulator and a fresh store, wired into a config,
// with one call to run a cycle and one to compare Notion with what the tenant says it should hold.
import { afterEach, expect } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../src/config/index.js';
import { runCycle, type CycleOptions, type CycleSummary } from '../../src/engine/index.js';
import { createLogger } from '../../src/observe/index.js';
import { generateTenant, startGraphSimulator, type GenerateTenantOptions, type GraphSimulator, type GraphSimulatorOptions, type SimTenant } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator, type NotionSimulatorOptions } from '../../src/sim/notion/index.js';
import { expectedWorkspace, workspaceDifferences } from '../../src/cli/commands/demo-verdict.js';
import { openTestStore, storeEnv, type TestStore } from './store.js';
import { simulatorConnectionEnv } from '../../src/sim/connection-env.js';

export { simulatorConnectionEnv };

export interface EngineSession {
  graph: GraphSimulator;
  notion: NotionSimulator;
  tenant: SimTenant;
  store: TestStore;
  config: LoadedConfig;
  /** Environment a CLI process needs to reach the same simulators and store. */
  env: Record<string, string>;
  sync(options?: CycleOptions, now?: () => Date): Promise<CycleSummary>;
  /** Differences between Notion and what the tenant says it should hold; empty when they agree. */
  differences(ignoreUserNames?: string[]): string[];
  /** SCIM writes (POST, PATCH, DELETE) the Notion simulator answered since the last clearRequests. */
  writes(): number;
  close(): Promise<void>;
}

export interface EngineSessionOptions {
  tenant?: GenerateTenantOptions;
  notion?: NotionSimulatorOptions;
  /** Graph simulator options beside the tenant (permissions granted, subscription grant). */
  graph?: Omit<GraphSimulatorOptions, 'tenant'>;
  /** Extra environment settings (e.g. DEPROVISION_ACTION). */
  env?: Record<string, string>;
}

/** The settings that point the engine (or a CLI process) at both simulators. */

export async function openEngineSession(options: EngineSessionOptions = {}): Promise<EngineSession> {
  const tenant = generateTenant(options.tenant ?? { seed: 7, users: 40, groups: 5 });
  const graph = await startGraphSimulator({ ...options.graph, tenant });
  const notion = await startNotionSimulator(options.notion ?? {});
  const store = await openTestStore();
  const env: Record<string, string> = {
    SYNC_TARGET: 'workspace',
    ...simulatorConnectionEnv(graph, notion),
    NOTION_RATE_LIMIT_RPS: '1000',
    NOTION_MAX_CONCURRENCY: '4',
    DELETION_THRESHOLD_PERCENT: '100',
    LOG_LEVEL: 'silent',
    ...storeEnv(store.location),
    // CI runs the engine suite again with every cycle windowed (.ci/run): a windowed cycle must decide as one plan would.
    ...(process.env.TEST_EVALUATION_WINDOW ? { EVALUATION_WINDOW: process.env.TEST_EVALUATION_WINDOW } : {}),
    ...options.env,
  };
  const config = loadConfig({ env, cwd: '/nonexistent' });
  const logger = createLogger({ level: 'silent' });
  const writes = () => notion.requests().filter((r) => r.method !== 'GET').length;
  return {
    graph, notion, tenant, store, config, env,
    sync: (cycleOptions = {}, now) => runCycle({ config, store: store.store, logger, ...(now ? { now } : {}) }, cycleOptions),
    differences: (ignoreUserNames = []) => workspaceDifferences(expectedWorkspace(tenant), notion.workspace, { ignoreUserNames }),
    writes,
    close: async () => {
      await Promise.all([graph.close(), notion.close()]);
      await store.close();
    },
  };
}

/** For a test file whose tests each start from their own session: closes it after each test. `synced` also runs
 *  the first cycle and expects it to succeed. */
export function engineSessionPerTest(defaults: EngineSessionOptions = { tenant: { seed: 21, users: 30, groups: 4 } }) {
  let current: EngineSession | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const open = async (options: EngineSessionOptions = {}): Promise<EngineSession> => (current = await openEngineSession({ ...defaults, ...options }));
  const synced = async (options: EngineSessionOptions = {}): Promise<EngineSession> => {
    const session = await open(options);
    expect((await session.sync()).status).toBe('succeeded');
    return session;
  };
  return { open, synced };
}
