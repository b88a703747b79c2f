// The shared front of `sync` and `plan`: import, scope, evaluate the candidates, read Notion when matching or
// verifying needs it, and plan. Nothing here writes to Notion or to the links.
import type { LoadedConfig } from '../config/index.js';
import { type EntraSource, type ImportOptions, type ImportResult, type Scope } from '../entra/index.js';
import type { CompiledMapping } from '../mapping/index.js';
import type { Progress } from '../observe/index.js';
import type { ScimClient } from '../scim/index.js';
import {
  approvedPrefix, countActiveUserLinks, hasCompleteCycle, hasLinks, readApprovedStaged, readAssignmentsOf, readLinksOf, readScopeGroupsOfUsers,
  readSourceGroups, readSourceUsers, readTargetState, type Database, type LinkRow, type SourceAssignmentRow,
} from '../store/index.js';
import { readEvaluationCandidates, readMembershipObjects, type Candidates } from './candidates.js';
import { decisionFingerprint } from './decisions.js';
import { desiredGroup, desiredUser } from './desired.js';
import { isLiveLink, type DesiredGroup, type DesiredUser, type LinkView, type Plan } from './model.js';
import { readNotionListing, type NotionListingResult } from './notion-listing.js';
import { groupPlanSettings } from './plan-groups.js';
import { planChanges } from './plan.js';
import { isUnaccountedSourceId } from './unaccounted.js';

export interface PrepareInput {
  config: LoadedConfig;
  db: Database;
  source: EntraSource;
  scim: ScimClient;
  progress: Progress;
  mapping: CompiledMapping;
  now: Date;
  mode: 'incremental' | 'full' | 'verify';
  forceDeletes: boolean;
  /** Restricts evaluation to these users (on-demand provisioning); groups are then only planned for memberships. */
  onlyUsers?: string[];
  /** With `onlyUsers`: also evaluate these groups, and change only their memberships (on-demand provisioning of a group). */
  onlyGroups?: string[];
  /** Skip the Graph import (on-demand provisioning imports the one user itself). */
  skipImport?: boolean;
}

export interface Prepared {
  mapping: CompiledMapping;
  importResult: ImportResult | undefined;
  scope: Scope;
  users: DesiredUser[];
  groups: DesiredGroup[];
  userLinks: Map<string, LinkView>;
  groupLinks: Map<string, LinkView>;
  applied: Map<string, Set<string>>;
  notionRead: boolean;
  plan: Plan;
  evaluated: { users: string[]; groups: string[] };
  firstCycle: boolean;
}

export function importOptionsFor(config: LoadedConfig, mapping: CompiledMapping, full: boolean, progress: Progress): ImportOptions {
  return {
    full,
    userAttributes: mapping.sourceAttributes.user,
    groupAttributes: mapping.sourceAttributes.group,
    scope: config.entra.scope,
    readsAppRoles: mapping.readsAppRoles,
    transitiveGroups: config.entra.transitiveGroups,
    scopeShrinkHoldPercent: config.entra.scopeShrinkHoldPercent,
    progress,
  };
}

export const viewOfRow = (row: LinkRow): LinkView => ({
  sourceId: row.sourceId,
  notionId: row.notionId,
  state: row.state as LinkView['state'],
  applied: row.applied as LinkView['applied'],
  stagedAction: row.stagedAction,
  attempts: row.attempts,
  retiringSince: row.retiringSince,
});

function byPrincipal(assignments: SourceAssignmentRow[]): Map<string, SourceAssignmentRow[]> {
  const map = new Map<string, SourceAssignmentRow[]>();
  for (const a of assignments) map.set(a.principalId, [...(map.get(a.principalId) ?? []), a]);
  return map;
}

const isActiveLink = (link: LinkView | undefined): boolean => link !== undefined && link.notionId !== null && link.state === 'active';

/** Notion pages a listing would cost against the filter lookups it saves: list when it is not more requests. */
function listingPays(unlinked: number, linked: number): boolean {
  return unlinked > 0 && unlinked >= Math.ceil((linked + 1) / 100);
}

