import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';

const guid = '11111111-2222-3333-4444-555555555555';
const completeEnv = {
  ENTRA_TENANT_ID: guid,
  ENTRA_CLIENT_ID: guid,
  ENTRA_CLIENT_SECRET: 'entra-secret-value',
  ENTRA_SERVICE_PRINCIPAL_ID: guid,
  NOTION_SCIM_TOKEN: 'notion-token-value',
};

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function writeConfig(text: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ens-config-'));
  const path = join(dir, 'sync.json');
  writeFileSync(path, text);
  return { dir, path };
}

describe('loadConfig', () => {
  it('applies the documented defaults when nothing is set', () => {
    const config = loadConfig({ env: {}, cwd: mkdtempSync(join(tmpdir(), 'ens-empty-')) });
    expect(config.notion.scimUrl).toBe('https://api.notion.com/scim/v2');
    expect(config.entra.authorityHost).toBe('https://login.microsoftonline.com');
    expect(config.entra.graphBaseUrl).toBe('https://graph.microsoft.com');
    expect(config.schedule).toBe('*/40 * * * *');
    expect(config.database).toEqual({ dataDir: './data', allowInsecurePlaintext: false });
    expect(config.entra.scope).toBe('assigned');
    expect(config.safety.deletionThreshold).toBe(500);
    expect(config.safety.deletionThresholdPercent).toBe(20);
    expect(config.provisioning.deprovisionAction).toBe('disable');
    expect(config.mapping.user.map((m) => m.target)).toContain('userName');
  });

  it('lets environment variables win over the config file', () => {
    const { dir, path } = writeConfig('{ "notion": { "rateLimitRps": 1 }, "logLevel": "debug" }');
    const config = loadConfig({ configPath: path, cwd: dir, env: { NOTION_RATE_LIMIT_RPS: '5', PROTECTED_USERS: 'owner@x.com, admin@x.com' } });
    expect(config.notion.rateLimitRps).toBe(5);
    expect(config.logLevel).toBe('debug');
    expect(config.provisioning.protectedUsers).toEqual(['owner@x.com', 'admin@x.com']);
  });

  it("refuses a guest's UPN as Entra holds it among the protected users: it is never a Notion userName, so it protected nobody", () => {
    const problems = problemsOf(() => loadConfig({ env: { PROTECTED_USERS: 'owner@x.com, eoin_fabrikam.example#EXT#@contoso.onmicrosoft.com' } }));
    expect(problems).toEqual([expect.stringMatching(/^PROTECTED_USERS.*a guest's UPN as Entra holds it \(#EXT#\) is never a Notion userName/)]);
  });

  it('reads a commented config file', () => {
    const { dir, path } = writeConfig('{\n  // the workspace\n  "target": "acme", /* inline */ "schedule": "*/5 * * * *"\n}');
    const config = loadConfig({ configPath: path, cwd: dir, env: {} });
    expect(config.target).toBe('acme');
    expect(config.schedule).toBe('*/5 * * * *');
  });

  it('needs no tenant, app or credential with a managed identity, and the named credential with an explicit ENTRA_AUTH', () => {
    const managed = loadConfig({ env: { ENTRA_AUTH: 'managed-identity', ENTRA_SERVICE_PRINCIPAL_ID: guid, ENTRA_MANAGED_IDENTITY_CLIENT_ID: guid }, require: ['entra'] });
    expect(managed.entra).toMatchObject({ auth: 'managed-identity', managedIdentityClientId: guid });
    expect(problemsOf(() => loadConfig({ env: { ...completeEnv, ENTRA_AUTH: 'certificate' }, require: ['entra'] })))
      .toEqual([expect.stringMatching(/^ENTRA_CLIENT_CERTIFICATE_PATH \(entra\.certificatePath\): required: the credential ENTRA_AUTH=certificate names/)]);
    expect(problemsOf(() => loadConfig({ env: { ...completeEnv, ENTRA_AUTH: 'kerberos' } }))).toEqual([expect.stringContaining('ENTRA_AUTH')]);
  });

  it('reports a bad URL and a missing token together, each by field name', () => {
    const problems = problemsOf(() => loadConfig({ env: { ...completeEnv, NOTION_SCIM_TOKEN: '', NOTION_SCIM_URL: 'not a url' }, require: ['entra', 'notion'] }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^NOTION_SCIM_URL \(notion\.scimUrl\): expected an absolute URL/);
    expect(problems[1]).toMatch(/^NOTION_SCIM_TOKEN \(notion\.token\): required/);
  });

  it('refuses plain http for a host that is not loopback, and allows it for loopback', () => {
    const problems = problemsOf(() => loadConfig({ env: { GRAPH_BASE_URL: 'http://graph.example.com' } }));
    expect(problems[0]).toMatch(/GRAPH_BASE_URL \(entra\.graphBaseUrl\): expected https/);
    expect(loadConfig({ env: { GRAPH_BASE_URL: 'http://127.0.0.1:8080' } }).entra.graphBaseUrl).toBe('http://127.0.0.1:8080');
  });

  it('refuses secrets in the config file and names the variable to use instead', () => {
    const { dir, path } = writeConfig('{ "notion": { "token": "pasted-token" } }');
    const problems = problemsOf(() => loadConfig({ configPath: path, cwd: dir, env: {} }));
    expect(problems).toEqual([expect.stringMatching(/^notion\.token: secrets are read from the environment only.*NOTION_SCIM_TOKEN/)]);
  });

  it('reads a secret from the file named by <NAME>_FILE', () => {
    const { path } = writeConfig('token-from-file\n');
    const config = loadConfig({ env: { ...completeEnv, NOTION_SCIM_TOKEN: undefined, NOTION_SCIM_TOKEN_FILE: path }, require: ['notion'] });
    expect(config.notion.token).toBe('token-from-file');
  });

  it('names unknown settings, wrong enums, bad numbers and bad cron expressions', () => {
    const { dir, path } = writeConfig('{ "notoin": {}, "entra": { "scope": "everyone" } }');
    const problems = problemsOf(() => loadConfig({ configPath: path, cwd: dir, env: { NOTION_RATE_LIMIT_RPS: 'fast', SYNC_SCHEDULE: 'every day' } }));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\(top level\): unknown setting\(s\) "notoin"/),
        expect.stringMatching(/^SYNC_SCOPE \(entra\.scope\): expected "assigned" or "all"/),
        expect.stringMatching(/^NOTION_RATE_LIMIT_RPS \(notion\.rateLimitRps\): expected a number/),
        expect.stringMatching(/^SYNC_SCHEDULE \(schedule\): expected a cron expression/),
      ]),
    );
  });

  it('says which file cannot be read or parsed', () => {
    expect(problemsOf(() => loadConfig({ configPath: '/nonexistent/sync.json', env: {} }))[0]).toMatch(/config file \/nonexistent\/sync\.json: cannot be read \(ENOENT\)/);
    const { dir, path } = writeConfig('{ "target": ');
    expect(problemsOf(() => loadConfig({ configPath: path, cwd: dir, env: {} }))[0]).toMatch(/not valid JSON/);
  });

  it('validates a mapping file named by MAPPING_FILE', () => {
    const { path } = writeConfig('{ "user": [ { "target": "userName" } ] }');
    const problems = problemsOf(() => loadConfig({ env: { MAPPING_FILE: path } }));
    expect(problems[0]).toMatch(/mapping file .*: user\.0: give exactly one of "direct", "constant" or "expression"/);
  });
});
