import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { createTestStoreLocation, usingPostgres } from '../../helpers/store.js';

async function tableNames(store: Awaited<ReturnType<typeof openStore>>): Promise<string[]> {
  const result = await store.db.execute<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
  );
  return (Array.isArray(result) ? result : (result as { rows: { table_name: string }[] }).rows).map((r) => r.table_name);
}

const expectedTables = ['applied_memberships', 'cycles', 'graph_subscriptions', 'links', 'notification_secrets', 'notion_listing', 'provisioning_log', 'rate_limit_state', 'source_assignments', 'source_assignments_listing', 'source_groups', 'source_memberships', 'source_users', 'target_state', 'watermarks'];

describe('migrations', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('apply to a fresh embedded data directory, and a second run is a no-op', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'ens-migrate-')), 'data');
    dirs.push(join(dataDir, '..'));
    const first = await openStore({ dataDir });
    await first.migrate();
    await first.migrate();
    expect(await tableNames(first)).toEqual(expectedTables);
    await first.close();
    const reopened = await openStore({ dataDir });
    await reopened.migrate();
    expect(await tableNames(reopened)).toEqual(expectedTables);
    await reopened.close();
  });

  it(`apply to an empty store of the kind under test (${usingPostgres ? 'Postgres' : 'PGlite'}), and a second run is a no-op`, async () => {
    const { location, drop } = await createTestStoreLocation({ migrated: false });
    const store = await openStore(location);
    expect(await tableNames(store)).toEqual([]);
    await store.migrate();
    await store.migrate();
    expect(await tableNames(store)).toEqual(expectedTables);
    await store.close();
    await drop();
  });
});