export async function prepareCycle(input: PrepareInput): Promise<Prepared> {
  const { config, db, now } = input;
  const target = config.target;
  const mapping = input.mapping;
  const state = await readTargetState(db, target);
  // A changed mapping may read attributes the mirror does not hold yet: re-read Graph in full, then evaluate everything.
  const mappingChanged = state?.mappingFingerprint !== mapping.fingerprint;
  const fullRead = input.mode === 'full' || (mappingChanged && state?.mappingFingerprint != null);
  const importResult = input.skipImport ? undefined : await input.source.importIntoMirror(db, target, importOptionsFor(config, mapping, fullRead, input.progress));
  input.progress.phase('plan');
  const rule = { scope: config.entra.scope, transitiveGroups: config.entra.transitiveGroups };
  const evaluateAll = input.mode !== 'incremental' || mappingChanged || state?.decisionFingerprint !== decisionFingerprint(config, mapping);
  const candidates = await readEvaluationCandidates({ db, target, rule, evaluateAll, now, ...(input.onlyUsers ? { onlyUsers: input.onlyUsers } : {}), ...(input.onlyGroups ? { onlyGroups: input.onlyGroups } : {}) });
  const [anyLink, linkedCount, checked, approved] = await Promise.all([
    hasLinks(db, target),
    countActiveUserLinks(db, target),
    hasCompleteCycle(db, target),
    readApprovedStaged(db, target, approvedPrefix),
  ]);
  // An empty store: no link at all, not even one kept for an unaccounted member.
  const firstCycle = !anyLink;
  const userIds = input.onlyUsers ?? candidates.users.map((row) => row.id);
  const groupIds = candidates.groups.map((row) => row.id);
  const inScope = (rows: Candidates['users']) => new Set(rows.filter((row) => row.inScope).map((row) => row.id));
  const scope: Scope = { userIds: inScope(candidates.users), groupIds: inScope(candidates.groups), groupMembers: new Map() };

  // Roles held through a group need the user's groups; without a role mapping they are not read.
  const groupsOfUser = mapping.readsAppRoles ? await readScopeGroupsOfUsers(db, target, rule, userIds) : new Map<string, string[]>();
  const assignments = await readAssignmentsOf(db, target, [...userIds, ...[...groupsOfUser.values()].flat()]);
  const context = { now, random: Math.random };
  const userInput = { mapping, scope, assignmentsByPrincipal: byPrincipal(assignments), groupsOfUser, context };
  const users = (await readSourceUsers(db, target, userIds)).map((row) => desiredUser(row, userInput));
  const userLinks = new Map((await readLinksOf(db, target, 'user', [...userIds, ...candidates.vanished.users])).map((row) => [row.sourceId, viewOfRow(row)]));

  // A user who stays active and linked (a rename, a new title) keeps its groups; on demand, the user's are checked too.
  const staysActive = (user: DesiredUser) => user.lifecycle === 'active' && isActiveLink(userLinks.get(user.sourceId));
  const changing = input.onlyUsers ? userIds : users.filter((user) => !staysActive(user)).map((user) => user.sourceId);
  const memberships = await readMembershipObjects(db, target, rule, {
    users: [...changing, ...candidates.vanished.users],
    groups: [...groupIds, ...candidates.vanished.groups],
  });
  // Every user a planned group names (Entra's members, applied members) needs its link: its standing decides the batch.
  const members = new Set<string>();
  for (const list of [...memberships.groupMembers.values(), ...memberships.applied.values()]) for (const id of list) if (!userLinks.has(id)) members.add(id);
  for (const row of await readLinksOf(db, target, 'user', [...members])) userLinks.set(row.sourceId, viewOfRow(row));
  for (const list of memberships.groupMembers.values()) for (const id of list) scope.userIds.add(id);
  for (const group of memberships.touched) if (group.inScope) scope.groupIds.add(group.id);
  scope.groupMembers = memberships.groupMembers;
  const groupLinkIds = new Set([...groupIds, ...candidates.vanished.groups, ...memberships.touched.map((group) => group.id)]);
  const groupLinks = new Map((await readLinksOf(db, target, 'group', [...groupLinkIds])).map((row) => [row.sourceId, viewOfRow(row)]));
  const groups = (await readSourceGroups(db, target, groupIds)).map((row) => desiredGroup(row, mapping, scope, context));
  if (!input.onlyUsers) {
    for (const id of candidates.vanished.users) users.push(vanishedUser(userLinks.get(id) as LinkView));
    for (const id of candidates.vanished.groups) groups.push(vanishedGroup(groupLinks.get(id) as LinkView));
  }
  const applied = memberships.applied;

  const unlinked = users.filter((u) => u.lifecycle === 'active' && !isLiveLink(userLinks.get(u.sourceId))).length
    + groups.filter((g) => g.lifecycle === 'active' && !isLiveLink(groupLinks.get(g.sourceId))).length;

  // A held scope shrink is released by an explicit --force-deletes; a failed Graph read never is (fail closed).
  const hold = !importResult || importResult.complete || (importResult.scopeShrinkHeld && input.forceDeletes)
    ? undefined
    : importResult.scopeShrinkHeld
      ? `the scope shrank suspiciously (${importResult.scopeShrinkDetail ?? 'over the hold percentage'}); run sync --force-deletes if it is intended`
      : `the Entra import was incomplete (${importResult.incompleteReason ?? 'unknown reason'})`;
  const protectedUserNames = new Set(config.provisioning.protectedUsers.map((u) => u.toLowerCase()));
  let notion: NotionListingResult | undefined;
  // Until a complete cycle has run on this store (a first one, or a first after `provision` or a partial Entra read),
  // list Notion: the members no in-scope user accounts for are the ones a lost store would forget.
  const findUnaccounted = !checked && !input.onlyUsers;
  if (input.mode === 'verify' || findUnaccounted || listingPays(unlinked, linkedCount)) {
    input.progress.phase('read Notion');
    notion = await readNotionListing({
      db, target, scim: input.scim, users, groups, userLinks, groupLinks, applied, matchingPaths: mapping.matching.user, protectedUserNames,
      verify: input.mode === 'verify',
      // Only over a complete Entra read: a partial one would call members "not in scope" that are.
      findUnaccounted: findUnaccounted && hold === undefined,
    });
  }

  const plan = planChanges({
    users,
    groups,
    userLinks,
    groupLinks,
    applied: appliedForPlanning(applied, groupLinks),
    groupMembers: scope.groupMembers,
    ...(notion ? { notion: notion.index } : {}),
    settings: {
      user: {
        deprovisionAction: config.provisioning.deprovisionAction,
        hardDeleteAction: config.provisioning.hardDeleteAction,
        protectedUserNames,
        matchingPaths: mapping.matching.user,
      },
      group: groupPlanSettings(config, now),
      guard: {
        threshold: config.safety.deletionThreshold,
        thresholdPercent: config.safety.deletionThresholdPercent,
        linkedUsers: linkedCount,
        force: input.forceDeletes,
        hold,
        approved,
      },
      maxMembersPerPatch: config.notion.maxMembersPerPatch,
    },
  });
  if (notion?.unaccounted) plan.unaccounted = notion.unaccounted;
  if (input.onlyUsers) plan.memberships = membershipsOf(plan, new Set(input.onlyUsers), input.onlyGroups && new Set(input.onlyGroups));
  return {
    mapping,
    importResult,
    scope,
    users,
    groups,
    userLinks,
    groupLinks,
    applied,
    notionRead: notion !== undefined,
    plan,
    evaluated: { users: userIds, groups: groupIds },
    firstCycle,
  };
}

