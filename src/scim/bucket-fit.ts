// Which token-bucket limits fit what the adaptive rate saw from a cold start to its second 429: slow start's accepted
// answers up to its 429, then a drain (a pause, then sending at one rate until the next 429). Pure arithmetic.
//
// Slow start's 429 alone fits every limit, each with its own depth: the bucket was full when the rate first passed
// the limit and empty at the 429, so a limit R gives the depth D(R) that slow start's excess over R emptied. The drain
// then accepted what the pause refilled (min(D, R × pause)) plus R × its sending time. Both hold for some limits only:
// behind a bucket deeper than the pause's refill the drain lasts as long as the limit says, behind a shallow one as
// long as its depth says, and a limit far from the true one fits only if its depth happens to make up the difference.

/** Slow start's accepted answers (ms) and its 429 (ms): the bucket full at the first, empty at the last. */
export interface SlowStartTrace {
  acceptedAt: readonly number[];
  throttledAt: number;
}

/** From slow start's 429 to the next one, at one rate: a pause, then `accepted` sent at `rps` until the 429. */
export interface DrainTrace {
  rps: number;
  accepted: number;
  ms: number;
}

// Limits are tried this far apart (0.5%): finer than the 10% sought, coarse enough for a few hundred tries.
const tryStep = 1.005;

/**
 * The lowest and highest limit that fit both slow start and the drain, or undefined when none does (the answers were
 * bunched, or the limit changed). Each answer may be off by one token each way (a bucket's fractional token).
 */
export function limitsFitting(slowStart: SlowStartTrace, drain: DrainTrace): { low: number; high: number; deepest: number } | undefined {
  // The sends were spaced at the rate: the last of them, the 429, left `accepted` spacings after the first.
  const sendingS = drain.accepted / drain.rps;
  const pauseS = drain.ms / 1000 - sendingS;
  if (pauseS <= 0 || slowStart.acceptedAt.length === 0) return undefined;
  // Whatever the depth, the drain accepted no more than the pause and the sending refilled, plus the token left over.
  const lowest = (drain.accepted - 1) / (pauseS + sendingS);
  let low: number | undefined;
  let high: number | undefined;
  for (let limit = Math.max(lowest, 0.1); limit < drain.rps; limit *= tryStep) {
    if (!fits(limit)) continue;
    low ??= limit;
    high = limit;
  }
  // The lowest limit that fits has the deepest bucket: slow start's excess over it was the largest.
  return low === undefined || high === undefined ? undefined : { low, high, deepest: Math.min(depthOf(low) + 2, 1 + low * pauseS) };

  function depthOf(limit: number): number {
    // The depth slow start emptied: the most its answers since any one of them exceeded the refill since then.
    const { acceptedAt, throttledAt } = slowStart;
    let excess = -Infinity;
    for (let i = 0; i < acceptedAt.length; i += 1) {
      excess = Math.max(excess, acceptedAt.length - i - (limit * (throttledAt - acceptedAt[i]!)) / 1000);
    }
    return excess;
  }

  function fits(limit: number): boolean {
    const depthLow = depthOf(limit);
    const depthHigh = depthLow + 2;
    const fewest = Math.min(depthLow, limit * pauseS) + limit * sendingS - 1;
    const most = Math.min(depthHigh, 1 + limit * pauseS) + limit * sendingS;
    return drain.accepted > fewest && drain.accepted <= most;
  }
}
