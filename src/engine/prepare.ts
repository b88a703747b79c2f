// The shared front of `sync` and `plan`: import, scope, evaluate the candidates, read Notion when matching or
// verifying needs it, and plan. Nothing here writes to Notion or to the links.
import type { LoadedConfig } from '../config/index.js';
import { type EntraSource, type ImportOptions, type ImportResult, type Scope } from '../entra/index.js';
import type { CompiledMapping } from '../mapping/index.js';
import type { Progress } from '../observe/index.js';
import type { ScimClient } from '../scim/index.js';
import {
  approvedPrefix, clearNotionListing, countActiveUserLinks, hasCompleteCycle, hasLinks, readApprovedStaged, readAssignmentsOf, readLinksOf, readScopeGroupsOfUsers,
  readSourceGroups, readSourceUsers, readTargetState, type Database, type LinkRow, type ScopeRule, type SourceAssignmentRow,
} from '../store/index.js';
import { readEvaluationCandidates, readMembershipObjects, type Candidates } from './candidates.js';
import { decisionFingerprint } from './decisions.js';
import { desiredGroup, desiredUser } from './desired.js';
import { isLiveLink, type DesiredGroup, type DesiredUser, type LinkView, type Plan } from './model.js';
import { readListingViews, readUnaccountedMembers, spoolNotionListing, type ListingViews, type SpooledListing } from './notion-listing.js';
import type { GuardSettings } from './guard.js';
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
  /** Users whose groups this evaluation left to a windowed cycle's group windows (PlanningWindow.deferMembers). */
  deferredMembers: string[];
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

/** An active object without a live link: a listing or a filter lookup decides whether it is created or matched. */
const isUnlinked = (object: { sourceId: string; lifecycle: string }, links: ReadonlyMap<string, LinkView>): boolean =>
  object.lifecycle === 'active' && !isLiveLink(links.get(object.sourceId));

/** How many evaluated objects are unlinked (isUnlinked): what decides whether listing Notion pays. */
export function countUnlinked(evaluated: Pick<Prepared, 'users' | 'groups' | 'userLinks' | 'groupLinks'>): number {
  return evaluated.users.filter((user) => isUnlinked(user, evaluated.userLinks)).length
    + evaluated.groups.filter((group) => isUnlinked(group, evaluated.groupLinks)).length;
}

/** Notion pages a listing would cost against the filter lookups it saves: list when it is not more requests. */
export function listingPays(unlinked: number, linked: number): boolean {
  return unlinked > 0 && unlinked >= Math.ceil((linked + 1) / 100);
}

/** What a cycle decides once, before it evaluates anything: the import, the settings decisions and the safety facts. */
export interface CycleFacts {
  importResult: ImportResult | undefined;
  rule: ScopeRule;
  /** Every mirrored object is evaluated (a full or verify run, a mapping or decision change, a first cycle). */
  evaluateAll: boolean;
  /**
   * Until a complete cycle has run on this store (a first one, or a first after `provision` or a partial Entra read),
   * Notion is listed: the members no in-scope user accounts for are the ones a lost store would forget.
   */
  findUnaccounted: boolean;
  /** No link at all yet (not even one kept for an unaccounted member): nothing can be deprovisioned or held. */
  firstCycle: boolean;
  linkedCount: number;
  approved: Set<string>;
  /** Why nothing may be deprovisioned this cycle, if so. */
  hold: string | undefined;
  protectedUserNames: Set<string>;
}

