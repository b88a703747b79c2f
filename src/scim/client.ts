// The SCIM client: Users and Groups over one exchange (limiter + retries + typed errors), quirks asked of the profile.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { asRefusal, parseJsonBody, refusalOf, ScimError, withKind, type RefusedWrite, type ScimErrorKind } from './errors.js';
import { createExchange, defaultRetryMinDelayMs, type RequestEvent, type RetryOptions } from './exchange.js';
import { eqFilter } from './filter.js';
import { walkPages, type ListingWalk, type PageConsumer } from './listing.js';
import {
  changeMembersInBatches, MemberBatchSize, nothingLearnt, rememberedMemberBatch, sameLearntMemberBatch,
  type LearntMemberBatch, type MemberBatchMemory, type MemberChangeOutcome, type RememberedMemberBatch,
} from './member-batches.js';
import { notionProfile } from './notion.js';
import { memberOperations, patchRequestBody, withoutExtensionPaths, type PatchDialect, type ScimPatchOperation } from './patch.js';
import type { ScimProfile } from './profile.js';
import { groupFromBody, listPageFromBody, scimResourceFromAttributes, userFromBody, type ScimAttributes, type ScimGroup, type ScimUser } from './resource.js';
import type { LearntRate } from './adaptive-rate.js';
import { createThrottle, type AdaptiveThrottleOptions } from './throttle.js';
import { createTransport, type TransportTimeouts } from './transport.js';

export interface ScimClientOptions {
  baseUrl: string;
  token: string;
  profile?: ScimProfile;
  /** A known limit (used exactly), or `auto` to find it (h6: floor, ceiling and memory in `adaptiveRate`). */
  requestsPerSecond?: number | 'auto';
  adaptiveRate?: AdaptiveThrottleOptions;
  maxConcurrency?: number;
  patchDialect?: PatchDialect;
  /** The ceiling of the member batch size; the size in use adapts below it (member-batches.ts). */
  maxMembersPerPatch?: number;
  /** Keeps the learnt member batch size between cycles (the store, per target), whatever `requestsPerSecond` is. */
  memberBatchMemory?: MemberBatchMemory;
  /** Send a new group's first members in its POST when the profile allows it; default: the profile's `membersOnCreate`. */
  membersOnCreate?: boolean;
  timeouts?: TransportTimeouts;
  retry?: RetryOptions;
  signal?: AbortSignal;
  logger?: Logger;
  onRequest?: (event: RequestEvent) => void;
  /** Tests only: undici's MockAgent in place of the pool (see transport.ts for why not nock). */
  dispatcher?: Dispatcher;
}

export interface ScimClient {
  getUser(id: string): Promise<ScimUser | null>;
  /** Walks /Users page by page; `onPage` keeps what it needs and answers how many of the page's users were new (listing.ts). */
  walkUsers(onPage: PageConsumer<ScimUser>): Promise<ListingWalk>;
  findUsersByUserName(userName: string): Promise<ScimUser[]>;
  createUser(attributes: ScimAttributes): Promise<ScimUser>;
  patchUser(id: string, operations: ScimPatchOperation[]): Promise<void>;
  deleteUser(id: string): Promise<'deleted' | 'already-absent'>;
  getGroup(id: string): Promise<ScimGroup | null>;
  /** Walks /Groups page by page (members inline), as `walkUsers` does /Users. */
  walkGroups(onPage: PageConsumer<ScimGroup>): Promise<ListingWalk>;
  findGroupsByDisplayName(displayName: string): Promise<ScimGroup[]>;
  createGroup(attributes: ScimAttributes): Promise<ScimGroup>;
  /** Whether a create may carry members now: the setting, until the target refused or ignored members on create. */
  sendsMembersOnCreate(): boolean;
  /**
   * POST with these members (Notion user ids). `members` are the ids the answer shows in the group: only those are
   * applied. A create refused with 400 is sent again without members (a 400 created nothing).
   */
  createGroupWithMembers(attributes: ScimAttributes, userIds: readonly string[]): Promise<{ group: ScimGroup; members: string[] }>;
  patchGroup(id: string, operations: ScimPatchOperation[]): Promise<void>;
  /** Member changes in adaptive batches, a refused batch bisected: what was done, refused and left, id by id. */
  addGroupMembers(groupId: string, userIds: readonly string[]): Promise<MemberChangeOutcome>;
  removeGroupMembers(groupId: string, userIds: readonly string[]): Promise<MemberChangeOutcome>;
  /** The member batch size in use: the ceiling, or the size remembered from earlier cycles, until a batch is refused for its size. */
  memberBatchSize(): number;
  deleteGroup(id: string): Promise<'deleted' | 'already-absent'>;
  checkConnection(): Promise<{ ok: true } | { ok: false; kind: ScimErrorKind; message: string; error: ScimError }>;
  stats(): { requests: number; throttled: number; retries: number };
  /** The limiter's rate now and, with `auto`, what it has learnt (h6). */
  rate(): { requestsPerSecond: number; learnt?: LearntRate };
  close(): Promise<void>;
}

