// Scenario 5: hostile data in the tenant. NUL and other control characters, a 10,000-character name, emoji, quotes
// and backslashes, one UPN in two cases (Entra's and an existing Notion account's, then a case-only rename), a user
// in 300 groups, one large group (1,000 members at the bounded size; CHAOS_ROUNDS scales it up to 10,000).
// Promise (README; issue 11 defect 5): one bad object never stops the cycle; everyone else is provisioned exactly,
// nothing is duplicated. A value Postgres cannot hold (NUL) may be stripped or the object refused, never stored raw.
import { afterAll, describe, expect, it } from 'vitest';
import type { SimTenant } from '../../src/sim/graph/index.js';
import { createChaosStore, describeRun, rounds, scenarioSeed, startWorld, storeKinds, sync, tally, verdict } from './harness.js';

const largeGroupSize = Math.min(10_000, 1_000 * rounds);
const groupsOfOneUser = 300;

const hostileUsers = {
  nul: { userPrincipalName: 'nul.byte@hostile.example', displayName: 'Nul\u0000Byte' },
  control: { userPrincipalName: 'control.chars@hostile.example', displayName: 'Bell\u0007Esc\u001b[31mDel\u007fSep\u2028End', jobTitle: 'Tab\there\u0001' },
  long: { userPrincipalName: 'long.name@hostile.example', displayName: `Long ${'x'.repeat(9_995)}` },
  emoji: { userPrincipalName: 'emoji@hostile.example', displayName: '🦄 Ünïcødé 名前 👩‍👩‍👧 ﷽', jobTitle: '🚀' },
  quotes: { userPrincipalName: "o'brien@hostile.example", displayName: `O'Brien "The \\ Backslash" \\"}`, jobTitle: 'a\\b"c\'d' },
  mixedCase: { userPrincipalName: 'Mixed.Case@Hostile.Example', displayName: 'Mixed Case' },
};
/** Values the engine may strip or refuse (they name the object in the log): compared apart. */
const strippable = [hostileUsers.nul.userPrincipalName, hostileUsers.control.userPrincipalName];

function shapeTenant(tenant: SimTenant): void {
  const ids: string[] = [];
  for (const props of Object.values(hostileUsers)) {
    const user = tenant.hireUser({ ...props, mail: props.userPrincipalName, accountEnabled: true });
    tenant.assign(user.id);
    ids.push(user.id);
  }
  const busy = ids[3] as string;
  for (let i = 1; i <= groupsOfOneUser; i += 1) {
    const group = tenant.createGroup({ displayName: `Busy ${i} "quoted" \\ ${i % 7 === 0 ? '🧪' : ''}` });
    tenant.assign(group.id);
    tenant.addMember(group.id, busy);
    if (i <= 3) for (const id of ids) tenant.addMember(group.id, id);
  }
  const large = tenant.createGroup({ displayName: 'Everyone (large)' });
  tenant.assign(large.id);
  for (let i = 0; i < largeGroupSize; i += 1) tenant.addMember(large.id, tenant.hireUser({ accountEnabled: true }).id);
}

afterAll(() => tally.print('hostile data'));

describe.each(storeKinds())('hostile data in the tenant (%s)', (kind) => {
  it(`provisions everyone else exactly, with a user in ${groupsOfOneUser} groups and a group of ${largeGroupSize}`, async () => {
    const seed = scenarioSeed(`hostile-${kind}`);
    const world = await startWorld({
      seed, shapeTenant, tenant: { users: 30, groups: 4 },
      // The mixed-case UPN exists in Notion already, lower-cased: it must be matched, not created twice.
      shapeNotion: (notion) => void notion.workspace.addUser({ userName: hostileUsers.mixedCase.userPrincipalName.toLowerCase(), name: { formatted: 'Mixed Case' } }),
    });
    const store = await createChaosStore(kind);
    const failures: string[] = [];
    const check = async (when: string) => {
      const problems = (await verdict(world, store, { converged: true })).filter((line) => !strippable.some((upn) => line.toLowerCase().includes(upn)));
      if (problems.length > 0) failures.push(`${when}:\n    ${problems.slice(0, 10).join('\n    ')}`);
      for (const upn of strippable) {
        const account = world.notion.workspace.accountByUserName(upn);
        if (account && JSON.stringify(account).includes('\\u0000')) failures.push(`${when}: ${upn} reached Notion with a NUL in it`);
      }
    };
    try {
      const first = await sync(world, store);
      const second = await sync(world, store);
      tally.cycles += 2;
      if (first.summary?.status === 'failed' || first.summary === undefined) failures.push(`one bad object stopped the first cycle: ${describeRun(first)}`);
      if (second.summary?.status === 'failed' || second.summary === undefined) failures.push(`the second cycle failed: ${describeRun(second)}`);
      await check(`after two cycles (${describeRun(first)} / ${describeRun(second)})`);
      // A case-only rename of a UPN: the same person, never a second account.
      const mixed = world.tenant.users().find((u) => u.userPrincipalName === hostileUsers.mixedCase.userPrincipalName);
      world.tenant.renameUser(mixed?.id as string, { userPrincipalName: 'MIXED.CASE@hostile.example' });
      const third = await sync(world, store);
      tally.cycles += 1;
      await check(`after a case-only UPN rename (${describeRun(third)})`);
    } finally {
      await world.close();
      await store.drop();
    }
    expect(failures, `seed ${seed} (${kind})`).toEqual([]);
  });
});
