// The holder of a Notion id is asked for before every create (apply-context.ts holdersOf). During a first sync the
// links table grows from empty and is not analyzed until the cycle ends: the lookup must stay one index probe then,
// not a read of every link of the target (it read all 4,000 at the end of a 4,000-user first sync: issue 14).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHoldersOf, saveLinks, type Store } from '../../../src/store/index.js';
import { rowsOf } from '../../../src/store/raw-rows.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

describe('the holder of a Notion id, on a links table never analyzed', () => {
  let test: TestStore;
  let store: Store;
  beforeAll(async () => {
    test = await openTestStore();
    store = test.store;
    const links = Array.from({ length: 3000 }, (_, i) => ({ objectType: 'user' as const, sourceId: `s${i}`, notionId: `n${i}`, state: 'active' as const, applied: {} }));
    for (let i = 0; i < links.length; i += 500) await saveLinks(store.db, 'default', links.slice(i, i + 500), new Date());
  });
  afterAll(() => test.close());

  it('is found by one index probe, not by reading every link of the target', async () => {
    const fetched = await store.db.transaction(async (tx) => {
      expect(await readHoldersOf(tx, 'default', 'user', ['n1234'], 's1')).toEqual([{ sourceId: 's1234', notionId: 'n1234', state: 'active' }]);
      // This transaction's own counts: rows the links table gave to index scans.
      const [counts] = await rowsOf<{ fetched: string }>(tx, sql`select idx_tup_fetch as fetched from pg_stat_xact_user_tables where relname = 'links'`);
      return Number(counts?.fetched);
    });
    expect(fetched).toBe(1);
  });
});
