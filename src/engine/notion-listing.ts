// Notion's listing for one cycle's preparation, never held whole in memory (issue 14): walked page by page into the
// store's scratch table, then read back only where the cycle asks: the listed objects the evaluated ones could match,
// the planned links' objects (drift repair), and one query for the members no one accounts for.
import type { ScimClient, ScimGroup, ScimUser } from '../scim/index.js';
import {
  analyzeNotionListing, clearNotionListing, keysetPages, markListedUsersAccounted, readHoldersOf, readListedByIds, readListedByKeys, readUnaccountedListedUsers, writeNotionListingPage,
  type Database, type LinkObjectType, type ListedObject, type Queryable,
} from '../store/index.js';
import { indexGroups, indexUsers, matchingKeys, type GroupIndex, type UserIndex } from './matching.js';
import { isLiveLink, liveLinkStates, viewOfHolder, type DesiredGroup, type DesiredUser, type LinkView } from './model.js';
import { emailValuesOf } from './observed.js';
import { accountedNotionIds, byUserName, isWorkspaceOwner, type UnaccountedMember } from './unaccounted.js';
import { applyObservedState, memberIdsOf, observedGroupIds, observedUserIds, observesUser, type ObservedNotion } from './verify.js';

/** A listing walked into the store this cycle, and whether each walk saw everything. */
export interface SpooledListing {
  usersComplete: boolean;
  groupsComplete: boolean;
}

export interface ListingViewInput {
  db: Database;
  target: string;
  /**
   * Drift repair (`--verify`): what Notion shows replaces the planned links' state and applied memberships, in place;
   * `userLinks` also gains the links of the members the planned groups show.
   */
  verify: boolean;
  /** Mark the listed users these evaluated users account for (the unaccounted check over a complete Entra read). */
  markAccounted: boolean;
  /**
   * Whether this evaluation plans memberships. A windowed cycle's screen plans none: drift repair then reads no group's
   * members (at 100,000 users, 6 of a verify's 43 seconds went into the screen's member lookups).
   */
  membersPlanned: boolean;
  users: readonly DesiredUser[];
  groups: readonly DesiredGroup[];
  userLinks: Map<string, LinkView>;
  groupLinks: Map<string, LinkView>;
  applied: Map<string, Set<string>>;
  matchingPaths: readonly string[];
  /**
   * A windowed cycle reads one listing for every window, and earlier windows change what it shows: drift repair then
   * reads only the objects this window evaluates, and leaves the applied members of groups an earlier window changed.
   */
  observeOnly?: { users: ReadonlySet<string>; groups: ReadonlySet<string>; keepMembersOf: ReadonlySet<string> };
}

export interface ListingViews {
  /** The listed objects the evaluated ones' matching keys reach, and which of them another object's link holds. */
  index: { users: UserIndex; groups: GroupIndex };
}

const listedUser = (user: ScimUser): ListedObject => ({
  notionId: user.id, matchName: user.userName.toLowerCase(), emails: [...new Set(emailValuesOf(user))],
  active: user.active !== false, owner: isWorkspaceOwner(user), resource: user,
});

const listedGroup = (group: ScimGroup): ListedObject => ({
  notionId: group.id, matchName: group.displayName.toLowerCase(), emails: [], active: true, owner: false, resource: group,
});

/** Walks Notion's users and groups into the store (emptied first); the caller clears it when the cycle is done with it. */
export async function spoolNotionListing(db: Database, target: string, scim: ScimClient): Promise<SpooledListing> {
  await clearNotionListing(db, target);
  const users = await scim.walkUsers((page) => writeNotionListingPage(db, target, 'user', page.map(listedUser)));
  const groups = await scim.walkGroups((page) => writeNotionListingPage(db, target, 'group', page.map(listedGroup)));
  await analyzeNotionListing(db);
  return { usersComplete: users.complete, groupsComplete: groups.complete };
}

/** What matching and drift repair need of the spooled listing for these evaluated objects. */
export async function readListingViews(input: ListingViewInput, spooled: SpooledListing): Promise<ListingViews> {
  // Before the indexes: a group found deleted by hand no longer holds its Notion id (verify.ts).
  if (input.verify) await repairFromListing(input, spooled);
  const index = {
    users: await readUserIndex(input, spooled.usersComplete),
    groups: await readGroupIndex(input, spooled.groupsComplete),
  };
  if (input.markAccounted) await markListedUsersAccounted(input.db, input.target, [...accountedNotionIds(index.users, input.users, input.matchingPaths)]);
  return { index };
}

async function repairFromListing(input: ListingViewInput, spooled: SpooledListing): Promise<void> {
  const only = input.observeOnly;
  if (!only) {
    applyObservedState(await readObserved(input, spooled.usersComplete, spooled.groupsComplete), input.userLinks, input.groupLinks, input.applied);
    return;
  }
  const subset = (links: ReadonlyMap<string, LinkView>, ids: ReadonlySet<string>) => new Map([...links].filter(([id]) => ids.has(id)));
  const userLinks = subset(input.userLinks, only.users);
  const groupLinks = subset(input.groupLinks, only.groups);
  const applied = new Map(input.applied);
  applyObservedState(await readObserved({ ...input, userLinks, groupLinks }, spooled.usersComplete, spooled.groupsComplete), userLinks, groupLinks, applied);
  // The evaluated objects' views, and the members the listed groups show that this window holds no link of.
  for (const [id, link] of userLinks) if (only.users.has(id) || !input.userLinks.has(id)) input.userLinks.set(id, link);
  for (const [id, link] of groupLinks) input.groupLinks.set(id, link);
  for (const id of groupLinks.keys()) {
    if (only.keepMembersOf.has(id)) continue;
    const members = applied.get(id);
    if (members) input.applied.set(id, members);
    else input.applied.delete(id);
  }
}

