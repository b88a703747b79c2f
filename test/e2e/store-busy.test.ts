import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { pgliteTemplateDir } from '../helpers/pglite-template.js';

describe('the embedded store', () => {
  const root = mkdtempSync(join(tmpdir(), 'ens-busy-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('tells a second process clearly that another process owns the data directory', async () => {
    const dataDir = join(root, 'data');
    cpSync(pgliteTemplateDir(), dataDir, { recursive: true });
    const owner = await openStore({ dataDir });
    try {
      const second = spawnSync(process.execPath, ['dist/cli/main.js', 'migrate'], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
      expect(second.status).toBe(3);
      expect(second.stderr).toMatch(/the embedded store in .* is in use by another entra-notion-sync process \(pid \d+\)/);
      expect(second.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await owner.close();
    }
    const after = spawnSync(process.execPath, ['dist/cli/main.js', 'migrate'], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
    expect(after.stdout).toContain('migrations applied');
    expect(after.status).toBe(0);
  });
});
