// What a cycle reads (issue 14: work proportional to change), in two steps. First the objects to evaluate: dirty ones,
// every link with open work, objects whose scope is not the one a completed cycle last evaluated them with, or
// everything after a mapping change or in a full or verify run. Then, once the users are evaluated, the
// groups whose memberships to plan: those of the evaluated groups and of the users whose standing may change, with
// only their Entra members, applied memberships and links. The set logic runs in SQL (src/store/scope-queries.ts);
// nothing here reads the whole mirror or every link.
import {
  readAppliedMembershipsOf, readCandidates, readGroupMembers, readTouchedGroups, readVanishedLinks, type Database, type ScopeRule,
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

export interface Candidates {
  /** Mirrored ids to evaluate, with whether each is in scope. */
  users: Array<{ id: string; inScope: boolean }>;
  groups: Array<{ id: string; inScope: boolean }>;
  /** Linked ids that the mirror no longer holds at all: treated as deleted in Entra. */
  vanished: { users: string[]; groups: string[] };
}

export async function readEvaluationCandidates(input: CandidateInput): Promise<Candidates> {
  const { db, target, rule, now } = input;
  const query = { evaluateAll: input.evaluateAll, now, ...(input.onlyUsers ? { only: input.onlyUsers } : {}) };
  const users = await readCandidates(db, target, 'user', rule, query);
  const groups = !input.onlyUsers
    ? await readCandidates(db, target, 'group', rule, query)
    : input.onlyGroups?.length ? await readCandidates(db, target, 'group', rule, { ...query, only: input.onlyGroups }) : { ids: [], vanished: [] };
  return { users: users.ids, groups: groups.ids, vanished: { users: users.vanished, groups: groups.vanished } };
}

export interface MembershipObjects {
  /** The groups whose memberships this cycle plans, with whether each is in scope. */
  touched: Array<{ id: string; inScope: boolean }>;
  /** Per touched in-scope group, the live user members Notion should have. */
  groupMembers: Map<string, Set<string>>;
  /** Applied memberships of the touched groups. */
  applied: Map<string, Set<string>>;
}

/**
 * The memberships to plan for these groups and for these users, whose standing in Notion may change this cycle (a
 * create, an enable, a deprovision; not a rename of a user who stays active and linked, whose groups stay as they are).
 */
export async function readMembershipObjects(db: Database, target: string, rule: ScopeRule, changing: { users: readonly string[]; groups: readonly string[] }): Promise<MembershipObjects> {
  const touched = await readTouchedGroups(db, target, rule, changing);
  const groupMembers = await readGroupMembers(db, target, rule, touched.filter((group) => group.inScope).map((group) => group.id));
  const applied = await readAppliedMembershipsOf(db, target, touched.map((group) => group.id));
  return { touched, groupMembers, applied };
}

/** One page of candidates of one kind, in id order after `after` (a windowed cycle, windowed-cycle.ts). */
export async function readCandidatePage(
  input: Omit<CandidateInput, 'onlyUsers' | 'onlyGroups'>, objectType: 'user' | 'group', page: { after: string | null; limit: number },
): Promise<Array<{ id: string; inScope: boolean }>> {
  return (await readCandidates(input.db, input.target, objectType, input.rule, { evaluateAll: input.evaluateAll, now: input.now, page })).ids;
}

/** Linked ids the mirror no longer holds, of both kinds (read once by a windowed cycle). */
export async function readVanished(input: Omit<CandidateInput, 'onlyUsers' | 'onlyGroups'>): Promise<Candidates['vanished']> {
  const query = { evaluateAll: input.evaluateAll, now: input.now };
  return { users: await readVanishedLinks(input.db, input.target, 'user', query), groups: await readVanishedLinks(input.db, input.target, 'group', query) };
}
