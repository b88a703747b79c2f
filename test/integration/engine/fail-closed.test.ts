// Fail closed (issue 11): every removal obeys the import hold, a create or lookup answer that names another member is
// never linked, `reset escrows` really retries, and transient Notion faults converge instead of hiding as "succeeded".
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { runCycle } from '../../../src/engine/index.js';
import { liftQuarantineOnNewConfiguration } from '../../../src/engine/quarantine.js';
import { decideStagedDeletes, decideUnaccountedMembers, NotStagedError, resetEscrows } from '../../../src/engine/manual-actions.js';
import { createLogger } from '../../../src/observe/index.js';
import { listEscrowedObjects, queryLog, readTargetState } from '../../../src/store/index.js';
import { readLinks } from '../../helpers/whole-tables.js';
import type { RequestLogEntry } from '../../../src/sim/notion/index.js';
import { engineSessionPerTest, type EngineSession } from '../../helpers/engine-session.js';
import { directlyAssignedUser, groupMemberUser, notionUser } from '../../helpers/tenant-picks.js';

const { open, synced } = engineSessionPerTest();

const silent = createLogger({ level: 'silent' });

/** PATCH /Groups requests whose operations take members out. */
function memberRemovals(s: EngineSession): RequestLogEntry[] {
  return s.notion.requests().filter((r) => r.method === 'PATCH' && r.path.startsWith('/Groups/') && JSON.stringify(r.body ?? {}).toLowerCase().includes('"op":"remove"'));
}

/** A new user in scope (assigned directly), not yet in Notion. */
function hire(s: EngineSession, upn: string) {
  const user = s.tenant.hireUser({ userPrincipalName: upn, mail: upn, displayName: upn.split('@')[0] });
  s.tenant.assign(user.id);
  return user;
}

describe('removals obey the hold of an incomplete import', () => {
  it('sends no member removal while the Graph read is incomplete, and applies them in the next complete cycle', async () => {
    const s = await synced();
    const { user, groupId } = groupMemberUser(s.tenant);
    // Stays in scope through a direct assignment: only its membership goes.
    s.tenant.assign(user.id);
    expect((await s.sync()).status).toBe('succeeded');
    s.tenant.removeMember(groupId, user.id);
    // The groups (with the member change) are read; the users stream, read at the same time, fails: the import is incomplete.
    s.graph.injectFault({ kind: 'status', status: 400, count: 1, match: { path: /users\/delta/ } });
    s.notion.clearRequests();
    const held = await s.sync();
    expect(held).toMatchObject({ importComplete: false, status: 'partial' });
    expect(memberRemovals(s)).toEqual([]);
    expect(s.differences().some((line) => line.includes(user.userPrincipalName))).toBe(true);

    const after = await s.sync();
    expect(after).toMatchObject({ importComplete: true, status: 'succeeded' });
    expect(memberRemovals(s)).toHaveLength(1);
    expect(s.differences()).toEqual([]);
  });

  it('holds member removals while a suspicious scope shrink is held', async () => {
    const s = await synced({ env: { SCOPE_SHRINK_HOLD_PERCENT: '1' } });
    const { user, groupId } = groupMemberUser(s.tenant);
    s.tenant.assign(user.id);
    expect((await s.sync()).status).toBe('succeeded');
    const leaver = directlyAssignedUser(s.tenant);
    s.tenant.unassign(leaver.id);
    s.tenant.removeMember(groupId, user.id);
    s.notion.clearRequests();
    const held = await s.sync();
    expect(held.status).toBe('held');
    expect(memberRemovals(s)).toEqual([]);
    expect(notionUser(s.notion.workspace, leaver.userPrincipalName)?.inWorkspace).toBe(true);
    expect((await s.sync({ forceDeletes: true })).status).toBe('succeeded');
    expect(memberRemovals(s)).toHaveLength(1);
    expect(s.differences()).toEqual([]);
  });
});

