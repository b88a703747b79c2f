// The cycle around the plan: another holder of the lock (slow or stuck), the progress a running cycle records, an
// interruption mid-apply, a mapping change that
// re-evaluates everything, and a scoping filter that takes users out of scope.
import { describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../../src/config/index.js';
import { runCycle } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { listRecentCycles, readCandidates, readRunningCycle, recordCycleProgress, recordCycleStart } from '../../../src/store/index.js';
import { engineSessionPerTest } from '../../helpers/engine-session.js';
import { directlyAssignedUser, notionUser } from '../../helpers/tenant-picks.js';

const { open } = engineSessionPerTest();

const logger = createLogger({ level: 'silent' });

describe('a cycle', () => {
  it('does nothing and records nothing while another holder has the target lock', async () => {
    const s = await open();
    const lock = await s.store.store.tryLockTarget(s.config.target);
    const summary = await s.sync();
    await lock?.release();
    expect(summary.status).toBe('locked');
    expect(await listRecentCycles(s.store.store.db, s.config.target)).toEqual([]);
    expect(s.notion.requests()).toEqual([]);
  });

  it('names the holder, and says it looks stuck once its cycle has shown no progress for 30 minutes', async () => {
    const s = await open();
    const db = s.store.store.db;
    const target = s.config.target;
    const lock = await s.store.store.tryLockTarget(target);
    const startedAt = new Date(Date.now() - 3 * 3600_000);
    await recordCycleStart(db, { id: 'held-cycle-0001', target, kind: 'initial', startedAt, holder: 'worker-7:4242' });
    try {
      await recordCycleProgress(db, 'held-cycle-0001', new Date(Date.now() - 29 * 60_000));
      const slow = await s.sync();
      expect(slow.status).toBe('locked');
      expect(slow.heldBy).toMatchObject({ cycleId: 'held-cycle-0001', holder: 'worker-7:4242', startedAt, stalled: false });
      expect(slow.error).toBeUndefined();

      await recordCycleProgress(db, 'held-cycle-0001', new Date(Date.now() - 31 * 60_000));
      const stuck = await s.sync();
      expect(stuck.heldBy?.stalled).toBe(true);
      expect(stuck.error).toMatch(/^Another process \(worker-7:4242\) holds the lock for target "workspace" with a cycle that has shown no progress for 31m0\ds \(cycle held-cyc, started .*\): it looks stuck/);
      expect(s.notion.requests()).toEqual([]);
    } finally {
      await lock?.release();
    }
  });

  it('records who runs it, and its progress while it runs', async () => {
    const s = await open();
    const db = s.store.store.db;
    // A clock a minute and a second ahead at every reading: each page read and operation sent is a minute apart.
    let clock = Date.now();
    const now = () => new Date((clock += 61_000));
    const summary = await runCycle({ config: s.config, store: s.store.store, logger, now });
    expect(summary.status).toBe('succeeded');
    const [row] = await listRecentCycles(db, s.config.target);
    expect(row?.holder).toMatch(/^.+:\d+$/);
    expect(row?.progressAt?.getTime()).toBeGreaterThan(row!.startedAt.getTime());
    expect(await readRunningCycle(db, s.config.target)).toBeUndefined();
  });

  it('stops starting operations when interrupted, is recorded so, and the next cycle converges', async () => {
    const s = await open();
    const controller = new AbortController();
    let writes = 0;
    s.notion.events.on('request', (entry: { method: string }) => {
      if (entry.method !== 'GET' && ++writes === 3) controller.abort();
    });
    const interrupted = await runCycle({ config: s.config, store: s.store.store, logger, signal: controller.signal });
    expect(interrupted.status).toBe('interrupted');
    expect(writes).toBeLessThan(12);
    expect((await listRecentCycles(s.store.store.db, s.config.target))[0]?.status).toBe('interrupted');
    expect((await s.sync()).status).toBe('succeeded');
    expect(s.differences()).toEqual([]);
  });

  it('re-evaluates every object after the mapping changed', async () => {
    const s = await open();
    await s.sync();
    const mapping = { ...s.config.mapping, user: [...s.config.mapping.user, { target: 'title', direct: 'department', apply: 'always' as const }] };
    const config: LoadedConfig = { ...s.config, mapping };
    const summary = await runCycle({ config, store: s.store.store, logger });
    expect(summary.counts['update.success']).toBeGreaterThan(3);
    const user = directlyAssignedUser(s.tenant);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.title ?? null).toBe(user.department);
  });

  it('disables users that a scoping filter takes out of scope', async () => {
    const s = await open();
    await s.sync();
    const user = directlyAssignedUser(s.tenant);
    const mapping = { ...s.config.mapping, scopingFilters: { user: [{ clauses: [{ attribute: 'userPrincipalName', operator: 'NOT EQUALS' as const, value: user.userPrincipalName }] }], group: [] } };
    const summary = await runCycle({ config: { ...s.config, mapping }, store: s.store.store, logger });
    expect(summary.counts['disable.success']).toBe(1);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
  });

  it('evaluates an in-scope user it leaves unlinked once, not again every cycle (a disabled user is never created)', async () => {
    const s = await open();
    const disabled = s.tenant.hireUser({ accountEnabled: false });
    s.tenant.assign(disabled.id);
    await s.sync();
    const rule = { scope: s.config.entra.scope, transitiveGroups: s.config.entra.transitiveGroups };
    const candidates = await readCandidates(s.store.store.db, s.config.target, 'user', rule, { evaluateAll: false, now: new Date() });
    expect(candidates.ids).toEqual([]);
    expect(notionUser(s.notion.workspace, disabled.userPrincipalName)).toBeUndefined();
  });

  it('deprovisions a protected user out of scope once PROTECTED_USERS no longer names it, with no change in Entra', async () => {
    const s = await open();
    await s.sync();
    const user = directlyAssignedUser(s.tenant);
    const protecting = { ...s.config, provisioning: { ...s.config.provisioning, protectedUsers: [user.userPrincipalName] } };
    s.tenant.unassign(user.id);
    await runCycle({ config: protecting, store: s.store.store, logger });
    expect((await runCycle({ config: protecting, store: s.store.store, logger })).counts['disable.success']).toBeUndefined();
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(true);
    expect((await s.sync()).counts['disable.success']).toBe(1);
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
  });

  it('with transitive groups, adds the members of a group nested deeper to the assigned group that holds it', async () => {
    const s = await open({ env: { TRANSITIVE_GROUPS: 'true' } });
    const outer = s.tenant.createGroup({ displayName: 'Outer' });
    const nested = s.tenant.createGroup({ displayName: 'Nested' });
    const inner = s.tenant.createGroup({ displayName: 'Inner' });
    s.tenant.assign(outer.id);
    s.tenant.addMember(outer.id, nested.id);
    const user = directlyAssignedUser(s.tenant);
    // In scope only through Inner once it is nested: evaluated out of scope first, and settled so.
    const newcomer = s.tenant.hireUser({ userPrincipalName: 'nested.newcomer@example.com', displayName: 'Nested Newcomer' });
    s.tenant.addMember(inner.id, user.id);
    s.tenant.addMember(inner.id, newcomer.id);
    await s.sync();
    const notionId = notionUser(s.notion.workspace, user.userPrincipalName)?.id as string;
    expect(notionId).toBeDefined();
    expect(notionUser(s.notion.workspace, newcomer.userPrincipalName)).toBeUndefined();
    // Only an edge between two groups changes: neither Outer nor the users are touched in Entra.
    s.tenant.addMember(nested.id, inner.id);
    expect((await s.sync()).status).toBe('succeeded');
    const outerInNotion = s.notion.workspace.snapshot().groups.find((g) => g.displayName === 'Outer');
    expect(outerInNotion?.members).toContain(notionId);
    expect(outerInNotion?.members).toContain(notionUser(s.notion.workspace, newcomer.userPrincipalName)?.id);
  });

  it('keeps the app role a user holds through a group when only its name changes, and sends that change alone', async () => {
    const s = await open();
    const team = s.tenant.createGroup({ displayName: 'Role Team' });
    const user = s.tenant.hireUser({ userPrincipalName: 'role.holder@example.com', displayName: 'Role Holder' });
    s.tenant.addMember(team.id, user.id);
    s.tenant.assign(team.id, '00000000-0000-0000-0000-00000000abcd');
    const mapping = { ...s.config.mapping, user: [...s.config.mapping.user, { target: 'title', expression: 'SingleAppRoleAssignment([appRoleAssignments])', apply: 'always' as const }] };
    const config: LoadedConfig = { ...s.config, mapping };
    await runCycle({ config, store: s.store.store, logger });
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.title).toBe('Role Team');
    s.tenant.renameUser(user.id, { displayName: 'Role Holder Renamed' });
    s.notion.clearRequests();
    expect((await runCycle({ config, store: s.store.store, logger })).counts['update.success']).toBe(1);
    const patches = s.notion.requests().filter((request) => request.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(JSON.stringify(patches[0]?.body)).not.toContain('title');
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.title).toBe('Role Team');
  });
});
