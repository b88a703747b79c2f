// Group member changes in adaptive batches: the batch grows while the target accepts and halves when it refuses one
// for its size; a refused batch is bisected so that one bad id (a guest, a removed member, an unknown id) leaves the
// others applied and comes back alone with its own answer. Notion's limit per PATCH is undocumented (§4). What the size
// search learnt is kept between cycles (a refusal for a day), so a target with a lower limit costs one search a day.
import { parseJsonBody, ScimError } from './errors.js';
import type { ExchangeResult } from './exchange.js';

/** What a member change did, id by id. Nothing is "done" that the target did not answer for. */
export interface MemberChangeOutcome {
  /** Ids the target accepted, or answered "already done" for, one at a time. */
  done: string[];
  /** Ids the target refused alone, each with its answer: about that member, not about the batch. */
  refused: Array<{ userId: string; error: ScimError }>;
  /** Ids left unsent or unanswered because of a failure that says nothing about them (transient, spoiled, auth). */
  failed?: { userIds: string[]; error: ScimError };
  /** Requests this change sent. */
  requests: number;
}

/**
 * What is kept of the batch size between cycles (the store's rate_limit_state row, per target): the smallest size the
 * target refused for its size, when that was seen, and the largest size it accepted below it. Nulls: nothing learnt.
 */
export interface LearntMemberBatch {
  refusedSize: number | null;
  refusedAt: Date | null;
  acceptedSize: number | null;
}

export const nothingLearnt: LearntMemberBatch = { refusedSize: null, refusedAt: null, acceptedSize: null };

const timeOf = (at: Date | null): number | null => (at instanceof Date ? at.getTime() : at);

export const sameLearntMemberBatch = (a: LearntMemberBatch, b: LearntMemberBatch): boolean =>
  a.refusedSize === b.refusedSize && a.acceptedSize === b.acceptedSize && timeOf(a.refusedAt) === timeOf(b.refusedAt);

/** Where the learnt batch size is kept between cycles (load before the first member change, save at close). */
export interface MemberBatchMemory {
  load(): Promise<LearntMemberBatch | undefined>;
  save(learnt: LearntMemberBatch): Promise<void>;
}

/** A stored batch size that passed the checks: a refusal still in force and, when known, a size accepted below it. */
export interface RememberedMemberBatch {
  refusedSize: number;
  refusedAt: Date;
  acceptedSize: number | null;
}

/**
 * A remembered refusal is forgotten a day after it was seen, and the cycle after that starts at the ceiling again.
 * Why a day: the worker runs a cycle every 40 minutes by default, so the search for the limit (at most ceil(log2
 * ceiling) refused requests, each bisected so its members still go in) is paid once a day instead of 36 times; and a
 * target whose limit rose, or a ceiling raised in the config, is used within a day. Notion's limit is undocumented
 * and not expected to move often, so a day's lag costs little; holding a refusal for ever would block both for ever.
 */
export const memberBatchRefusalLifetimeMs = 24 * 60 * 60 * 1000;

const isSize = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

/**
 * The stored batch size if it can be trusted at `now`: a refusal of at least 2 members (a single member is never
 * refused for its size), seen less than memberBatchRefusalLifetimeMs ago and not in the future (a clock jump or a
 * corrupt date must not hold the size down past the lifetime), with an accepted size below it or none. Anything else
 * is ignored as a whole: the cycle starts at the ceiling, as without a memory (fail safe: one search, never a crash).
 */
export function rememberedMemberBatch(stored: LearntMemberBatch | undefined, now: Date): RememberedMemberBatch | undefined {
  if (!stored) return undefined;
  const { refusedSize, refusedAt, acceptedSize } = stored;
  if (!isSize(refusedSize, 2) || !(refusedAt instanceof Date)) return undefined;
  const age = now.getTime() - refusedAt.getTime();
  if (!(age >= 0 && age < memberBatchRefusalLifetimeMs)) return undefined;
  if (acceptedSize !== null && !(isSize(acceptedSize, 1) && acceptedSize < refusedSize)) return undefined;
  return { refusedSize, refusedAt, acceptedSize };
}

/**
 * The batch size learnt in this client's life (one cycle): starts at the ceiling (the plan's batch size), is halved
 * when a batch is refused for its size, and grows back while batches of the current size are accepted, never past
 * the smallest size refused so far. A binary search between the largest size accepted and the smallest refused.
 * With a size remembered from earlier cycles, the search goes on from there: it starts at the size accepted (or half
 * the refused one), so a target whose limit was found is sent no batch it refuses.
 */
export class MemberBatchSize {
  private size: number;
  private largestAccepted: number;
  private smallestRefused: number | undefined;
  /** A refusal seen in this client's life lowered the smallest refused size: the memory dates it now. */
  private refusedHere = false;

  constructor(readonly ceiling: number, remembered?: Pick<RememberedMemberBatch, 'refusedSize' | 'acceptedSize'>) {
    this.smallestRefused = remembered?.refusedSize;
    this.largestAccepted = remembered?.acceptedSize ?? 0;
    const start = remembered ? (remembered.acceptedSize ?? Math.floor(remembered.refusedSize / 2)) : ceiling;
    this.size = Math.max(1, Math.min(this.upper(), start));
  }

  get current(): number {
    return this.size;
  }

  /** The largest size worth trying: under the ceiling and under the smallest size refused. */
  private upper(): number {
    return Math.min(this.ceiling, (this.smallestRefused ?? Infinity) - 1);
  }

