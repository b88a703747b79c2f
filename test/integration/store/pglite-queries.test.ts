// PGlite through drizzle (issue 14): drizzle's parsers live in the client's table, not in each query's options,
// which PGlite would merge into a copy of its whole parser table (a ~130 kB array) for every query.
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readLinksOf, saveLink, type Store } from '../../../src/store/index.js';
import { openTestStore, usingPostgres, type TestStore } from '../../helpers/store.js';

let test: TestStore | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await test?.close();
});

describe.skipIf(usingPostgres)('PGlite store', () => {
  it('sends drizzle\'s queries without per-query parsers, and still reads timestamps as drizzle maps them', async () => {
    test = await openTestStore();
    const store: Store = test.store;
    const query = vi.spyOn(PGlite.prototype, 'query');
    const pendingSince = new Date('2026-11-30T12:34:56.789Z');
    await store.db.transaction((tx) => saveLink(tx, 'acme', { objectType: 'user', sourceId: 'u1', notionId: null, state: 'pending-create', applied: { userName: 'a@example.com' }, pendingSince }, pendingSince));
    const [link] = await readLinksOf(store.db, 'acme', 'user', ['u1']);
    expect(query).toHaveBeenCalled();
    expect(query.mock.calls.filter(([, , options]) => options?.parsers !== undefined)).toEqual([]);
    expect(link?.pendingSince).toEqual(pendingSince);
    expect(link?.applied).toEqual({ userName: 'a@example.com' });
  });
});
