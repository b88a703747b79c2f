// A migrated PGlite data directory made once and copied per test: PGlite's initdb takes seconds, a copy does not.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';

function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync('drizzle').filter((f) => f.endsWith('.sql')).sort()) hash.update(readFileSync(join('drizzle', file)));
  return hash.digest('hex').slice(0, 16);
}

export function pgliteTemplateDir(): string {
  return join(tmpdir(), `entra-notion-sync-pglite-template-${migrationsHash()}`);
}

export async function ensurePgliteTemplate(): Promise<string> {
  const dir = pgliteTemplateDir();
  if (existsSync(dir)) return dir;
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const store = await openStore({ dataDir: building });
  await store.migrate();
  await store.close();
  renameSync(building, dir);
  return dir;
}