export async function readCycleFacts(input: PrepareInput): Promise<CycleFacts> {
  const { config, db, mapping } = input;
  const target = config.target;
  const state = await readTargetState(db, target);
  // A changed mapping may read attributes the mirror does not hold yet: re-read Graph in full, then evaluate everything.
  const mappingChanged = state?.mappingFingerprint !== mapping.fingerprint;
  const fullRead = input.mode === 'full' || (mappingChanged && state?.mappingFingerprint != null);
  const importResult = input.skipImport ? undefined : await input.source.importIntoMirror(db, target, importOptionsFor(config, mapping, fullRead, input.progress));
  input.progress.phase('plan');
  const [anyLink, linkedCount, checked, approved] = await Promise.all([
    hasLinks(db, target),
    countActiveUserLinks(db, target),
    hasCompleteCycle(db, target),
    readApprovedStaged(db, target, approvedPrefix),
  ]);
  // A held scope shrink is released by an explicit --force-deletes; a failed Graph read never is (fail closed).
  const hold = !importResult || importResult.complete || (importResult.scopeShrinkHeld && input.forceDeletes)
    ? undefined
    : importResult.scopeShrinkHeld
      ? `the scope shrank suspiciously (${importResult.scopeShrinkDetail ?? 'over the hold percentage'}); run sync --force-deletes if it is intended`
      : `the Entra import was incomplete (${importResult.incompleteReason ?? 'unknown reason'})`;
  return {
    importResult,
    rule: { scope: config.entra.scope, transitiveGroups: config.entra.transitiveGroups },
    evaluateAll: input.mode !== 'incremental' || mappingChanged || state?.decisionFingerprint !== decisionFingerprint(config, mapping),
    findUnaccounted: !checked && !input.onlyUsers,
    firstCycle: !anyLink,
    linkedCount,
    approved,
    hold,
    protectedUserNames: new Set(config.provisioning.protectedUsers.map((u) => u.toLowerCase())),
  };
}

/** The deletion guard's settings for this cycle. */
export function guardSettingsOf(input: Pick<PrepareInput, 'config' | 'forceDeletes'>, facts: CycleFacts): GuardSettings {
  return {
    threshold: input.config.safety.deletionThreshold,
    thresholdPercent: input.config.safety.deletionThresholdPercent,
    linkedUsers: facts.linkedCount,
    force: input.forceDeletes,
    hold: facts.hold,
    approved: facts.approved,
  };
}

/** How one evaluation is planned, beyond the cycle's facts. */
export interface EvaluationPlanning {
  /**
   * Notion's listing: already spooled this cycle (a windowed cycle reads it once, a first cycle before it plans), none,
   * or `decide` (a cycle in one piece lists when verify, the unaccounted check or the number of unlinked objects calls
   * for it, and clears it after; a dry run's plan then lists the unaccounted members).
   */
  listing: SpooledListing | 'decide' | undefined;
  /** A windowed cycle (windowed-cycle.ts); absent for a cycle planned in one piece. */
  window?: PlanningWindow;
}

export interface PlanningWindow {
  /** Deprovisions the whole cycle counts, for the deletion guard (the screen's count). */
  cycleDeprovisions: number;
  /** Users held this cycle (a staged or held deprovision, protected): their memberships stay as they are. */
  held: ReadonlySet<string>;
  /**
   * Which users of this window leave their groups to the group windows. `unlinked`: those without a live link (the
   * group windows run once every user exists, and a new group takes its first members in its POST). `all-but-returning`:
   * every user but one coming back to Notion, whose re-enable is planned with every managed group (Notion may give
   * their old groups back: restored-memberships.ts); the group windows plan each deferred group whole, once, where each
   * user window would read the same groups' members again (twenty windows of a verify at 100k read 3 million rows).
   */
  deferMembers: 'unlinked' | 'all-but-returning';
  /** Plan users only, for the screen: no memberships are read. */
  screen?: boolean;
  /** Groups whose memberships an earlier window changed: the listing read before that is stale for their members. */
  membershipsChanged: ReadonlySet<string>;
}

export async function prepareCycle(input: PrepareInput): Promise<Prepared> {
  return prepareFromFacts(input, await readCycleFacts(input));
}

/**
 * A cycle planned in one piece, once its facts are read (and its candidates, when the caller read them). Notion's
 * listing is the caller's when it spooled one (and clears it); else this decides and clears its own.
 */
export async function prepareFromFacts(input: PrepareInput, facts: CycleFacts, read?: Candidates, listing?: SpooledListing): Promise<Prepared> {
  const candidates = read ?? await readEvaluationCandidates({
    db: input.db, target: input.config.target, rule: facts.rule, evaluateAll: facts.evaluateAll, now: input.now,
    ...(input.onlyUsers ? { onlyUsers: input.onlyUsers } : {}), ...(input.onlyGroups ? { onlyGroups: input.onlyGroups } : {}),
  });
  return prepareEvaluation(input, facts, candidates, { listing: listing ?? 'decide' });
}

