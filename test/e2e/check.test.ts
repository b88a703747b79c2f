// `check` against both simulators, run as a process: a healthy setup, a missing permission, a revoked SCIM token,
// a sign-in that fails (untrusted TLS, unknown host) and says why, a mapping that does not compile, and the
// workspace owners with a suggested PROTECTED_USERS line.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';

async function runCheck(env: Record<string, string>, json = false, trustSimulator = true): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'check', ...(json ? ['--json'] : [])], {
    env: { PATH: process.env.PATH ?? '', ...(trustSimulator ? { NODE_EXTRA_CA_CERTS: simulatorCaPath } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += String(c)));
  child.stderr.on('data', (c) => (stderr += String(c)));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('entra-notion-sync check', () => {
  let full: GraphSimulator;
  let limited: GraphSimulator;
  let notion: NotionSimulator;
  const envFor = (graph: GraphSimulator, token = notion.token) => ({ ...simulatorConnectionEnv(graph, notion), NOTION_SCIM_TOKEN: token });

  const folder = mkdtempSync(join(tmpdir(), 'check-e2e-'));

  beforeAll(async () => {
    full = await startGraphSimulator({ tenant: generateTenant({ seed: 7, users: 40, groups: 4 }) });
    limited = await startGraphSimulator({ tenant: generateTenant({ seed: 8, users: 10, groups: 2 }), grantedPermissions: ['User.Read.All', 'Application.Read.All'] });
    notion = await startNotionSimulator({ tokenOwnerUserName: 'Owner.One@contoso.example' });
  });
  afterAll(async () => {
    await Promise.all([full.close(), limited.close(), notion.close()]);
    rmSync(folder, { recursive: true, force: true });
  });

  it('reports the token, the enterprise app, the permissions, the assignment counts and the Notion token', async () => {
    const result = await runCheck(envFor(full));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const assignments = full.tenant.assignments();
    const users = assignments.filter((a) => a.principalType === 'User').length;
    const groups = assignments.filter((a) => a.principalType === 'Group').length;
    expect(result.stdout).toContain('ok   signed in');
    expect(result.stdout).toMatch(/ok {3}compiled; reads \d+ user and \d+ group attributes/);
    expect(result.stdout).toContain(`(${full.servicePrincipalId})`);
    expect(result.stdout).toMatch(/ok {3}permissions: .*User\.Read\.All/);
    expect(result.stdout).toContain(`assignments: ${users} users, ${groups} groups`);
    expect(result.stdout).toMatch(/ok {3}http:\/\/127\.0\.0\.1:\d+\/scim\/v2: token accepted/);
    expect(notion.workspace.userCount()).toBe(0);
  });

  it('names a missing Graph permission and exits 1', async () => {
    const result = await runCheck(envFor(limited), true);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; graph: { permissions: { missing: string[] } }; notion: { ok: boolean } };
    expect(report.ok).toBe(false);
    expect(report.graph.permissions.missing).toEqual(['GroupMember.Read.All']);
    expect(report.notion.ok).toBe(true);
  });

  it('with NOTIFICATION_URL, also asks for Group.Read.All (subscriptions on groups need it)', async () => {
    const result = await runCheck({ ...envFor(full), NOTIFICATION_URL: 'https://sync.example.com/graph/notifications' }, true);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { graph: { permissions: { missing: string[] } } };
    expect(report.graph.permissions.missing).toEqual(['Group.Read.All']);
  });

  it('says that Notion refused a revoked SCIM token, without printing the token', async () => {
    const result = await runCheck(envFor(full, 'revoked-token-value'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL http:\/\/127\.0\.0\.1:\d+\/scim\/v2: .*refused the SCIM token \(401/);
    expect(result.stdout + result.stderr).not.toContain('revoked-token-value');
  });

  it('says that sign-in failed because the TLS certificate is not trusted, with the NODE_EXTRA_CA_CERTS hint', async () => {
    const result = await runCheck(envFor(full), false, false);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL sign-in failed: token request failed: the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\).*NODE_EXTRA_CA_CERTS/);
    expect(result.stdout).not.toContain('permissions:');
    expect(result.stdout).not.toContain('endpoints_resolution_error');
  });

  it('names a sign-in host that does not resolve', async () => {
    const result = await runCheck({ ...envFor(full), ENTRA_AUTHORITY_HOST: 'https://login.entra-notion-sync.invalid' }, true);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { graph: { token: { acquired: boolean; error: string } } };
    expect(report.graph.token).toEqual({ acquired: false, error: expect.stringMatching(/cannot resolve login\.entra-notion-sync\.invalid \(ENOTFOUND\)/) });
  });

  it('reports a mapping that does not compile and exits 2', async () => {
    const mappingFile = join(folder, 'bad-mapping.json');
    writeFileSync(mappingFile, JSON.stringify({
      user: [{ target: 'userName', direct: 'userPrincipalName' }, { target: 'favouriteColour', direct: 'displayName' }],
      group: [{ target: 'displayName', direct: 'displayName' }],
      scopingFilters: { user: [], group: [] },
    }));
    const result = await runCheck({ ...envFor(full), MAPPING_FILE: mappingFile });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/FAIL the mapping does not compile[\s\S]*user\[1\]\.target: unknown SCIM user target "favouriteColour"/);
    expect(result.stdout).toContain('ok   signed in');
  });

  it('lists the workspace owners, warns that PROTECTED_USERS is empty and suggests a line that protects them', async () => {
    notion.workspace.addUser({ userName: 'Owner.One@contoso.example', name: { formatted: 'Owner One' }, role: 'owner' });
    notion.workspace.addUser({ userName: 'owner.two@contoso.example', name: { formatted: 'Owner Two' }, role: 'owner' });
    notion.workspace.addUser({ userName: 'member@contoso.example', name: { formatted: 'A Member' }, role: 'member' });
    const empty = await runCheck(envFor(full));
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('workspace owners: Owner.One@contoso.example, owner.two@contoso.example');
    expect(empty.stdout).toContain('WARN PROTECTED_USERS is empty');
    expect(empty.stdout).toContain('\n  PROTECTED_USERS=Owner.One@contoso.example,owner.two@contoso.example\n');

    const partly = await runCheck({ ...envFor(full), PROTECTED_USERS: 'owner.one@contoso.example,svc@contoso.example' }, true);
    const report = JSON.parse(partly.stdout) as { protectedUsers: { configured: string[]; suggested: string | null }; notion: { owners: string[] } };
    expect(report.notion.owners).toEqual(['Owner.One@contoso.example', 'owner.two@contoso.example']);
    expect(report.protectedUsers).toEqual({
      configured: ['owner.one@contoso.example', 'svc@contoso.example'],
      suggested: 'PROTECTED_USERS=owner.one@contoso.example,svc@contoso.example,owner.two@contoso.example',
    });
  });
});
