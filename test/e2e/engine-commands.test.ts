// The engine's commands as a user runs them (the built CLI): sync prints its summary as one JSON line, reset refuses
// an unknown part, and demo ends with a good verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';
import { runCli as cli } from '../helpers/cli-process.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';

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

  it('approve refuses an id that is not staged with exit 2 and decides nothing', async () => {
    const approve = await cli(['approve', 'not-a-staged-id'], env);
    expect(approve.code).toBe(2);
    expect(approve.stderr).toContain('"not-a-staged-id" is not staged');
    expect(approve.stdout).toBe('');
  });

  it('reset quarantine says when none is set and writes nothing; reset watermarks records who ran it', async () => {
    const quarantine = await cli(['reset', 'quarantine'], env);
    expect(quarantine.code).toBe(0);
    expect(quarantine.stdout).toContain('quarantine: none is set; nothing to lift');
    const watermarks = await cli(['reset', 'watermarks', '--actor', 'alice'], env);
    expect(watermarks.code).toBe(0);
    const logs = await cli(['logs', '--json'], env);
    const rows = logs.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { action: string; actor: string | null });
    expect(rows.filter((r) => r.actor !== null)).toEqual([expect.objectContaining({ action: 'reset-watermarks', actor: 'alice' })]);
  });

  it('plan over a failed Graph read says the import was incomplete and why, and exits 4', async () => {
    graph.injectFault({ kind: 'status', status: 400, count: 1, match: { path: /delta/ } });
    const plan = await cli(['plan'], env);
    expect(plan.code).toBe(4);
    expect(plan.stdout).toContain('INCOMPLETE: the Entra import stopped');
    expect(plan.stdout).not.toContain('No changes: Notion already holds');
    const again = await cli(['plan'], env);
    expect(again.code).toBe(0);
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

describe('a first sync against a populated workspace (a lost store)', () => {
  let leaverGraph: GraphSimulator;
  let leaverNotion: NotionSimulator;
  let leaverEnv: Record<string, string>;
  let dropLeaverStore: () => Promise<void>;
  beforeAll(async () => {
    leaverGraph = await startGraphSimulator({ tenant: generateTenant({ seed: 3, users: 20, groups: 2, directAssignmentShare: 0.3 }) });
    leaverNotion = await startNotionSimulator({});
    leaverNotion.workspace.addUser({ userName: 'leaver@example.com' });
    leaverNotion.workspace.addUser({ userName: 'stays@example.com' });
    const created = await createTestStoreLocation();
    dropLeaverStore = created.drop;
    leaverEnv = { ...simulatorConnectionEnv(leaverGraph, leaverNotion), NOTION_RATE_LIMIT_RPS: '1000', LOG_LEVEL: 'silent', NODE_EXTRA_CA_CERTS: simulatorCaPath, ...storeEnv(created.location) };
  });
  afterAll(async () => {
    await Promise.all([leaverGraph.close(), leaverNotion.close()]);
    await dropLeaverStore();
  });

  // Ten CLI processes in a row, each opening the store: 23–59 s measured on a loaded 2-core machine (60 s default).
  it('plan lists them, sync holds (exit 5), approve --unaccounted deactivates only the one chosen, --reject leaves the other', async () => {
    const plan = await cli(['plan'], leaverEnv);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Not accounted for: 2 active Notion member(s)');

    const first = await cli(['sync'], leaverEnv);
    expect(first.code).toBe(5);
    const summary = JSON.parse(first.stdout.trim().split('\n').pop() as string) as { status: string; unaccountedMembers: number; error: string };
    expect(summary).toMatchObject({ status: 'held', unaccountedMembers: 2 });
    expect(summary.error).toContain('approve --unaccounted');
    const logs = await cli(['logs', '--action', 'unaccounted', '--json'], leaverEnv);
    expect(logs.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { displayName: string }).displayName).sort()).toEqual(['leaver@example.com', 'stays@example.com']);

    const status = await cli(['status'], leaverEnv);
    expect(status.stdout).toContain('Unaccounted Notion members: 2');

    const unknown = await cli(['approve', '--unaccounted', 'nobody@example.com'], leaverEnv);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"nobody@example.com" is not an unaccounted Notion member');
    const approve = await cli(['approve', '--unaccounted', 'leaver@example.com', '--actor', 'alice'], leaverEnv);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain('Approved disable of 1 unaccounted Notion member(s)');
    const reject = await cli(['approve', '--reject', '--unaccounted'], leaverEnv);
    expect(reject.stdout).toContain('Left 1 unaccounted Notion member(s) as they are');

    const second = await cli(['sync'], leaverEnv);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout.trim().split('\n').pop() as string)).toMatchObject({ status: 'succeeded', unaccountedMembers: 0, counts: { 'disable.success': 1 } });
    expect(leaverNotion.workspace.accountByUserName('leaver@example.com')?.inWorkspace).toBe(false);
    expect(leaverNotion.workspace.accountByUserName('stays@example.com')?.inWorkspace).toBe(true);
    expect((await cli(['status'], leaverEnv)).stdout).not.toContain('Unaccounted Notion members');
  }, 180_000);
});
