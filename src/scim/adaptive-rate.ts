// The adaptive rate (NOTION_RATE_LIMIT_RPS=auto), as pure logic: what the limiter's rate becomes after each accepted
// or throttled answer. Notion documents no SCIM rate limit (reference notion-scim.md §5.1), so the limit is found by
// probing: grow by half per window while nothing is known (slow start), then bisect between the highest rate confirmed and the lowest throttled,
// spacing the probes further apart after each one that fails. No clock and no timers here: `now` is passed in.

export interface AdaptiveRateSettings {
  /** Lowest rate, whatever the throttling (requests/second). */
  floorRps: number;
  /** Highest rate ever probed. */
  ceilingRps: number;
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
  /** An answer that was not throttled, sent at `startedAt`, received at `now`. */
  accepted(now: number): void;
  /** A 429/529 to a request sent at `startedAt`. Answers to requests sent before the last episode's answer belong to it. */
  throttled(startedAt: number, now: number): void;
  /** What to keep for the next cycle. */
  learnt(): LearntRate;
}

// With no stored rate, start here (or at the floor or ceiling, whichever binds): slow for anyone.
export const conservativeStartRps = 1;
// Until the first 429 (slow start) each window that passes multiplies the rate by this: 1 to 50 req/s in ~25 s, and
// the overshoot that ends it is large enough to show within one window even behind a burst allowance.
const slowStartFactor = 1.5;
// A window lasts at least a second and at least this many requests: a token bucket's depth (burst) hides a rate
// above the limit for a while, and 8 requests 50% over a 2-token bucket empty it.
const minWindowMs = 1_000;
const windowRequests = 8;
// A confirmed rate throttled later shows a bucket deep enough to hide the excess for a whole window: each time, the
// windows that confirm a rate grow twice as long (up to 16 s), so that the next confirmation sees past it.
const maxWindowMs = 16_000;
// The limiter was the brake during a window if at least this share of its rate was used; otherwise the window says
// nothing about the limit (the engine had too little to send) and the rate is kept.
const saturatedShare = 0.75;
// Accepted requests between a 429 and the next probe above the confirmed rate: at most 1 episode in this many.
// Once the bracket is narrow, doubles after every failed probe (up to the max): a rate just under the limit costs
// ever fewer 429s, and the limit rising is still noticed.
const baseProbeGap = 100;
const maxProbeGap = 3_200;
// Bisection stops when the bracket is this narrow: the confirmed rate is then within 5% of the limit.
const bracketPrecision = 0.05;
// A 429 at or below the confirmed rate, the first for this many accepted requests, changes nothing but the pause: a
// burst of arrivals bunched by the network (or a busy server) empties a shallow bucket below its rate, and such
// isolated 429s stay under 1 in 200. Two within this many mean the rate is too high.
const isolatedAfter = 200;
// Too high: near a rate confirmed earlier, step down gently (a burst allowance hid a small excess for a window);
// far below it, or with nothing confirmed yet, the limit fell (another client shares it) or was never known: halve.
const gentleDecrease = 0.9;
const decrease = 0.5;
const nearConfirmed = 0.7;

export function createAdaptiveRate(settings: AdaptiveRateSettings, stored?: LearntRate): AdaptiveRate {
  const bounded = (rps: number): number => Math.max(settings.floorRps, Math.min(settings.ceilingRps, rps));
  let rate = bounded(stored?.requestsPerSecond ?? conservativeStartRps);
  /** Highest rate sustained through a whole window since the last decrease; undefined until one is. */
  let confirmed: number | undefined;
  /** The confirmed rate before the last decrease: says whether a throttled rate is near known-good territory. */
  let lastConfirmed: number | undefined = stored?.requestsPerSecond;
  /** Lowest rate throttled (carried over from the stored state): the top of the bracket. */
  let throttledAt: number | undefined = stored?.throttledAtRps ?? undefined;
  if (throttledAt !== undefined && throttledAt <= rate) throttledAt = rate * (1 + 2 * bracketPrecision);
  let probeGap = baseProbeGap;
  // A stored rate was learnt in an earlier cycle: the first probe above it waits a gap, as after a 429.
  let sinceEpisode = stored ? 0 : Infinity;
  let lastEpisodeAt = -Infinity;
  let windowStart: number | undefined;
  let windowAccepted = 0;
  let confirmWindowMs = minWindowMs;

  const windowMs = (): number => Math.max(throttledAt === undefined ? minWindowMs : confirmWindowMs, (windowRequests / rate) * 1000);

  function restartWindow(): void {
    windowStart = undefined;
    windowAccepted = 0;
  }

  function setRate(next: number): void {
    rate = bounded(next);
    restartWindow();
  }

  /** A window at `rate` passed with the limiter busy and no 429: the rate is confirmed, and maybe a probe follows. */
  function windowPassed(): void {
    confirmed = Math.max(confirmed ?? 0, rate);
    lastConfirmed = confirmed;
    if (throttledAt === undefined) return setRate(rate * slowStartFactor);
    // The throttled rate passed a window: the limit may have risen. The bracket moves up by a step, no more: a short
    // window above the limit can pass behind a burst allowance, and slow start from there would overshoot.
    if (confirmed >= throttledAt) throttledAt = confirmed * (1 + 2 * bracketPrecision);
    if (sinceEpisode < probeGap) return restartWindow();
    // Bisect while the bracket is wide; once narrow, probe the throttled rate itself (the limit may have risen).
    const wide = (throttledAt - confirmed) / confirmed > bracketPrecision;
    setRate(wide ? (confirmed + throttledAt) / 2 : throttledAt);
  }

  return {
    get rate() {
      return rate;
    },
    accepted(now) {
      sinceEpisode += 1;
      if (windowStart === undefined) {
        windowStart = now;
        windowAccepted = 0;
        return;
      }
      windowAccepted += 1;
      const elapsed = now - windowStart;
      if (elapsed < windowMs()) return;
      if (windowAccepted >= saturatedShare * rate * (elapsed / 1000)) windowPassed();
      else restartWindow();
    },
    throttled(startedAt, now) {
      // Requests already in flight when the first 429 came back are the same episode: counted once.
      if (startedAt < lastEpisodeAt) return;
      const isolated = lastEpisodeAt === -Infinity || sinceEpisode >= isolatedAfter;
      lastEpisodeAt = now;
      sinceEpisode = 0;
      const failed = rate;
      if (confirmed !== undefined && failed > confirmed) {
        // A probe above the confirmed rate failed: back to the confirmed rate. Once the bracket is narrow, the next
        // probe waits twice as long.
        const narrow = throttledAt !== undefined && (throttledAt - confirmed) / confirmed <= bracketPrecision;
        throttledAt = Math.min(throttledAt ?? Infinity, failed);
        if (narrow) probeGap = Math.min(maxProbeGap, probeGap * 2);
        return setRate(confirmed);
      }
      if (isolated) return;
      throttledAt = Math.min(throttledAt ?? Infinity, failed);
      if (confirmed !== undefined) lastConfirmed = confirmed;
      const near = lastConfirmed !== undefined && failed >= nearConfirmed * lastConfirmed;
      if (confirmed !== undefined) confirmWindowMs = Math.min(maxWindowMs, confirmWindowMs * 2);
      confirmed = undefined;
      // A gentle step keeps the probe gap (the limit did not move much); halving starts the search afresh.
      if (!near) probeGap = baseProbeGap;
      setRate(failed * (near ? gentleDecrease : decrease));
    },
    learnt() {
      return { requestsPerSecond: confirmed ?? rate, throttledAtRps: throttledAt ?? null };
    },
  };
}
