// Safety end to end: the deletion guard (stage, approve, reject, force), no deprovisioning after an incomplete import,
// escrow with backoff, and quarantine on auth failure or a high failure rate.
import { describe, expect, it } from 'vitest';
import { approveStagedDeprovisions, listStagedDeletes, readTargetState, rejectStagedDeprovisions } from '../../../src/store/index.js';
import { runCycle } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { engineSessionPerTest, type EngineSession } from '../../helpers/engine-session.js';
import { freePort } from '../../helpers/free-port.js';
import { directlyAssignedUser, groupMemberUser, notionUser } from '../../helpers/tenant-picks.js';

const { open, synced } = engineSessionPerTest();
const silent = createLogger({ level: 'silent' });

const inWorkspace = (s: EngineSession, upn: string) => notionUser(s.notion.workspace, upn)?.inWorkspace;

describe('deletion guard', () => {
  it('stages all deprovisions over the threshold until they are approved', async () => {
    const s = await synced({ env: { DELETION_THRESHOLD: '1' } });
    const a = directlyAssignedUser(s.tenant);
    const b = groupMemberUser(s.tenant).user;
    s.tenant.disableUser(a.id);
    s.tenant.disableUser(b.id);
    s.notion.clearRequests();
    const staged = await s.sync();
    expect(staged.status).toBe('held');
    expect(staged.counts['staged-delete.skipped']).toBe(2);
    expect(staged.stagedDeletes).toBe(2);
    expect(s.writes()).toBe(0);
    expect(inWorkspace(s, a.userPrincipalName)).toBe(true);

    expect((await s.sync()).counts['disable.success']).toBeUndefined();
    expect(await approveStagedDeprovisions(s.store.store.db, s.config.target)).toBe(2);
    const applied = await s.sync();
    expect(applied.counts['disable.success']).toBe(2);
    expect(applied.stagedDeletes).toBe(0);
    expect(inWorkspace(s, a.userPrincipalName)).toBe(false);
    expect(s.differences()).toEqual([]);
  });

  it('counts deprovisions against a share of linked users too', async () => {
    const s = await synced({ env: { DELETION_THRESHOLD_PERCENT: '1' } });
    s.tenant.disableUser(directlyAssignedUser(s.tenant).id);
    expect((await s.sync()).counts['staged-delete.skipped']).toBe(1);
  });

  it('applies staged deprovisions with --force-deletes', async () => {
    const s = await synced({ env: { DELETION_THRESHOLD: '0' } });
    const user = directlyAssignedUser(s.tenant);
    s.tenant.unassign(user.id);
    await s.sync();
    expect(inWorkspace(s, user.userPrincipalName)).toBe(true);
    expect((await s.sync({ forceDeletes: true })).counts['disable.success']).toBe(1);
    expect(inWorkspace(s, user.userPrincipalName)).toBe(false);
  });

  it('leaves rejected staged deprovisions as they are in Notion', async () => {
    const s = await synced({ env: { DELETION_THRESHOLD: '0' } });
    const user = directlyAssignedUser(s.tenant);
    s.tenant.unassign(user.id);
    await s.sync();
    expect(await rejectStagedDeprovisions(s.store.store.db, s.config.target)).toBe(1);
    s.notion.clearRequests();
    const next = await s.sync();
    expect(s.writes()).toBe(0);
    expect(next.stagedDeletes).toBe(0);
    expect(await listStagedDeletes(s.store.store.db, s.config.target)).toEqual([]);
    expect(inWorkspace(s, user.userPrincipalName)).toBe(true);
  });
});

