// users/delta and groups/delta: paging, deltaLinks into the change log, @removed, members@delta, filters, expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, startGraphSimulator, type GraphSimulator, type SimTenant } from '../../../src/sim/graph/index.js';
import { accessToken, graphGet, readDeltaRound } from './graph-session.js';

type Item = Record<string, unknown>;
let tenant: SimTenant;
let sim: GraphSimulator;
let token: string;

beforeAll(async () => {
  tenant = generateTenant({ seed: 11, users: 120, groups: 12 });
  sim = await startGraphSimulator({ tenant, pageSize: { min: 7, max: 19 } });
  token = await accessToken(sim);
});
afterAll(() => sim.close());

const byId = (pages: Item[][]): Map<string, Item[]> => {
  const map = new Map<string, Item[]>();
  for (const item of pages.flat()) map.set(item.id as string, [...(map.get(item.id as string) ?? []), item]);
  return map;
};

describe('users/delta', () => {
  it('pages through every live user with varying page sizes and ends with a deltaLink on the simulator host', async () => {
    const { pages, deltaLink } = await readDeltaRound(sim, '/v1.0/users/delta?$select=displayName,userPrincipalName,accountEnabled', token);
    const live = tenant.users().filter((user) => !user.deletedDateTime).map((user) => user.id);
    expect(pages.flat().map((item) => item.id).sort()).toEqual(live.sort());
    expect(new Set(pages.slice(0, -1).map((page) => page.length)).size).toBeGreaterThan(1);
    expect(deltaLink.startsWith(`${sim.graphBaseUrl}/v1.0/users/delta?$deltatoken=`)).toBe(true);
    expect(Object.keys(pages[0]?.[0] ?? {}).sort()).toEqual(['accountEnabled', 'displayName', 'id', 'userPrincipalName']);
  });

  it('returns only users changed since the deltaLink, once each, in their latest state', async () => {
    const { deltaLink } = await readDeltaRound(sim, '/v1.0/users/delta?$select=displayName,userPrincipalName,accountEnabled', token);
    const [first, second] = tenant.users();
    tenant.renameUser(first!.id, { userPrincipalName: 'renamed.once@contoso.example', displayName: 'Renamed Once' });
    tenant.renameUser(first!.id, { userPrincipalName: 'renamed.twice@contoso.example' });
    tenant.disableUser(second!.id);
    const hired = tenant.hireUser({ displayName: 'New Hire' });
    const { pages, deltaLink: next } = await readDeltaRound(sim, deltaLink, token);
    const items = byId(pages);
    expect([...items.keys()].sort()).toEqual([first!.id, second!.id, hired.id].sort());
    expect(items.get(first!.id)).toEqual([{ id: first!.id, displayName: 'Renamed Once', userPrincipalName: 'renamed.twice@contoso.example', accountEnabled: first!.accountEnabled }]);
    expect(items.get(second!.id)?.[0]).toMatchObject({ accountEnabled: false });
    expect(items.get(hired.id)?.[0]).toMatchObject({ displayName: 'New Hire' });
    expect((await readDeltaRound(sim, next, token)).pages.flat()).toEqual([]);
  });

  it('marks a soft delete as removed (changed), a hard delete as removed (deleted), and a restore as a plain user', async () => {
    const { deltaLink } = await readDeltaRound(sim, '/v1.0/users/delta?$select=displayName', token);
    const [, , soft, hard, restored] = tenant.users().filter((user) => !user.deletedDateTime);
    tenant.softDeleteUser(soft!.id);
    tenant.hardDeleteUser(hard!.id);
    tenant.softDeleteUser(restored!.id);
    const afterDeletes = await readDeltaRound(sim, deltaLink, token);
    expect(byId(afterDeletes.pages).get(soft!.id)).toEqual([{ id: soft!.id, '@removed': { reason: 'changed' } }]);
    expect(byId(afterDeletes.pages).get(hard!.id)).toEqual([{ id: hard!.id, '@removed': { reason: 'deleted' } }]);
    tenant.restoreUser(restored!.id);
    const afterRestore = await readDeltaRound(sim, afterDeletes.deltaLink, token);
    expect(byId(afterRestore.pages).get(restored!.id)).toEqual([{ id: restored!.id, displayName: restored!.displayName }]);
  });

  it('tracks only the selected properties', async () => {
    const { deltaLink } = await readDeltaRound(sim, '/v1.0/users/delta?$select=displayName', token);
    const [user] = tenant.users().filter((candidate) => !candidate.deletedDateTime);
    tenant.updateUser(user!.id, { jobTitle: 'Chief Tester' });
    expect((await readDeltaRound(sim, deltaLink, token)).pages.flat()).toEqual([]);
  });

  it('filters by id eq terms joined by or, and refuses more than 50 ids', async () => {
    const ids = tenant.users().filter((user) => !user.deletedDateTime).slice(0, 3).map((user) => user.id);
    const filter = encodeURIComponent(ids.map((id) => `id eq '${id}'`).join(' or '));
    const { pages } = await readDeltaRound(sim, `/v1.0/users/delta?$filter=${filter}`, token);
    expect(pages.flat().map((item) => item.id).sort()).toEqual([...ids].sort());
    const many = Array.from({ length: 51 }, (_, index) => `id eq '00000000-0000-0000-0000-${String(index).padStart(12, '0')}'`);
    const answer = await graphGet(sim, `/v1.0/users/delta?$filter=${encodeURIComponent(many.join(' or '))}`, token);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'Request_UnsupportedQuery' } });
  });

  it('gives a deltaLink from now and no objects for $deltatoken=latest', async () => {
    const latest = await graphGet(sim, '/v1.0/users/delta?$deltatoken=latest', token);
    expect(latest.body.value).toEqual([]);
    const hired = tenant.hireUser();
    const { pages } = await readDeltaRound(sim, latest.body['@odata.deltaLink'] as string, token);
    expect(pages.flat().map((item) => item.id)).toEqual([hired.id]);
  });
});