/** What a user PATCH does, for naming its refusal: a removal (active=false), an email or name change, a role change. */
function userWriteOf(operations: readonly ScimPatchOperation[]): RefusedWrite {
  const touched = operations.flatMap((operation) => {
    if (operation.path !== undefined) return [{ path: operation.path.toLowerCase(), value: operation.value }];
    const value = operation.value;
    return typeof value === 'object' && value !== null ? Object.entries(value).map(([path, v]) => ({ path: path.toLowerCase(), value: v })) : [];
  });
  if (touched.some(({ path, value }) => path === 'active' && (value === false || value === 'False'))) return { kind: 'user-removal' };
  return {
    kind: 'user-change',
    identity: touched.some(({ path }) => path === 'username' || path.startsWith('emails') || path.startsWith('name')),
    role: touched.some(({ path, value }) => path.endsWith(':role') || (path.startsWith('urn:') && typeof value === 'object' && value !== null && 'role' in value)),
  };
}

type Narrow<T> = (body: unknown, request: ScimError['request'], status: number) => T;

const segment = (id: string): string => encodeURIComponent(id);

export function createScimClient(options: ScimClientOptions): ScimClient {
  const profile = options.profile ?? notionProfile;
  if (options.token.trim() === '') throw new Error('SCIM token is empty');
  const requestsPerSecond = options.requestsPerSecond ?? profile.defaultRequestsPerSecond;
  const maxConcurrency = options.maxConcurrency ?? profile.defaultMaxConcurrency;
  const maxMembersPerPatch = options.maxMembersPerPatch ?? profile.defaultMaxMembersPerPatch;
  const dialect = options.patchDialect ?? 'rfc';
  if (!(requestsPerSecond === 'auto' || requestsPerSecond > 0) || !(maxConcurrency >= 1) || !(maxMembersPerPatch >= 1)) {
    throw new Error('SCIM client needs requestsPerSecond > 0, maxConcurrency >= 1 and maxMembersPerPatch >= 1');
  }
  const transport = createTransport({
    baseUrl: options.baseUrl,
    token: options.token,
    maxConnections: maxConcurrency,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  // Without Retry-After, a throttle answer pauses everyone for the first retry delay.
  const throttle = createThrottle({
    requestsPerSecond, maxConcurrency, defaultPauseMs: options.retry?.minDelayMs ?? defaultRetryMinDelayMs,
    ...(options.adaptiveRate ? { adaptive: options.adaptiveRate } : {}),
  });
  const exchange = createExchange({
    transport,
    throttle,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });

  async function getOne<T>(path: string, narrow: Narrow<T>): Promise<T | null> {
    const { answer, request, rejected } = await exchange.send('GET', path, { accept: ['not-found'] });
    if (rejected) return null;
    return narrow(parseJsonBody(answer, request), request, answer.status);
  }

  async function create<T>(path: string, body: Record<string, unknown>, narrow: Narrow<T>): Promise<T> {
    const { answer, request } = await exchange.send('POST', path, { body });
    try {
      return narrow(parseJsonBody(answer, request), request, answer.status);
    } catch (error) {
      // A 2xx to a create means the object most likely exists now; without its id the engine must look it up.
      if (!(error instanceof ScimError)) throw error;
      throw new ScimError({
        kind: 'outcome-unknown',
        message: `${error.message} (the create probably succeeded)`,
        status: answer.status,
        request,
        ...(error.detail === undefined ? {} : { detail: error.detail }),
        cause: error,
      });
    }
  }

  async function remove(path: string): Promise<'deleted' | 'already-absent'> {
    const { rejected } = await exchange.send('DELETE', path, { accept: ['not-found'] });
    return rejected ? 'already-absent' : 'deleted';
  }

  async function find<T>(resourcePath: string, filter: string, narrow: Narrow<T>): Promise<ScimError | T[]> {
    const query = `?filter=${encodeURIComponent(filter)}&count=${profile.maxPageSize}`;
    const { answer, request, rejected } = await exchange.send('GET', `${resourcePath}${query}`, { accept: ['bad-request'] });
    if (rejected) return rejected;
    return listPageFromBody(parseJsonBody(answer, request), request, answer.status, narrow).resources;
  }

  async function walk<T>(resourcePath: string, narrow: Narrow<T>, onPage: PageConsumer<T>): Promise<ListingWalk> {
    return walkPages(async (startIndex, count) => {
      const { answer, request } = await exchange.send('GET', `${resourcePath}?startIndex=${startIndex}&count=${count}`);
      return listPageFromBody(parseJsonBody(answer, request), request, answer.status, narrow);
    }, profile.maxPageSize, onPage);
  }

  async function patch(path: string, operations: readonly ScimPatchOperation[], kindFor?: (status: number) => ScimErrorKind | undefined): Promise<void> {
    if (operations.length === 0) return;
    const wireOperations = profile.extensionPatchWithoutPath ? withoutExtensionPaths(operations) : [...operations];
    await exchange.send('PATCH', path, {
      body: patchRequestBody(wireOperations, dialect),
      ...(kindFor ? { kindFor: (answer) => kindFor(answer.status) } : {}),
    });
  }

  // The remembered batch size arrives before the first member change (a failed read or a value out of range: start at
  // the ceiling). At close, a client that sent member changes saves what it learnt if it differs from what was stored;
  // one that sent none (a dry run, a cycle without member changes) writes nothing, so it cannot overwrite what another
  // client learnt meanwhile.
  let batchSize = new MemberBatchSize(maxMembersPerPatch);
  let memberChangesSent = false;
  let remembered: RememberedMemberBatch | undefined;
  let storedBatch: LearntMemberBatch = nothingLearnt;
  const batchMemory = options.memberBatchMemory;
  const batchSizeLoaded: Promise<void> = batchMemory
    ? batchMemory
        .load()
        .then((stored) => {
          storedBatch = stored ?? nothingLearnt;
          remembered = rememberedMemberBatch(stored, new Date());
          if (remembered) batchSize = new MemberBatchSize(maxMembersPerPatch, remembered);
        })
        .catch(() => undefined)
    : Promise.resolve();

  async function saveMemberBatchSize(memory: MemberBatchMemory): Promise<void> {
    await batchSizeLoaded;
    const learnt = batchSize.learnt(remembered, new Date());
    if (!memberChangesSent || sameLearntMemberBatch(learnt, storedBatch)) return;
    // Losing it only costs the next cycle one search for the size, so a failed write is not an error.
    await memory.save(learnt).catch(() => undefined);
  }

  let closing: Promise<void> | undefined;

  async function changeMembers(groupId: string, op: 'add' | 'remove', userIds: readonly string[]): Promise<MemberChangeOutcome> {
    await batchSizeLoaded;
    memberChangesSent = true;
    const path = `/Groups/${segment(groupId)}`;
    const outcome = await changeMembersInBatches(userIds, {
      send: (ids) => exchange.send('PATCH', path, { body: patchRequestBody(memberOperations(op, ids, ids.length), dialect), accept: ['conflict', 'bad-request'] }),
      alreadyDone: op === 'add' ? profile.memberAlreadyPresentStatuses : profile.memberAlreadyAbsentStatuses,
    }, batchSize);
    // A member refused alone is refused for what it is (a guest, a removed member, an unknown id: §4).
    outcome.refused = outcome.refused.map(({ userId, error }) => {
      const refusal = refusalOf({ kind: 'membership' }, error);
      return { userId, error: refusal === undefined ? error : asRefusal(error, refusal, `${profile.name} refused member ${userId}`) };
    });
    return outcome;
  }

  // Members on create: the setting, turned off for the rest of this client's life once the target refused a create
  // with members twice, or answered one without the members sent (it ignores them: the PATCH phase adds them).
  let membersOnCreate = options.membersOnCreate ?? profile.membersOnCreate;
  let membersOnCreateRefusals = 0;

  async function createGroupWithMembers(attributes: ScimAttributes, userIds: readonly string[]): Promise<{ group: ScimGroup; members: string[] }> {
    const resource = scimResourceFromAttributes('Group', attributes);
    if (!membersOnCreate || userIds.length === 0) return { group: await create('/Groups', resource, groupFromBody), members: [] };
    let group: ScimGroup;
    try {
      group = await create('/Groups', { ...resource, members: userIds.map((value) => ({ value })) }, groupFromBody);
    } catch (error) {
      if (!(error instanceof ScimError && error.kind === 'bad-request')) throw error;
      // Refused: nothing was created (a 400 is not an unknown outcome). Members may be what it refused: without them.
      membersOnCreateRefusals += 1;
      if (membersOnCreateRefusals >= 2) membersOnCreate = false;
      options.logger?.info({ event: 'scim.members-on-create.refused', status: error.status, detail: error.detail, stillTrying: membersOnCreate });
      return { group: await create('/Groups', resource, groupFromBody), members: [] };
    }
    const echoed = new Set(Array.isArray(group.members) ? group.members.flatMap((m) => (typeof m?.value === 'string' ? [m.value] : [])) : []);
    const members = userIds.filter((id) => echoed.has(id));
    if (echoed.size === 0) {
      membersOnCreate = false;
      options.logger?.info({ event: 'scim.members-on-create.ignored', sent: userIds.length });
    }
    return { group, members };
  }

  /**
   * A user write the target refused. A 403 is first proven not to be about the token (a query any valid token may
   * make must work): a revoked token stays an auth failure that stops the cycle; a 403 about this one user becomes a
   * refusal escrowed with the user. A probe that fails in any way keeps the 403 an auth failure (fail closed).
   */
  async function refineUserRefusal(error: unknown, write: RefusedWrite, what: string): Promise<never> {
    if (!(error instanceof ScimError)) throw error;
    let refused = error;
    if (error.kind === 'auth') {
      if (error.status !== 403 || !(await tokenWorks())) throw error;
      refused = withKind(error, 'bad-request');
    }
    const refusal = refusalOf(write, refused);
    throw refusal === undefined ? refused : asRefusal(refused, refusal, what);
  }

  async function tokenWorks(): Promise<boolean> {
    try {
      await findUsersByUserName(`${randomUUID()}@connection-check.invalid`);
      return true;
    } catch {
      return false;
    }
  }

  async function findUsersByUserName(userName: string): Promise<ScimUser[]> {
    const byUserName = await find('/Users', eqFilter('userName', userName), userFromBody);
    if (Array.isArray(byUserName) && byUserName.length > 0) return byUserName;
    const fallback = profile.userNameFallbackFilter;
    if (fallback === undefined) {
      if (byUserName instanceof ScimError) throw byUserName;
      return byUserName;
    }
    // Refused or empty: ask the attribute the target documents (Notion: `email eq`, lower-cased; reference §7.2).
    const value = fallback.lowerCaseValue ? userName.toLowerCase() : userName;
    const byFallback = await find('/Users', eqFilter(fallback.attribute, value), userFromBody);
    if (!(byFallback instanceof ScimError)) return byFallback;
    // The userName query worked and found nobody: a refused fallback changes nothing about that answer.
    if (Array.isArray(byUserName)) return byUserName;
    throw byFallback;
  }

  const createOnly = new Set(profile.createOnlyAttributes.map((name) => name.toLowerCase()));
  const sentAfterCreate = (operation: ScimPatchOperation): boolean =>
    operation.path === undefined || !createOnly.has(operation.path.split(/[.[]/)[0]!.toLowerCase());

  return {
    getUser: (id) => getOne(`/Users/${segment(id)}`, userFromBody),
    getGroup: (id) => getOne(`/Groups/${segment(id)}`, groupFromBody),
    walkUsers: (onPage) => walk('/Users', userFromBody, onPage),
    walkGroups: (onPage) => walk('/Groups', groupFromBody, onPage),
    findUsersByUserName,
    async findGroupsByDisplayName(displayName) {
      const groups = await find('/Groups', eqFilter('displayName', displayName), groupFromBody);
      if (groups instanceof ScimError) throw groups;
      return groups;
    },
    createUser: (attributes) => create('/Users', scimResourceFromAttributes('User', attributes), userFromBody),
    createGroup: (attributes) => create('/Groups', scimResourceFromAttributes('Group', attributes), groupFromBody),
    async patchUser(id, operations) {
      const sendable = operations.filter(sentAfterCreate);
      try {
        await patch(`/Users/${segment(id)}`, sendable, (status) => (profile.isUserNameCollision(status, sendable) ? 'conflict' : undefined));
      } catch (error) {
        await refineUserRefusal(error, userWriteOf(sendable), `${profile.name} refused the change of member ${id}`);
      }
    },
    patchGroup: (id, operations) => patch(`/Groups/${segment(id)}`, operations),
    sendsMembersOnCreate: () => membersOnCreate,
    createGroupWithMembers,
    addGroupMembers: (groupId, userIds) => changeMembers(groupId, 'add', userIds),
    removeGroupMembers: (groupId, userIds) => changeMembers(groupId, 'remove', userIds),
    memberBatchSize: () => batchSize.current,
    async deleteUser(id) {
      try {
        return await remove(`/Users/${segment(id)}`);
      } catch (error) {
        return refineUserRefusal(error, { kind: 'user-removal' }, `${profile.name} refused to remove member ${id}`);
      }
    },
    deleteGroup: (id) => remove(`/Groups/${segment(id)}`),
    async checkConnection() {
      // /ServiceProviderConfig answers without auth (reference §1.2): prove the token with a query that must find nothing.
      try {
        await findUsersByUserName(`${randomUUID()}@connection-check.invalid`);
        return { ok: true };
      } catch (error) {
        if (!(error instanceof ScimError)) throw error;
        const message =
          error.kind === 'auth'
            ? `${profile.name} refused the SCIM token (${error.status ?? 'no status'}): it may be revoked, e.g. its creator left or changed role`
            : error.message;
        return { ok: false, kind: error.kind, message, error };
      }
    },
    stats: () => exchange.stats(),
    rate: () => {
      const learnt = throttle.learntRate();
      return { requestsPerSecond: throttle.currentRequestsPerSecond(), ...(learnt ? { learnt } : {}) };
    },
    async close() {
      // Idempotent: a client closed twice (a shutdown racing the end of a cycle) saves once. The limiter stops first,
      // so no batch answered after the save is lost from it.
      closing ??= (async () => {
        await throttle.stop();
        if (batchMemory) await saveMemberBatchSize(batchMemory);
        await transport.close();
      })();
      await closing;
    },
  };
}
