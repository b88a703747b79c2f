// The engine's commands as a user runs them (the built CLI): sync prints its summary as one JSON line, reset refuses
// an unknown part, and demo ends with a good verdict.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ENTRA_|NOTION_|GRAPH_|DATABASE_URL|DATA_DIR|SYNC_)/.test(k)));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let graph: GraphSimulator;
let notion: NotionSimulator;
let env: Record<string, string>;
let drop: () => Promise<void>;

beforeAll(async () => {
  graph = await startGraphSimulator({ tenant: generateTenant({ seed: 3, users: 30, groups: 4, directAssignmentShare: 0.3 }) });
  notion = await startNotionSimulator({});
  const created = await createTestStoreLocation();
  drop = created.drop;
  env = {
    ...simulatorConnectionEnv(graph, notion), NOTION_RATE_LIMIT_RPS: '1000', LOG_LEVEL: 'silent',
    NODE_EXTRA_CA_CERTS: simulatorCaPath,
    ...storeEnv(created.location),
  };
});
afterAll(async () => {
  await Promise.all([graph.close(), notion.close()]);
  await drop();
});

describe('engine commands', () => {
  it('sync prints the cycle summary as one JSON line and exits 0', async () => {
    const sync = await cli(['sync'], env);
    expect(sync.code).toBe(0);
    const summary = JSON.parse(sync.stdout.trim().split('\n').pop() as string) as { status: string; kind: string; counts: Record<string, number> };
    expect(summary).toMatchObject({ status: 'succeeded', kind: 'initial' });
    expect(summary.counts['create.success']).toBeGreaterThan(0);
    expect(notion.workspace.userCount()).toBeGreaterThan(0);
  });

  it('reset names the parts it accepts and exits 2 for anything else', async () => {
    const bad = await cli(['reset', 'links'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected one of watermarks, escrows, quarantine, all');
  });

  it('demo runs both cycles and ends with a good verdict', async () => {
    const demo = await cli(['demo', '--users', '40', '--groups', '4'], { NODE_EXTRA_CA_CERTS: '' });
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/initial cycle succeeded/);
    expect(demo.stdout).toMatch(/incremental cycle succeeded/);
    expect(demo.stdout).toMatch(/Verdict: OK/);
  });
});
