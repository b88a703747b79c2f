// Initial matching (pure): an unlinked in-scope object against Notion's listing, by the mapping's matching attributes
// in precedence order (lower-cased userName, then email; groups by displayName). Two candidates are a conflict.
import type { ScimGroup, ScimUser } from '../scim/index.js';
import { emailValuesOf } from './observed.js';

export type MatchResult<T> =
  | { kind: 'found'; resource: T }
  | { kind: 'conflict'; reason: string }
  /** The listing is complete and holds no candidate: create. */
  | { kind: 'none' }
  /** No listing, or an incomplete one, and no candidate in it: ask Notion with a filter before any create. */
  | { kind: 'unknown' };

export interface UserIndex {
  complete: boolean;
  byUserName: Map<string, ScimUser[]>;
  byEmail: Map<string, ScimUser[]>;
  /** Notion ids already linked to some Entra object: never matched to another. */
  linked: Set<string>;
}

export interface GroupIndex {
  complete: boolean;
  byName: Map<string, ScimGroup[]>;
  linked: Set<string>;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function indexUsers(users: readonly ScimUser[], complete: boolean, linked: Set<string>): UserIndex {
  const byUserName = new Map<string, ScimUser[]>();
  const byEmail = new Map<string, ScimUser[]>();
  for (const user of users) {
    push(byUserName, user.userName.toLowerCase(), user);
    for (const email of new Set(emailValuesOf(user))) push(byEmail, email, user);
  }
  return { complete, byUserName, byEmail, linked };
}

export function indexGroups(groups: readonly ScimGroup[], complete: boolean, linked: Set<string>): GroupIndex {
  const byName = new Map<string, ScimGroup[]>();
  for (const group of groups) push(byName, group.displayName.toLowerCase(), group);
  return { complete, byName, linked };
}

function decide<T extends { id: string }>(candidates: T[], linked: Set<string>, what: string): MatchResult<T> | undefined {
  if (candidates.length === 0) return undefined;
  if (candidates.length > 1) return { kind: 'conflict', reason: `${candidates.length} Notion objects match ${what}` };
  const [only] = candidates as [T];
  if (linked.has(only.id)) return { kind: 'conflict', reason: `the Notion object matching ${what} is already linked to another Entra object` };
  return { kind: 'found', resource: only };
}

/**
 * The lower-cased values at the matching paths: every key under which `matchUser` and `userCandidates` look these
 * attributes up, as userName and as email alike (what a read of the listing must cover).
 */
export function matchingKeys(matchingPaths: readonly string[], attributes: Record<string, unknown>): string[] {
  return matchingPaths.flatMap((path) => {
    const value = attributes[path];
    return typeof value === 'string' && value !== '' ? [value.toLowerCase()] : [];
  });
}

/** Matches by each matching path in precedence order; the first path with candidates decides. */
export function matchUser(index: UserIndex, matchingPaths: readonly string[], attributes: Record<string, unknown>): MatchResult<ScimUser> {
  for (const path of matchingPaths) {
    const value = attributes[path];
    if (typeof value !== 'string' || value === '') continue;
    const key = value.toLowerCase();
    const candidates = path.toLowerCase() === 'username' ? [...(index.byUserName.get(key) ?? [])] : [...(index.byEmail.get(key) ?? [])];
    // Notion's userName is the account's email (reference §3.5): an email path also matches a userName and back.
    const other = path.toLowerCase() === 'username' ? (index.byEmail.get(key) ?? []) : (index.byUserName.get(key) ?? []);
    for (const user of other) if (!candidates.some((c) => c.id === user.id)) candidates.push(user);
    const decided = decide(candidates, index.linked, `${path} "${value}"`);
    if (decided) return decided;
  }
  return index.complete ? { kind: 'none' } : { kind: 'unknown' };
}

/** Every Notion user any matching path of these attributes reaches (userName and email both), linked or not. */
export function userCandidates(index: UserIndex, matchingPaths: readonly string[], attributes: Record<string, unknown>): ScimUser[] {
  const found = new Map<string, ScimUser>();
  for (const path of matchingPaths) {
    const value = attributes[path];
    if (typeof value !== 'string' || value === '') continue;
    const key = value.toLowerCase();
    for (const user of [...(index.byUserName.get(key) ?? []), ...(index.byEmail.get(key) ?? [])]) found.set(user.id, user);
  }
  return [...found.values()];
}

export function matchGroup(index: GroupIndex, displayName: string): MatchResult<ScimGroup> {
  return decide(index.byName.get(displayName.toLowerCase()) ?? [], index.linked, `displayName "${displayName}"`) ?? (index.complete ? { kind: 'none' } : { kind: 'unknown' });
}

/** Filter answers (a lookup by userName or displayName) decided the same way as the listing. */
export function matchFromLookup<T extends { id: string }>(found: T[], linked: Set<string>, what: string): MatchResult<T> {
  return decide(found, linked, what) ?? { kind: 'none' };
}

/** Whether a Notion user answered for `value` (a userName or an email) really carries it: as userName or as an email. */
export function userCarries(user: ScimUser, value: string): boolean {
  const wanted = value.toLowerCase();
  return user.userName.toLowerCase() === wanted || emailValuesOf(user).includes(wanted);
}

export const groupCarries = (group: ScimGroup, displayName: string): boolean => group.displayName.toLowerCase() === displayName.toLowerCase();

/**
 * A filter answer is trusted only when every resource in it carries the value asked for: a server that ignored the
 * filter answers with unrelated members, and linking one of them would hand another person's account to this object.
 */
export function checkLookup<T extends { id: string }>(found: readonly T[], carries: (resource: T) => boolean, what: string, describe: (resource: T) => string): string | undefined {
  const unrelated = found.filter((resource) => !carries(resource));
  if (unrelated.length === 0) return undefined;
  const examples = unrelated.slice(0, 3).map(describe).join(', ');
  return `Notion answered the lookup for ${what} with ${unrelated.length} object(s) that do not match it (${examples}): the filter was not applied; nothing was linked`;
}
