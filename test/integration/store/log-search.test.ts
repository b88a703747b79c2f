// The console's log search: keyset pages cover every row once, newest first; filters by object (ids exact, names by
// prefix in any case), action, status, cycle and time range; LIKE wildcards in the search are taken literally.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendLogEntries, searchLog, searchLogAll, type NewProvisioningLogRow } from '../../../src/store/index.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

let testStore: TestStore;
const start = Date.parse('2026-01-01T00:00:00Z');

beforeAll(async () => {
  testStore = await openTestStore();
  const rows: NewProvisioningLogRow[] = Array.from({ length: 130 }, (_, i) => ({
    target: 'default',
    cycleId: `cycle-${i % 3}`,
    changeId: `change-${i}`,
    at: new Date(start + i * 60_000),
    objectType: 'user',
    sourceId: `entra-${i}`,
    notionId: `notion-${i}`,
    displayName: i === 7 ? 'Ada_Lovelace@example.com' : `user${i}@example.com`,
    action: i % 2 === 0 ? 'create' : 'update',
    status: i % 10 === 0 ? 'failure' : 'success',
  }));
  await appendLogEntries(testStore.store.db, rows);
  await appendLogEntries(testStore.store.db, [{ target: 'other', changeId: 'x', objectType: 'user', sourceId: 'entra-1', action: 'create', status: 'success' }]);
});
afterAll(async () => testStore?.close());

const db = () => testStore.store.db;

describe('searchLog', () => {
  it('pages through every row of the target once, newest first', async () => {
    const seen: number[] = [];
    let before: number | undefined;
    let pages = 0;
    do {
      const page = await searchLog(db(), { target: 'default', limit: 50, ...(before ? { before } : {}) });
      seen.push(...page.rows.map((r) => r.id));
      before = page.nextCursor;
      pages++;
    } while (before !== undefined);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(130);
    expect(new Set(seen).size).toBe(130);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it('finds an object by Entra id, Notion id, or the start of its name in any case', async () => {
    expect((await searchLog(db(), { target: 'default', object: 'entra-12' })).rows.map((r) => r.changeId)).toEqual(['change-12']);
    expect((await searchLog(db(), { target: 'default', object: 'notion-12' })).rows.map((r) => r.changeId)).toEqual(['change-12']);
    expect((await searchLog(db(), { target: 'default', object: 'USER12' })).rows.map((r) => r.changeId).sort()).toEqual(['change-12', 'change-120', 'change-121', 'change-122', 'change-123', 'change-124', 'change-125', 'change-126', 'change-127', 'change-128', 'change-129']);
  });

  it('takes % and _ in the search literally', async () => {
    expect((await searchLog(db(), { target: 'default', object: 'ada_' })).rows.map((r) => r.changeId)).toEqual(['change-7']);
    expect((await searchLog(db(), { target: 'default', object: 'user%' })).rows).toEqual([]);
    expect((await searchLog(db(), { target: 'default', object: 'adaX' })).rows).toEqual([]);
  });

  it('combines action, status, cycle and time range', async () => {
    const page = await searchLog(db(), {
      target: 'default', action: 'create', status: 'failure', cycleId: 'cycle-0',
      from: new Date(start + 30 * 60_000), to: new Date(start + 90 * 60_000), limit: 100,
    });
    // Rows 30..90 with i % 10 == 0 (failure, even so create) and i % 3 == 0: 30, 60, 90.
    expect(page.rows.map((r) => r.changeId)).toEqual(['change-90', 'change-60', 'change-30']);
    expect(page.nextCursor).toBeUndefined();
  });

  it('reads every matching row for an export, across pages', async () => {
    const all = [];
    for await (const row of searchLogAll(db(), { target: 'default', action: 'update' })) all.push(row);
    expect(all).toHaveLength(65);
  });
});
