// `config` and `--version` run as the built CLI: the effective configuration is printed with every secret masked.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'config-command-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ENTRA_|NOTION_|GRAPH_|DATABASE_URL|SYNC_|WEBHOOK_|PROTECTED_)/.test(k)));
  return spawnSync(process.execPath, ['dist/cli/main.js', ...args], { env: { ...clean, ...env }, encoding: 'utf8' });
}

const secrets = {
  ENTRA_CLIENT_SECRET: 'client-secret-Q8~abcdefghijklmnop',
  DATABASE_URL: 'postgres://sync:db-password-771@db.example.com:5432/sync?sslmode=verify-full',
  WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/webhook-path-secret',
};
const tokenFile = join(folder, 'notion-token');
writeFileSync(tokenFile, 'secret_notion-token-from-file\n');
const urlPassword = 'url-password-314';

interface Setting {
  key: string;
  variable?: string;
  value: string;
  source: string;
}

function run(args: string[]) {
  const configFile = join(folder, 'sync.json');
  writeFileSync(configFile, '{\n  // from the file\n  "notion": { "rateLimitRps": 1.5 },\n  "safety": { "quarantineMinOperations": 25 }\n}\n');
  return cli(['--config', configFile, 'config', ...args], {
    ...secrets,
    NOTION_SCIM_TOKEN_FILE: tokenFile,
    NOTION_SCIM_URL: `https://scim-user:${urlPassword}@api.notion.com/scim/v2`,
    PROTECTED_USERS: 'owner@example.com',
  });
}

function expectNoSecret(text: string) {
  for (const secret of [...Object.values(secrets), 'secret_notion-token-from-file', urlPassword, 'db-password-771', 'webhook-path-secret']) expect(text).not.toContain(secret);
}

describe('config', () => {
  it('prints every setting as JSON with its source, secrets as [set] / [not set], passwords in URLs masked', () => {
    const result = run(['--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expectNoSecret(result.stdout);
    const printed = JSON.parse(result.stdout) as { version: string; configFile: string; settings: Setting[] };
    const byKey = new Map(printed.settings.map((s) => [s.key, s]));
    expect(printed.version).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
    expect(printed.configFile).toBe(join(folder, 'sync.json'));
    expect(byKey.get('entra.clientSecret')).toEqual({ key: 'entra.clientSecret', variable: 'ENTRA_CLIENT_SECRET', value: '[set]', source: 'environment' });
    expect(byKey.get('notion.token')).toMatchObject({ value: '[set]', source: 'environment' });
    expect(byKey.get('database.url')).toMatchObject({ value: '[set]', source: 'environment' });
    expect(byKey.get('worker.webhookUrl')).toMatchObject({ value: '[set]', source: 'environment' });
    expect(byKey.get('notion.scimUrl')).toMatchObject({ value: 'https://scim-user:***@api.notion.com/scim/v2', source: 'environment' });
    expect(byKey.get('notion.rateLimitRps')).toMatchObject({ value: '1.5', source: 'config file' });
    expect(byKey.get('safety.quarantineMinOperations')).toMatchObject({ value: '25', source: 'config file' });
    expect(byKey.get('notion.maxConcurrency')).toMatchObject({ value: '1', source: 'default' });
    expect(byKey.get('provisioning.protectedUsers')).toMatchObject({ value: 'owner@example.com', source: 'environment' });
    expect(byKey.get('entra.tenantId')).toMatchObject({ value: '', source: 'not set' });
    expect(byKey.get('mapping')).toMatchObject({ value: 'config/notion-mapping.json', source: 'default' });
  });

  it('prints a table by default, with no secret in it', () => {
    const result = run([]);
    expect(result.status).toBe(0);
    expectNoSecret(result.stdout + result.stderr);
    expect(result.stdout).toMatch(/^ENTRA_CLIENT_SECRET\s+entra\.clientSecret\s+\[set\]\s+environment$/m);
    expect(result.stdout).toMatch(/^ENTRA_CLIENT_CERTIFICATE_PATH\s+entra\.certificatePath\s+not set$/m);
    expect(result.stdout).toMatch(/^NOTION_SCIM_TOKEN\s+notion\.token\s+\[set\]\s+environment$/m);
  });

  it('reports an unset secret as [not set]', () => {
    const result = cli(['config', '--json']);
    expect(result.status).toBe(0);
    const settings = (JSON.parse(result.stdout) as { settings: Setting[] }).settings;
    expect(settings.find((s) => s.key === 'notion.token')).toMatchObject({ value: '[not set]', source: 'not set' });
  });

  it('reports configuration mistakes by name and exits 2, without echoing a secret', () => {
    const result = cli(['config'], { ...secrets, NOTION_RATE_LIMIT_RPS: 'fast' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('NOTION_RATE_LIMIT_RPS (notion.rateLimitRps)');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expectNoSecret(result.stdout + result.stderr);
  });
});

describe('--version', () => {
  it('prints the version from package.json', () => {
    const result = cli(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});