describe('answers that name another member', () => {
  it('never links a create answered with an existing member, and never touches that member', async () => {
    const s = await synced();
    const bystander = s.notion.workspace.addUser({ userName: 'bystander@example.com', name: { formatted: 'By Stander' } });
    const newcomer = hire(s, 'newcomer@example.com');
    s.notion.setOptions({ createAnswersMember: bystander.userName });
    const refused = await s.sync();
    expect(refused).toMatchObject({ status: 'partial', escrowed: 1 });
    const [failure] = await queryLog(s.store.store.db, { target: s.config.target, object: newcomer.id, status: 'failure' });
    expect(failure?.errorMessage).toContain('newcomer@example.com');
    expect(failure?.errorMessage).toContain('bystander@example.com');
    const links = await readLinks(s.store.store.db, s.config.target, 'user');
    expect(links.some((l) => l.notionId === bystander.id)).toBe(false);

    s.notion.setOptions({ createAnswersMember: undefined });
    expect((await s.sync()).status).toBe('succeeded');
    const link = (await readLinks(s.store.store.db, s.config.target, 'user')).find((l) => l.sourceId === newcomer.id);
    expect(link?.notionId).toBe(notionUser(s.notion.workspace, 'newcomer@example.com')?.id);

    s.tenant.unassign(newcomer.id);
    expect((await s.sync()).counts['disable.success']).toBe(1);
    expect(notionUser(s.notion.workspace, 'newcomer@example.com')?.inWorkspace).toBe(false);
    expect(s.notion.workspace.account(bystander.id)?.inWorkspace).toBe(true);
  });

  it('does not link the unrelated member a lookup answers when the server ignored the filter', async () => {
    const s = await open();
    const bystander = s.notion.workspace.addUser({ userName: 'bystander@example.com' });
    // An unmanaged member the first cycle cannot account for: held until decided; the operator leaves it alone.
    expect(await s.sync()).toMatchObject({ status: 'held', unaccountedMembers: 1 });
    await decideUnaccountedMembers(s.store.store.db, s.config.target, { ids: [], reject: true, actor: 'test', deprovisionAction: 'disable' });
    const newcomer = hire(s, 'newcomer@example.com');
    // The create is applied but its answer is lost; the retry looks the user up first, and the lookup (filter ignored,
    // one member per page) answers the bystander.
    s.notion.setOptions({ ignoreFilters: true, pageSizeCap: 1 });
    s.notion.injectFault({ kind: 'reset', when: 'after', count: 1, match: { method: 'POST', path: /^\/Users$/ } });
    const refused = await s.sync();
    expect(refused).toMatchObject({ status: 'partial', escrowed: 1 });
    const [failure] = await queryLog(s.store.store.db, { target: s.config.target, object: newcomer.id, status: 'failure' });
    expect(failure?.errorMessage).toContain('bystander@example.com');
    expect((await readLinks(s.store.store.db, s.config.target, 'user')).some((l) => l.notionId === bystander.id)).toBe(false);

    s.notion.setOptions({ ignoreFilters: false, pageSizeCap: 100 });
    expect((await s.sync()).status).toBe('succeeded');
    expect(s.differences(['bystander@example.com'])).toEqual([]);
    s.tenant.unassign(newcomer.id);
    await s.sync();
    expect(s.notion.workspace.account(bystander.id)?.inWorkspace).toBe(true);
  });
});

describe('a Notion user another Entra user holds', () => {
  it('is never linked to a newcomer who takes over the departed holder\'s userName', async () => {
    // Over 100 linked users and one newcomer: the engine does not list Notion, so the executor checks the create's
    // answer (Notion answers with the account that has the userName) against the store's links.
    const s = await synced({ tenant: { seed: 21, users: 150, groups: 4 }, env: { SYNC_SCOPE: 'all' } });
    const departed = directlyAssignedUser(s.tenant);
    const held = notionUser(s.notion.workspace, departed.userPrincipalName);
    expect(held).toBeDefined();
    s.tenant.softDeleteUser(departed.id);
    expect((await s.sync()).status).toBe('succeeded');
    const newcomer = hire(s, departed.userPrincipalName);
    s.notion.clearRequests();

    expect(await s.sync()).toMatchObject({ status: 'partial', escrowed: 1 });
    expect(s.notion.requests().some((r) => r.method === 'GET' && r.path.startsWith('/Users') && !r.query.includes('filter'))).toBe(false);
    const [failure] = await queryLog(s.store.store.db, { target: s.config.target, object: newcomer.id, status: 'failure' });
    expect(failure?.errorMessage).toContain(`which is linked to Entra object ${departed.id}; nothing was linked`);
    const links = await readLinks(s.store.store.db, s.config.target, 'user');
    expect(links.find((l) => l.sourceId === departed.id)?.notionId).toBe(held?.id);
    expect(links.find((l) => l.sourceId === newcomer.id)?.notionId ?? null).toBeNull();
  });
});

