// The adaptive rate (NOTION_RATE_LIMIT_RPS=auto), as pure logic: what the limiter's rate becomes after each accepted
// or throttled answer. Notion documents no SCIM rate limit (reference notion-scim.md §5.1), so the limit is found by
// probing: grow by half per window while nothing is known (slow start); after the first 429, climb from the last
// rate that went through in small additive steps, each step only while the 429s so far stay near 1% of the requests
// (a 429 credit); on a 429 fall back two steps; throttled at two rates in turn, compute the limit from the two
// intervals between 429s (drains). No clock and no timers here: `now` is passed in.
//
// What a 429 alone can tell, and so what cannot be promised: the only signal is the 429 (Notion sends no remaining
// budget), so before its first 429 the limiter does the same at every limit. Whatever rate it has learnt by then is
// the same for a limit of 1 and of 50 req/s; to learn either within 10% it must draw a 429 at the lower limit. At
// 1 req/s a minute holds at most 62 accepted requests (60 plus a 2-deep burst), so that one 429 is 1.6%: no limit
// below 1.62 req/s can be found in a minute at ≤ 1% 429s, by this or any limiter that learns from 429s alone.
// Nor every limit up to 3.28 req/s while the bucket's depth is unknown (Notion's is): below that a minute behind a
// 2-deep bucket holds fewer than 200 accepted requests, so it affords that one 429 only. The 429 tells when the
// bucket ran dry, and a limit 23% lower behind a deeper bucket runs dry at the same moment; with no second 429 the
// two look the same to the end of the minute, so the limiter keeps one rate for both and misses one of them by more
// than 10%. A second 429 narrows it: the depth slow start emptied and the drain that follows must fit one limit
// (bucket-fit.ts), and when every limit that fits lies within 10%, the lowest is taken; often they span more, as a
// shallow bucket at one limit and a deep one at another drain alike. Assuming a depth trades one depth's limits for
// another's. Tried in the benchmark's model over the 43 limits from 1.62 to 50 req/s: slow start's 429 read as the
// moment a bucket one second deep ran dry met 3 or 4 more limits behind a 2-deep bucket, 0 or 1 fewer behind one a
// second deep, and drew up to 4 429s where 1 had come below 1.62 req/s. So no depth is assumed.

import { limitsFitting, type SlowStartTrace } from './bucket-fit.js';

export interface AdaptiveRateSettings {
  /** Lowest rate, whatever the throttling (requests/second). */
  floorRps: number;
  /** Highest rate ever probed. */
  ceilingRps: number;
  /** With no stored rate, start here (default `conservativeStartRps`), or at the floor or ceiling when that binds. */
  startRps?: number;
}

/** What is kept between cycles (the store's rate_limit_state row). */
export interface LearntRate {
  /** The rate confirmed last: the next cycle starts here. */
  requestsPerSecond: number;
  /** The lowest rate that drew a 429, when one did: probing stays below it until it is retried. */
  throttledAtRps: number | null;
}

export interface AdaptiveRate {
  /** The rate the limiter should run at now. */
  readonly rate: number;
  /** An answer that was not throttled, received at `now` (ms). */
  accepted(now: number): void;
  /** A 429/529 to a request sent at `startedAt`. Answers to requests sent before the last episode's answer belong to it. */
  throttled(startedAt: number, now: number): void;
  /** What to keep for the next cycle. */
  learnt(): LearntRate;
}

