// Executes user operations against Notion. A POST is marked pending before it is sent and its outcome resolved by a
// lookup before any retry; re-enabling confirms with a GET and POSTs again when Notion forgot the member (§3.2), then
// reads the member's groups back (§3.6).
import { ScimError, type ScimAttributes, type ScimUser } from '../scim/index.js';
import { clearAppliedMembershipsOfUser, type LinkWrite } from '../store/index.js';
import { escrow, holdersOf, markPending, record, recordLinks, type ApplyContext } from './apply-context.js';
import { checkLookup, matchFromLookup, userCarries } from './matching.js';
import type { LinkView, ModifiedProperty, Operation, UserOperation } from './model.js';
import { attributeChanges } from './diff.js';
import { observedAttributes } from './observed.js';
import { leaveRestoredGroups } from './restored-memberships.js';

type Op<K extends UserOperation['kind']> = Extract<UserOperation, { kind: K }>;

/** A released link no longer holds its Notion user: the user may be linked again. */
const holds = (link: LinkView): boolean => link.state !== 'released';

/** Which of these Notion users are linked to another Entra object. */
async function linkedNotionIds(ctx: ApplyContext, notionIds: readonly string[], exceptSourceId: string): Promise<Set<string>> {
  return new Set((await holdersOf(ctx, 'user', notionIds, exceptSourceId, holds)).map((link) => link.notionId as string));
}

const withModified = (applied: ScimAttributes, modified: readonly ModifiedProperty[]): ScimAttributes => ({
  ...applied,
  ...Object.fromEntries(modified.map((m) => [m.path, m.new as ScimAttributes[string]])),
});

function activeLink(sourceId: string, notionId: string, applied: ScimAttributes): LinkWrite {
  return { objectType: 'user', sourceId, notionId, state: 'active', applied };
}

const userNameOf = (attributes: ScimAttributes): string => String(attributes.userName ?? '');

const describeUser = (user: ScimUser): string => `${user.userName} (${user.id})`;

/**
 * A create's answer must be the user that was sent, and not an account already linked to another Entra object: a
 * server that answers with an existing member's id would otherwise hand that member to this object, and a later
 * deprovision would remove a bystander. Returns why the answer is refused.
 */
async function refuseCreateAnswer(ctx: ApplyContext, op: Op<'create-user'> | Op<'enable-user'>, user: ScimUser): Promise<string | undefined> {
  const sent = userNameOf(op.attributes);
  if (user.userName.toLowerCase() !== sent.toLowerCase()) {
    return `Notion answered the create of ${sent} with another member, ${describeUser(user)}; nothing was linked and that member is left alone`;
  }
  const [holder] = await holdersOf(ctx, 'user', [user.id], op.sourceId, holds);
  if (holder) return `Notion answered the create of ${sent} with ${describeUser(user)}, which is linked to Entra object ${holder.sourceId}; nothing was linked`;
  return undefined;
}

function conflictError(ctx: ApplyContext, message: string): ScimError {
  return new ScimError({ kind: 'conflict', message, request: { method: 'POST', url: `${ctx.target}:/Users` } });
}

/** Looks the user up by userName (email as fallback) and links the single free match; false when none exists. */
async function linkExisting(ctx: ApplyContext, op: Op<'create-user'> | Op<'enable-user'>, startedAt: number): Promise<'linked' | 'none' | ScimError> {
  const userName = userNameOf(op.attributes);
  const found: ScimUser[] = await ctx.scim.findUsersByUserName(userName);
  const refused = checkLookup(found, (user) => userCarries(user, userName), `userName "${userName}"`, describeUser);
  if (refused) return conflictError(ctx, refused);
  const match = matchFromLookup(found, await linkedNotionIds(ctx, found.map((user) => user.id), op.sourceId), `userName "${userName}"`);
  if (match.kind === 'conflict') return conflictError(ctx, match.reason);
  if (match.kind !== 'found') return 'none';
  const notionId = match.resource.id;
  await record(ctx, op, { status: 'success', action: 'link', notionId, reason: 'found in Notion by userName', startedAt }, { link: activeLink(op.sourceId, notionId, { userName: match.resource.userName, active: true }) });
  // h1 (issue 13, case): bring the mapped attributes to the desired value, compared with what the found user holds
  // (case-insensitive for userName and emails), so that a case-only difference sends nothing.
  const patch = attributeChanges(observedAttributes(match.resource, Object.keys(op.attributes), op.attributes), op.attributes, []).patch;
  if (patch.length > 0) await ctx.scim.patchUser(notionId, patch);
  await record(ctx, op, { status: 'success', action: 'update', notionId, startedAt }, { link: activeLink(op.sourceId, notionId, { ...op.attributes }) });
  return 'linked';
}