/** Evaluates the candidates against their links (and Notion's listing when read) and plans them. */
export async function prepareEvaluation(input: PrepareInput, facts: CycleFacts, candidates: Candidates, planning: EvaluationPlanning): Promise<Prepared> {
  const { config, db, now, mapping } = input;
  const target = config.target;
  const { rule, hold, protectedUserNames, linkedCount } = facts;
  const window = planning.window;
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
  // In a window, users leave their groups to the group windows as PlanningWindow.deferMembers says.
  const staysActive = (user: DesiredUser) => user.lifecycle === 'active' && isActiveLink(userLinks.get(user.sourceId));
  const returning = (user: DesiredUser) => user.lifecycle === 'active' && isLiveLink(userLinks.get(user.sourceId)) && !staysActive(user);
  const waitsForGroupWindows = (user: DesiredUser) =>
    window?.deferMembers === 'all-but-returning' ? !returning(user) : window?.deferMembers === 'unlinked' && isUnlinked(user, userLinks);
  const withGroups = input.onlyUsers ? [] : users.filter((user) => !staysActive(user));
  const changing = input.onlyUsers ? userIds : withGroups.filter((user) => !waitsForGroupWindows(user)).map((user) => user.sourceId);
  const deferredMembers = withGroups.filter(waitsForGroupWindows).map((user) => user.sourceId);
  const memberships = window?.screen
    ? { touched: [], groupMembers: new Map<string, Set<string>>(), applied: new Map<string, Set<string>>() }
    : await readMembershipObjects(db, target, rule, { users: [...changing, ...candidates.vanished.users], groups: [...groupIds, ...candidates.vanished.groups] });
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

  const unlinked = countUnlinked({ users, groups, userLinks, groupLinks });
  const listingWanted = planning.listing === 'decide' && (input.mode === 'verify' || facts.findUnaccounted || listingPays(unlinked, linkedCount));
  let spooled = planning.listing === 'decide' ? undefined : planning.listing;
  let notion: ListingViews | undefined;
  try {
    if (listingWanted) {
      input.progress.phase('read Notion');
      spooled = await spoolNotionListing(db, target, input.scim);
    }
    if (spooled) {
      notion = await readListingViews({
        db, target, users, groups, userLinks, groupLinks, applied, matchingPaths: mapping.matching.user,
        verify: input.mode === 'verify',
        membersPlanned: window?.screen !== true,
        // Only over a complete Entra read: a partial one would call members "not in scope" that are.
        markAccounted: facts.findUnaccounted && hold === undefined,
        ...(window
          ? { observeOnly: { users: new Set([...userIds, ...candidates.vanished.users]), groups: new Set([...groupIds, ...candidates.vanished.groups]), keepMembersOf: window.membershipsChanged } }
          : {}),
      }, spooled);
    }
    const plan = planChanges({
      users,
      groups,
      userLinks,
      groupLinks,
      applied: appliedForPlanning(applied, groupLinks),
      groupMembers: scope.groupMembers,
      ...(notion ? { notion: notion.index } : {}),
      ...(window ? { held: window.held } : {}),
      settings: {
        user: {
          deprovisionAction: config.provisioning.deprovisionAction,
          hardDeleteAction: config.provisioning.hardDeleteAction,
          protectedUserNames,
          matchingPaths: mapping.matching.user,
        },
        group: groupPlanSettings(config, now),
        guard: {
          ...guardSettingsOf(input, facts),
          // The screen counts every deprovision: none is staged or held there.
          force: input.forceDeletes || window?.screen === true,
          ...(window ? { cycleDeprovisions: window.cycleDeprovisions } : {}),
        },
        maxMembersPerPatch: config.notion.maxMembersPerPatch,
      },
    });
    if (listingWanted && facts.findUnaccounted && hold === undefined) plan.unaccounted = await readUnaccountedMembers(db, target, protectedUserNames);
    if (input.onlyUsers) plan.memberships = membershipsOf(plan, new Set(input.onlyUsers), input.onlyGroups && new Set(input.onlyGroups));
    return {
      mapping,
      importResult: facts.importResult,
      scope,
      users,
      groups,
      userLinks,
      groupLinks,
      applied,
      notionRead: spooled !== undefined,
      plan,
      evaluated: { users: userIds, groups: groupIds },
      deferredMembers,
    };
  } finally {
    // Scratch for this preparation only; whatever a failed clear leaves is cleared before the next listing.
    if (listingWanted) await clearNotionListing(db, target).catch(() => undefined);
  }
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
