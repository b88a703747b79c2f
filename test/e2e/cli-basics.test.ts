import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function cli(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ENTRA_|NOTION_|GRAPH_|DATABASE_URL|SYNC_)/.test(k)));
  return spawnSync(process.execPath, ['dist/cli/main.js', ...args], { env: { ...clean, ...env }, encoding: 'utf8' });
}

describe('the command line', () => {
  it('lists every command in --help', () => {
    const result = cli(['--help']);
    expect(result.status).toBe(0);
    for (const command of ['sync', 'plan', 'worker', 'provision', 'status', 'logs', 'approve', 'reset', 'check', 'migrate', 'demo', 'sim']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('prints a bad URL and a missing token by field name and exits 2, without a stack trace', () => {
    const result = cli(['sync'], {
      ENTRA_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      ENTRA_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      ENTRA_CLIENT_SECRET: 'x-secret',
      ENTRA_SERVICE_PRINCIPAL_ID: '11111111-2222-3333-4444-555555555555',
      NOTION_SCIM_URL: 'ftp://notion.example.com/scim',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('NOTION_SCIM_URL (notion.scimUrl): expected an https URL');
    expect(result.stderr).toContain('NOTION_SCIM_TOKEN (notion.token): required');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
