// A lost store (issue 12): an initial cycle against a workspace that already holds members adopts those in scope and
// reports, holds and never touches the rest until an operator decides (`approve --unaccounted`, or --reject).
import { describe, expect, it } from 'vitest';
import { decideUnaccountedMembers, NotUnaccountedError, planCycle, provisionOnDemand, renderPlanTable } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { queryLog, tables } from '../../../src/store/index.js';
import { engineSessionPerTest, type EngineSession } from '../../helpers/engine-session.js';
import { directlyAssignedUser, notionUser } from '../../helpers/tenant-picks.js';

const { open } = engineSessionPerTest({ tenant: { seed: 21, users: 30, groups: 4 }, env: { PROTECTED_USERS: 'IT-Admin@example.com' } });

/** A workspace as a lost store finds it: one member in scope, two leavers, a protected admin and a workspace owner. */
async function populated(): Promise<{ s: EngineSession; adoptedId: string; adoptedName: string }> {
  const s = await open();
  const user = directlyAssignedUser(s.tenant);
  const adopted = s.notion.workspace.addUser({ userName: user.userPrincipalName });
  s.notion.workspace.addUser({ userName: 'leaver.one@example.com' });
  s.notion.workspace.addUser({ userName: 'leaver.two@example.com' });
  s.notion.workspace.addUser({ userName: 'it-admin@example.com' });
  s.notion.workspace.addUser({ userName: 'founder@example.com', role: 'owner' });
  return { s, adoptedId: adopted.id, adoptedName: user.userPrincipalName };
}

const decide = (s: EngineSession, ids: string[], reject: boolean) =>
  decideUnaccountedMembers(s.store.store.db, s.config.target, { ids, reject, actor: 'alice', deprovisionAction: s.config.provisioning.deprovisionAction });

const member = (s: EngineSession, userName: string) => notionUser(s.notion.workspace, userName)?.inWorkspace;

