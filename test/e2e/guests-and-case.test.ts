// Guests, case variants and a re-enabled user, as an admin sees them through the CLI: the first sync sends a B2B
// guest as alias@theirdomain and adopts a member whose UPN differs from Notion's userName only in case without
// touching it; afterwards `plan` (and `plan --verify`) shows only what should happen: the re-enable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator, type SimTenant } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { runCli as cli } from '../helpers/cli-process.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';
import { directlyAssignedUser } from '../helpers/tenant-picks.js';

const guestUpn = 'kim.doe_partner.example#EXT#@contoso.onmicrosoft.com';
const guestUserName = 'kim.doe@partner.example';

interface PlanJson {
  plan: { upserts: Array<{ kind: string; name: string; reason: string }>; memberships: unknown[]; deprovisions: unknown[]; groupRetirements: unknown[]; records: Array<{ kind: string; name: string; reason: string }> };
}

/** A tenant whose directly assigned users include a guest, a member whose UPN has capitals, and a user to re-enable. */
function tenantWithGuestsAndCase(): { tenant: SimTenant; ann: string; bob: string; rita: string; guest: string } {
  const tenant = generateTenant({ seed: 3, users: 30, groups: 4, directAssignmentShare: 0.3, guestShare: 0 });
  const [ann, bob, rita, guest] = [0, 1, 2, 3].map((skip) => directlyAssignedUser(tenant, skip).id) as [string, string, string, string];
  tenant.updateUser(ann, { userPrincipalName: 'Ann.Lee@contoso.example', displayName: 'Ann Lee' });
  tenant.updateUser(bob, { userPrincipalName: 'bob.ray@contoso.example' });
  tenant.updateUser(guest, { userType: 'Guest', userPrincipalName: guestUpn, mail: guestUserName, externalUserState: 'Accepted', displayName: 'Kim Doe' });
  return { tenant, ann, bob, rita, guest };
}

async function startWorld(extraEnv: Record<string, string> = {}) {
  const picked = tenantWithGuestsAndCase();
  const graph: GraphSimulator = await startGraphSimulator({ tenant: picked.tenant });
  const notion: NotionSimulator = await startNotionSimulator({});
  const store = await createTestStoreLocation();
  const env = {
    ...simulatorConnectionEnv(graph, notion), NOTION_RATE_LIMIT_RPS: '1000', LOG_LEVEL: 'silent', NODE_EXTRA_CA_CERTS: simulatorCaPath,
    ...storeEnv(store.location), ...extraEnv,
  };
  const close = async () => {
    await Promise.all([graph.close(), notion.close()]);
    await store.drop();
  };
  return { ...picked, graph, notion, env, close };
}

describe('guests, case variants and re-enabled users (default GUEST_USERS=map-upn)', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  beforeAll(async () => {
    world = await startWorld();
    // Notion already has Ann, in lower case, with the name Entra has: adopting her changes nothing.
    world.notion.workspace.addUser({ userName: 'ann.lee@contoso.example', name: { formatted: 'Ann Lee' } });
  });
  afterAll(async () => world.close());

  it('the first sync sends the guest as alias@theirdomain and adopts Ann without a PATCH', async () => {
    const sync = await cli(['sync'], world.env);
    expect(sync.code).toBe(0);
    const userNames = world.notion.workspace.users().map((u) => u.userName);
    expect(userNames).toContain(guestUserName);
    expect(userNames.filter((name) => /#EXT#/i.test(name))).toEqual([]);
    expect(world.notion.workspace.accountByUserName('ann.lee@contoso.example')?.userName).toBe('ann.lee@contoso.example');
    const annPatches = world.notion.requests().filter((r) => r.method === 'PATCH' && r.path.includes(world.notion.workspace.accountByUserName('ann.lee@contoso.example')?.id ?? '?'));
    expect(annPatches).toEqual([]);
  });

  it('after a disable, a re-enable and a case-only rename, plan shows only the re-enable', async () => {
    world.tenant.disableUser(world.rita);
    expect((await cli(['sync'], world.env)).code).toBe(0);
    world.tenant.enableUser(world.rita);
    world.tenant.updateUser(world.bob, { userPrincipalName: 'Bob.Ray@Contoso.example' });
    world.tenant.updateUser(world.guest, { displayName: 'Kim Doe' });
    const ritaName = world.tenant.users().find((u) => u.id === world.rita)?.userPrincipalName;

    for (const args of [['plan', '--json'], ['plan', '--verify', '--json']]) {
      const plan = await cli(args, world.env);
      expect(plan.code, plan.stderr).toBe(0);
      const { plan: ops } = JSON.parse(plan.stdout) as PlanJson;
      expect(ops.upserts.map((op) => `${op.kind} ${op.name}`)).toEqual([`enable-user ${ritaName}`]);
      expect([ops.memberships, ops.deprovisions, ops.groupRetirements, ops.records]).toEqual([[], [], [], []]);
    }
  });

  it('provision --dry-run shows what the guest rule made of the UPN', async () => {
    const provision = await cli(['provision', guestUpn, '--dry-run'], world.env);
    expect(provision.code, provision.stderr).toBe(0);
    expect(provision.stdout).toContain(`B2B guest: UPN ${guestUpn} is sent as userName ${guestUserName} (GUEST_USERS=map-upn)`);
    expect(provision.stdout).toContain(`userName = "${guestUserName}"`);
  });
});

describe('GUEST_USERS=skip', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  beforeAll(async () => {
    world = await startWorld({ GUEST_USERS: 'skip' });
  });
  afterAll(async () => world.close());

  it('plan shows a skip naming why, sync creates no guest, and provision says why', async () => {
    const plan = await cli(['plan'], world.env);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(new RegExp(`skip\\s+user\\s+${guestUpn.replace(/[.#]/g, '\\$&')}\\s+B2B guest \\(${guestUpn.replace(/[.#]/g, '\\$&')}\\): GUEST_USERS=skip leaves guests out of Notion`));
    expect((await cli(['sync'], world.env)).code).toBe(0);
    expect(world.notion.workspace.users().map((u) => u.userName).filter((n) => n.includes('partner.example'))).toEqual([]);
    const logs = await cli(['logs', '--json'], world.env);
    const rows = logs.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { action: string; status: string; reason: string | null });
    expect(rows).toContainEqual(expect.objectContaining({ action: 'skip', status: 'skipped', reason: expect.stringContaining('GUEST_USERS=skip') as string }));
    const provision = await cli(['provision', guestUpn], world.env);
    expect(provision.stdout).toContain(`B2B guest (${guestUpn}): GUEST_USERS=skip leaves guests out of Notion`);
  });
});
