// Executes group operations and membership batches against Notion: a group is created with its first members when the
// target takes them on create (else empty, members PATCHed in: reference notion-scim.md §4, §9.1); each batch's result
// is recorded with the memberships it changed, member by member when the target refused some of them.
import { ScimError, type ScimGroup } from '../scim/index.js';
import {
  addAppliedMemberships, clearAppliedMembershipsOfGroup, clearLinkEscrow, removeAppliedMemberships, saveLink, type LinkWrite,
} from '../store/index.js';
import { escrow, holdersOf, record, viewOf, type ApplyContext } from './apply-context.js';
import { checkLookup, groupCarries, matchFromLookup } from './matching.js';
import type { GroupOperation, MembershipOperation, Operation, Plan } from './model.js';

type Op<K extends GroupOperation['kind']> = Extract<GroupOperation, { kind: K }>;

const activeGroup = (sourceId: string, notionId: string, applied: Record<string, unknown>): LinkWrite => ({
  objectType: 'group', sourceId, notionId, state: 'active', applied: applied as LinkWrite['applied'],
});

const describeGroup = (group: ScimGroup): string => `"${group.displayName}" (${group.id})`;

/** A create's answer must be the group that was sent and not a group linked to another Entra object (see execute-users). */
async function refuseCreateAnswer(ctx: ApplyContext, op: Op<'create-group'>, group: ScimGroup): Promise<string | undefined> {
  const sent = String(op.attributes.displayName ?? op.name);
  if (!groupCarries(group, sent)) return `Notion answered the create of group "${sent}" with another group, ${describeGroup(group)}; nothing was linked and that group is left alone`;
  const [holder] = await holdersOf(ctx, 'group', [group.id], op.sourceId);
  if (holder) return `Notion answered the create of group "${sent}" with ${describeGroup(group)}, which is linked to Entra group ${holder.sourceId}; nothing was linked`;
  return undefined;
}

/** Which of these Notion groups are linked to another Entra group. */
async function linkedGroupIds(ctx: ApplyContext, notionIds: readonly string[], exceptSourceId: string): Promise<Set<string>> {
  return new Set((await holdersOf(ctx, 'group', notionIds, exceptSourceId)).map((link) => link.notionId as string));
}

async function findGroup(ctx: ApplyContext, op: Op<'create-group'>): Promise<ScimGroup | 'none' | ScimError> {
  const found = await ctx.scim.findGroupsByDisplayName(op.name);
  const refused = checkLookup(found, (group) => groupCarries(group, op.name), `displayName "${op.name}"`, describeGroup);
  if (refused) return new ScimError({ kind: 'conflict', message: refused, request: { method: 'GET', url: '/Groups' } });
  const match = matchFromLookup(found, await linkedGroupIds(ctx, found.map((group) => group.id), op.sourceId), `displayName "${op.name}"`);
  if (match.kind === 'conflict') return new ScimError({ kind: 'conflict', message: match.reason, request: { method: 'GET', url: '/Groups' } });
  return match.kind === 'found' ? match.resource : 'none';
}

/**
 * Group creates, taken out of the upserts to run after the users they contain (apply.ts), each with its first batch
 * of members to send in the POST: on an initial sync that saves one PATCH per group (reference notion-scim.md §9.1).
 */
export function groupCreatesWithFirstMembers(plan: Plan): { upserts: Operation[]; groupCreates: Operation[] } {
  const firstBatch = new Map<string, string[]>();
  for (const op of plan.memberships) if (op.kind === 'add-members' && !firstBatch.has(op.sourceId)) firstBatch.set(op.sourceId, op.userSourceIds);
  const upserts: Operation[] = [];
  const groupCreates: Operation[] = [];
  for (const op of plan.upserts) {
    if (op.kind !== 'create-group') upserts.push(op);
    else groupCreates.push({ ...op, ...(firstBatch.has(op.sourceId) ? { firstMembers: firstBatch.get(op.sourceId) } : {}) });
  }
  return { upserts, groupCreates };
}

