// A fresh, migrated store for one test: PGlite (a copy of the template) always; Postgres when TEST_DATABASE_URL is set.
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { pgliteTemplateDir } from './pglite-template.js';

export interface TestStore {
  store: Store;
  /** How another process would reach the same store (for CLI process tests). */
  location: { databaseUrl: string } | { dataDir: string };
  close(): Promise<void>;
}

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

/** The environment a CLI process needs to open the same store. */
export function storeEnv(location: TestStore['location']): Record<string, string> {
  return 'dataDir' in location ? { DATA_DIR: location.dataDir } : { DATABASE_URL: location.databaseUrl };
}

/** A new data directory or database, not yet opened; migrated unless `migrated: false` (then empty). */
export async function createTestStoreLocation(options: { migrated?: boolean } = {}): Promise<{ location: TestStore['location']; drop: () => Promise<void> }> {
  const migrated = options.migrated ?? true;
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `ens_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    await withClient(adminUrl, (c) => c.query(`create database ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    if (migrated) {
      const store = await openStore({ databaseUrl });
      await store.migrate();
      await store.close();
    }
    return { location: { databaseUrl }, drop: () => withClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined) };
  }
  const dataDir = join(mkdtempSync(join(tmpdir(), 'ens-test-')), 'data');
  if (migrated) cpSync(pgliteTemplateDir(), dataDir, { recursive: true });
  return { location: { dataDir }, drop: async () => rmSync(join(dataDir, '..'), { recursive: true, force: true }) };
}

export async function openTestStore(): Promise<TestStore> {
  const { location, drop } = await createTestStoreLocation();
  const store = await openStore(location);
  return {
    store,
    location,
    close: async () => {
      await store.close();
      await drop();
    },
  };
}

/** One short-lived connection to `url` for `work`. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** For a test file whose tests share one store: opened before them, closed after; read `.current` inside a test. */
export function storePerFile(): { readonly current: TestStore } {
  const holder: { current?: TestStore } = {};
  beforeAll(async () => {
    holder.current = await openTestStore();
  });
  afterAll(() => holder.current?.close());
  return holder as { readonly current: TestStore };
}

/** A mirror object and a membership edge as the delta reader writes them. */
export const mirrorObject = (id: string) => ({ id, attributes: { displayName: id }, removedReason: null });
export const mirrorEdge = (groupId: string, memberId: string, memberType: 'user' | 'group') => ({ groupId, memberId, memberType, removed: false });
