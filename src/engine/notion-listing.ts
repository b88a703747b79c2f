// Notion's listing for one cycle's preparation, never held whole in memory (issue 14): walked page by page into the
// store's scratch table, then read back only where the cycle asks: the listed objects the evaluated ones could match,
// the planned links' objects (drift repair), and one query for the members no one accounts for.
import type { ScimClient, ScimGroup, ScimUser } from '../scim/index.js';
import {
  clearNotionListing, markListedUsersAccounted, readHoldersOf, readListedByIds, readListedByKeys, readUnaccountedListedUsers, writeNotionListingPage,
  type Database, type LinkObjectType, type ListedObject,
} from '../store/index.js';
import { indexGroups, indexUsers, matchingKeys, type GroupIndex, type UserIndex } from './matching.js';
import { isLiveLink, liveLinkStates, viewOfHolder, type DesiredGroup, type DesiredUser, type LinkView } from './model.js';
import { emailValuesOf } from './observed.js';
import { accountedNotionIds, byUserName, isWorkspaceOwner, type UnaccountedMember } from './unaccounted.js';
import { applyObservedState, memberIdsOf, observedGroupIds, observedUserIds, observesUser, type ObservedNotion } from './verify.js';

export interface NotionListingInput {
  db: Database;
  target: string;
  scim: ScimClient;
  /**
   * Drift repair (`--verify`): what Notion shows replaces the planned links' state and applied memberships, in place;
   * `userLinks` also gains the links of the members the planned groups show.
   */
  verify: boolean;
  /** Also find the members no in-scope user accounts for (an initial cycle over a complete Entra read). */
  findUnaccounted: boolean;
  users: readonly DesiredUser[];
  groups: readonly DesiredGroup[];
  userLinks: Map<string, LinkView>;
  groupLinks: Map<string, LinkView>;
  applied: Map<string, Set<string>>;
  matchingPaths: readonly string[];
  /** Lower-cased userNames never changed or removed (PROTECTED_USERS). */
  protectedUserNames: ReadonlySet<string>;
}

export interface NotionListingResult {
  /** The listed objects the evaluated ones' matching keys reach, and which of them another object's link holds. */
  index: { users: UserIndex; groups: GroupIndex };
  /** With `findUnaccounted`: by userName, leaving out those already waiting for a decision. */
  unaccounted?: UnaccountedMember[];
}

const listedUser = (user: ScimUser): ListedObject => ({
  notionId: user.id, matchName: user.userName.toLowerCase(), emails: [...new Set(emailValuesOf(user))],
  active: user.active !== false, owner: isWorkspaceOwner(user), resource: user,
});

const listedGroup = (group: ScimGroup): ListedObject => ({
  notionId: group.id, matchName: group.displayName.toLowerCase(), emails: [], active: true, owner: false, resource: group,
});

/** Lists Notion's users and groups into the store, and answers what matching, drift repair and the unaccounted check need. */
export async function readNotionListing(input: NotionListingInput): Promise<NotionListingResult> {
  const { db, target } = input;
  await clearNotionListing(db, target);
  try {
    const users = await input.scim.walkUsers((page) => writeNotionListingPage(db, target, 'user', page.map(listedUser)));
    const groups = await input.scim.walkGroups((page) => writeNotionListingPage(db, target, 'group', page.map(listedGroup)));
    // Before the indexes: a group found deleted by hand no longer holds its Notion id (verify.ts).
    if (input.verify) applyObservedState(await readObserved(input, users.complete, groups.complete), input.userLinks, input.groupLinks, input.applied);
    const index = {
      users: await readUserIndex(input, users.complete),
      groups: await readGroupIndex(input, groups.complete),
    };
    return { index, ...(input.findUnaccounted ? { unaccounted: await readUnaccounted(input, index.users) } : {}) };
  } finally {
    // Scratch for this preparation only; whatever a failed clear leaves is cleared before the next listing.
    await clearNotionListing(db, target).catch(() => undefined);
  }
}

// The store holds each resource as the SCIM client narrowed it (a ScimUser or ScimGroup), so it is read back as one.

async function readUserIndex(input: NotionListingInput, complete: boolean): Promise<UserIndex> {
  // Only active users are matched (plan-users.ts) or account for a member (unaccounted.ts).
  const keys = input.users.filter((user) => user.lifecycle === 'active').flatMap((user) => matchingKeys(input.matchingPaths, user.attributes));
  const listed = (await readListedByKeys(input.db, input.target, 'user', keys)) as ScimUser[];
  return indexUsers(listed, complete, await heldAmong(input, 'user', listed, input.userLinks));
}

async function readGroupIndex(input: NotionListingInput, complete: boolean): Promise<GroupIndex> {
  const keys = input.groups.filter((group) => group.lifecycle === 'active').map((group) => group.name.toLowerCase());
  const listed = (await readListedByKeys(input.db, input.target, 'group', keys)) as ScimGroup[];
  return indexGroups(listed, complete, await heldAmong(input, 'group', listed, input.groupLinks));
}

/**
 * The Notion ids among `listed` that a live link holds: never matched to another object. Asked of the store (the
 * links_notion_id index); a link this cycle holds in memory is taken as it is there (drift repair may have unlinked it).
 */
async function heldAmong(input: NotionListingInput, objectType: LinkObjectType, listed: ReadonlyArray<{ id: string }>, links: ReadonlyMap<string, LinkView>): Promise<Set<string>> {
  const holders = await readHoldersOf(input.db, input.target, objectType, listed.map((resource) => resource.id));
  return new Set(holders.map((holder) => links.get(holder.sourceId) ?? viewOfHolder(holder)).filter(isLiveLink).map((link) => link.notionId as string));
}

/**
 * The listed objects of the planned links, and the Entra ids of the members their groups name. A member's link this
 * cycle does not hold joins `userLinks` (observed like the others): its membership is planned, and a removal needs its
 * Notion id.
 */
async function readObserved(input: NotionListingInput, usersComplete: boolean, groupsComplete: boolean): Promise<ObservedNotion> {
  const groups = (await readListedByIds(input.db, input.target, 'group', observedGroupIds(input.groupLinks))) as Map<string, ScimGroup>;
  const memberSourceIds = new Map<string, string>();
  for (const holder of await readHoldersOf(input.db, input.target, 'user', memberIdsOf(groups.values()))) {
    const link = input.userLinks.get(holder.sourceId) ?? viewOfHolder(holder);
    input.userLinks.set(holder.sourceId, link);
    if (observesUser(link)) memberSourceIds.set(holder.notionId, holder.sourceId);
  }
  const users = (await readListedByIds(input.db, input.target, 'user', observedUserIds(input.userLinks))) as Map<string, ScimUser>;
  return { users, groups, usersComplete, groupsComplete, memberSourceIds };
}

/**
 * The active listed users no in-scope user accounts for, except owners, protected users and those a link holds (live,
 * or already waiting for a decision: a cycle that recorded them and then failed must not record them twice).
 */
async function readUnaccounted(input: NotionListingInput, index: UserIndex): Promise<UnaccountedMember[]> {
  await markListedUsersAccounted(input.db, input.target, [...accountedNotionIds(index, input.users, input.matchingPaths)]);
  const members = await readUnaccountedListedUsers(input.db, input.target, {
    protectedUserNames: [...input.protectedUserNames],
    heldIn: [...liveLinkStates, 'unaccounted'],
  });
  return members.sort(byUserName);
}
