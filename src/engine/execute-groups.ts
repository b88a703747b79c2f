// Executes group operations and membership batches against Notion: groups are created with displayName only and
// members PATCHed in (reference notion-scim §4); each batch's result is recorded with the memberships it changed.
import { ScimError, type ScimGroup } from '../scim/index.js';
import { addAppliedMemberships, clearAppliedMembershipsOfGroup, clearLinkEscrow, removeAppliedMemberships, type LinkWrite } from '../store/index.js';
import { escrow, markPending, record, type ApplyContext } from './apply-context.js';
import { checkLookup, groupCarries, matchFromLookup } from './matching.js';
import type { GroupOperation, MembershipOperation } from './model.js';

type Op<K extends GroupOperation['kind']> = Extract<GroupOperation, { kind: K }>;

const activeGroup = (sourceId: string, notionId: string, applied: Record<string, unknown>): LinkWrite => ({
  objectType: 'group', sourceId, notionId, state: 'active', applied: applied as LinkWrite['applied'],
});

const describeGroup = (group: ScimGroup): string => `"${group.displayName}" (${group.id})`;

/** A create's answer must be the group that was sent and not a group linked to another Entra object (see execute-users). */
function refuseCreateAnswer(ctx: ApplyContext, op: Op<'create-group'>, group: ScimGroup): string | undefined {
  const sent = String(op.attributes.displayName ?? op.name);
  if (!groupCarries(group, sent)) return `Notion answered the create of group "${sent}" with another group, ${describeGroup(group)}; nothing was linked and that group is left alone`;
  const holder = [...ctx.groupLinks.values()].find((link) => link.notionId === group.id && link.sourceId !== op.sourceId);
  if (holder) return `Notion answered the create of group "${sent}" with ${describeGroup(group)}, which is linked to Entra group ${holder.sourceId}; nothing was linked`;
  return undefined;
}

function linkedGroupIds(ctx: ApplyContext, exceptSourceId: string): Set<string> {
  const ids = new Set<string>();
  for (const link of ctx.groupLinks.values()) if (link.notionId && link.sourceId !== exceptSourceId) ids.add(link.notionId);
  return ids;
}

async function findGroup(ctx: ApplyContext, op: Op<'create-group'>): Promise<ScimGroup | 'none' | ScimError> {
  const found = await ctx.scim.findGroupsByDisplayName(op.name);
  const refused = checkLookup(found, (group) => groupCarries(group, op.name), `displayName "${op.name}"`, describeGroup);
  if (refused) return new ScimError({ kind: 'conflict', message: refused, request: { method: 'GET', url: '/Groups' } });
  const match = matchFromLookup(found, linkedGroupIds(ctx, op.sourceId), `displayName "${op.name}"`);
  if (match.kind === 'conflict') return new ScimError({ kind: 'conflict', message: match.reason, request: { method: 'GET', url: '/Groups' } });
  return match.kind === 'found' ? match.resource : 'none';
}

export async function createGroup(ctx: ApplyContext, op: Op<'create-group'>): Promise<void> {
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  const pending: LinkWrite = { objectType: 'group', sourceId: op.sourceId, notionId: null, state: 'pending-create', applied: { ...op.attributes }, pendingSince: ctx.now() };
  try {
    if (op.lookupFirst) {
      const found = await findGroup(ctx, op);
      if (found instanceof ScimError) return escrow(ctx, op, found, startedAt);
      if (found !== 'none') {
        await record(ctx, op, { status: 'success', action: 'link', notionId: found.id, startedAt }, { link: activeGroup(op.sourceId, found.id, { displayName: found.displayName }) });
        return;
      }
    }
    await markPending(ctx, { ...pending, attempts: ctx.groupLinks.get(op.sourceId)?.attempts ?? 0 });
    const group = await ctx.scim.createGroup(op.attributes);
    const refused = refuseCreateAnswer(ctx, op, group);
    if (refused) return await escrow(ctx, op, new ScimError({ kind: 'conflict', message: refused, request: { method: 'POST', url: '/Groups' } }), startedAt, { link: pending });
    await record(ctx, op, { status: 'success', notionId: group.id, startedAt }, {
      link: activeGroup(op.sourceId, group.id, { ...op.attributes }),
      write: (tx) => clearAppliedMembershipsOfGroup(tx, ctx.target, op.sourceId),
    });
  } catch (error) {
    const unknown = error instanceof ScimError && (error.kind === 'outcome-unknown' || error.kind === 'transient' || error.kind === 'conflict');
    // Unknown outcome, or a 409 (the name exists): stay pending; the next cycle looks the group up before any POST.
    await escrow(ctx, op, error, startedAt, { link: unknown ? pending : { ...pending, state: 'unlinked' } });
  }
}