// With no stored rate, start here (or at the floor or ceiling, whichever binds): under the 2.5 req/s this project
// once paced at, and under the 3 req/s Notion documents for its public API. Below 3.28 req/s the goal cannot be met at
// every limit anyway (see above), so starting at 1 only delayed every higher limit: in the benchmark's model, starting
// at 2 met more limits from 3.28 to 50 req/s behind every depth tried (1 token, 2, 5, half a second, a second, two).
export const conservativeStartRps = 2;
// Until the first 429 (slow start) each window that passes multiplies the rate by this: 2 to 50 req/s in ~15 s.
const slowStartFactor = 1.5;
// A window lasts at least a second and at least this many requests. A token bucket's depth (burst) hides a rate
// above the limit for a while: 8 requests 15% over a 2-token bucket empty it, so slow start's overshoot shows within
// a window or two; a climb step of 5% needs about 21, so climb windows are 24 requests (2.4 s at 10 req/s).
const minWindowMs = 1_000;
const slowStartWindowRequests = 8;
// ... but no slow-start window lasts longer than this: below 2 req/s a minute cannot afford the 429s that precision
// would cost anyway (see above), and every limit above waits for these first windows (4 s at 2 req/s).
const maxSlowStartWindowMs = 4_000;
const climbWindowRequests = 24;
// After the first 429 the rate climbs in steps of this share of the rate that went through last, stopping a step
// short of the lowest rate throttled. A step that draws a 429 is at most a step or two above the limit (a window
// sees 5% of excess), so the rate falls back two steps: below the limit and within 10% of it.
const climbStep = 0.05;
const climbFallback = 0.9;
// After slow start's 429, climbing waits this many pauses (Retry-After) at the rate it went back to. Proving that rate
// a step under the limit whatever the depth would take 19 pauses, which cost a bucket 2 deep at 50 req/s 19 s at 68%
// of its limit; 5 met as many limits in the benchmark's model and took 4 s more than none there, where none let a
// bucket a second deep at 25 and 50 req/s hide slow start's overshoot for 16 s longer.
const slowStartDepthPauses = 5;
// A confirmed rate throttled again shows a bucket deep enough to hide the excess for a whole window: each time, the
// windows that confirm a rate grow twice as long (up to 16 s), or as long as the bucket's depth shows (see drains).
const maxWindowMs = 16_000;
// The limiter was the brake during a window if at least this share of its rate was used; otherwise the window says
// nothing about the limit (the engine had too little to send) and the rate is kept.
const saturatedShare = 0.75;
// A window that achieved at least this share of its rate confirms the rate itself; below it, only what it achieved.
const achievedShare = 0.95;
// The 429 credit: each accepted answer earns this, each throttling episode costs 1, and a step up is taken only with
// a whole credit in hand, so that 429s stay near 1% of the requests. The first 429 is free (nothing can be learnt
// without one); at most this many credits are saved up.
const creditPerAccepted = 0.01;
const maxCredit = 2;
// The step that would reach the throttled rate itself (has the limit risen?) is a probe: taken only after this many
// accepted requests since the last 429, doubling after every failure (up to the max), so that a rate just under the
// limit costs ever fewer 429s and the limit rising is still noticed.
const baseProbeGap = 100;
const maxProbeGap = 3_200;
// A 429 at or below the confirmed rate, the first for this many accepted requests, changes nothing but the pause: a
// burst of arrivals bunched by the network (or a busy server) empties a shallow bucket below its rate. Two within
// this many, or two such at the same rate, mean the rate is too high; so does one that ends a drain which, with the
// drain before it at another rate, gives a limit (limitFromDrains): at tens of requests a second this many pass in
// the few seconds a deep bucket takes to run dry 20% over its limit, and bunched arrivals keep no such cadence.
const isolatedAfter = 200;
// Too high: near a rate confirmed earlier, step down gently (a burst allowance hid a small excess for a window);
// far below it, or with nothing confirmed yet, the limit fell (another client shares it) or was never known: halve.
// Lower, to the limit measured from two drains when there are two (below), or to the rate accepted between two
// episodes far apart: between two moments the bucket was empty it accepted no more than the limit brought.
const gentleDecrease = 0.9;
const decrease = 0.5;
const nearConfirmed = 0.7;
// Two drains tell the limit only while the limit and the pause stay the same: the older one is used this long.
const drainsFreshForMs = 30_000;

/** An interval between two 429 episodes at one rate: the bucket went from empty (after the pause) to empty again. */
interface Drain {
  rps: number;
  accepted: number;
  ms: number;
  /** When it ended. */
  at: number;
}

/**
 * The limit from two drains at different rates, both above it. Each drain accepts the tokens the pause left (the
 * same for the same pause) plus the limit's refill while sending: accepted = tokens + limit × sending time. With
 * the same pause in both, the difference of the two gives the limit whatever the bucket's depth:
 * limit = Δaccepted / Δduration; and the tokens the pause left = 1 + accepted × (1 - limit / rate).
 */