describe('reset escrows', () => {
  it('tries a pending create again in the next cycle', async () => {
    const s = await synced();
    const newcomer = hire(s, 'newcomer@example.com');
    s.notion.injectFault({ kind: 'reset', count: 50, match: { method: 'POST', path: /^\/Users$/ } });
    const failed = await s.sync();
    expect(failed).toMatchObject({ status: 'partial', escrowed: 1 });
    expect((await readLinks(s.store.store.db, s.config.target, 'user')).find((l) => l.sourceId === newcomer.id)?.state).toBe('pending-create');
    s.notion.clearFaults();

    expect(await resetEscrows(s.store.store.db, s.config.target, 'test-admin')).toBe(1);
    const [row] = await queryLog(s.store.store.db, { target: s.config.target, action: 'reset-escrow' });
    expect(row).toMatchObject({ actor: 'test-admin', sourceId: newcomer.id, cycleId: null });
    const retried = await s.sync();
    expect(retried).toMatchObject({ status: 'succeeded', escrowed: 0 });
    expect(notionUser(s.notion.workspace, 'newcomer@example.com')?.inWorkspace).toBe(true);
    expect(s.differences()).toEqual([]);
  });

  it('tries a refused create again in the next cycle, though nothing about the user changed in Entra', async () => {
    const s = await synced();
    const newcomer = hire(s, 'refused@example.com');
    s.notion.injectFault({ kind: 'status', status: 400, count: 50, match: { method: 'POST', path: /^\/Users$/ } });
    expect(await s.sync()).toMatchObject({ status: 'partial', escrowed: 1 });
    s.notion.clearFaults();
    expect((await readLinks(s.store.store.db, s.config.target, 'user')).find((l) => l.sourceId === newcomer.id)?.state).not.toBe('pending-create');

    expect(await resetEscrows(s.store.store.db, s.config.target, 'test-admin')).toBe(1);
    expect(await s.sync()).toMatchObject({ status: 'succeeded', escrowed: 0 });
    expect(notionUser(s.notion.workspace, 'refused@example.com')?.inWorkspace).toBe(true);
  });
});

describe('transient Notion faults', () => {
  it('retries within the cycle, reports what it leaves escrowed as partial, and converges by the next cycle', async () => {
    const s = await open({ tenant: { seed: 21, users: 150, groups: 6 }, env: { NOTION_MAX_CONCURRENCY: '1' }, notion: { faultSeed: 11 } });
    s.notion.injectFault({ kind: 'status', status: 502, rate: 0.1 });
    s.notion.injectFault({ kind: 'reset', rate: 0.05, when: 'after' });
    const first = await s.sync();
    const failures = Object.entries(first.counts).filter(([key]) => key.endsWith('.failure')).reduce((n, [, v]) => n + v, 0);
    expect(failures).toBeGreaterThan(0);
    expect(first.status).toBe(first.escrowed > 0 ? 'partial' : 'succeeded');
    const second = await s.sync();
    s.notion.clearFaults();
    expect(second.escrowed).toBe(0);
    expect(s.differences()).toEqual([]);
    expect(s.notion.workspace.userCount()).toBe(new Set(s.notion.workspace.users().map((u) => u.userName.toLowerCase())).size);
  });

  it('escrows a first failure until the next cycle, then on Entra schedule from the second failed cycle', async () => {
    const s = await open();
    const refuseOneCreate = () => s.notion.injectFault({ kind: 'status', status: 400, count: 1, match: { method: 'POST', path: /^\/Users$/ } });
    refuseOneCreate();
    const first = await s.sync();
    expect(first).toMatchObject({ status: 'partial', escrowed: 1 });
    expect(first.counts['create.failure']).toBe(1);
    // Due at once: the next cycle tries it again (and it fails a second time).
    refuseOneCreate();
    const second = await s.sync();
    expect(second).toMatchObject({ status: 'partial', escrowed: 1 });
    expect(second.counts['create.failure']).toBe(1);
    const [escrowed] = await listEscrowedObjects(s.store.store.db, s.config.target);
    expect(escrowed?.attempts).toBe(2);
    expect(escrowed?.nextAttemptAt?.getTime()).toBeGreaterThan(Date.now() + 9 * 60 * 1000);

    s.notion.clearRequests();
    expect((await s.sync()).escrowed).toBe(1);
    expect(s.writes()).toBe(0);
    const later = new Date(Date.now() + 60 * 60 * 1000);
    expect(await s.sync({}, () => later)).toMatchObject({ status: 'succeeded', escrowed: 0 });
    expect(s.differences()).toEqual([]);
  });
});

describe('escrow of an object no longer wanted', () => {
  it('ends when the object leaves scope before its retry, so the cycle is not partial for ever', async () => {
    const s = await synced();
    const newcomer = hire(s, 'newcomer@example.com');
    s.notion.injectFault({ kind: 'status', status: 400, count: 1, match: { method: 'POST', path: /^\/Users$/ } });
    expect(await s.sync()).toMatchObject({ status: 'partial', escrowed: 1 });
    s.tenant.unassign(newcomer.id);
    s.notion.clearRequests();
    expect(await s.sync()).toMatchObject({ status: 'succeeded', escrowed: 0 });
    expect(s.writes()).toBe(0);
    expect(notionUser(s.notion.workspace, 'newcomer@example.com')).toBeUndefined();
  });
});

