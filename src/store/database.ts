// Opens the store: Postgres when DATABASE_URL is given, otherwise embedded PGlite persisted under DATA_DIR.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import v8 from 'node:v8';
import { PGlite, type QueryOptions, type Transaction as PgliteTransaction } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { migrateStore, readStoreSchemaState, type SchemaState } from './migrate.js';
import * as schema from './schema.js';
import { createTargetLocks, type TargetLock } from './target-lock.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle: the same query API as Database. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Queryable = Database | Transaction;

export interface Store {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Database;
  /** Applies pending migrations (a no-op when none are pending). */
  migrate(): Promise<void>;
  /** Whether the store was ever migrated, and by this version: `absent` means nothing has run against it yet. */
  schemaState(): Promise<SchemaState>;
  /** The per-target cycle lock; null when another process or caller holds it. */
  tryLockTarget(target: string): Promise<TargetLock | null>;
  /** Round trip to the database, for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type StoreLocation = { databaseUrl: string } | { dataDir: string } | { memory: true };

export interface OpenOptions {
  /**
   * false: an embedded store is opened only where one was created before (DATA_DIR holds a database); otherwise
   * nothing is created and NoStoreError is thrown. Commands that only read or decide pass it, so that a mistyped
   * DATA_DIR is not taken for a new, empty store. (A Postgres database is never created: its schema state tells.)
   */
  create?: boolean;
}

/** Thrown by openStore({ dataDir }, { create: false }) when DATA_DIR holds no store. */
export class NoStoreError extends Error {
  constructor(readonly dataDir: string) {
    super(`no store in ${dataDir}`);
    this.name = 'NoStoreError';
  }
}

export async function openStore(location: StoreLocation, options: OpenOptions = {}): Promise<Store> {
  if ('databaseUrl' in location) return openPostgres(location.databaseUrl);
  if ('dataDir' in location) return openPglite(resolve(location.dataDir), options.create ?? true);
  return openPgliteInstance(new PGlite({ startParams: pgliteStartParams }), undefined);
}

/**
 * Creates DATA_DIR and its missing parents one at a time. Node's recursive mkdir never returns where a parent exists
 * but refuses new entries with ENOENT (e.g. under /proc): it creates the parent again (EEXIST) and retries the child
 * forever, at full CPU. One mkdir per missing folder fails at once, with that folder in the error.
 */
function createDataDir(dataDir: string): void {
  const missing: string[] = [];
  for (let folder = dataDir; !existsSync(folder) && dirname(folder) !== folder; folder = dirname(folder)) missing.unshift(folder);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      // Created meanwhile by another process: fine when it is a folder.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(folder).isDirectory()) throw error;
    }
  }
}

/**
 * PGlite's memory (issue 14): Postgres runs inside a WebAssembly heap that grows to the most it ever held and never
 * shrinks. Postgres's defaults (128 MB of shared buffers, shared memory sized for 100 connections) made an opened
 * store ~295 MB resident; 8 MB of buffers and the one connection PGlite has make it ~160 MB (~130 MB with the
 * baseline-only WebAssembly compiler below). The pages also sit in the OS cache, and a cycle reads only what changed.
 */
const pgliteStartParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB', '-c', 'max_connections=4', '-c', 'temp_buffers=2MB'];

/** initdb writes it: a folder without it holds no database. */
const pgVersionFile = 'PG_VERSION';

/**
 * A new data directory is initialised (initdb) in a short-lived child process: PGlite runs initdb in a second
 * WebAssembly instance next to the first, which alone took the process to ~820 MB resident, for good.
 */
function initialisePgliteDir(dataDir: string): void {
  if (existsSync(join(dataDir, pgVersionFile))) return;
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script = `const { PGlite } = require(${JSON.stringify(pglite)});
    (async () => { const db = new PGlite(${JSON.stringify(dataDir)}); await db.waitReady; await db.close(); })()
      .catch((error) => { console.error(error instanceof Error ? error.message : String(error)); process.exit(1); });`;
  execFileSync(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function openPostgres(databaseUrl: string): Store {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 5, application_name: 'entra-notion-sync' });
  // A connection's error (the server restarted, the backend was terminated) must not crash the process as an
  // unhandled 'error' event: the query in flight rejects with it, and the pool drops the dead client on release.
  // The pool itself listens only on idle clients; drizzle's transactions hold a client without a listener.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = drizzleNodePg(pool, { schema }) as unknown as Database;
  const locks = createTargetLocks({ kind: 'postgres', pool });
  return {
    kind: 'postgres',
    db,
    migrate: () => migrateStore({ kind: 'postgres', databaseUrl }),
    schemaState: () => readStoreSchemaState({ kind: 'postgres', databaseUrl }),
    tryLockTarget: (target) => locks.tryLock(target),
    ping: async () => void (await pool.query('select 1')),
    close: async () => {
      await locks.releaseAll();
      // drizzle never releases a client whose transaction `begin` failed on a dead connection (drizzle-orm 0.45,
      // node-postgres session.transaction); pool.end() would wait for it forever, so the wait is bounded.
      await settlesWithin(pool.end(), 3_000);
    },
  };
}

