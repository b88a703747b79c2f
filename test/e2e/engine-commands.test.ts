// The engine's commands as a user runs them (the built CLI): sync prints its summary as one JSON line, reset refuses
// an unknown part, and demo ends with a good verdict.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { createTestStoreLocation } from '../helpers/store.js';

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
    ENTRA_TENANT_ID: graph.tenantId, ENTRA_CLIENT_ID: graph.clientId, ENTRA_CLIENT_SECRET: graph.clientSecret,
    ENTRA_SERVICE_PRINCIPAL_ID: graph.servicePrincipalId, ENTRA_AUTHORITY_HOST: graph.authorityHost, GRAPH_BASE_URL: graph.graphBaseUrl,
    NOTION_SCIM_URL: notion.url, NOTION_SCIM_TOKEN: notion.token, NOTION_RATE_LIMIT_RPS: '1000', LOG_LEVEL: 'silent',
    NODE_EXTRA_CA_CERTS: simulatorCaPath,
    ...('dataDir' in created.location ? { DATA_DIR: created.location.dataDir } : { DATABASE_URL: created.location.databaseUrl }),
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