  accepted(count: number): void {
    this.largestAccepted = Math.max(this.largestAccepted, count);
    const upper = this.upper();
    if (count >= this.size && this.size < upper) this.size += Math.ceil((upper - this.size) / 2);
  }

  refusedForSize(count: number): void {
    if (count <= 1) return;
    if (this.smallestRefused === undefined || count < this.smallestRefused) {
      this.smallestRefused = count;
      this.refusedHere = true;
    }
    // The target's limit went down since that size was accepted: what was learnt above it is void.
    if (this.largestAccepted >= count) this.largestAccepted = 0;
    this.size = Math.max(1, Math.min(this.size, Math.max(this.largestAccepted, Math.floor(count / 2))));
  }

  /**
   * What to keep for the next cycle at `now`: the smallest refusal known, dated when it was seen (now if in this
   * client's life, else its remembered date: a refusal is never made younger by being carried over), and the largest
   * size accepted below it. Nothing refused: nothing to keep, the next cycle starts at the ceiling.
   */
  learnt(remembered: RememberedMemberBatch | undefined, now: Date): LearntMemberBatch {
    const refused = this.smallestRefused;
    if (refused === undefined) return nothingLearnt;
    const refusedAt = this.refusedHere || !remembered ? now : remembered.refusedAt;
    const accepted = this.largestAccepted > 0 && this.largestAccepted < refused ? this.largestAccepted : null;
    return { refusedSize: refused, refusedAt, acceptedSize: accepted };
  }
}

export interface MemberChunkSender {
  /** Sends one PATCH for these ids; a refusal (400, 409, 413, other 4xx) comes back as `rejected`, anything else throws. */
  send(userIds: readonly string[]): Promise<ExchangeResult>;
  /** Statuses that mean "already done" for a single id (Notion: 409, §5.3). */
  alreadyDone: readonly number[];
}

/** A 2xx answer is success only if it is empty or a JSON object: a spoiled body is never taken as applied (fail closed). */
function checkAccepted(result: ExchangeResult): void {
  const { answer, request } = result;
  if (answer.status === 204 || answer.bodyText.trim() === '') return;
  const body = parseJsonBody(answer, request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ScimError({ kind: 'unexpected-response', message: `${request.method} ${request.url} answered ${answer.status} with a body that is not a JSON object`, status: answer.status, request });
  }
}

const isSizeRefusal = (error: ScimError): boolean => error.status === 413;

/**
 * Requests one batch of n may cost: the batch, then two per level of bisection (ceil(log2 n) levels) for up to two bad
 * ids. A batch refused beyond that (every member refused: the refusal is about the request, not the members) stops.
 */
export const bisectBudget = (count: number): number => 1 + 4 * Math.ceil(Math.log2(Math.max(1, count)));

export async function changeMembersInBatches(userIds: readonly string[], sender: MemberChunkSender, size: MemberBatchSize): Promise<MemberChangeOutcome> {
  const outcome: MemberChangeOutcome = { done: [], refused: [], requests: 0 };
  const unanswered = new Set(userIds);
  const settle = (ids: readonly string[]) => ids.forEach((id) => unanswered.delete(id));
  let budget = 0;
  let overBudget: ScimError | undefined;

  /** Sends a batch; on a refusal, bisects it. Returns true when nothing in it was refused alone (for the size rule). */
  async function sendBatch(ids: readonly string[]): Promise<boolean> {
    if (budget <= 0) return false;
    budget -= 1;
    outcome.requests += 1;
    const result = await sender.send(ids);
    const refusal = result.rejected;
    if (refusal === undefined) {
      checkAccepted(result);
      outcome.done.push(...ids);
      settle(ids);
      size.accepted(ids.length);
      return true;
    }
    if (ids.length === 1) {
      const [id] = ids as [string];
      settle(ids);
      if (refusal.status !== undefined && sender.alreadyDone.includes(refusal.status)) {
        outcome.done.push(id);
        return true;
      }
      outcome.refused.push({ userId: id, error: refusal });
      return false;
    }
    if (isSizeRefusal(refusal)) size.refusedForSize(ids.length);
    overBudget = refusal;
    const middle = Math.ceil(ids.length / 2);
    const left = await sendBatch(ids.slice(0, middle));
    const right = await sendBatch(ids.slice(middle));
    // Both halves went in: the whole was refused for its size (a 400 may say so without a 413).
    if (left && right && refusal.kind === 'bad-request') size.refusedForSize(ids.length);
    return left && right;
  }

  let next = 0;
  try {
    while (next < userIds.length) {
      const batch = userIds.slice(next, next + size.current);
      next += batch.length;
      budget = bisectBudget(batch.length);
      await sendBatch(batch);
    }
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    outcome.failed = { userIds: userIds.filter((id) => unanswered.has(id)), error };
    return outcome;
  }
  const left = userIds.filter((id) => unanswered.has(id));
  if (left.length > 0 && overBudget) {
    outcome.failed = {
      userIds: left,
      error: new ScimError({
        kind: overBudget.kind,
        message: `${overBudget.message} (refused for every part of the batch tried; ${left.length} member(s) left unsent)`,
        request: overBudget.request,
        ...(overBudget.status === undefined ? {} : { status: overBudget.status }),
        ...(overBudget.detail === undefined ? {} : { detail: overBudget.detail }),
      }),
    };
  }
  return outcome;
}