async function postUser(ctx: ApplyContext, op: Op<'create-user'> | Op<'enable-user'>, startedAt: number, action: 'create' | 'enable'): Promise<void> {
  const pending: LinkWrite = { objectType: 'user', sourceId: op.sourceId, notionId: null, state: 'pending-create', applied: { ...op.attributes }, pendingSince: ctx.now() };
  const previous = ctx.userLinks.get(op.sourceId);
  // The mark comes first, in its own transaction: a crash after the POST leaves a pending create to look up, never a duplicate.
  await markPending(ctx, { ...pending, attempts: previous?.attempts ?? 0 });
  try {
    const user = await ctx.scim.createUser(op.attributes);
    const refused = await refuseCreateAnswer(ctx, op, user);
    // The POST may still have created our user: stay pending, resolved by a lookup (checked the same way) next cycle.
    if (refused) return escrow(ctx, op, conflictError(ctx, refused), startedAt, { link: pending });
    if (op.kind === 'enable-user') {
      // A member added back may get their old groups back (§3.6). Until that is checked the link stays disabled, so
      // the next cycle re-enables (a no-op PATCH) and reads again.
      try {
        await leaveRestoredGroups(ctx, op, user.id);
      } catch (error) {
        return escrow(ctx, op, error, startedAt, { link: { objectType: 'user', sourceId: op.sourceId, notionId: user.id, state: 'disabled', applied: { ...op.attributes, active: false } } });
      }
    }
    await record(ctx, op, { status: 'success', action, notionId: user.id, startedAt }, {
      link: activeLink(op.sourceId, user.id, { ...op.attributes }),
      write: (tx) => clearAppliedMembershipsOfUser(tx, ctx.target, op.sourceId),
    });
  } catch (error) {
    if (error instanceof ScimError && error.kind === 'conflict') {
      // 409: the user is already a member of the workspace (reference §3.5): look it up and link.
      let linked: Awaited<ReturnType<typeof linkExisting>>;
      try {
        linked = await linkExisting(ctx, op, startedAt);
      } catch (lookupError) {
        return escrow(ctx, op, lookupError, startedAt, { link: pending });
      }
      if (linked === 'linked') return;
      return escrow(ctx, op, linked === 'none' ? error : linked, startedAt, { link: { ...pending, state: 'unlinked' } });
    }
    // A lost answer or a retried failure may have created the user: stay pending, resolved by a lookup next time.
    const unknown = error instanceof ScimError && (error.kind === 'outcome-unknown' || error.kind === 'transient');
    return escrow(ctx, op, error, startedAt, { link: unknown ? pending : { ...pending, state: 'unlinked' } });
  }
}

export async function createUser(ctx: ApplyContext, op: Op<'create-user'>): Promise<void> {
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  try {
    if (op.lookupFirst) {
      const linked = await linkExisting(ctx, op, startedAt);
      if (linked instanceof ScimError) return escrow(ctx, op, linked, startedAt);
      if (linked === 'linked') return;
    }
  } catch (error) {
    return escrow(ctx, op, error, startedAt);
  }
  await postUser(ctx, op, startedAt, 'create');
}

export async function adoptUser(ctx: ApplyContext, op: Op<'adopt-user'>): Promise<void> {
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  await record(ctx, op, { status: 'success', notionId: op.notionId, startedAt }, { link: activeLink(op.sourceId, op.notionId, op.observed) });
  if (op.patch.length === 0) return;
  try {
    await ctx.scim.patchUser(op.notionId, op.patch);
    await record(ctx, op, { status: 'success', action: 'update', modified: op.modified, startedAt }, { link: activeLink(op.sourceId, op.notionId, withModified(op.observed, op.modified)) });
  } catch (error) {
    await escrow(ctx, op, error, startedAt, { link: activeLink(op.sourceId, op.notionId, op.observed) });
  }
}

/** An adoption with nothing to change in Notion: no request, only its link. */
export const adoptsAsItIs = (op: Operation): op is Op<'adopt-user'> => op.kind === 'adopt-user' && op.patch.length === 0;