/**
 * The active listed users no evaluated in-scope user accounted for, except owners, protected users and those a link
 * holds (live, or already waiting for a decision: a cycle that recorded them and then failed must not record them
 * twice); by userName. Every in-scope user must have been evaluated with `markAccounted` first. All at once: for a
 * dry run, which prints them; a cycle records them a page at a time (unaccountedMemberPages).
 */
export async function readUnaccountedMembers(db: Database, target: string, protectedUserNames: ReadonlySet<string>): Promise<UnaccountedMember[]> {
  const members = await readUnaccountedListedUsers(db, target, unaccountedQuery(protectedUserNames));
  return members.sort(byUserName);
}

/** The same members as readUnaccountedMembers, a page (keysetPages') at a time by Notion id, so that none holds them all. */
export function unaccountedMemberPages(db: Queryable, target: string, protectedUserNames: ReadonlySet<string>): AsyncGenerator<UnaccountedMember[]> {
  const query = unaccountedQuery(protectedUserNames);
  return keysetPages(
    ({ after, limit }) => readUnaccountedListedUsers(db, target, query, { limit, ...(after === undefined ? {} : { afterNotionId: after }) }),
    (member) => member.notionId,
  );
}

const unaccountedQuery = (protectedUserNames: ReadonlySet<string>) => ({ protectedUserNames: [...protectedUserNames], heldIn: [...liveLinkStates, 'unaccounted'] });

// The store holds each resource as the SCIM client narrowed it (a ScimUser or ScimGroup), so it is read back as one.

async function readUserIndex(input: ListingViewInput, complete: boolean): Promise<UserIndex> {
  // Only active users without a live link are matched (plan-users.ts); every active one accounts for a member
  // (unaccounted.ts). A verify run over a settled store so reads no candidate at all.
  const keys = input.users
    .filter((user) => user.lifecycle === 'active' && (input.markAccounted || !isLiveLink(input.userLinks.get(user.sourceId))))
    .flatMap((user) => matchingKeys(input.matchingPaths, user.attributes));
  const listed = (await readListedByKeys(input.db, input.target, 'user', keys)) as ScimUser[];
  return indexUsers(listed, complete, await heldAmong(input, 'user', listed, input.userLinks));
}

async function readGroupIndex(input: ListingViewInput, complete: boolean): Promise<GroupIndex> {
  // Only an active group without an active or retiring link is matched (plan-groups.ts).
  const keys = input.groups.filter((group) => group.lifecycle === 'active' && !holdsItsGroup(input.groupLinks.get(group.sourceId))).map((group) => group.name.toLowerCase());
  const listed = (await readListedByKeys(input.db, input.target, 'group', keys)) as ScimGroup[];
  return indexGroups(listed, complete, await heldAmong(input, 'group', listed, input.groupLinks));
}

const holdsItsGroup = (link: LinkView | undefined): boolean => link !== undefined && link.notionId !== null && (link.state === 'active' || link.state === 'disabled');

/**
 * The Notion ids among `listed` that a live link holds: never matched to another object. Asked of the store (the
 * links_notion_id index); a link this cycle holds in memory is taken as it is there (drift repair may have unlinked it).
 */
async function heldAmong(input: ListingViewInput, objectType: LinkObjectType, listed: ReadonlyArray<{ id: string }>, links: ReadonlyMap<string, LinkView>): Promise<Set<string>> {
  const holders = await readHoldersOf(input.db, input.target, objectType, listed.map((resource) => resource.id));
  return new Set(holders.map((holder) => links.get(holder.sourceId) ?? viewOfHolder(holder)).filter(isLiveLink).map((link) => link.notionId as string));
}

/**
 * The listed objects of the planned links, and (when memberships are planned) the Entra ids of the members their groups
 * name. A member's link this cycle does not hold joins `userLinks` (observed like the others): its membership is
 * planned, and a removal needs its Notion id.
 */
async function readObserved(input: ListingViewInput, usersComplete: boolean, groupsComplete: boolean): Promise<ObservedNotion> {
  const groups = (await readListedByIds(input.db, input.target, 'group', observedGroupIds(input.groupLinks))) as Map<string, ScimGroup>;
  const memberSourceIds = input.membersPlanned ? await readMemberSourceIds(input, groups.values()) : undefined;
  const users = (await readListedByIds(input.db, input.target, 'user', observedUserIds(input.userLinks))) as Map<string, ScimUser>;
  return { users, groups, usersComplete, groupsComplete, ...(memberSourceIds ? { memberSourceIds } : {}) };
}

async function readMemberSourceIds(input: ListingViewInput, groups: Iterable<ScimGroup>): Promise<Map<string, string>> {
  const memberSourceIds = new Map<string, string>();
  for (const holder of await readHoldersOf(input.db, input.target, 'user', memberIdsOf(groups))) {
    const link = input.userLinks.get(holder.sourceId) ?? viewOfHolder(holder);
    input.userLinks.set(holder.sourceId, link);
    if (observesUser(link)) memberSourceIds.set(holder.notionId, holder.sourceId);
  }
  return memberSourceIds;
}
