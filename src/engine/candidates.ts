// What a cycle reads (issue 14: work proportional to change): the objects to evaluate (dirty ones, every link with open
// work, objects whose scope disagrees with their link, or everything after a mapping change or in a full or verify
// run), the groups whose memberships to plan, and only their links, Entra members and applied memberships. The set
// logic runs in SQL (src/store/scope-queries.ts); nothing here reads the whole mirror or every link.
import type { Scope } from '../entra/index.js';
import {
  readAppliedMembershipsOf, readCandidates, readGroupMembers, readLinksOf, readTouchedGroups, type Database, type LinkRow, type ScopeRule,
} from '../store/index.js';

export interface CandidateInput {
  db: Database;
  target: string;
  rule: ScopeRule;
  evaluateAll: boolean;
  now: Date;
  /** On-demand provisioning: evaluate only these users, and no group but `onlyGroups`. */
  onlyUsers?: readonly string[];
  /** With `onlyUsers`: the groups to evaluate (on-demand provisioning of a group). */
  onlyGroups?: readonly string[];
}

export interface CycleObjects {
  /** Mirrored ids to evaluate. */
  users: string[];
  groups: string[];
  /** Linked ids that the mirror no longer holds at all: treated as deleted in Entra. */
  vanished: { users: string[]; groups: string[] };
  /** Scope restricted to what this cycle reads: the evaluated objects and the groups whose memberships it plans. */
  scope: Scope;
  userLinkRows: LinkRow[];
  groupLinkRows: LinkRow[];
  /** Applied memberships of the groups planned. */
  applied: Map<string, Set<string>>;
}

export async function readCycleObjects(input: CandidateInput): Promise<CycleObjects> {
  const { db, target, rule, now } = input;
  const query = { evaluateAll: input.evaluateAll, now, ...(input.onlyUsers ? { only: input.onlyUsers } : {}) };
  const userRows = await readCandidates(db, target, 'user', rule, query);
  const groupRows = !input.onlyUsers
    ? await readCandidates(db, target, 'group', rule, query)
    : input.onlyGroups?.length ? await readCandidates(db, target, 'group', rule, { ...query, only: input.onlyGroups }) : { ids: [], vanished: [] };
  const users = userRows.ids.map((row) => row.id);
  const groups = groupRows.ids.map((row) => row.id);
  const touched = await readTouchedGroups(db, target, rule, {
    users: [...users, ...userRows.vanished],
    groups: [...groups, ...groupRows.vanished],
  });
  const inScopeGroups = touched.filter((group) => group.inScope).map((group) => group.id);
  const groupMembers = await readGroupMembers(db, target, rule, inScopeGroups);
  const applied = await readAppliedMembershipsOf(db, target, touched.map((group) => group.id));

  // Every user a planned group names (Entra's members, applied members) needs its link: its standing decides the batch.
  const userIds = new Set([...users, ...userRows.vanished]);
  for (const members of [...groupMembers.values(), ...applied.values()]) for (const id of members) userIds.add(id);
  const groupIds = new Set([...groups, ...groupRows.vanished, ...touched.map((group) => group.id)]);
  const scopeUsers = new Set(userRows.ids.filter((row) => row.inScope).map((row) => row.id));
  for (const members of groupMembers.values()) for (const id of members) scopeUsers.add(id);
  const scopeGroups = new Set([...groupRows.ids.filter((row) => row.inScope).map((row) => row.id), ...inScopeGroups]);
  return {
    users,
    groups,
    vanished: { users: userRows.vanished, groups: groupRows.vanished },
    scope: { userIds: scopeUsers, groupIds: scopeGroups, groupMembers },
    userLinkRows: await readLinksOf(db, target, 'user', [...userIds]),
    groupLinkRows: await readLinksOf(db, target, 'group', [...groupIds]),
    applied,
  };
}