/** The first members a create may carry: users linked and active in Notion by now, while the client sends members on create. */
function firstMembersOf(ctx: ApplyContext, op: Op<'create-group'>): Array<{ sourceId: string; notionId: string }> {
  if (!op.firstMembers?.length || !ctx.scim.sendsMembersOnCreate()) return [];
  return op.firstMembers.flatMap((sourceId) => {
    const link = ctx.userLinks.get(sourceId);
    return link?.notionId && link.state === 'active' ? [{ sourceId, notionId: link.notionId }] : [];
  });
}

/**
 * The pending mark and the memberships about to be sent, in one transaction before the POST. Recording them before
 * is the safe side: if the answer is lost, a membership recorded but absent costs a redundant removal later, one
 * absent from the record could stay in Notion after Entra dropped it (ARCHITECTURE.md principle 3).
 */
async function markPendingWithMembers(ctx: ApplyContext, link: LinkWrite, members: readonly string[]): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await saveLink(tx, ctx.target, link, ctx.now());
    await addAppliedMemberships(tx, ctx.target, link.sourceId, members);
  });
  ctx.groupLinks.set(link.sourceId, viewOf(link));
  recordedBeforePost(ctx).set(link.sourceId, [...members]);
}

/** Memberships recorded before a POST in this cycle (not in `ctx.applied`: they are not confirmed), per group. */
const sentInPost = new WeakMap<ApplyContext, Map<string, string[]>>();
function recordedBeforePost(ctx: ApplyContext): Map<string, string[]> {
  let byGroup = sentInPost.get(ctx);
  if (!byGroup) sentInPost.set(ctx, (byGroup = new Map()));
  return byGroup;
}

/** A group found by the lookup after a create whose answer was lost: the memberships recorded before that POST that
 *  the group does not hold are forgotten (only when the answer lists members: otherwise they stay, the safe side). */
function membershipsNotIn(ctx: ApplyContext, groupSourceId: string, found: ScimGroup): string[] {
  if (!Array.isArray(found.members)) return [];
  const held = new Set(found.members.map((member) => member?.value));
  const recorded = new Set([...(ctx.applied.get(groupSourceId) ?? []), ...(recordedBeforePost(ctx).get(groupSourceId) ?? [])]);
  return [...recorded].filter((userId) => {
    const notionId = ctx.userLinks.get(userId)?.notionId;
    return !notionId || !held.has(notionId);
  });
}

export async function createGroup(ctx: ApplyContext, op: Op<'create-group'>): Promise<void> {
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  const pending: LinkWrite = { objectType: 'group', sourceId: op.sourceId, notionId: null, state: 'pending-create', applied: { ...op.attributes }, pendingSince: ctx.now() };
  let sent: Array<{ sourceId: string; notionId: string }> = [];
  try {
    if (op.lookupFirst) {
      const found = await findGroup(ctx, op);
      if (found instanceof ScimError) return escrow(ctx, op, found, startedAt);
      if (found !== 'none') {
        const absent = membershipsNotIn(ctx, op.sourceId, found);
        await record(ctx, op, { status: 'success', action: 'link', notionId: found.id, startedAt }, {
          link: activeGroup(op.sourceId, found.id, { displayName: found.displayName }),
          write: (tx) => removeAppliedMemberships(tx, ctx.target, op.sourceId, absent),
        });
        for (const userId of absent) ctx.applied.get(op.sourceId)?.delete(userId);
        return;
      }
    }
    sent = firstMembersOf(ctx, op);
    await markPendingWithMembers(ctx, { ...pending, attempts: ctx.groupLinks.get(op.sourceId)?.attempts ?? 0 }, sent.map((m) => m.sourceId));
    const { group, members } = await ctx.scim.createGroupWithMembers(op.attributes, sent.map((m) => m.notionId));
    const refused = await refuseCreateAnswer(ctx, op, group);
    if (refused) return await escrow(ctx, op, new ScimError({ kind: 'conflict', message: refused, request: { method: 'POST', url: '/Groups' } }), startedAt, { link: pending });
    // Only members the answer shows are applied; the others stay for this cycle's member PATCHes.
    const echoed = new Set(members);
    const applied = sent.filter((m) => echoed.has(m.notionId)).map((m) => m.sourceId);
    await record(ctx, op, { status: 'success', notionId: group.id, startedAt, ...(applied.length > 0 ? { reason: `${op.reason}; created with ${applied.length} member(s)` } : {}) }, {
      link: activeGroup(op.sourceId, group.id, { ...op.attributes }),
      write: async (tx) => {
        await clearAppliedMembershipsOfGroup(tx, ctx.target, op.sourceId);
        await addAppliedMemberships(tx, ctx.target, op.sourceId, applied);
      },
    });
    ctx.applied.set(op.sourceId, new Set(applied));
    if (applied.length > 0) {
      const membersOp: MembershipOperation = { kind: 'add-members', sourceId: op.sourceId, name: op.name, reason: 'member in Entra: sent with the create', userSourceIds: applied };
      await record(ctx, membersOp, { status: 'success', notionId: group.id, reason: `${membersOp.reason}: ${applied.length} user(s)`, startedAt, modified: [{ path: 'members', old: null, new: applied }] });
    }
  } catch (error) {
    const unknown = error instanceof ScimError && (error.kind === 'outcome-unknown' || error.kind === 'transient' || error.kind === 'conflict');
    // Unknown outcome, or a 409 (the name exists): stay pending, with the memberships sent; the next cycle looks the
    // group up before any POST. Refused: nothing was created, so neither were the memberships recorded before it.
    await escrow(ctx, op, error, startedAt, { link: unknown ? pending : { ...pending, state: 'unlinked' } });
    if (!unknown && sent.length > 0) await clearAppliedMembershipsOfGroup(ctx.db, ctx.target, op.sourceId);
  }
}

