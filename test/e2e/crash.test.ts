// Crash safety: the CLI is killed right after the k-th SCIM write for many k; each time the next run ends with no
// duplicate and Notion holding exactly what the tenant says. Runs the built CLI (npm run build first).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedWorkspace, workspaceDifferences } from '../../src/cli/commands/demo-verdict.js';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ENTRA_|NOTION_|GRAPH_|DATABASE_URL|DATA_DIR|SYNC_)/.test(k)));

function syncProcess(env: Record<string, string>, notion: NotionSimulator, killAfterWrites?: number): Promise<{ code: number | null; killed: boolean; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', 'sync'], { env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.resume();
    let writes = 0;
    let killed = false;
    const onRequest = (entry: { method: string }) => {
      if (entry.method === 'GET' || killAfterWrites === undefined) return;
      writes += 1;
      if (writes === killAfterWrites && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    notion.events.on('request', onRequest);
    child.on('error', reject);
    child.on('close', (code) => {
      notion.events.off('request', onRequest);
      resolve({ code, killed, stdout });
    });
  });
}

let graph: GraphSimulator;
const sims: NotionSimulator[] = [];
const tenant = generateTenant({ seed: 5, users: 24, groups: 4, directAssignmentShare: 0.4, assignedGroupShare: 0.5 });
const crashTimeoutMs = 60_000;

beforeAll(async () => {
  graph = await startGraphSimulator({ tenant });
});
afterAll(async () => {
  await Promise.all([graph.close(), ...sims.map((s) => s.close())]);
});

describe('a crash at any point', () => {
  // Each k is a fresh workspace and store: the first run dies after its k-th write, the second finishes the job.
  it.each([1, 2, 3, 5, 8, 12, 16])('leaves no duplicate and converges after a kill following write %i', async (k) => {
    const notion = await startNotionSimulator({});
    sims.push(notion);
    const { location, drop } = await createTestStoreLocation();
    try {
      const env: Record<string, string> = {
        ...simulatorConnectionEnv(graph, notion), NOTION_RATE_LIMIT_RPS: '1000', NOTION_MAX_CONCURRENCY: '2',
        LOG_LEVEL: 'silent', NODE_EXTRA_CA_CERTS: simulatorCaPath,
        ...storeEnv(location),
      };
      const crashed = await syncProcess(env, notion, k);
      expect(crashed.killed).toBe(true);
      const finished = await syncProcess(env, notion);
      expect(finished.code).toBe(0);
      expect(JSON.parse(finished.stdout.trim().split('\n').pop() as string)).toMatchObject({ status: 'succeeded' });
      const names = notion.workspace.groups().map((g) => g.displayName);
      expect(new Set(names).size).toBe(names.length);
      expect(workspaceDifferences(expectedWorkspace(tenant), notion.workspace)).toEqual([]);
    } finally {
      await drop();
    }
  }, crashTimeoutMs);
});
