// The worker as a process with Graph change notifications (issue 15) against both simulators: it subscribes and
// renews, a burst of 100 changes converges in one or two cycles, a wrong clientState is refused, a forged
// notification with the right secret costs one delta read and changes nothing, SIGTERM deletes the subscriptions,
// and a dropped notification is caught by the next watch poll, or by the scheduled cycle when watch mode is off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PERMISSIONS } from '../../src/sim/graph/index.js';
import { createTestStoreLocation } from '../helpers/store.js';
import { openEngineSession, type EngineSession } from '../helpers/engine-session.js';
import { freePort } from '../helpers/free-port.js';
import { groupMemberUser, notionUser } from '../helpers/tenant-picks.js';
import { runCli } from '../helpers/cli-process.js';
import { finishedCycle, workerEnv, spawnWorker, type LogLine, type WorkerProcess } from './worker-processes.js';

/** A schedule that never fires during a test (once a year). */
const NEVER = '0 0 1 1 *';

describe('entra-notion-sync worker with Graph change notifications', () => {
  let session: EngineSession;
  let location: { databaseUrl: string } | { dataDir: string };
  let drop: () => Promise<void>;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    session = await openEngineSession({
      tenant: { seed: 11, users: 150, groups: 6 },
      // Subscriptions on groups need Group.Read.All; granted 20 seconds, they are renewed every 10 (a test knob; a
      // shorter grant can expire while a loaded machine is busy with a cycle).
      graph: { grantedPermissions: [...DEFAULT_PERMISSIONS, 'Group.Read.All'], subscriptionGrantSeconds: 20 },
    });
    ({ location, drop } = await createTestStoreLocation());
    env = workerEnv(session, location, {
      SYNC_SCHEDULE: NEVER,
      VERIFY_SCHEDULE: 'off',
      CYCLE_DEBOUNCE_SECONDS: '1',
    });
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await session?.close();
    await drop?.();
  });

  async function start(extra: Record<string, string>): Promise<{ worker: WorkerProcess; endpoint: string }> {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}/graph/notifications`;
    const worker = spawnWorker({ ...env, HTTP_PORT: String(port), NOTIFICATION_URL: endpoint, ...extra });
    workers.push(worker);
    await worker.waitForLine(finishedCycle('succeeded'), 'the first cycle');
    expect(session.differences()).toEqual([]);
    return { worker, endpoint };
  }

  async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; differences: ${session.differences().slice(0, 3).join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const triggered = (w: WorkerProcess, from = 0): LogLine[] => w.lines.slice(from).filter((line) => line.event === 'cycle.triggered');
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  describe('notifications only (no watch poll, no schedule)', () => {
    let worker: WorkerProcess;
    let endpoint: string;
    beforeAll(async () => {
      ({ worker, endpoint } = await start({ WATCH_INTERVAL_SECONDS: '0' }));
    });

    it('subscribes to users and groups, and renews each subscription before it expires', async () => {
      const subscriptions = await until('two subscriptions', () => session.graph.subscriptions.list().length === 2 && session.graph.subscriptions.list());
      expect(subscriptions.map((s) => s.resource).sort()).toEqual(['groups', 'users']);
      const expiries = new Map(subscriptions.map((s) => [s.id, new Date(s.expirationDateTime).getTime()]));
      // Granted 20 seconds: each is renewed at half of it, the same subscription all along.
      await until('both renewed', () => session.graph.subscriptions.list().every((s) => new Date(s.expirationDateTime).getTime() > expiries.get(s.id)!) && session.graph.subscriptions.list().length === 2, 30_000);
      expect(session.graph.subscriptions.list().map((s) => s.id).sort()).toEqual([...expiries.keys()].sort());
      expect(session.graph.requestCounts()['POST /v1.0/subscriptions']).toBe(2);
      // The worker logs a renewal once the store has it, a moment after Graph answered.
      await until('the renewals logged', () => worker.lines.filter((l) => l.event === 'subscription.renewed').length >= 2, 10_000);
    });

    it('converges after a burst of 100 changes with one or two cycles', async () => {
      const from = worker.lines.length;
      const users = session.tenant.users().filter((u) => u.accountEnabled && !u.deletedDateTime);
      for (let i = 0; i < 100; i++) {
        const user = users[i]!;
        if (i % 5 === 0) session.tenant.disableUser(user.id);
        else session.tenant.updateUser(user.id, { jobTitle: `Burst title ${i}` });
        if (i % 25 === 24) await pause(100);
      }
      await until('Notion converged', () => session.differences().length === 0 && worker.lines.slice(from).some(finishedCycle('succeeded')));
      await pause(2_500);
      const cycles = triggered(worker, from);
      expect(cycles.length).toBeGreaterThanOrEqual(1);
      expect(cycles.length).toBeLessThanOrEqual(2);
      expect(cycles.every((line) => (line.reasons as string[]).includes('notification'))).toBe(true);
      expect(session.differences()).toEqual([]);
    });

    it('refuses a notification with a wrong clientState (403) and changes nothing', async () => {
      const from = worker.lines.length;
      session.notion.clearRequests();
      const { user } = groupMemberUser(session.tenant);
      const [subscription] = session.graph.subscriptions.list();
      const forged = { value: [{ subscriptionId: subscription!.id, clientState: 'a guess that is not the secret', changeType: 'deleted', resource: `Users/${user.id}`, tenantId: session.graph.tenantId }] };
      const answer = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
      expect(answer.status).toBe(403);
      await pause(2_000);
      expect(triggered(worker, from)).toEqual([]);
      expect(session.writes()).toBe(0);
      expect(worker.lines.slice(from).find((l) => l.event === 'notification.rejected')).toMatchObject({ reason: 'client-state', status: 403 });
    });

    it('takes a notification with the right clientState as a hint only: a forged deletion costs one delta read and changes nothing in Notion', async () => {
      const from = worker.lines.length;
      session.notion.clearRequests();
      session.graph.clearRequests();
      const { user } = groupMemberUser(session.tenant);
      const [subscription] = session.graph.subscriptions.list();
      // A replay (or a forgery by someone who learnt the secret): it claims the user was deleted; the tenant did not change.
      const claim = { value: [{ subscriptionId: subscription!.id, clientState: subscription!.clientState, changeType: 'deleted', resource: `Users/${user.id}`, tenantId: session.graph.tenantId, resourceData: { id: user.id } }] };
      const answer = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claim) });
      expect(answer.status).toBe(202);
      const finished = await worker.waitForLine((l) => worker.lines.indexOf(l) >= from && finishedCycle()(l), 'the hinted cycle');
      expect(finished.status).toBe('succeeded');
      expect(triggered(worker, from).map((l) => l.reasons)).toEqual([['notification']]);
      expect(session.writes()).toBe(0);
      expect(notionUser(session.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(true);
      // One cycle's delta reads, nothing more.
      const counts = session.graph.requestCounts();
      expect(counts['GET /v1.0/users/delta'] ?? 0).toBeLessThanOrEqual(1);
    });

    it('deletes its subscriptions on SIGTERM and exits 0', async () => {
      expect(session.graph.subscriptions.list()).toHaveLength(2);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(session.graph.subscriptions.list()).toEqual([]);
      expect(worker.lines.filter((l) => l.event === 'subscription.deleted')).toHaveLength(2);
    });
  });

  it('refuses NOTIFICATION_URL without HTTP_PORT with one line and exit code 2', async () => {
    const run = await runCli(['worker'], { ...env, NOTIFICATION_URL: 'https://sync.example.com/graph/notifications' });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/NOTIFICATION_URL: .*set HTTP_PORT too/);
  });

  /** A worker whose notifications Graph drops; a user is disabled: the reasons of the cycles that made Notion follow. */
  async function convergeWithNotificationsDropped(env: Record<string, string>): Promise<string[][]> {
    const { worker } = await start(env);
    await until('two subscriptions', () => session.graph.subscriptions.list().length === 2);
    session.graph.subscriptions.dropNotifications(true);
    try {
      const { user } = groupMemberUser(session.tenant);
      session.tenant.disableUser(user.id);
      await until('Notion converged', () => session.differences().length === 0);
      expect(notionUser(session.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
      expect(session.graph.subscriptions.deliveries().filter((d) => d.kind === 'change').at(-1)?.status).toBe(-1);
      // What triggered the cycle that sent the disable: cycles never overlap, so it is the last trigger before it.
      // (Counting the triggers logged after the change raced a scheduled cycle triggered just before it that read
      // Graph just after: that cycle sent the disable, and no trigger followed.)
      // Notion has the change before the worker's log line for it reaches this process.
      const sent = (await until('the disable in the worker log', () => 1 + worker.lines.findIndex((l) => l.event === 'op.applied' && l.action === 'disable' && l.sourceId === user.id))) - 1;
      return [triggered(worker).filter((l) => worker.lines.indexOf(l) < sent).at(-1)?.reasons as string[]];
    } finally {
      session.graph.subscriptions.dropNotifications(false);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
  }

  it('catches a dropped notification with the next watch poll', async () => {
    expect(await convergeWithNotificationsDropped({ WATCH_INTERVAL_SECONDS: '2' })).toEqual([['watch']]);
  });

  it('catches a dropped notification on the scheduled cycle when watch mode is off', async () => {
    const reasons = (await convergeWithNotificationsDropped({ WATCH_INTERVAL_SECONDS: '0', SYNC_SCHEDULE: '*/5 * * * * *' })).flat();
    expect(reasons).toContain('schedule');
    expect(reasons).not.toContain('notification');
  });
});
