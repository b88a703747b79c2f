import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendLogEntries,
  clearWatermarks,
  lastSuccessfulCycle,
  listRecentCycles,
  markAbandonedCyclesInterrupted,
  pruneLog,
  queryLog,
  readTargetState,
  readWatermark,
  recordCycleEnd,
  recordCycleStart,
  saveWatermark,
  updateTargetState,
  type Store,
} from '../../../src/store/index.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

describe('store repositories', () => {
  let test: TestStore;
  let store: Store;
  beforeAll(async () => {
    test = await openTestStore();
    store = test.store;
  });
  afterAll(() => test.close());

  it('records cycles and finds the last successful one per target', async () => {
    const t0 = new Date('2026-11-01T10:00:00Z');
    await recordCycleStart(store.db, { id: 'c1', target: 'acme', kind: 'initial', startedAt: t0 });
    await recordCycleEnd(store.db, 'c1', { status: 'succeeded', finishedAt: new Date(t0.getTime() + 5000), counts: { 'create.success': 3 }, importComplete: true });
    await recordCycleStart(store.db, { id: 'c2', target: 'acme', kind: 'incremental', startedAt: new Date(t0.getTime() + 60_000) });
    await recordCycleEnd(store.db, 'c2', { status: 'failed', finishedAt: new Date(t0.getTime() + 61_000), counts: {}, error: 'auth' });
    await recordCycleStart(store.db, { id: 'other', target: 'globex', kind: 'initial', startedAt: t0 });

    expect((await listRecentCycles(store.db, 'acme')).map((c) => c.id)).toEqual(['c2', 'c1']);
    const last = await lastSuccessfulCycle(store.db, 'acme');
    expect(last).toMatchObject({ id: 'c1', status: 'succeeded', counts: { 'create.success': 3 }, importComplete: true });
  });

  it('marks cycles left running by a dead process as interrupted', async () => {
    await recordCycleStart(store.db, { id: 'c3', target: 'initech', kind: 'incremental', startedAt: new Date() });
    expect(await markAbandonedCyclesInterrupted(store.db, 'initech', new Date())).toBe(1);
    expect((await listRecentCycles(store.db, 'initech'))[0]).toMatchObject({ id: 'c3', status: 'interrupted' });
  });

  it('filters the provisioning log by object, action, status and cycle, and prunes old rows', async () => {
    const old = new Date('2026-01-01T00:00:00Z');
    const base = { target: 'acme', objectType: 'user' as const, changeId: 'x' };
    await appendLogEntries(store.db, [
      { ...base, cycleId: 'c1', sourceId: 'u1', notionId: 'n1', displayName: 'Ann@Contoso.com', action: 'create', status: 'success' },
      { ...base, cycleId: 'c1', sourceId: 'u2', displayName: 'bob@contoso.com', action: 'create', status: 'failure', errorKind: 'bad-request' },
      { ...base, cycleId: 'c2', sourceId: 'u1', notionId: 'n1', displayName: 'ann@contoso.com', action: 'disable', status: 'success' },
      { ...base, cycleId: 'c0', sourceId: 'u9', action: 'update', status: 'success', at: old },
    ]);
    expect((await queryLog(store.db, { target: 'acme', object: 'ann@contoso.com' })).map((r) => r.action)).toEqual(['disable', 'create']);
    expect((await queryLog(store.db, { target: 'acme', object: 'n1', action: 'create' })).map((r) => r.sourceId)).toEqual(['u1']);
    expect((await queryLog(store.db, { target: 'acme', status: 'failure' })).map((r) => r.errorKind)).toEqual(['bad-request']);
    expect((await queryLog(store.db, { target: 'acme', cycleId: 'c2' })).map((r) => r.action)).toEqual(['disable']);
    expect(await pruneLog(store.db, 'acme', new Date('2026-06-01T00:00:00Z'))).toBe(1);
    expect(await queryLog(store.db, { target: 'acme', object: 'u9' })).toEqual([]);
  });

  it('keeps target state and watermarks per target', async () => {
    await updateTargetState(store.db, 'acme', { mappingFingerprint: 'f1', lastScopeSize: 10 });
    await updateTargetState(store.db, 'acme', { quarantineReason: 'auth', quarantineSeriesCount: 1 });
    expect(await readTargetState(store.db, 'acme')).toMatchObject({ mappingFingerprint: 'f1', lastScopeSize: 10, quarantineReason: 'auth', quarantineSeriesCount: 1 });
    expect(await readTargetState(store.db, 'globex')).toBeUndefined();

    await saveWatermark(store.db, 'acme', 'users', { deltaLink: null, nextLink: 'https://graph/next', fullRead: true, readGeneration: 1 });
    await saveWatermark(store.db, 'acme', 'users', { deltaLink: 'https://graph/delta', nextLink: null, fullRead: false, readGeneration: 1 });
    expect(await readWatermark(store.db, 'acme', 'users')).toMatchObject({ deltaLink: 'https://graph/delta', nextLink: null, readGeneration: 1 });
    expect(await readWatermark(store.db, 'acme', 'groups')).toBeUndefined();
    expect(await clearWatermarks(store.db, 'acme')).toBe(1);
    expect(await readWatermark(store.db, 'acme', 'users')).toBeUndefined();
  });
});
