// After a re-enable: read back the groups Notion shows the returning member in, and take them out of the managed
// groups Entra does not put them in. Notion may give a member who rejoins within 30 days their old groups back
// (reference notion-scim.md §3.6), or may have kept them all along, as an RFC 7644 server does for an inactive user.
import { ScimError, type ListingWalk, type ScimGroup } from '../scim/index.js';
import { removeAppliedMemberships } from '../store/index.js';
import { record, type ApplyContext } from './apply-context.js';
import type { UserOperation } from './model.js';

type EnableOperation = Extract<UserOperation, { kind: 'enable-user' }>;

const readFailure = (message: string): ScimError =>
  new ScimError({ kind: 'unexpected-response', message, request: { method: 'GET', url: '/Groups' } });

/** A group's member ids, or an error when `members` has a shape SCIM does not define (never guessed at). */
function memberIdsOf(group: ScimGroup): string[] | ScimError {
  const members: unknown = group.members;
  // An empty group may leave `members` out (RFC 7643 §4.2 returns it by default, not always).
  if (members === undefined) return [];
  if (!Array.isArray(members)) return readFailure(`Notion answered group ${group.id} with members that are not a list`);
  const ids: string[] = [];
  for (const member of members as unknown[]) {
    const value = typeof member === 'object' && member !== null ? (member as { value?: unknown }).value : undefined;
    if (typeof value !== 'string' || value === '') return readFailure(`Notion answered group ${group.id} with a member without an id`);
    ids.push(value);
  }
  return ids;
}

/** Up to this many managed groups to check, one GET per group costs less than a walk of the whole listing. */
export const singleReadsUpTo = 3;

/**
 * Which of `groupIds` (Notion ids) the member is in. Notion's User carries no `groups` attribute and its `/Groups`
 * filter takes `displayName` only (§2.2, §2.4, §4), so this reads the groups: one GET each for a few, else the
 * listing (members inline), and one GET each when the listing walk was incomplete (Notion cannot sort, §2.5).
 * Throws on a failed read or a malformed group: the caller then removes nothing.
 */
export async function readGroupsOfMember(ctx: ApplyContext, notionUserId: string, groupIds: readonly string[]): Promise<Set<string>> {
  const wanted = new Set(groupIds);
  if (wanted.size > singleReadsUpTo) {
    const listed = await readGroupsOfMemberFromListing(ctx, notionUserId, wanted);
    if (listed.complete) {
      if (listed.malformed) throw listed.malformed;
      return listed.found;
    }
    ctx.logger.info({ event: 'memberships.read-back-listing-incomplete', groups: wanted.size, duplicatesSeen: listed.duplicatesSeen }, 'memberships.read-back-listing-incomplete');
  }
  const found = new Set<string>();
  for (const id of wanted) {
    const group = await ctx.scim.getGroup(id);
    // A group deleted in Notion holds nobody.
    if (group === null) continue;
    if (group.id !== id) throw readFailure(`GET /Groups/${id} answered with another group, ${group.id}`);
    const members = memberIdsOf(group);
    if (members instanceof ScimError) throw members;
    if (members.includes(notionUserId)) found.add(group.id);
  }
  return found;
}

/**
 * Walks the group listing keeping only which of `wanted` hold the member (and the first malformed one): the ids of
 * the groups seen are what tells a group met twice, which makes the walk incomplete (scim/listing.ts).
 */
async function readGroupsOfMemberFromListing(
  ctx: ApplyContext, notionUserId: string, wanted: ReadonlySet<string>,
): Promise<ListingWalk & { found: Set<string>; malformed: ScimError | undefined }> {
  const found = new Set<string>();
  const seen = new Set<string>();
  let malformed: ScimError | undefined;
  const walk = await ctx.scim.walkGroups((page) => {
    let fresh = 0;
    for (const group of page) {
      if (seen.has(group.id)) continue;
      seen.add(group.id);
      fresh += 1;
      if (!wanted.has(group.id)) continue;
      const members = memberIdsOf(group);
      if (members instanceof ScimError) malformed ??= members;
      else if (members.includes(notionUserId)) found.add(group.id);
    }
    return fresh;
  });
  return { ...walk, found, malformed };
}

/**
 * Removes the returning member from each managed group of `op.leaveGroups` Notion shows them in, with a log row per
 * group saying why. Throws a ScimError when the read or a removal fails: the caller escrows the re-enable, which
 * the next cycle plans again (read-back included).
 */
export async function leaveRestoredGroups(ctx: ApplyContext, op: EnableOperation, notionUserId: string): Promise<void> {
  const candidates = (op.leaveGroups ?? []).flatMap((groupId) => {
    const link = ctx.groupLinks.get(groupId);
    return link?.notionId && (link.state === 'active' || link.state === 'disabled') ? [{ groupId, notionGroupId: link.notionId, name: String(link.applied.displayName ?? groupId) }] : [];
  });
  // No managed group the member could be wrongly in: nothing to read.
  if (candidates.length === 0) return;
  const inNotion = await readGroupsOfMember(ctx, notionUserId, candidates.map((candidate) => candidate.notionGroupId));
  for (const group of candidates.filter((candidate) => inNotion.has(candidate.notionGroupId))) {
    const startedAt = Date.now();
    await ctx.scim.removeGroupMembers(group.notionGroupId, [notionUserId]);
    const removal = {
      kind: 'remove-members' as const,
      sourceId: group.groupId,
      name: group.name,
      reason: `${op.name} returned and Notion shows them in this group, which Entra does not put them in: removed`,
      userSourceIds: [op.sourceId],
    };
    await record(ctx, removal, { status: 'success', notionId: group.notionGroupId, startedAt, modified: [{ path: 'members', old: [op.sourceId], new: null }] }, {
      write: (tx) => removeAppliedMemberships(tx, ctx.target, group.groupId, [op.sourceId]),
    });
    ctx.applied.get(group.groupId)?.delete(op.sourceId);
  }
}
