// The seeded data generator: a tenant of N users and M groups shaped like a real directory (group sizes
// from 1 to thousands, nested groups, direct and group assignments, disabled users, guests, odd names).
import { DEFAULT_ACCESS_ROLE_ID, type SimAssignment, type SimUser } from './model.js';
import { DEPARTMENTS, makeUser } from './people.js';
import { SeededRandom } from './random.js';
import { SimTenant, assignmentId, type GroupRecord } from './tenant.js';

export interface GenerateTenantOptions {
  seed: number;
  users: number;
  groups: number;
  /** Share of groups assigned to the app (default 0.3). */
  assignedGroupShare?: number;
  /** Share of users assigned to the app directly (default 0.1). */
  directAssignmentShare?: number;
  /** Share of users with `accountEnabled: false` (default 0.03). */
  disabledShare?: number;
  /** Share of users who are B2B guests with `#EXT#` UPNs (default 0.05). */
  guestShare?: number;
  /** Share of users without `mail` (default 0.05). */
  noMailShare?: number;
  /** Share of groups that contain other groups (default 0.1). */
  nestedGroupShare?: number;
}

const GROUP_WORDS = ['Team', 'Project', 'Guild', 'Readers', 'Admins', 'Leads', 'Alumni', 'Équipe', 'Arbeitsgruppe', 'チーム'];
const LARGEST_GROUP = 5000;
const APP_DISPLAY_NAME = 'Notion';

/** Same options and seed → the same tenant, ids included. */
export function generateTenant(options: GenerateTenantOptions): SimTenant {
  const random = new SeededRandom(options.seed);
  const tenantId = random.guid();
  const appId = random.guid();
  const servicePrincipalId = random.guid();
  const userShares = {
    disabledShare: options.disabledShare ?? 0.03,
    guestShare: options.guestShare ?? 0.05,
    noMailShare: options.noMailShare ?? 0.05,
  };

  const userList: SimUser[] = [];
  for (let number = 1; number <= options.users; number += 1) userList.push(makeUser(random, number, userShares));
  const groupList = makeGroups(random, options.groups, userList, options.nestedGroupShare ?? 0.1);

  const assignments = new Map<string, SimAssignment>();
  const assign = (principalId: string, principalType: 'User' | 'Group', principalDisplayName: string): void => {
    assignments.set(principalId, {
      id: assignmentId(random), appRoleId: DEFAULT_ACCESS_ROLE_ID, principalId, principalType, principalDisplayName,
      resourceId: servicePrincipalId, resourceDisplayName: APP_DISPLAY_NAME, createdDateTime: pastDate(random),
    });
  };
  const groupShare = options.assignedGroupShare ?? 0.3;
  for (const group of groupList) if (random.chance(groupShare)) assign(group.id, 'Group', group.displayName);
  const userShare = options.directAssignmentShare ?? 0.1;
  for (const user of userList) if (random.chance(userShare)) assign(user.id, 'User', user.displayName);

  return new SimTenant({
    tenantId, appId, servicePrincipalId, appDisplayName: APP_DISPLAY_NAME, random, userShares,
    users: new Map(userList.map((user) => [user.id, user])),
    groups: new Map(groupList.map((group) => [group.id, group])),
    assignments,
  });
}

/**
 * Sizes follow largest^(u²) for uniform u: half the groups have under ~9 members, one in ten has over a
 * thousand (when the tenant is big enough). Members are a window of consecutive users, which is cheap and,
 * since users are generated in random order, as good as a random sample.
 */
function makeGroups(random: SeededRandom, count: number, users: SimUser[], nestedShare: number): GroupRecord[] {
  const largest = Math.min(LARGEST_GROUP, users.length);
  const groups: GroupRecord[] = [];
  for (let index = 0; index < count; index += 1) {
    const u = random.next();
    const size = users.length === 0 ? 0 : Math.max(1, Math.round(largest ** (u * u)));
    const start = random.int(0, Math.max(0, users.length - 1));
    const members = new Set<string>();
    for (let k = 0; k < size; k += 1) members.add((users[(start + k) % users.length] as SimUser).id);
    const displayName = `${random.pick(DEPARTMENTS)} ${random.pick(GROUP_WORDS)} ${index + 1}`;
    groups.push({
      id: random.guid(), displayName, description: `${displayName} (generated)`,
      mailNickname: displayName.replace(/[^A-Za-z0-9]+/g, '').slice(0, 64), mailEnabled: false,
      securityEnabled: true, groupTypes: [], createdDateTime: pastDate(random), members,
    });
  }
  // Nesting only points to later groups, so the nesting graph has no cycles.
  for (let index = 0; index < count - 1; index += 1) {
    if (!random.chance(nestedShare)) continue;
    const children = random.int(1, 2);
    for (let c = 0; c < children; c += 1) {
      (groups[index] as GroupRecord).members.add((groups[random.int(index + 1, count - 1)] as GroupRecord).id);
    }
  }
  return groups;
}

function pastDate(random: SeededRandom): string {
  return new Date(Date.UTC(2023, 0, 1) + random.int(0, 700 * 86_400) * 1000).toISOString();
}
