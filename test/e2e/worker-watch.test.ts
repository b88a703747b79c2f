// The worker as a process in watch mode against both simulators (issue 15) and with VERIFY_SCHEDULE (issue 13): a
// change reaches Notion without waiting for the schedule, an idle poll costs only its Graph reads, a burst runs as
// one or two cycles, a change the polls miss is caught by the schedule, and the verify schedule repairs Notion.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';
import { openEngineSession, type EngineSession } from '../helpers/engine-session.js';
import { freePort } from '../helpers/free-port.js';
import { groupMemberUser, notionUser } from '../helpers/tenant-picks.js';
import { finishedCycle, workerEnv, readCycles, spawnWorker, type LogLine, type WorkerProcess } from './worker-processes.js';

/** A schedule that never fires during a test (once a year). */
const NEVER = '0 0 1 1 *';

describe('entra-notion-sync worker in watch mode', { timeout: 240_000 }, () => {
  let session: EngineSession;
  let location: { databaseUrl: string } | { dataDir: string };
  let drop: () => Promise<void>;
  let env: Record<string, string>;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    session = await openEngineSession({ tenant: { seed: 11, users: 60, groups: 6 } });
    ({ location, drop } = await createTestStoreLocation());
    env = workerEnv(session, location, {
      SYNC_SCHEDULE: NEVER,
      VERIFY_SCHEDULE: 'off',
      WATCH_INTERVAL_SECONDS: '1',
      CYCLE_DEBOUNCE_SECONDS: '1',
    });
  });
  afterEach(async () => {
    // One worker at a time: an embedded store belongs to one process.
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    worker = undefined;
  });
  afterAll(async () => {
    await session?.close();
    await drop?.();
  });

  async function start(extra: Record<string, string> = {}): Promise<WorkerProcess> {
    worker = spawnWorker({ ...env, ...extra });
    // Generous: the machine running the suite may be busy.
    await worker.waitForLine(finishedCycle('succeeded'), 'the first cycle', 120_000);
    expect(session.differences()).toEqual([]);
    return worker;
  }

  async function converged(what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (session.differences().length > 0) {
      if (Date.now() > deadline) throw new Error(`Notion did not converge (${what}): ${session.differences().slice(0, 3).join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const triggered = (w: WorkerProcess): LogLine[] => w.lines.filter((line) => line.event === 'cycle.triggered');

  async function metricValue(port: number, pattern: RegExp): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(pattern.exec(text)?.[1] ?? 0);
  }

  it('brings a disable in the tenant to Notion through a watch poll, without waiting for the schedule', async () => {
    const w = await start();
    const { user } = groupMemberUser(session.tenant);
    session.tenant.disableUser(user.id);
    await converged('a disabled user');
    expect(notionUser(session.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
    expect(w.lines.find((line) => line.event === 'watch.changed')).toMatchObject({ changed: ['users'] });
    expect(triggered(w).map((line) => line.reasons)).toEqual([['start'], ['watch']]);
    // Measured at the cycle's writes (the engine's onOperationDone, wired by the CLI), not at its end.
    const propagated = await w.waitForLine((line) => line.event === 'worker.propagated', 'the propagation delay');
    expect(propagated.writes).toBeGreaterThanOrEqual(1);
    expect(propagated.lastWriteDelayMs).toBeGreaterThanOrEqual(propagated.firstWriteDelayMs as number);
  });

  it('polls an idle tenant with three Graph reads each, writes no cycle row and sends nothing to Notion', async () => {
    const port = await freePort();
    const w = await start({ HTTP_PORT: String(port) });
    const cyclesBefore = w.lines.filter(finishedCycle()).length;
    const polls = /^entra_notion_sync_watch_polls_total\{outcome="unchanged",target="workspace"\} (\d+)$/m;
    // The first poll also finds the token endpoint and the service principal, once for the worker's life.
    while ((await metricValue(port, polls)) < 1) await new Promise((resolve) => setTimeout(resolve, 100));
    session.graph.clearRequests();
    session.notion.clearRequests();
    const first = await metricValue(port, polls);
    let now = first;
    while (now < first + 4) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      now = await metricValue(port, polls);
    }
    const graphReads = session.graph.requests().filter((request) => !request.scope);
    // The poll under way when the count was read may have sent part of its reads.
    expect(graphReads.length).toBeGreaterThanOrEqual((now - first) * 3);
    expect(graphReads.length).toBeLessThanOrEqual((now - first + 1) * 3);
    expect(new Set(graphReads.map((request) => request.route))).toEqual(new Set(['/v1.0/users/delta', '/v1.0/groups/delta', '/v1.0/servicePrincipals/{id}/appRoleAssignedTo']));
    expect(session.notion.requests()).toEqual([]);
    expect(w.lines.filter(finishedCycle()).length).toBe(cyclesBefore);

    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    const cycles = await readCycles(location, 'workspace');
    // Two workers so far, each a cycle at start, and the one cycle the disable asked for.
    expect(cycles).toHaveLength(3);
  });

  it('runs a burst of changes as one or two cycles', async () => {
    const w = await start({ CYCLE_DEBOUNCE_SECONDS: '3' });
    const before = triggered(w).length;
    const assigned = new Set(session.tenant.assignments().map((row) => row.principalId));
    const group = session.tenant.groups().find((candidate) => !assigned.has(candidate.id))!;
    const outsiders = session.tenant.users().filter((user) => !user.deletedDateTime && !session.tenant.membersOf(group.id).includes(user.id)).slice(0, 20);
    session.tenant.assign(group.id);
    for (const user of outsiders) {
      session.tenant.addMember(group.id, user.id);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await converged('a burst of 21 changes');
    const cycles = triggered(w).slice(before);
    expect(cycles.length).toBeGreaterThanOrEqual(1);
    expect(cycles.length).toBeLessThanOrEqual(2);
    expect(cycles.every((line) => (line.reasons as string[]).includes('watch'))).toBe(true);
  });

  it('catches a change the polls missed on the scheduled cycle', async () => {
    // Every poll's assignment read fails (the import's own read asks for more attributes and passes).
    session.graph.injectFault({ kind: 'status', status: 500, count: 100_000, match: { path: /appRoleAssignedTo$/, query: /^\?\$select=id,principalType&/ } });
    const w = await start({ SYNC_SCHEDULE: '*/10 * * * * *' });
    const user = session.tenant.users().find((candidate) => candidate.accountEnabled && notionUser(session.notion.workspace, candidate.userPrincipalName)?.inWorkspace)!;
    session.tenant.disableUser(user.id);
    await w.waitForLine((line) => line.event === 'watch.failed', 'a failed poll');
    await converged('a change the polls missed', 90_000);
    expect(triggered(w).at(-1)?.reasons).toEqual(['schedule']);
    expect(triggered(w).some((line) => (line.reasons as string[]).includes('watch'))).toBe(false);
  });
});

describe('entra-notion-sync worker with VERIFY_SCHEDULE', { timeout: 240_000 }, () => {
  let session: EngineSession;
  let location: { databaseUrl: string } | { dataDir: string };
  let drop: () => Promise<void>;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    session = await openEngineSession({ tenant: { seed: 12, users: 40, groups: 4 } });
    ({ location, drop } = await createTestStoreLocation());
  });
  afterAll(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await session?.close();
    await drop?.();
  });

  it('repairs a hand-made change in Notion on its own schedule', async () => {
    worker = spawnWorker({
      ...session.env, ...storeEnv(location), NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '', LOG_LEVEL: 'info',
      SYNC_SCHEDULE: NEVER, WATCH_INTERVAL_SECONDS: '0', VERIFY_SCHEDULE: '*/5 * * * * *',
    });
    await worker.waitForLine(finishedCycle('succeeded'), 'the first cycle', 120_000);
    const { user } = groupMemberUser(session.tenant);
    const inNotion = notionUser(session.notion.workspace, user.userPrincipalName)!;
    session.notion.workspace.editUser(inNotion.id, { name: { formatted: 'Edited By Hand' } });
    expect(session.differences()).not.toEqual([]);
    const verify = await worker.waitForLine((line) => line.event === 'cycle.triggered' && line.mode === 'verify', 'a verify cycle', 60_000);
    expect(verify.reasons).toEqual(['verify-schedule']);
    await worker.waitForLine((line) => finishedCycle('succeeded')(line) && line.kind === 'verify', 'the verify cycle to finish', 60_000);
    expect(session.differences()).toEqual([]);
    expect(notionUser(session.notion.workspace, user.userPrincipalName)?.name?.formatted).not.toBe('Edited By Hand');
  });
});