describe('incomplete import', () => {
  it('deprovisions nothing when the Graph read failed, and catches up once it works', async () => {
    const s = await synced();
    const user = directlyAssignedUser(s.tenant);
    s.tenant.unassign(user.id);
    s.graph.injectFault({ kind: 'status', status: 400, count: 1, match: { path: /delta/ } });
    const held = await s.sync();
    expect(held.importComplete).toBe(false);
    expect(held.status).toBe('partial');
    expect(held.counts['disable.success']).toBeUndefined();
    expect(inWorkspace(s, user.userPrincipalName)).toBe(true);
    const after = await s.sync();
    expect(after.importComplete).toBe(true);
    expect(inWorkspace(s, user.userPrincipalName)).toBe(false);
  });
});

describe('scope shrink', () => {
  it('holds deprovisioning when the scope shrank suspiciously, until sync --force-deletes', async () => {
    const s = await synced({ env: { SCOPE_SHRINK_HOLD_PERCENT: '5' } });
    const user = directlyAssignedUser(s.tenant);
    s.tenant.unassign(user.id);
    const held = await s.sync();
    expect(held).toMatchObject({ status: 'held', importComplete: false, error: expect.stringContaining('scope shrink') });
    expect(inWorkspace(s, user.userPrincipalName)).toBe(true);
    expect((await s.sync({ forceDeletes: true })).counts['disable.success']).toBe(1);
    expect(inWorkspace(s, user.userPrincipalName)).toBe(false);
    expect(await s.sync()).toMatchObject({ status: 'succeeded', importComplete: true });
  });
});

describe('escrow', () => {
  it('escrows a failed object, goes on with the others, and tries it again in the next cycle', async () => {
    const s = await open();
    s.notion.injectFault({ kind: 'status', status: 400, count: 1, match: { method: 'POST', path: /^\/Users$/ } });
    const first = await s.sync();
    expect(first.status).toBe('partial');
    expect(first.counts['create.failure']).toBe(1);
    expect(first.escrowed).toBe(1);
    expect(first.counts['create.success']).toBeGreaterThan(5);
    expect(s.differences().filter((line) => line.startsWith('missing user'))).toHaveLength(1);

    const retried = await s.sync();
    expect(retried).toMatchObject({ status: 'succeeded', escrowed: 0 });
    expect(s.differences()).toEqual([]);
  });
});