/**
 * The embedded store lives in this process's memory, next to the engine's JavaScript heap. On a machine with plenty
 * of RAM, V8 lets the old generation grow to about 4× what survived the last full collection before it collects again:
 * an initial sync of 10,000 users (some 60 MB live) reached 450 MB resident with the heap at 200 MB, mostly garbage.
 * A growth of 50% keeps the heap within 50–80 MB (10,000 users: ~310 MB resident at the peak before the
 * baseline-only compiler below, ~270 MB with it). Lower costs CPU: at 30%, ~330 MB for a third more CPU in the sync
 * (issue 14). The flag is read each time V8 sets the heap's next limit,
 * so it applies from the next collection on.
 */
const pgliteHeapGrowingPercent = 50;

/**
 * Postgres runs as WebAssembly: V8 compiles each function with its baseline compiler (Liftoff) when first called,
 * then recompiles the busy ones with its optimizing compiler (TurboFan) on its worker threads. The scratch memory of
 * those recompiles stays resident in the threads' malloc arenas for good: 50–90 MB outside both the V8 heap and the
 * WebAssembly heap (compiling everything with TurboFan made it more; one compile thread, somewhat less). With it an
 * initial sync of 10,000 users peaked at 326–347 MB; with Liftoff alone, at 269–273 MB, on no more CPU (60–61 s
 * against 64–65 s: the store's queries are small, and the recompiles cost what their faster code saved), and the
 * 10,000-user no-change cycle went from ~250 MB to ~165 MB (issue 14). The flag is read when a module is compiled:
 * it is set before PGlite compiles Postgres's.
 */
const baselineWasmOnly = '--liftoff-only';

async function openPglite(dataDir: string, create: boolean): Promise<Store> {
  if (!create && !existsSync(join(dataDir, pgVersionFile))) throw new NoStoreError(dataDir);
  v8.setFlagsFromString(`--heap-growing-percent=${pgliteHeapGrowingPercent}`);
  v8.setFlagsFromString(baselineWasmOnly);
  createDataDir(dataDir);
  // PGlite is single-process: a second process on the same directory would corrupt it.
  const dirLock = acquireDataDirLock(dataDir);
  try {
    initialisePgliteDir(dataDir);
    return await openPgliteInstance(new PGlite(dataDir, { startParams: pgliteStartParams }), dirLock);
  } catch (error) {
    dirLock.release();
    throw error;
  }
}

/** The part of a PGlite client, or of one of its transactions, that drizzle queries through. */
interface PgliteQueries {
  query: PgliteTransaction['query'];
}

/**
 * drizzle passes the same parsers with every query (the text of dates and timestamps, kept as drizzle maps it), and
 * PGlite merges them into a copy of its own table of ~300 parsers per query, keyed by type oid: with this schema's
 * types (oids above 16,000) each copy is a ~130 kB holey array. A cycle of 10,000 creates made ~1.5 GB of it, and
 * the garbage promoted meanwhile took the V8 heap to 200 MB before each full collection (issue 14). So drizzle's
 * parsers go into the client's table, and its queries go without them: the same values, parsed the same way.
 */
function withParsersInstalled(client: PGlite): PGlite {
  const lean = (options: QueryOptions | undefined): QueryOptions | undefined => {
    if (!options?.parsers) return options;
    const { parsers, ...rest } = options;
    // A few assignments of keys the table holds already; set on every query so that nothing resets them unseen.
    Object.assign(client.parsers, parsers);
    return rest;
  };
  const queries = <T extends PgliteQueries>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        if (property === 'query') return (query: string, params?: unknown[], options?: QueryOptions) => object.query(query, params, lean(options));
        if (property === 'transaction' && object === (client as unknown)) {
          return <R>(work: (tx: PgliteTransaction) => Promise<R>) => client.transaction((tx) => work(queries(tx)));
        }
        const value: unknown = Reflect.get(object, property, object);
        // PGlite's methods use private fields: they must run on the client itself, not on the proxy.
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
      },
    });
  return queries(client);
}

async function openPgliteInstance(client: PGlite, dirLock: DataDirLock | undefined): Promise<Store> {
  await client.waitReady;
  const db = drizzlePglite(withParsersInstalled(client), { schema }) as unknown as Database;
  const locks = createTargetLocks({ kind: 'pglite' });
  return {
    kind: 'pglite',
    db,
    migrate: () => migrateStore({ kind: 'pglite', client }),
    schemaState: () => readStoreSchemaState({ kind: 'pglite', client }),
    tryLockTarget: (target) => locks.tryLock(target),
    ping: async () => void (await client.query('select 1')),
    close: async () => {
      await locks.releaseAll();
      await client.close();
      dirLock?.release();
    },
  };
}

async function settlesWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
