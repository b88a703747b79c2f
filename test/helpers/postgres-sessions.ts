// Test helper: ends the Postgres sessions of one test database (never another's), as a server restart would.
import pg from 'pg';

/** Ends every session of one test database (never another's), as a Postgres restart would. */
export async function terminateBackendsOf(databaseUrl: string): Promise<number> {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    const name = new URL(databaseUrl).pathname.slice(1);
    const result = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}
