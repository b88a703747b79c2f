// Test helper: ends the Postgres sessions of one test database (never another's), as a server restart would.
import pg from 'pg';

/**
 * Ends every session of one test database (never another's), as a Postgres restart would. The target lock's session
 * ends first and is gone before the others end, so the lock's loss is what the cycle meets (`cutQueryInFlight` is the
 * other order). Resolves, to the number of sessions ended, once they are gone.
 */
export async function terminateBackendsOf(databaseUrl: string): Promise<number> {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    const database = [new URL(databaseUrl).pathname.slice(1)];
    const sessions = 'from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()';
    const lockHolders = await admin.query<{ pid: number }>(`select pid ${sessions} and pid in (select pid from pg_locks where locktype = 'advisory' and granted)`, database);
    const pids = lockHolders.rows.map((row) => row.pid);
    await admin.query('select pg_terminate_backend(pid, 5000) from unnest($1::int[]) as pid', [pids]);
    // Waits for every session to be gone: the next cycle must not be handed a pooled connection whose end is still in flight.
    const rest = await admin.query(`select pg_terminate_backend(pid, 5000) ${sessions}`, database);
    return pids.length + (rest.rowCount ?? 0);
  } finally {
    await admin.end();
  }
}

/**
 * Ends the sessions of one test database while one of them waits for `table` (held in exclusive mode until then), sparing
 * the target lock's: a query in flight fails while the lock's connection lives on, as when a restart reaches the pool's
 * sessions first. Resolves to the number of sessions ended.
 */
export async function cutQueryInFlight(databaseUrl: string, table: string, timeoutMs = 10_000): Promise<number> {
  const blocker = new pg.Client({ connectionString: databaseUrl });
  await blocker.connect();
  try {
    await blocker.query('begin');
    await blocker.query(`lock table ${table} in exclusive mode`);
    const others = "datname = current_database() and pid <> pg_backend_pid()";
    await pollForRow(blocker, `select 1 from pg_stat_activity where ${others} and wait_event_type = 'Lock'`, [], timeoutMs, `no session waited for ${table}`);
    const result = await blocker.query(`select pg_terminate_backend(pid, 5000) from pg_stat_activity where ${others}
      and pid not in (select pid from pg_locks where locktype = 'advisory' and granted)`);
    return result.rowCount ?? 0;
  } finally {
    await blocker.end();
  }
}

/**
 * Waits until `query` finds a row in the database at `databaseUrl`, asking every 10 ms: for a point of a cycle that
 * only the store shows (a pending mark written just before its request leaves).
 */
export async function waitForRow(databaseUrl: string, query: string, params: unknown[], timeoutMs = 10_000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await pollForRow(client, query, params, timeoutMs, `no row for ${query}`);
  } finally {
    await client.end();
  }
}

/** Asks `query` on `client` every 10 ms until it finds a row; after `timeoutMs`, fails with `what`. */
async function pollForRow(client: pg.Client, query: string, params: unknown[], timeoutMs: number, what: string): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    if (((await client.query(query, params)).rowCount ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
