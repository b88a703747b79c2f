// Group member changes in adaptive batches: the batch grows while the target accepts and halves when it refuses one
// for its size; a refused batch is bisected so that one bad id (a guest, a removed member, an unknown id) leaves the
// others applied and comes back alone with its own answer. Notion's limit per PATCH is undocumented (§4).
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
 * The batch size learnt in this client's life (one cycle): starts at the ceiling (the plan's batch size), is halved
 * when a batch is refused for its size, and grows back while batches of the current size are accepted, never past
 * the smallest size refused so far. A binary search between the largest size accepted and the smallest refused.
 */
export class MemberBatchSize {
  private size: number;
  private largestAccepted = 0;
  private smallestRefused: number;

  constructor(readonly ceiling: number, start: number = ceiling) {
    this.smallestRefused = ceiling + 1;
    this.size = Math.max(1, Math.min(ceiling, Math.floor(start)));
  }

  get current(): number {
    return this.size;
  }

  accepted(count: number): void {
    this.largestAccepted = Math.max(this.largestAccepted, count);
    const upper = Math.min(this.ceiling, this.smallestRefused - 1);
    if (count >= this.size && this.size < upper) this.size += Math.ceil((upper - this.size) / 2);
  }

  refusedForSize(count: number): void {
    if (count <= 1) return;
    this.smallestRefused = Math.min(this.smallestRefused, count);
    // The target's limit went down since that size was accepted: what was learnt above it is void.
    if (this.largestAccepted >= count) this.largestAccepted = 0;
    this.size = Math.max(1, Math.min(this.size, Math.max(this.largestAccepted, Math.floor(count / 2))));
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
