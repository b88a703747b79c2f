// Drift repair (`sync --verify`): what Notion shows replaces what we believe we applied, so that the ordinary planner
// repairs hand-made changes to objects we own. Entra never reads Notion back (reference entra-provisioning §1.4).
import type { ScimGroup, ScimUser } from '../scim/index.js';
import type { LinkView } from './model.js';
import { observedAttributes } from './observed.js';

/** What the listing shows of the planned links' objects (read by id, notion-listing.ts), and how far to trust absence. */
export interface ObservedNotion {
  /** The listed users and groups among the Notion ids of the planned links; an id missing here was not listed. */
  users: ReadonlyMap<string, ScimUser>;
  groups: ReadonlyMap<string, ScimGroup>;
  usersComplete: boolean;
  groupsComplete: boolean;
  /**
   * The Entra id of each member the listed groups name, where an active or disabled user link holds that Notion id.
   * Absent when the members were not read (an evaluation that plans no membership: a windowed cycle's screen): the
   * applied memberships are then left as they are.
   */
  memberSourceIds?: ReadonlyMap<string, string>;
}

/** The user links whose Notion objects drift repair reads: the active and disabled ones. */
export const observesUser = (link: LinkView): boolean => link.notionId !== null && ['active', 'disabled'].includes(link.state);

/** The Notion ids of the users `applyObservedState` reads (a link of another state is left as it is). */
export const observedUserIds = (userLinks: ReadonlyMap<string, LinkView>): string[] =>
  [...userLinks.values()].filter(observesUser).map((link) => link.notionId as string);

/** The Notion ids of the groups `applyObservedState` reads. */
export const observedGroupIds = (groupLinks: ReadonlyMap<string, LinkView>): string[] =>
  [...groupLinks.values()].flatMap((link) => (link.notionId === null ? [] : [link.notionId]));

/** The Notion ids the groups name as members (whose links `memberSourceIds` maps). */
export function memberIdsOf(groups: Iterable<ScimGroup>): string[] {
  const ids = new Set<string>();
  for (const group of groups) {
    for (const member of group.members ?? []) if (typeof member?.value === 'string') ids.add(member.value);
  }
  return [...ids];
}

/** Mutates the link views and applied memberships in place; only complete listings are trusted for absence. */
export function applyObservedState(
  notion: ObservedNotion,
  userLinks: Map<string, LinkView>,
  groupLinks: Map<string, LinkView>,
  applied: Map<string, Set<string>>,
): void {
  for (const link of userLinks.values()) {
    if (!observesUser(link)) continue;
    const seen = notion.users.get(link.notionId as string);
    if (seen === undefined) {
      // Removed from the workspace by hand: an active link becomes a disabled one, which an in-scope user re-enables.
      if (link.state === 'active' && notion.usersComplete) userLinks.set(link.sourceId, { ...link, state: 'disabled', applied: { ...link.applied, active: false } });
      continue;
    }
    // Only what Notion echoes replaces what we applied; an email it carries under its one Email field counts as echoed.
    const observed = observedAttributes(seen, Object.keys(link.applied), link.applied);
    userLinks.set(link.sourceId, { ...link, state: seen.active === false ? 'disabled' : 'active', applied: { ...link.applied, ...observed } });
  }
  for (const link of groupLinks.values()) {
    // A group kept through its grace period (plan-groups.ts) and deleted by hand: a return creates it anew.
    if (link.state === 'disabled' && link.notionId !== null && notion.groupsComplete && !notion.groups.has(link.notionId)) {
      groupLinks.set(link.sourceId, { ...link, notionId: null, state: 'unlinked' });
    }
  }
  for (const link of groupLinks.values()) {
    if (link.notionId === null || link.state !== 'active') continue;
    const seen = notion.groups.get(link.notionId);
    if (seen === undefined) {
      // Deleted by hand: created again, members and all.
      if (notion.groupsComplete) {
        groupLinks.set(link.sourceId, { ...link, notionId: null, state: 'unlinked' });
        applied.delete(link.sourceId);
      }
      continue;
    }
    groupLinks.set(link.sourceId, { ...link, applied: { ...link.applied, ...observedAttributes(seen, Object.keys(link.applied), link.applied) } });
    const memberSourceIds = notion.memberSourceIds;
    if (memberSourceIds === undefined) continue;
    const members = new Set<string>();
    for (const member of seen.members ?? []) {
      const sourceId = memberSourceIds.get(member.value);
      if (sourceId !== undefined) members.add(sourceId);
    }
    applied.set(link.sourceId, members);
  }
}
