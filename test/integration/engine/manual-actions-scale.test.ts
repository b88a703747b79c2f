// Decisions taken by hand over more objects than Postgres takes parameters in one statement (65,535): a mass
// deprovision the guard staged, or the unaccounted members of a large workspace after a lost store, are approved or
// rejected whole, each with its provisioning-log row. On PGlite and on Postgres.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { decideStagedDeletes, decideUnaccountedMembers } from '../../../src/engine/index.js';
import type { Database } from '../../../src/store/index.js';
import { rowsOf } from '../../../src/store/raw-rows.js';
import { storePerFile } from '../../helpers/store.js';

const many = 66_000;
// Each case writes and decides 66,000 links and log rows: about 15 s alone on PGlite, more beside other test files.
const scaleTimeout = 180_000;

/** `many` user links of one target in one state, a staged deprovision on each when asked. */
async function seedLinks(db: Database, target: string, state: string, stagedAction: string | null): Promise<void> {
  await db.execute(sql`
    insert into links (target, object_type, source_id, notion_id, state, applied, staged_action, staged_at)
    select ${target}, 'user', ${state === 'unaccounted' ? 'notion:' : 'user-'} || n, 'notion-' || n, ${state},
      jsonb_build_object('userName', 'member.' || n || '@example.com', 'active', true), ${stagedAction}::text, case when ${stagedAction}::text is null then null else now() end
    from generate_series(1, ${many}) as n`);
}

const countWhere = async (db: Database, table: 'links' | 'provisioning_log', condition: ReturnType<typeof sql>) =>
  Number((await rowsOf<{ n: string }>(db, sql`select count(*) as n from ${sql.identifier(table)} where ${condition}`))[0]?.n);

describe('decisions over more objects than one statement takes parameters', () => {
  const test = storePerFile();

  it(`approves ${many.toLocaleString('en')} staged deprovisions at once, each logged`, async () => {
    const db = test.current.store.db;
    await seedLinks(db, 'staged', 'active', 'disable');
    const decided = await decideStagedDeletes(db, 'staged', { ids: [], reject: false, actor: 'alice' });
    expect(decided).toBe(many);
    expect(await countWhere(db, 'links', sql`target = 'staged' and staged_action = 'approved:disable'`)).toBe(many);
    expect(await countWhere(db, 'provisioning_log', sql`target = 'staged' and action = 'approve' and actor = 'alice'`)).toBe(many);
  }, scaleTimeout);

  it(`rejects ${many.toLocaleString('en')} unaccounted members at once, each logged`, async () => {
    const db = test.current.store.db;
    await seedLinks(db, 'unaccounted', 'unaccounted', null);
    const decided = await decideUnaccountedMembers(db, 'unaccounted', { ids: [], reject: true, actor: 'alice', deprovisionAction: 'disable' });
    expect(decided).toBe(many);
    expect(await countWhere(db, 'links', sql`target = 'unaccounted' and state = 'released'`)).toBe(many);
    expect(await countWhere(db, 'provisioning_log', sql`target = 'unaccounted' and action = 'reject' and actor = 'alice'`)).toBe(many);
  }, scaleTimeout);
});