describe('quarantine', () => {
  it('stops at once and quarantines the target when Notion refuses the token', async () => {
    const s = await synced();
    s.tenant.disableUser(directlyAssignedUser(s.tenant).id);
    s.notion.setOptions({ token: 'a-revoked-token' });
    const summary = await s.sync();
    expect(summary.status).toBe('quarantined');
    expect(summary.quarantine?.reason).toMatch(/token/);
    const state = await readTargetState(s.store.store.db, s.config.target);
    expect(state).toMatchObject({ quarantineSeriesCount: 1 });
    expect(state?.quarantineNextAttemptAt?.getTime()).toBeGreaterThan(Date.now() + 29 * 60 * 1000);
  });

  it('quarantines when Notion refuses the token on the lookup before a create, outside any operation', async () => {
    const s = await synced();
    const hire = s.tenant.hireUser();
    s.tenant.assign(hire.id);
    s.notion.setOptions({ token: 'a-revoked-token' });
    const summary = await s.sync();
    expect(summary).toMatchObject({ status: 'quarantined', quarantine: { reason: expect.stringMatching(/^Notion refused the SCIM token/) } });
    expect((await readTargetState(s.store.store.db, s.config.target))?.quarantineSeriesCount).toBe(1);
  });

  it('finds a revoked token within the hour though nothing changes, and sends a quiet cycle before then nothing', async () => {
    const s = await synced();
    s.notion.setOptions({ token: 'a-revoked-token' });
    s.notion.clearRequests();
    const quiet = await s.sync({}, () => new Date(Date.now() + 59 * 60 * 1000));
    expect(quiet).toMatchObject({ status: 'succeeded', scim: { requests: 0 } });
    const hourLater = await s.sync({}, () => new Date(Date.now() + 61 * 60 * 1000));
    expect(hourLater).toMatchObject({ status: 'quarantined', quarantine: { reason: expect.stringMatching(/^Notion refused the SCIM token/) } });
    expect(s.writes()).toBe(0);
  });

  it('fails, visibly, a quiet cycle whose token check Notion does not answer as it should', async () => {
    const s = await synced();
    // A spoiled answer fails at once; 5xx and network failures fail the same way once the client's retries run out.
    s.notion.injectFault({ kind: 'malformed', rate: 1 });
    const summary = await s.sync({}, () => new Date(Date.now() + 2 * 60 * 60 * 1000));
    expect(summary).toMatchObject({ status: 'failed', error: expect.stringMatching(/^The token check a quiet cycle sends to Notion failed: /) });
  });

  it('quarantines when Entra refuses the app\'s credentials', async () => {
    const s = await open({ env: { ENTRA_CLIENT_SECRET: 'an-expired-secret' } });
    const summary = await s.sync();
    expect(summary).toMatchObject({ status: 'quarantined', quarantine: { reason: expect.stringMatching(/^Entra refused the app's credentials or permissions \(auth: /) } });
    expect((await readTargetState(s.store.store.db, s.config.target))?.quarantineReason).toMatch(/ENTRA_CLIENT_SECRET/);
  });

  it('sends nothing from what the store held before once Entra refuses the credentials: not even an escrowed retry', async () => {
    const s = await synced();
    const hire = s.tenant.hireUser();
    s.tenant.assign(hire.id);
    s.notion.injectFault({ kind: 'status', status: 400, count: 1, match: { method: 'POST', path: /^\/Users$/ } });
    expect((await s.sync()).escrowed).toBe(1);
    s.notion.clearRequests();
    const refused = { ...s.config, entra: { ...s.config.entra, clientSecret: 'an-expired-secret' } };
    const summary = await runCycle({ config: refused, store: s.store.store, logger: silent, now: () => new Date(Date.now() + 2 * 24 * 3600 * 1000) });
    expect(summary.status).toBe('quarantined');
    expect(s.writes()).toBe(0);
  });

  it('ends failed, "Notion unreachable", at the first operation that cannot reach Notion, and the next cycle sends it all', async () => {
    // Each operation used to wait out the client's retries, three passes over, and the cycle ended `partial` with the
    // objects escrowed, never naming the outage.
    const s = await synced();
    const leavers = [directlyAssignedUser(s.tenant), groupMemberUser(s.tenant).user];
    for (const leaver of leavers) s.tenant.disableUser(leaver.id);
    const unreachable = { ...s.config, notion: { ...s.config.notion, scimUrl: `http://127.0.0.1:${await freePort()}/scim/v2` } };
    const summary = await runCycle({ config: unreachable, store: s.store.store, logger: silent });
    expect(summary).toMatchObject({ status: 'failed', escrowed: 0, error: expect.stringMatching(/^Notion unreachable: .*ECONNREFUSED/) });
    expect(Object.keys(summary.counts).filter((key) => key.endsWith('.failure'))).toEqual([]);
    const next = await s.sync();
    expect(next.counts['disable.success']).toBe(2);
    for (const leaver of leavers) expect(inWorkspace(s, leaver.userPrincipalName)).toBe(false);
  });

  it('quarantines when more than the set share of operations fail, and a good cycle clears it', async () => {
    const session = await open({ env: { QUARANTINE_FAILURE_PERCENT: '40' } });
    const s = session;
    s.notion.injectFault({ kind: 'status', status: 400, rate: 1, match: { method: 'POST' } });
    const bad = await s.sync();
    expect(bad.status).toBe('quarantined');
    s.notion.clearFaults();
    const good = await s.sync({}, () => new Date(Date.now() + 2 * 24 * 3600 * 1000));
    expect(good.status).toBe('succeeded');
    expect((await readTargetState(s.store.store.db, s.config.target))?.quarantineReason).toBeNull();
    expect(s.differences()).toEqual([]);
  });
});
