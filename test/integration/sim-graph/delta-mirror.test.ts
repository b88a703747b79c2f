// Property: a mirror fed by one full delta round and then incremental rounds always equals the directory,
// whatever the mutations between rounds and however the pages fall.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateTenant, startGraphSimulator, type SimTenant } from '../../../src/sim/graph/index.js';
import { accessToken, readDeltaRound } from './graph-session.js';

type Item = Record<string, unknown>;

interface Mirror {
  users: Map<string, { displayName: unknown; accountEnabled: unknown }>;
  members: Map<string, Set<string>>;
}

function applyPage(mirror: Mirror, stream: 'users' | 'groups', items: Item[]): void {
  for (const item of items) {
    const id = item.id as string;
    if (item['@removed']) {
      if (stream === 'users') mirror.users.delete(id);
      else mirror.members.delete(id);
      continue;
    }
    if (stream === 'users') {
      mirror.users.set(id, { displayName: item.displayName, accountEnabled: item.accountEnabled });
      continue;
    }
    const members = mirror.members.get(id) ?? new Set<string>();
    for (const member of (item['members@delta'] as Item[] | undefined) ?? []) {
      if (member['@removed']) members.delete(member.id as string);
      else members.add(member.id as string);
    }
    mirror.members.set(id, members);
  }
}

function directoryOf(tenant: SimTenant): Mirror {
  const users = new Map(tenant.users().filter((user) => !user.deletedDateTime)
    .map((user) => [user.id, { displayName: user.displayName, accountEnabled: user.accountEnabled }]));
  const members = new Map(tenant.groups().map((group) => [group.id, new Set(tenant.membersOf(group.id))]));
  return { users, members };
}

type Mutation = { op: string; a: number; b: number };
const mutation = fc.record({
  op: fc.constantFrom('hire', 'rename', 'disable', 'enable', 'softDelete', 'restore', 'hardDelete', 'add', 'remove', 'createGroup', 'deleteGroup'),
  a: fc.nat(7),
  b: fc.nat(3),
});

function apply(tenant: SimTenant, { op, a, b }: Mutation): void {
  const users = tenant.users();
  const groups = tenant.groups();
  const user = users[a % Math.max(1, users.length)];
  const group = groups[b % Math.max(1, groups.length)];
  const live = users.filter((candidate) => !candidate.deletedDateTime);
  switch (op) {
    case 'hire': tenant.hireUser(); break;
    case 'rename': if (user) tenant.renameUser(user.id, { displayName: `Renamed ${a}` }); break;
    case 'disable': if (user) tenant.disableUser(user.id); break;
    case 'enable': if (user) tenant.enableUser(user.id); break;
    case 'softDelete': if (user) tenant.softDeleteUser(user.id); break;
    case 'restore': if (user) tenant.restoreUser(user.id); break;
    case 'hardDelete': if (user) tenant.hardDeleteUser(user.id); break;
    case 'add': if (group && live.length > 0) tenant.addMember(group.id, live[a % live.length]!.id); break;
    case 'remove': {
      const members = group ? tenant.membersOf(group.id) : [];
      if (group && members.length > 0) tenant.removeMember(group.id, members[a % members.length]!);
      break;
    }
    case 'createGroup': tenant.createGroup({ displayName: `Group ${a}` }); break;
    case 'deleteGroup': if (group) tenant.deleteGroup(group.id); break;
  }
}

describe('delta rounds feeding a mirror', () => {
  it('converge on the directory after any mutations', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(10_000), fc.array(fc.array(mutation, { maxLength: 8 }), { minLength: 1, maxLength: 4 }), async (seed, batches) => {
      const tenant = generateTenant({ seed, users: 8, groups: 3 });
      const local = await startGraphSimulator({ tenant, pageSize: { min: 2, max: 4 } });
      try {
        const localToken = await accessToken(local);
        const mirror: Mirror = { users: new Map(), members: new Map() };
        let usersLink = '/v1.0/users/delta?$select=displayName,accountEnabled';
        let groupsLink = '/v1.0/groups/delta?$select=displayName,members';
        for (const batch of [[], ...batches]) {
          for (const step of batch) apply(tenant, step);
          const users = await readDeltaRound(local, usersLink, localToken);
          const groups = await readDeltaRound(local, groupsLink, localToken);
          for (const page of users.pages) applyPage(mirror, 'users', page);
          for (const page of groups.pages) applyPage(mirror, 'groups', page);
          usersLink = users.deltaLink;
          groupsLink = groups.deltaLink;
          expect(mirror).toEqual(directoryOf(tenant));
        }
      } finally {
        await local.close();
      }
    }), { numRuns: 40 });
  });
});
