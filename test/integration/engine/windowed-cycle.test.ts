// A cycle with more candidates than one window (EVALUATION_WINDOW) is evaluated, planned and applied a window at a
// time (src/engine/windowed-cycle.ts) and must decide as one plan would: the same requests on an initial sync, the
// deletion guard over the whole cycle, offboarding before anyone is created, held users' memberships kept.
// (CI also runs the whole engine suite with TEST_EVALUATION_WINDOW=2.)
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { entraUserName, expectedWorkspace } from '../../../src/cli/commands/demo-verdict.js';
import { runCycle } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { queryLog } from '../../../src/store/index.js';
import { engineSessionPerTest, type EngineSession } from '../../helpers/engine-session.js';
import { groupMemberUser, notionGroupMembers, notionUser } from '../../helpers/tenant-picks.js';

// Most users assigned (directly or through a group): 60 users make many windows of a few.
const { open, synced } = engineSessionPerTest({ tenant: { seed: 11, users: 60, groups: 6, directAssignmentShare: 0.7, assignedGroupShare: 0.5 } });
const env = (settings: Record<string, string> = {}) => ({ env: settings });

/** Runs one cycle with a logger whose events are kept: the windows show in them. */
async function syncLogged(session: EngineSession, options: Parameters<EngineSession['sync']>[0] = {}, config = session.config) {
  const events: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') events.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', format: 'json', destination });
  const summary = await runCycle({ config, store: session.store.store, logger }, options);
  return { summary, events, windows: events.filter((event) => event.event === 'cycle.window') };
}

const sortedCounts = (counts: Record<string, number>) => Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));