export async function adoptOrRenameGroup(ctx: ApplyContext, op: Op<'adopt-group'> | Op<'rename-group'>): Promise<void> {
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  const before = op.kind === 'adopt-group' ? Object.fromEntries(op.modified.map((m) => [m.path, m.old])) : (ctx.groupLinks.get(op.sourceId)?.applied ?? {});
  if (op.kind === 'adopt-group') {
    await record(ctx, op, { status: 'success', startedAt }, { link: activeGroup(op.sourceId, op.notionId, { ...op.attributes, ...before }) });
    if (op.patch.length === 0) return;
  }
  try {
    await ctx.scim.patchGroup(op.notionId, op.patch);
    await record(ctx, op, { status: 'success', action: 'update', modified: op.modified, startedAt }, { link: activeGroup(op.sourceId, op.notionId, { ...op.attributes }) });
  } catch (error) {
    if (error instanceof ScimError && error.kind === 'not-found') {
      // Deleted in Notion: forget the link; the next cycle creates the group again.
      await escrow(ctx, op, error, startedAt, { link: { objectType: 'group', sourceId: op.sourceId, notionId: null, state: 'unlinked', applied: {} } });
      return;
    }
    await escrow(ctx, op, error, startedAt, { link: activeGroup(op.sourceId, op.notionId, before) });
  }
}

export async function removeGroup(ctx: ApplyContext, op: Op<'delete-group'> | Op<'retire-group'>): Promise<void> {
  // A kept group is retired only once it is empty of our members: a member batch that failed this cycle escrowed the
  // group, which stays linked and active, and the next cycle plans the retirement (and the removals left) again.
  if (op.kind === 'retire-group' && ctx.failedThisCycle.has(`group:${op.sourceId}`)) return;
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  const link = ctx.groupLinks.get(op.sourceId);
  try {
    if (op.kind === 'delete-group') await ctx.scim.deleteGroup(op.notionId);
    // Retired: kept in Notion and linked, with the day it left scope (its grace period runs from it; plan-groups.ts).
    const retired = op.kind === 'retire-group' ? { state: 'disabled' as const, retiringSince: link?.retiringSince ?? ctx.now() } : { state: 'deleted' as const };
    await record(ctx, op, { status: 'success', startedAt }, {
      link: { objectType: 'group', sourceId: op.sourceId, notionId: op.notionId, applied: link?.applied ?? {}, ...retired },
      write: (tx) => clearAppliedMembershipsOfGroup(tx, ctx.target, op.sourceId),
    });
  } catch (error) {
    await escrow(ctx, op, error, startedAt, link ? { link: { objectType: 'group', ...link } } : undefined);
  }
}

/**
 * One batch. Users without a Notion id by now (their create failed) wait: for this cycle's retry pass when their
 * failure was transient, else for the next cycle. So does a batch whose group was not created yet.
 */
export async function changeMembers(ctx: ApplyContext, op: MembershipOperation): Promise<void> {
  const group = ctx.groupLinks.get(op.sourceId);
  if (!group?.notionId || group.state !== 'active' && op.kind === 'add-members') {
    if (op.kind === 'add-members' && ctx.failedThisCycle.has(`group:${op.sourceId}`)) ctx.retry.push(op);
    return;
  }
  const waiting = op.userSourceIds.filter((id) => op.kind === 'add-members' && !ctx.userLinks.get(id)?.notionId && ctx.failedThisCycle.has(`user:${id}`));
  if (waiting.length > 0) ctx.retry.push({ ...op, userSourceIds: waiting });
  const wanted = op.userSourceIds
    .map((id) => ({ id, link: ctx.userLinks.get(id) }))
    .filter(({ link }) => link?.notionId && (op.kind === 'remove-members' || link.state === 'active'));
  if (wanted.length === 0) return;
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  const sourceIds = wanted.map((w) => w.id);
  const notionIds = wanted.map((w) => w.link?.notionId as string);
  try {
    if (op.kind === 'add-members') await ctx.scim.addGroupMembers(group.notionId, notionIds);
    else await ctx.scim.removeGroupMembers(group.notionId, notionIds);
    const members = ctx.applied.get(op.sourceId) ?? new Set<string>();
    ctx.applied.set(op.sourceId, members);
    for (const id of sourceIds) {
      if (op.kind === 'add-members') members.add(id);
      else members.delete(id);
    }
    // A member batch that failed before escrowed the group; this one went through. Only a group evaluated this cycle
    // without a failure is released: an escrow still waiting may be a rename's, which must not be forgotten.
    const release = group.attempts > 0 && ctx.evaluatedGroups.has(op.sourceId) && !ctx.failedThisCycle.has(`group:${op.sourceId}`);
    await record(ctx, op, { status: 'success', notionId: group.notionId, reason: `${op.reason}: ${sourceIds.length} user(s)`, startedAt, modified: [{ path: 'members', old: null, new: sourceIds }] }, {
      write: async (tx) => {
        await (op.kind === 'add-members' ? addAppliedMemberships(tx, ctx.target, op.sourceId, sourceIds) : removeAppliedMemberships(tx, ctx.target, op.sourceId, sourceIds));
        if (release) await clearLinkEscrow(tx, ctx.target, { objectType: 'group', sourceId: op.sourceId }, ctx.now());
      },
    });
    const current = ctx.groupLinks.get(op.sourceId);
    if (release && current) ctx.groupLinks.set(op.sourceId, { ...current, attempts: 0 });
  } catch (error) {
    await escrow(ctx, op, error, startedAt, { link: { objectType: 'group', ...group } });
  }
}