describe('groups/delta', () => {
  it('lists each group with its members, nested groups included, in members@delta on the first round', async () => {
    const [parent, child] = tenant.groups();
    tenant.addMember(parent!.id, child!.id);
    const { pages } = await readDeltaRound(sim, '/v1.0/groups/delta?$select=displayName,members', token);
    const items = byId(pages);
    for (const group of tenant.groups()) {
      const members = items.get(group.id)!.flatMap((item) => item['members@delta'] as Item[]);
      expect(members.map((member) => member.id).sort()).toEqual(tenant.membersOf(group.id).sort());
    }
    expect(items.get(parent!.id)!.flatMap((item) => item['members@delta'] as Item[]))
      .toContainEqual({ '@odata.type': '#microsoft.graph.group', id: child!.id });
  });

  it('splits a large group over several pages and replays the group on each', async () => {
    const big = tenant.createGroup({ displayName: 'Everyone' });
    for (const user of tenant.users().filter((candidate) => !candidate.deletedDateTime)) tenant.addMember(big.id, user.id);
    const { pages } = await readDeltaRound(sim, `/v1.0/groups/delta?$select=displayName,members&$filter=id eq '${big.id}'`, token);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.every((page) => page.length === 1 && page[0]?.id === big.id && page[0]?.displayName === 'Everyone')).toBe(true);
    const members = pages.flat().flatMap((item) => item['members@delta'] as Item[]).map((member) => member.id);
    expect(members.sort()).toEqual(tenant.membersOf(big.id).sort());
  });

  it('reports added and removed members, removed groups, and renames since the deltaLink', async () => {
    const { deltaLink } = await readDeltaRound(sim, '/v1.0/groups/delta?$select=displayName,members', token);
    const [renamed, changed, doomed] = tenant.groups();
    const leaving = tenant.membersOf(changed!.id)[0]!;
    const joining = tenant.users().find((user) => !user.deletedDateTime && !tenant.membersOf(changed!.id).includes(user.id))!;
    tenant.renameGroup(renamed!.id, 'Renamed Group');
    tenant.removeMember(changed!.id, leaving);
    tenant.addMember(changed!.id, joining.id);
    tenant.deleteGroup(doomed!.id);
    const { pages } = await readDeltaRound(sim, deltaLink, token);
    const items = byId(pages);
    expect(items.get(renamed!.id)).toEqual([{ id: renamed!.id, displayName: 'Renamed Group' }]);
    expect(items.get(changed!.id)?.[0]?.['members@delta']).toEqual(expect.arrayContaining([
      { '@odata.type': '#microsoft.graph.user', id: leaving, '@removed': { reason: 'deleted' } },
      { '@odata.type': '#microsoft.graph.user', id: joining.id },
    ]));
    expect(items.get(doomed!.id)).toEqual([{ id: doomed!.id, '@removed': { reason: 'deleted' } }]);
  });

  it('shows a soft-deleted user leaving their groups and coming back on restore', async () => {
    const { deltaLink } = await readDeltaRound(sim, '/v1.0/groups/delta?$select=members', token);
    const group = tenant.groups().find((candidate) => tenant.membersOf(candidate.id).some((id) => tenant.users().some((user) => user.id === id)))!;
    const userId = tenant.membersOf(group.id).find((id) => tenant.users().some((user) => user.id === id))!;
    tenant.softDeleteUser(userId);
    const removed = await readDeltaRound(sim, deltaLink, token);
    expect(byId(removed.pages).get(group.id)?.[0]?.['members@delta']).toContainEqual({ '@odata.type': '#microsoft.graph.user', id: userId, '@removed': { reason: 'deleted' } });
    tenant.restoreUser(userId);
    const back = await readDeltaRound(sim, removed.deltaLink, token);
    expect(byId(back.pages).get(group.id)?.[0]?.['members@delta']).toContainEqual({ '@odata.type': '#microsoft.graph.user', id: userId });
  });
});

describe('expired delta tokens', () => {
  it('answers 410 Gone with a Location that starts a full round again', async () => {
    const { deltaLink } = await readDeltaRound(sim, '/v1.0/users/delta?$select=displayName', token);
    sim.expireDeltaTokens('410');
    const answer = await graphGet(sim, deltaLink, token);
    expect(answer.status).toBe(410);
    expect(answer.body).toMatchObject({ error: { code: 'resyncRequired' } });
    const location = answer.headers.get('location')!;
    expect(location).toBe(`${sim.graphBaseUrl}/v1.0/users/delta?%24select=displayName`);
    const { pages } = await readDeltaRound(sim, location, token);
    expect(pages.flat()).toHaveLength(tenant.users().filter((user) => !user.deletedDateTime).length);
  });

  it('answers 400 syncStateNotFound for a nextLink issued before expiry, when asked to', async () => {
    const first = await graphGet(sim, '/v1.0/users/delta', token);
    sim.expireDeltaTokens('syncStateNotFound');
    const answer = await graphGet(sim, first.body['@odata.nextLink'] as string, token);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'syncStateNotFound' } });
  });
});