export function limitFromDrains(a: Drain, b: Drain): { limit: number; depth: number } | undefined {
  const [fast, slow] = a.rps > b.rps ? [a, b] : [b, a];
  if (slow.ms - fast.ms < minWindowMs / 4) return undefined;
  const limit = (slow.accepted - fast.accepted) / ((slow.ms - fast.ms) / 1000);
  if (!(limit > 0 && limit < slow.rps)) return undefined;
  return { limit, depth: 1 + fast.accepted * (1 - limit / fast.rps) };
}

export function createAdaptiveRate(settings: AdaptiveRateSettings, stored?: LearntRate): AdaptiveRate {
  const bounded = (rps: number): number => Math.max(settings.floorRps, Math.min(settings.ceilingRps, rps));
  let rate = bounded(stored?.requestsPerSecond ?? settings.startRps ?? conservativeStartRps);
  /** Until the first 429 (cold start only): multiply per window. */
  let slowStart = stored === undefined;
  /** Highest rate sustained through a whole window since the last decrease; undefined until one is. */
  let confirmed: number | undefined;
  /** The confirmed rate before the last decrease: says whether a throttled rate is near known-good territory. */
  let lastConfirmed: number | undefined = stored?.requestsPerSecond;
  /** Lowest rate throttled (carried over from the stored state): the top of the bracket. */
  let throttledAt: number | undefined = stored?.throttledAtRps ?? undefined;
  if (throttledAt !== undefined && throttledAt <= rate) throttledAt = rate * (1 + 2 * climbStep);
  // A stored rate was learnt in an earlier cycle: the first step above it waits for a credit, as after a 429.
  let credit = stored ? 0 : 1;
  let probeGap = stored ? baseProbeGap : 0;
  let sinceEpisode = stored ? 0 : Infinity;
  let lastEpisodeAt = -Infinity;
  /** The first answer accepted after the last episode: the pause ended about then. */
  let resumedAt: number | undefined;
  /** The rate at which a 429 was let pass as isolated, until the rate changes or another episode comes. */
  let ignoredAt: number | undefined;
  /** When the rate last changed, and the last interval between two episodes at one unchanged rate (a drain). */
  let rateSetAt = -Infinity;
  let climbWaitsGap = false;
  /** Accepted answers and throttling episodes since the start: the probe's budget. */
  let acceptedInAll = 0;
  let episodes = 0;
  let lastDrain: Drain | undefined;
  /** Slow start's accepted answers, then with its 429: kept until the drain that follows says which limits fit. */
  let slowStartAccepted: number[] | undefined = slowStart ? [] : undefined;
  let slowStartTrace: SlowStartTrace | undefined;
  let windowStart: number | undefined;
  let windowAccepted = 0;
  let confirmWindowMs = minWindowMs;

  const windowMs = (): number =>
    slowStart ? Math.max(minWindowMs, Math.min(maxSlowStartWindowMs, (slowStartWindowRequests / rate) * 1000)) : Math.max(confirmWindowMs, (climbWindowRequests / rate) * 1000);

  function restartWindow(): void {
    windowStart = undefined;
    windowAccepted = 0;
  }

  function setRate(next: number, now: number): void {
    if (bounded(next) !== rate) rateSetAt = now;
    rate = bounded(next);
    restartWindow();
  }

  /**
   * A window at `rate` passed with the limiter busy and no 429: what it achieved is confirmed (the rate asked for,
   * unless the sends fell short of it: a limiter still sending at the previous rate, a client too busy), and maybe a
   * step up follows.
   */
  function windowPassed(now: number, achieved: number): void {
    confirmed = Math.max(confirmed ?? 0, achieved >= achievedShare * rate ? rate : achieved);
    lastConfirmed = confirmed;
    if (slowStart) return setRate(rate * slowStartFactor, now);
    // The throttled rate passed a window: the limit may have risen. The bracket moves up by a step, no more: a short
    // window above the limit can pass behind a burst allowance, and slow start from there would overshoot.
    if (throttledAt !== undefined && confirmed >= throttledAt) throttledAt = confirmed * (1 + 2 * climbStep);
    if (waitsOutSlowStartDepth(now)) return restartWindow();
    // A step up is taken only with a credit in hand for the 429 that may end it. Steps stay a step clear of the
    // throttled rate; the step that would reach it is a probe (the limit may have risen), taken only after a probe
    // gap, longer after each failure.
    if (credit < 1 || (climbWaitsGap && sinceEpisode < probeGap)) return restartWindow();
    const step = confirmed * (1 + climbStep);
    if (throttledAt === undefined || step < throttledAt * (1 - climbStep)) return setRate(step, now);
    // A probe is not needed to stay near the limit, so it waits until one more 429 keeps them within 1% of all the
    // requests so far, the free first one included.
    if (sinceEpisode < probeGap || episodes + 1 > creditPerAccepted * (acceptedInAll + episodes + 1)) return restartWindow();
    setRate(Math.min(step, throttledAt), now);
  }

  /**
   * Slow start's last confirmed rate may have passed only behind the bucket's depth (up to 1.7 times the limit behind
   * a bucket a second deep). Until it has run a few pauses without a 429 it is not a base to climb from: a bucket
   * refilled by the whole pause runs dry within five pauses at 20% over its limit.
   */
  function waitsOutSlowStartDepth(now: number): boolean {
    if (slowStartTrace === undefined || slowStartTrace.throttledAt !== lastEpisodeAt || resumedAt === undefined) return false;
    const pauseMs = resumedAt - lastEpisodeAt;
    return now - resumedAt < slowStartDepthPauses * pauseMs;
  }

  return {
    get rate() {
      return rate;
    },
    accepted(now) {
      if (sinceEpisode === 0) resumedAt = now;
      sinceEpisode += 1;
      acceptedInAll += 1;
      credit = Math.min(maxCredit, credit + creditPerAccepted);
      if (slowStart) slowStartAccepted?.push(now);
      if (windowStart === undefined) {
        windowStart = now;
        windowAccepted = 0;
        return;
      }
      windowAccepted += 1;
      const elapsed = now - windowStart;
      if (elapsed < windowMs()) return;
      if (windowAccepted >= saturatedShare * rate * (elapsed / 1000)) windowPassed(now, windowAccepted / (elapsed / 1000));
      else restartWindow();
    },
    throttled(startedAt, now) {
      // Requests already in flight when the first 429 came back are the same episode: counted once.
      if (startedAt < lastEpisodeAt) return;
      const acceptedBetween = sinceEpisode;
      const previousAt = lastEpisodeAt;
      lastEpisodeAt = now;
      sinceEpisode = 0;
      credit -= 1;
      episodes += 1;
      const failed = rate;
      const drain = previousAt > -Infinity && rateSetAt <= previousAt ? { rps: failed, accepted: acceptedBetween, ms: now - previousAt, at: now } : undefined;
      const previousDrain = lastDrain !== undefined && now - lastDrain.at <= drainsFreshForMs ? lastDrain : undefined;
      if (drain) lastDrain = drain;
      if (slowStart || (confirmed !== undefined && failed > confirmed)) {
        // A step above the confirmed rate failed (or slow start ended). The next probe of the throttled rate waits a
        // probe gap, twice as long after each failure.
        probeGap = slowStart ? 0 : Math.min(maxProbeGap, Math.max(baseProbeGap, probeGap * 2));
        // A step failed below the rate throttled before: the limit is lower than the last failure showed (a deep
        // burst allowance hid it, or the limit fell). No climbing until a probe gap has passed, so that the rate
        // settles and the drains show the limit.
        climbWaitsGap = !slowStart && throttledAt !== undefined && failed < throttledAt;
        const endsSlowStart = slowStart;
        if (endsSlowStart && slowStartAccepted) slowStartTrace = { acceptedAt: slowStartAccepted, throttledAt: now };
        slowStartAccepted = undefined;
        slowStart = false;
        ignoredAt = undefined;
        throttledAt = Math.min(throttledAt ?? Infinity, failed);
        if (confirmed === undefined) return setRate(failed * decrease, now);
        // Back to the confirmed rate after slow start. After a climb step, the step below it may itself have gone
        // through only behind the burst allowance: back two steps, below a rate that went through.
        if (!endsSlowStart) confirmed = Math.min(confirmed, failed * climbFallback);
        return setRate(confirmed, now);
      }
      // At or below the confirmed rate. Once in a while that is arrivals bunched by the network, not the rate; but
      // the second such 429 at the same rate is a cadence: the rate is too high behind a deep burst allowance. So are
      // two drains at two rates that give one limit below both.
      const drained = drain && previousDrain ? limitFromDrains(previousDrain, drain) : undefined;
      const isolated = (previousAt === -Infinity || acceptedBetween >= isolatedAfter) && drained === undefined;
      if (isolated && ignoredAt !== failed) {
        ignoredAt = failed;
        return;
      }
      ignoredAt = undefined;
      throttledAt = Math.min(throttledAt ?? Infinity, failed);
      if (confirmed !== undefined) {
        lastConfirmed = confirmed;
        confirmWindowMs = Math.min(maxWindowMs, confirmWindowMs * 2);
      }
      const near = lastConfirmed !== undefined && failed >= nearConfirmed * lastConfirmed;
      confirmed = undefined;
      // A gentle step keeps the probe gap (the limit did not move much); halving starts the search afresh.
      if (!near) probeGap = baseProbeGap;
      let next = failed * (near ? gentleDecrease : decrease);
      // Between two episodes the bucket was empty twice, so no more than the limit's refill was accepted in between:
      // over a long interval (the pause a small part of it) that accepted rate is close to the limit from below.
      const betweenS = (now - previousAt) / 1000;
      if (isolated && previousAt > -Infinity) next = Math.max(failed * decrease, Math.min(next, acceptedBetween / betweenS));
      // The first drain after slow start: when the limits that fit both lie within 10% of the lowest, that lowest is
      // within 10% of the limit and not above it, where a gentle step from a rate the depth hid may still be above.
      const fitting = drain && slowStartTrace?.throttledAt === previousAt ? limitsFitting(slowStartTrace, drain) : undefined;
      slowStartTrace = undefined;
      if (fitting && fitting.high <= fitting.low / 0.9) next = fitting.low;
      // Behind a bucket as deep as the deepest that fits, a climb step's excess shows only after (depth - 1) / excess.
      if (fitting) confirmWindowMs = Math.min(maxWindowMs, Math.max(confirmWindowMs, ((fitting.deepest - 1) / (climbStep * fitting.low)) * 1000));
      if (drained) {
        // A step under the limit the drains give: each drain's count is off by up to a token (the fraction the bucket
        // held at each 429), so the limit is known to a few percent, and a rate just above it would draw a 429 more.
        next = Math.max(failed * decrease, Math.min(next, drained.limit * (1 - climbStep)));
        // The bucket's depth shows how long a window must be to see a climb step's excess.
        confirmWindowMs = Math.min(maxWindowMs, Math.max(confirmWindowMs, ((drained.depth - 1) / (climbStep * drained.limit)) * 1000));
      }
      // A step down never goes below what the limit let through since the last episode: the bucket held under one
      // token then, so the limit refilled at least all accepted since but one (less a step, for answers to requests
      // sent before that episode). Halving from a rate just above the limit would run the rest of the cycle, and the
      // next one, at half the limit.
      if (previousAt > -Infinity) next = Math.max(next, Math.min(failed * gentleDecrease, (1 - climbStep) * ((acceptedBetween - 1) / betweenS)));
      // The step down says the limit is below the rate that failed, not where: above two steps from here is unknown
      // again, so that the climb stops there and what lies above is probed, with the probe's stricter budget.
      throttledAt = Math.min(throttledAt, next * (1 + 2 * climbStep));
      setRate(next, now);
    },
    learnt() {
      return { requestsPerSecond: confirmed ?? rate, throttledAtRps: throttledAt ?? null };
    },
  };
}