/** Adoptions with nothing to change in Notion (most of a first cycle over a populated workspace), recorded together. */
export async function adoptUsersAsTheyAre(ctx: ApplyContext, ops: ReadonlyArray<Op<'adopt-user'>>): Promise<void> {
  const startedAt = Date.now();
  ctx.tally.attempted += ops.length;
  await recordLinks(ctx, ops.map((op) => ({ operation: op, outcome: { status: 'success', notionId: op.notionId, startedAt }, link: activeLink(op.sourceId, op.notionId, op.observed) })));
}

export async function updateUser(ctx: ApplyContext, op: Op<'update-user'>): Promise<void> {
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  const link = ctx.userLinks.get(op.sourceId);
  const applied = link?.applied ?? {};
  try {
    await ctx.scim.patchUser(op.notionId, op.patch);
    await record(ctx, op, { status: 'success', modified: op.modified, startedAt }, { link: activeLink(op.sourceId, op.notionId, withModified(applied, op.modified)) });
  } catch (error) {
    if (error instanceof ScimError && error.kind === 'not-found') {
      // Removed in Notion by hand: add the member back (a POST re-adds the same account, reference §3.2).
      return postUser(ctx, { ...op, kind: 'enable-user', reason: 'no longer in Notion: added back' }, startedAt, 'create');
    }
    // userName collisions come back as a conflict (Notion answers 500, §3.5): escrowed and reported, not retried here.
    await escrow(ctx, op, error, startedAt, { link: activeLink(op.sourceId, op.notionId, applied) });
  }
}

export async function enableUser(ctx: ApplyContext, op: Op<'enable-user'>): Promise<void> {
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  const link = ctx.userLinks.get(op.sourceId);
  try {
    if (op.notionId !== null && link?.state !== 'deleted') {
      try {
        await ctx.scim.patchUser(op.notionId, op.patch.some((p) => p.path === 'active') ? op.patch : [...op.patch, { op: 'replace', path: 'active', value: true }]);
      } catch (error) {
        if (!(error instanceof ScimError && error.kind === 'not-found')) throw error;
      }
      const user = await ctx.scim.getUser(op.notionId);
      if (user !== null && user.active !== false) {
        // Fails closed: a failed or malformed read removes nothing and escrows the re-enable (link still disabled).
        await leaveRestoredGroups(ctx, op, op.notionId);
        await record(ctx, op, { status: 'success', modified: op.modified, startedAt }, {
          link: activeLink(op.sourceId, op.notionId, { ...(link?.applied ?? {}), ...op.attributes }),
          write: (tx) => clearAppliedMembershipsOfUser(tx, ctx.target, op.sourceId),
        });
        return;
      }
    }
  } catch (error) {
    return escrow(ctx, op, error, startedAt, link ? { link: { objectType: 'user', ...link } } : undefined);
  }
  // Notion forgot the member (404 or still inactive): POST again; Notion re-adds the same account (reference §3.2).
  await postUser(ctx, op, startedAt, 'enable');
}

export async function deprovisionUser(ctx: ApplyContext, op: Op<'disable-user'> | Op<'delete-user'>): Promise<void> {
  const startedAt = Date.now();
  ctx.tally.attempted += 1;
  const link = ctx.userLinks.get(op.sourceId);
  const applied = link?.applied ?? {};
  try {
    if (op.kind === 'delete-user') await ctx.scim.deleteUser(op.notionId);
    else await disableInNotion(ctx, op.notionId);
    const state = op.kind === 'delete-user' ? 'deleted' : 'disabled';
    // The memberships stay recorded: the offboarding removals (sent before this) forget each one they took out, and
    // one that failed is removed by a later cycle, whether Notion kept it or dropped it (§3.6).
    await record(ctx, op, { status: 'success', startedAt }, {
      link: { objectType: 'user', sourceId: op.sourceId, notionId: op.notionId, state, applied: { ...applied, active: false } },
    });
  } catch (error) {
    await escrow(ctx, op, error, startedAt, link ? { link: { objectType: 'user', ...link } } : undefined);
  }
}

async function disableInNotion(ctx: ApplyContext, notionId: string): Promise<void> {
  try {
    await ctx.scim.patchUser(notionId, [{ op: 'replace', path: 'active', value: false }]);
  } catch (error) {
    // Already gone from the workspace: the disable is done.
    if (!(error instanceof ScimError && error.kind === 'not-found')) throw error;
  }
}
