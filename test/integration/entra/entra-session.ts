// Test helpers: a Graph simulator, a fresh store and an Entra source wired to both; and the mirror compared with the tenant.
import type { Config } from '../../../src/config/index.js';
import { createEntraSource, type EntraSource, type ImportOptions } from '../../../src/entra/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { generateTenant, startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions, type SimTenant } from '../../../src/sim/graph/index.js';
import { readSourceUsers, readSourceGroups, type Database } from '../../../src/store/index.js';
import { readMirrorForScope } from '../../helpers/whole-tables.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

export const TARGET = 'workspace';

export const importOptions: ImportOptions = {
  full: false,
  userAttributes: ['givenName', 'surname', 'mail', 'jobTitle'],
  groupAttributes: ['description'],
  scope: 'assigned',
  readsAppRoles: false,
  transitiveGroups: false,
  scopeShrinkHoldPercent: 30,
};

export function entraConfig(sim: GraphSimulator, overrides: Partial<Config['entra']> = {}): Config['entra'] {
  return {
    auth: 'auto', tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, servicePrincipalId: sim.servicePrincipalId,
    authorityHost: sim.authorityHost, graphBaseUrl: sim.graphBaseUrl, scope: 'assigned', transitiveGroups: false,
    scopeShrinkHoldPercent: 30, ...overrides,
  };
}

export interface EntraSession {
  sim: GraphSimulator;
  tenant: SimTenant;
  store: TestStore;
  db: Database;
  source(overrides?: Partial<Config['entra']>, signal?: AbortSignal): EntraSource;
  close(): Promise<void>;
}

export async function openEntraSession(
  tenantOptions: Parameters<typeof generateTenant>[0], simOptions: Partial<GraphSimulatorOptions> = {},
): Promise<EntraSession> {
  const tenant = generateTenant(tenantOptions);
  const sim = await startGraphSimulator({ tenant, ...simOptions });
  const store = await openTestStore();
  const logger = createLogger({ level: 'silent' });
  return {
    sim, tenant, store, db: store.store.db,
    source: (overrides = {}, signal) => createEntraSource({ config: entraConfig(sim, overrides), logger, signal }),
    close: async () => {
      await sim.close();
      await store.close();
    },
  };
}

/** The mirror as plain sorted data, for comparing two stores or a store with the tenant. */
export async function mirrorSnapshot(db: Database): Promise<{
  users: Array<[string, string | null, unknown]>; groups: Array<[string, string | null, unknown]>; memberships: string[]; assignments: string[];
}> {
  const mirror = await readMirrorForScope(db, TARGET);
  const users = (await readSourceUsers(db, TARGET)).map((row) => [row.id, row.removedReason, row.attributes] as [string, string | null, unknown]);
  const groups = (await readSourceGroups(db, TARGET)).map((row) => [row.id, row.removedReason, row.attributes] as [string, string | null, unknown]);
  return {
    users: users.sort((a, b) => a[0].localeCompare(b[0])),
    groups: groups.sort((a, b) => a[0].localeCompare(b[0])),
    memberships: mirror.memberships.map((edge) => `${edge.groupId}>${edge.memberId}:${edge.memberType}`).sort(),
    assignments: mirror.assignments.map((row) => `${row.principalType}:${row.principalId}`).sort(),
  };
}

/** What the mirror should hold for a tenant: live users and groups, visible direct members, live assignments. */
export function tenantPicture(tenant: SimTenant): { users: string[]; groups: string[]; memberships: string[]; assignments: string[] } {
  return {
    users: tenant.users().filter((user) => !user.deletedDateTime).map((user) => user.id).sort(),
    groups: tenant.groups().map((group) => group.id).sort(),
    memberships: tenant.groups().flatMap((group) => tenant.membersOf(group.id).map((id) => `${group.id}>${id}:${tenant.memberTypeOf(id)}`)).sort(),
    assignments: tenant.assignments().map((row) => `${row.principalType}:${row.principalId}`).sort(),
  };
}

/** The live part of a mirror snapshot, in the shape of tenantPicture. */
export function livePicture(snapshot: Awaited<ReturnType<typeof mirrorSnapshot>>): ReturnType<typeof tenantPicture> {
  return {
    users: snapshot.users.filter(([, removed]) => removed === null).map(([id]) => id),
    groups: snapshot.groups.filter(([, removed]) => removed === null).map(([id]) => id),
    memberships: snapshot.memberships,
    assignments: snapshot.assignments,
  };
}