describe('staged deletes', () => {
  it('logs a staged delete once, when it is staged, and reports the cycle as held', async () => {
    const s = await synced({ env: { DELETION_THRESHOLD: '0' } });
    const user = directlyAssignedUser(s.tenant);
    s.tenant.unassign(user.id);
    expect(await s.sync()).toMatchObject({ status: 'held', stagedDeletes: 1 });
    const again = await s.sync();
    expect(again).toMatchObject({ status: 'held', stagedDeletes: 1 });
    expect(again.counts['staged-delete.skipped']).toBeUndefined();
    expect(await queryLog(s.store.store.db, { target: s.config.target, action: 'staged-delete' })).toHaveLength(1);
  });

  it('keeps the group memberships of a staged user until its deprovision is approved', async () => {
    const s = await synced({ env: { DELETION_THRESHOLD: '0' } });
    const { user, groupId } = groupMemberUser(s.tenant);
    s.tenant.removeMember(groupId, user.id);
    s.notion.clearRequests();
    expect(await s.sync()).toMatchObject({ status: 'held', stagedDeletes: 1 });
    expect(memberRemovals(s)).toEqual([]);
    expect(s.writes()).toBe(0);
    await decideStagedDeletes(s.store.store.db, s.config.target, { ids: [user.id], reject: false, actor: 'alice' });
    expect(await s.sync()).toMatchObject({ status: 'succeeded', stagedDeletes: 0 });
    expect(notionUser(s.notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
    expect(s.differences()).toEqual([]);
  });
});

describe('decisions taken by hand', () => {
  it('writes approve and reject to the provisioning log with who took them, and refuses an id that is not staged', async () => {
    const s = await synced({ env: { DELETION_THRESHOLD: '0' } });
    const [a, b] = [hire(s, 'ada@example.com'), hire(s, 'bob@example.com')];
    expect((await s.sync()).counts['create.success']).toBe(2);
    s.tenant.unassign(a.id);
    s.tenant.unassign(b.id);
    expect((await s.sync()).stagedDeletes).toBe(2);
    const db = s.store.store.db;
    await expect(decideStagedDeletes(db, s.config.target, { ids: [a.id, 'unknown-id'], reject: false, actor: 'alice' })).rejects.toThrow(NotStagedError);
    expect(await queryLog(db, { target: s.config.target, action: 'approve' })).toEqual([]);
    expect(await decideStagedDeletes(db, s.config.target, { ids: [a.id], reject: false, actor: 'alice' })).toBe(1);
    expect(await decideStagedDeletes(db, s.config.target, { ids: [b.id], reject: true, actor: 'bob' })).toBe(1);
    const rows = await queryLog(db, { target: s.config.target });
    expect(rows.filter((r) => r.actor !== null).map((r) => [r.action, r.actor, r.sourceId, r.cycleId])).toEqual([
      ['reject', 'bob', b.id, null],
      ['approve', 'alice', a.id, null],
    ]);
    expect(await s.sync()).toMatchObject({ status: 'succeeded', stagedDeletes: 0 });
    expect(notionUser(s.notion.workspace, a.userPrincipalName)?.inWorkspace).toBe(false);
    expect(notionUser(s.notion.workspace, b.userPrincipalName)?.inWorkspace).toBe(true);
  });
});

describe('quarantine', () => {
  it('is lifted at once when the token is changed, and not while the configuration is the same', async () => {
    const s = await synced();
    s.tenant.disableUser(directlyAssignedUser(s.tenant).id);
    s.notion.setOptions({ token: 'rotated-token' });
    expect((await s.sync()).status).toBe('quarantined');
    const state = await readTargetState(s.store.store.db, s.config.target);
    expect(state?.quarantineFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(state)).not.toContain(s.config.notion.token as string);

    expect(await liftQuarantineOnNewConfiguration(s.store.store, s.config, silent)).toBe(false);
    expect((await readTargetState(s.store.store.db, s.config.target))?.quarantineNextAttemptAt).not.toBeNull();

    const fixed = loadConfig({ env: { ...s.env, NOTION_SCIM_TOKEN: 'rotated-token' }, cwd: '/nonexistent' });
    expect(await liftQuarantineOnNewConfiguration(s.store.store, fixed, silent)).toBe(true);
    expect(await readTargetState(s.store.store.db, s.config.target)).toMatchObject({ quarantineReason: null, quarantineNextAttemptAt: null, quarantineSeriesCount: 0 });
    expect((await runCycle({ config: fixed, store: s.store.store, logger: silent })).status).toBe('succeeded');
  });
});

describe('log lines', () => {
  it('never repeat a key the logger already binds (cycleId, target)', async () => {
    const s = await open();
    s.tenant.disableUser(directlyAssignedUser(s.tenant).id);
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    await runCycle({ config: s.config, store: s.store.store, logger });
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      for (const key of ['cycleId', 'target', 'event', 'status']) expect(line.split(`"${key}":`).length - 1, `${key} in ${line}`).toBeLessThanOrEqual(1);
    }
  });
});