describe('an initial cycle against a populated workspace', () => {
  it('adopts the members in scope, reports the others as unaccounted and ends held, touching none of them', async () => {
    const { s, adoptedId, adoptedName } = await populated();
    const summary = await s.sync();
    expect(summary).toMatchObject({ kind: 'initial', status: 'held', unaccountedMembers: 2, stagedDeletes: 0 });
    expect(summary.counts['unaccounted.warning']).toBe(2);
    expect(summary.error).toContain('2 Notion member(s) are not accounted for');
    expect(summary.error).toContain('approve --unaccounted');
    expect(notionUser(s.notion.workspace, adoptedName)?.id).toBe(adoptedId);
    expect(s.differences(['leaver.one@example.com', 'leaver.two@example.com', 'it-admin@example.com', 'founder@example.com'])).toEqual([]);
    for (const name of ['leaver.one@example.com', 'leaver.two@example.com', 'it-admin@example.com', 'founder@example.com']) expect(member(s, name)).toBe(true);
    const rows = await queryLog(s.store.store.db, { target: s.config.target, action: 'unaccounted' });
    expect(rows.map((r) => [r.displayName, r.status]).sort()).toEqual([['leaver.one@example.com', 'warning'], ['leaver.two@example.com', 'warning']]);
    expect(rows[0]?.reason).toBe('in Notion, not in scope, not protected: possibly someone who left while the store was empty');

    // Undecided, they keep the next cycles held, and nothing touches them.
    s.notion.clearRequests();
    const second = await s.sync();
    expect(second).toMatchObject({ kind: 'incremental', status: 'held', unaccountedMembers: 2 });
    expect(s.writes()).toBe(0);
  });

  it('records every one of more unaccounted members than one statement takes (2,500: links and log rows by the 1,000)', async () => {
    const s = await open();
    for (let i = 0; i < 2_500; i += 1) s.notion.workspace.addUser({ userName: `former.${String(i).padStart(4, '0')}@example.com` });
    const summary = await s.sync();
    expect(summary).toMatchObject({ kind: 'initial', status: 'held', unaccountedMembers: 2_500 });
    expect(summary.counts['unaccounted.warning']).toBe(2_500);
    const rows = await queryLog(s.store.store.db, { target: s.config.target, action: 'unaccounted', limit: 3_000 });
    expect(new Set(rows.map((r) => r.displayName)).size).toBe(2_500);
  });

  it('records none while its cycle does not finish, and keeps no listing past it', async () => {
    const { s } = await populated();
    // Every create refused with a server error: the cycle stops in quarantine before its end.
    s.notion.injectFault({ kind: 'status', status: 500, rate: 1, match: { method: 'POST', path: /^\/Users$/ } });
    const stopped = await s.sync();
    expect(stopped).toMatchObject({ kind: 'initial', unaccountedMembers: 0 });
    expect(stopped.quarantine).toBeDefined();
    expect(await queryLog(s.store.store.db, { target: s.config.target, action: 'unaccounted' })).toEqual([]);
    expect(await s.store.store.db.select().from(tables.notionListing)).toEqual([]);
  });

  it('deactivates exactly the approved members in the next cycle, and leaves the rejected ones for good', async () => {
    const { s } = await populated();
    await s.sync();
    expect(await decide(s, ['LEAVER.ONE@example.com'], false)).toBe(1);
    s.notion.clearRequests();
    const third = await s.sync();
    expect(third).toMatchObject({ status: 'held', unaccountedMembers: 1, stagedDeletes: 0 });
    expect(third.counts['disable.success']).toBe(1);
    expect(s.writes()).toBe(1);
    expect(member(s, 'leaver.one@example.com')).toBe(false);
    expect(member(s, 'leaver.two@example.com')).toBe(true);
    const log = await queryLog(s.store.store.db, { target: s.config.target, object: 'leaver.one@example.com' });
    expect(log.map((r) => [r.action, r.status, r.actor])).toEqual([['disable', 'success', null], ['approve', 'success', 'alice'], ['unaccounted', 'warning', null]]);

    expect(await decide(s, [], true)).toBe(1);
    s.notion.clearRequests();
    const fourth = await s.sync();
    expect(fourth).toMatchObject({ status: 'succeeded', unaccountedMembers: 0 });
    expect(fourth.error).toBeUndefined();
    expect(s.writes()).toBe(0);
    for (const name of ['leaver.two@example.com', 'it-admin@example.com', 'founder@example.com']) expect(member(s, name)).toBe(true);
    // A decided member is not waiting any more.
    await expect(decide(s, ['leaver.two@example.com'], false)).rejects.toBeInstanceOf(NotUnaccountedError);
  });

  it('shows them under "Not accounted for" in the plan of a first cycle', async () => {
    const { s } = await populated();
    const report = await planCycle({ config: s.config, store: s.store.store, logger: createLogger({ level: 'silent' }) });
    expect(report.plan.unaccounted?.map((m) => m.userName)).toEqual(['leaver.one@example.com', 'leaver.two@example.com']);
    const table = renderPlanTable(report.plan);
    expect(table).toContain('Not accounted for: 2 active Notion member(s)');
    expect(table).toContain('leaver.two@example.com');
    expect(table).not.toContain('it-admin@example.com');
    expect(s.writes()).toBe(0);
  });
});

describe('a first complete cycle after `provision` on an empty store', () => {
  it('still reports the members it cannot account for', async () => {
    const { s } = await populated();
    const hire = s.tenant.hireUser({ userPrincipalName: 'early.bird@example.com' });
    s.tenant.assign(hire.id);
    const logger = createLogger({ level: 'silent' });
    const early = await provisionOnDemand({ config: s.config, store: s.store.store, logger }, hire.id, { dryRun: false });
    expect(early.result?.summary).toMatchObject({ kind: 'on-demand', status: 'succeeded', unaccountedMembers: 0 });
    const summary = await s.sync();
    expect(summary).toMatchObject({ kind: 'incremental', status: 'held', unaccountedMembers: 2 });
    expect(member(s, 'leaver.one@example.com')).toBe(true);
  });
});