describe('a cycle in windows', () => {
  it('provisions an initial sync window by window with the same requests as in one piece', async () => {
    const whole = await open(env({ EVALUATION_WINDOW: '5000' }));
    const single = await syncLogged(whole);
    expect(single.summary.status).toBe('succeeded');
    expect(single.windows).toEqual([]);
    const wholeRequests = sortedCounts(whole.notion.requestCounts());
    await whole.close();

    const windowed = await open(env({ EVALUATION_WINDOW: '7' }));
    const run = await syncLogged(windowed);
    expect(run.summary).toMatchObject({ kind: 'initial', status: 'succeeded', escrowed: 0 });
    expect(windowed.differences()).toEqual([]);
    // Every user window before the first group window: the groups are created with all their first members.
    const parts = run.windows.map((window) => window.part);
    expect(parts.filter((part) => part === 'users').length).toBeGreaterThan(5);
    expect(parts.lastIndexOf('users')).toBeLessThan(parts.indexOf('groups'));
    expect(sortedCounts(windowed.notion.requestCounts())).toEqual(wholeRequests);
    // The next cycle has nothing to do.
    windowed.notion.clearRequests();
    expect((await windowed.sync()).status).toBe('succeeded');
    expect(windowed.writes()).toBe(0);
  });

  it('stages every deprovision of the cycle when together they exceed the threshold, though no window does', async () => {
    const s = await synced(env({ EVALUATION_WINDOW: '3', DELETION_THRESHOLD: '4', DELETION_THRESHOLD_PERCENT: '100' }));
    const leavers = s.tenant.users().filter((user) => notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).slice(0, 5);
    for (const user of leavers) s.tenant.hardDeleteUser(user.id);
    const { summary, windows } = await syncLogged(s, { mode: 'full' });
    expect(windows.length).toBeGreaterThan(1);
    expect(summary).toMatchObject({ status: 'held', stagedDeletes: 5 });
    for (const user of leavers) expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(true);
  });

  it('sends every deprovision before any create, and keeps a protected leaver in its groups', async () => {
    const probe = await open(env());
    const { user: kept, groupId } = groupMemberUser(probe.tenant);
    await probe.close();
    const keptName = entraUserName(kept.userPrincipalName);
    const s = await synced(env({ EVALUATION_WINDOW: '2' }));
    const groupName = s.tenant.findGroup(groupId)?.displayName as string;
    expect(notionGroupMembers(s.notion.workspace, groupName)).toContain(keptName);
    const leavers = s.tenant.users().filter((user) => user.id !== kept.id && notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).slice(0, 3);
    for (const user of leavers) s.tenant.hardDeleteUser(user.id);
    // Out of scope, but protected: its deprovision is skipped, and its memberships stay as they are.
    s.tenant.removeMember(groupId, kept.id);
    if (s.tenant.assignments().some((a) => a.principalId === kept.id)) s.tenant.unassign(kept.id);
    expect(expectedWorkspace(s.tenant).users.has(keptName)).toBe(false);
    const hires = [s.tenant.hireUser(), s.tenant.hireUser()];
    for (const hire of hires) s.tenant.assign(hire.id);
    s.notion.clearRequests();
    // Protected from now on (a protected user is never created either).
    const config = { ...s.config, provisioning: { ...s.config.provisioning, protectedUsers: [keptName] } };
    const { summary, windows } = await syncLogged(s, { mode: 'full' }, config);
    expect(summary.status).toBe('succeeded');
    expect(windows[0]).toMatchObject({ part: 'leaving and held users' });
    const writes = s.notion.requests().filter((request) => request.method !== 'GET');
    const lastDeprovision = writes.findLastIndex((request) => request.method === 'DELETE' && request.path.startsWith('/Users/'));
    const firstCreate = writes.findIndex((request) => request.method === 'POST' && request.path === '/Users');
    expect(lastDeprovision).toBeGreaterThanOrEqual(0);
    expect(firstCreate).toBeGreaterThan(lastDeprovision);
    for (const hire of hires) expect(notionUser(s.notion.workspace, hire.userPrincipalName)?.inWorkspace).toBe(true);
    for (const user of leavers) expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace ?? false).toBe(false);
    expect(notionGroupMembers(s.notion.workspace, groupName)).toContain(keptName);
    expect(s.differences([keptName])).toEqual([]);
  });

  it('reads back the groups of a user returning in a window, and takes them out of those Entra no longer puts them in', async () => {
    const s = await synced({ notion: { membershipsOnRemoval: 'restore-within-30-days' }, env: { EVALUATION_WINDOW: '2' } });
    const { user } = groupMemberUser(s.tenant);
    const extra = s.tenant.createGroup({ displayName: 'Extra' });
    s.tenant.assign(extra.id);
    s.tenant.addMember(extra.id, user.id);
    expect((await s.sync()).status).toBe('succeeded');
    expect(notionGroupMembers(s.notion.workspace, 'Extra')).toEqual([entraUserName(user.userPrincipalName)]);
    // Removed by hand in Notion, which keeps the groups to give back on rejoining; then away in Entra, and back
    // without "Extra".
    s.notion.workspace.removeUser(notionUser(s.notion.workspace, user.userPrincipalName)?.id as string);
    s.tenant.disableUser(user.id);
    expect((await s.sync()).status).toBe('succeeded');
    s.tenant.removeMember(extra.id, user.id);
    s.tenant.enableUser(user.id);
    const { summary, windows } = await syncLogged(s, { mode: 'full' });
    expect(summary.status).toBe('succeeded');
    expect(windows.filter((window) => window.part === 'users').length).toBeGreaterThan(1);
    expect(summary.counts['enable.success']).toBe(1);
    expect(notionGroupMembers(s.notion.workspace, 'Extra')).toEqual([]);
    const removals = await queryLog(s.store.store.db, { target: s.config.target, cycleId: summary.cycleId, action: 'remove-members' });
    expect(removals).toEqual([expect.objectContaining({ displayName: 'Extra', status: 'success', reason: expect.stringContaining('Entra does not put them in') })]);
    expect(s.differences()).toEqual([]);
  });
});
