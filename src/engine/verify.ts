// Drift repair (`sync --verify`): what Notion shows replaces what we believe we applied, so that the ordinary planner
// repairs hand-made changes to objects we own. Entra never reads Notion back (reference entra-provisioning §1.4).
import type { LinkView, NotionSnapshot } from './model.js';
import { observedAttributes } from './observed.js';

/** Mutates the link views and applied memberships in place; only complete listings are trusted for absence. */
export function applyObservedState(
  notion: NotionSnapshot,
  userLinks: Map<string, LinkView>,
  groupLinks: Map<string, LinkView>,
  applied: Map<string, Set<string>>,
): void {
  const usersById = new Map(notion.users.map((u) => [u.id, u]));
  const sourceIdOfNotionUser = new Map<string, string>();
  for (const link of userLinks.values()) {
    if (link.notionId === null || !['active', 'disabled'].includes(link.state)) continue;
    sourceIdOfNotionUser.set(link.notionId, link.sourceId);
    const seen = usersById.get(link.notionId);
    if (seen === undefined) {
      // Removed from the workspace by hand: an active link becomes a disabled one, which an in-scope user re-enables.
      if (link.state === 'active' && notion.usersComplete) userLinks.set(link.sourceId, { ...link, state: 'disabled', applied: { ...link.applied, active: false } });
      continue;
    }
    // Only what Notion echoes replaces what we applied; an email it carries under its one Email field counts as echoed.
    const observed = observedAttributes(seen, Object.keys(link.applied), link.applied);
    userLinks.set(link.sourceId, { ...link, state: seen.active === false ? 'disabled' : 'active', applied: { ...link.applied, ...observed } });
  }
  const groupsById = new Map(notion.groups.map((g) => [g.id, g]));
  for (const link of groupLinks.values()) {
    // A group kept through its grace period (plan-groups.ts) and deleted by hand: a return creates it anew.
    if (link.state === 'disabled' && link.notionId !== null && notion.groupsComplete && !groupsById.has(link.notionId)) {
      groupLinks.set(link.sourceId, { ...link, notionId: null, state: 'unlinked' });
    }
  }
  for (const link of groupLinks.values()) {
    if (link.notionId === null || link.state !== 'active') continue;
    const seen = groupsById.get(link.notionId);
    if (seen === undefined) {
      // Deleted by hand: created again, members and all.
      if (notion.groupsComplete) {
        groupLinks.set(link.sourceId, { ...link, notionId: null, state: 'unlinked' });
        applied.delete(link.sourceId);
      }
      continue;
    }
    groupLinks.set(link.sourceId, { ...link, applied: { ...link.applied, ...observedAttributes(seen, Object.keys(link.applied), link.applied) } });
    const members = new Set<string>();
    for (const member of seen.members ?? []) {
      const sourceId = sourceIdOfNotionUser.get(member.value);
      if (sourceId !== undefined) members.add(sourceId);
    }
    applied.set(link.sourceId, members);
  }
}