export async function adoptOrRenameGroup(ctx: ApplyContext, op: Op<'adopt-group'> | Op<'rename-group'>): Promise<void> {
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  const before = op.kind === 'adopt-group' ? Object.fromEntries(op.modified.map((m) => [m.path, m.old])) : (ctx.groupLinks.get(op.sourceId)?.applied ?? {});
  if (op.kind === 'adopt-group') {
    const already = op.alreadyMembers ?? [];
    await record(ctx, op, { status: 'success', startedAt }, {
      link: activeGroup(op.sourceId, op.notionId, { ...op.attributes, ...before }),
      write: (tx) => addAppliedMemberships(tx, ctx.target, op.sourceId, already),
    });
    if (already.length > 0) ctx.applied.set(op.sourceId, new Set([...(ctx.applied.get(op.sourceId) ?? []), ...already]));
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

const userNameOf = (ctx: ApplyContext, userSourceId: string): string => {
  const link = ctx.userLinks.get(userSourceId);
  const userName = link?.applied.userName;
  return `${typeof userName === 'string' ? userName : userSourceId} (${link?.notionId ?? 'no Notion id'})`;
};

/**
 * One batch. Users without a Notion id by now (their create failed) wait: for this cycle's retry pass when their
 * failure was transient, else for the next cycle. So does a batch whose group was not created yet. Members the target
 * refused alone (the batch is bisected by the client) are escrowed one by one on the group, each naming the user;
 * the others are applied and recorded.
 */
export async function changeMembers(ctx: ApplyContext, op: MembershipOperation): Promise<void> {
  const group = ctx.groupLinks.get(op.sourceId);
  if (!group?.notionId || group.state !== 'active' && op.kind === 'add-members') {
    if (op.kind === 'add-members' && ctx.failedThisCycle.has(`group:${op.sourceId}`)) ctx.retry.push(op);
    return;
  }
  const waiting = op.userSourceIds.filter((id) => op.kind === 'add-members' && !ctx.userLinks.get(id)?.notionId && ctx.failedThisCycle.has(`user:${id}`));
  if (waiting.length > 0) ctx.retry.push({ ...op, userSourceIds: waiting });
  // Members that went in with the group's POST this cycle are applied already.
  const appliedNow = ctx.applied.get(op.sourceId);
  const wanted = op.userSourceIds
    .map((id) => ({ id, link: ctx.userLinks.get(id) }))
    .filter(({ id, link }) => link?.notionId && (op.kind === 'remove-members' || (link.state === 'active' && !appliedNow?.has(id))));
  if (wanted.length === 0) return;
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  const sourceOf = new Map(wanted.map((w) => [w.link?.notionId as string, w.id]));
  const notionIds = [...sourceOf.keys()];
  const groupLink: LinkWrite = { objectType: 'group', ...group };
  let outcome: Awaited<ReturnType<ApplyContext['scim']['addGroupMembers']>>;
  try {
    outcome = op.kind === 'add-members' ? await ctx.scim.addGroupMembers(group.notionId, notionIds) : await ctx.scim.removeGroupMembers(group.notionId, notionIds);
  } catch (error) {
    return escrow(ctx, op, error, startedAt, { link: groupLink });
  }
  const done = outcome.done.map((id) => sourceOf.get(id) as string);
  const clean = outcome.refused.length === 0 && outcome.failed === undefined;
  if (done.length > 0) await recordDone(ctx, op, group.notionId, done, startedAt, clean);
  await escrowRefused(ctx, op, groupLink, outcome.refused.map(({ userId, error }) => ({ userSourceId: sourceOf.get(userId) as string, error })), startedAt);
  if (outcome.failed) {
    const left = outcome.failed.userIds.map((id) => sourceOf.get(id) as string);
    await escrow(ctx, { ...op, userSourceIds: left }, outcome.failed.error, startedAt, { link: { objectType: 'group', ...(ctx.groupLinks.get(op.sourceId) ?? group) } });
  }
}

async function recordDone(ctx: ApplyContext, op: MembershipOperation, notionId: string, done: string[], startedAt: number, clean: boolean): Promise<void> {
  const members = ctx.applied.get(op.sourceId) ?? new Set<string>();
  ctx.applied.set(op.sourceId, members);
  for (const id of done) {
    if (op.kind === 'add-members') members.add(id);
    else members.delete(id);
  }
  // A member batch that failed before escrowed the group; this one went through whole. Only a group evaluated this
  // cycle without a failure is released: an escrow still waiting may be a rename's, which must not be forgotten.
  const group = ctx.groupLinks.get(op.sourceId);
  const release = clean && (group?.attempts ?? 0) > 0 && ctx.evaluatedGroups.has(op.sourceId) && !ctx.failedThisCycle.has(`group:${op.sourceId}`);
  const applied: MembershipOperation = { ...op, userSourceIds: done };
  await record(ctx, applied, { status: 'success', notionId, reason: `${op.reason}: ${done.length} user(s)`, startedAt, modified: [{ path: 'members', old: null, new: done }] }, {
    write: async (tx) => {
      await (op.kind === 'add-members' ? addAppliedMemberships(tx, ctx.target, op.sourceId, done) : removeAppliedMemberships(tx, ctx.target, op.sourceId, done));
      if (release) await clearLinkEscrow(tx, ctx.target, { objectType: 'group', sourceId: op.sourceId }, ctx.now());
    },
  });
  if (release && group) ctx.groupLinks.set(op.sourceId, { ...group, attempts: 0 });
}

/** One escrow (and log row) per refused member, naming the user; the group's escrow is left naming the last of them. */
async function escrowRefused(ctx: ApplyContext, op: MembershipOperation, groupLink: LinkWrite, refused: Array<{ userSourceId: string; error: ScimError }>, startedAt: number): Promise<void> {
  const verb = op.kind === 'add-members' ? 'add' : 'remove';
  for (const [index, { userSourceId, error }] of refused.entries()) {
    ctx.tally.attempted += 1;
    const others = refused.filter((_, i) => i !== index).map((r) => userNameOf(ctx, r.userSourceId));
    const alsoRefused = index === refused.length - 1 && others.length > 0 ? ` (refused in the same batch too: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''})` : '';
    const what = `Notion refused to ${verb} ${userNameOf(ctx, userSourceId)} ${op.kind === 'add-members' ? 'to' : 'from'} group "${op.name}"`;
    const named = new ScimError({
      kind: error.kind,
      ...(error.refusal === undefined ? {} : { refusal: error.refusal }),
      message: `${what}: ${error.message}${alsoRefused}`,
      request: error.request,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.detail === undefined ? {} : { detail: error.detail }),
      cause: error,
    });
    const member: Operation = { ...op, userSourceIds: [userSourceId], reason: `${op.reason}: ${userNameOf(ctx, userSourceId)} refused` };
    await escrow(ctx, member, named, startedAt, { link: groupLink });
  }
}
