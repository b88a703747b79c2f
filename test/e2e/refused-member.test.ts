// One bad member among 50, through `sync` as a process: 49 are added, the bad one is escrowed on the group with a
// reason naming the user, `sync` exits 4 (partial), and `status` and `logs` say who was refused and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { openEngineSession, type EngineSession } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';

describe('a member Notion refuses in a batch of 50', () => {
  let session: EngineSession;
  let env: Record<string, string>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    session = await openEngineSession({ tenant: { seed: 5, users: 20, groups: 2 } });
    let location: Parameters<typeof storeEnv>[0];
    ({ location, drop } = await createTestStoreLocation());
    env = { ...session.env, ...storeEnv(location), PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '', LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    await session?.close();
    await drop?.();
  });

  const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as { status: string };

  it('adds the 49 others and escrows the one, naming the user and what to do', async () => {
    const { tenant, notion } = session;
    const users = Array.from({ length: 50 }, (_, i) => {
      const upn = `fifty.${i}@contoso.example`;
      const user = tenant.hireUser({ userPrincipalName: upn, mail: upn, displayName: `Fifty ${i}`, accountEnabled: true });
      tenant.assign(user.id);
      return user;
    });
    expect((await runCli(['sync'], env)).code).toBe(0);

    const refused = users[31]!;
    notion.workspace.removeUser(notion.workspace.accountByUserName(refused.userPrincipalName)!.id);
    const group = tenant.createGroup({ displayName: 'Fifty' });
    for (const user of users) tenant.addMember(group.id, user.id);
    tenant.assign(group.id);
    const run = await runCli(['sync'], env);
    expect({ code: run.code, status: summaryOf(run.stdout).status }).toEqual({ code: 4, status: 'partial' });
    const fifty = notion.workspace.groups().find((g) => g.displayName === 'Fifty')!;
    expect(notion.workspace.groupMembers(fifty.id)).toHaveLength(49);
    expect(notion.workspace.groupMembers(fifty.id)).not.toContain(notion.workspace.accountByUserName(refused.userPrincipalName)!.id);

    const status = await runCli(['status'], env);
    expect(status.stdout).toContain('Escrowed objects: 1');
    expect(status.stdout).toContain(refused.userPrincipalName);
    expect(status.stdout).toContain('only workspace members can be in a group');
    const logs = await runCli(['logs', '--user', 'Fifty', '--json'], env);
    const rows = logs.stdout.trim().split('\n').map((line) => JSON.parse(line) as { status: string; reason: string; errorMessage?: string });
    const failure = rows.find((row) => row.status === 'failure');
    expect(failure?.reason).toContain(refused.userPrincipalName);
    expect(rows.some((row) => row.status === 'success' && row.reason.includes('49 user(s)'))).toBe(true);
  }, 180_000);
});
