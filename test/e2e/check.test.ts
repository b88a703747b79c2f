// `check` against both simulators, run as a process: a healthy setup, a missing permission, a revoked SCIM token.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';

async function runCheck(env: Record<string, string>, json = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'check', ...(json ? ['--json'] : [])], {
    env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: simulatorCaPath, ...env },
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

  beforeAll(async () => {
    full = await startGraphSimulator({ tenant: generateTenant({ seed: 7, users: 40, groups: 4 }) });
    limited = await startGraphSimulator({ tenant: generateTenant({ seed: 8, users: 10, groups: 2 }), grantedPermissions: ['User.Read.All', 'Application.Read.All'] });
    notion = await startNotionSimulator();
  });
  afterAll(async () => {
    await Promise.all([full.close(), limited.close(), notion.close()]);
  });

  it('reports the token, the enterprise app, the permissions, the assignment counts and the Notion token', async () => {
    const result = await runCheck(envFor(full));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const assignments = full.tenant.assignments();
    const users = assignments.filter((a) => a.principalType === 'User').length;
    const groups = assignments.filter((a) => a.principalType === 'Group').length;
    expect(result.stdout).toContain('ok   token acquired');
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

  it('says that Notion refused a revoked SCIM token, without printing the token', async () => {
    const result = await runCheck(envFor(full, 'revoked-token-value'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL http:\/\/127\.0\.0\.1:\d+\/scim\/v2: .*refused the SCIM token \(401/);
    expect(result.stdout + result.stderr).not.toContain('revoked-token-value');
  });
});