/**
 * Memberships recorded for a group still pending its create were recorded before a POST whose fate is unknown (members
 * on create, execute-groups.ts): the planner must not take them as in Notion, or a POST that never arrived would leave
 * them out of every batch. The executor still sees them, to reconcile them with the group a lookup finds.
 */
function appliedForPlanning(applied: Map<string, Set<string>>, groupLinks: ReadonlyMap<string, LinkView>): Map<string, Set<string>> {
  const planning = new Map(applied);
  for (const [sourceId, link] of groupLinks) if (link.state === 'pending-create') planning.delete(sourceId);
  return planning;
}

/**
 * On demand, only the memberships of the provisioned users change; for a provisioned group, only its own, and its
 * removals whole (its member list was just read; a group leaving scope is emptied before it is kept or deleted).
 */
function membershipsOf(plan: Plan, users: ReadonlySet<string>, groups?: ReadonlySet<string>): Plan['memberships'] {
  return plan.memberships
    .filter((op) => groups === undefined || groups.has(op.sourceId))
    .map((op) => (groups !== undefined && op.kind === 'remove-members' ? op : { ...op, userSourceIds: op.userSourceIds.filter((id) => users.has(id)) }))
    .filter((op) => op.userSourceIds.length > 0);
}

function vanishedUser(link: LinkView): DesiredUser {
  const name = typeof link.applied.userName === 'string' ? link.applied.userName : link.sourceId;
  // An approved unaccounted member has no Entra object: it is out of scope, so DEPROVISION_ACTION applies to it.
  const lifecycle = isUnaccountedSourceId(link.sourceId) ? 'out-of-scope' : 'hard-deleted';
  return { sourceId: link.sourceId, lifecycle, attributes: { active: false }, createOnly: [], name, mappingErrors: [] };
}

function vanishedGroup(link: LinkView): DesiredGroup {
  const name = typeof link.applied.displayName === 'string' ? link.applied.displayName : link.sourceId;
  return { sourceId: link.sourceId, lifecycle: 'deleted', attributes: {}, name };
}
