// The Notion simulator's token bucket in virtual time (no HTTP, no timers, no other load), driving an adaptive rate:
// one request in flight, 1 ms each way, sent at the limiter's rate; a 429 pauses for Retry-After (whole seconds, at
// least 1, as the simulator answers). Shared by the adaptive rate's unit tests and its benchmark's model run.
import type { AdaptiveRate, LearntRate } from '../../scim/adaptive-rate.js';

export interface VirtualBucketRun {
  sent: number;
  throttled: number;
  /** Since when (virtual ms) the learnt rate has stayed within 10% of the limit; undefined when it is not at the end. */
  withinMs: number | undefined;
  learnt: LearntRate;
}

export function runAgainstVirtualBucket(rate: AdaptiveRate, bucket: { limit: number; burst: number; seconds: number }): VirtualBucketRun {
  const { limit, burst } = bucket;
  let now = 0;
  let tokens = burst;
  let refilledAt = 0;
  let sent = 0;
  let throttled = 0;
  let within: number | undefined;
  while (now < bucket.seconds * 1000) {
    const arrival = now + 1;
    tokens = Math.min(burst, tokens + ((arrival - refilledAt) / 1000) * limit);
    refilledAt = arrival;
    sent += 1;
    let next = now + 1000 / rate.rate;
    if (tokens >= 1) {
      tokens -= 1;
      rate.accepted(arrival + 1);
    } else {
      throttled += 1;
      rate.throttled(now, arrival + 1);
      next = arrival + 1 + Math.max(1, Math.ceil((1 - tokens) / limit)) * 1000;
    }
    const learnt = rate.learnt().requestsPerSecond;
    if (learnt >= 0.9 * limit && learnt <= 1.1 * limit) within ??= now;
    else within = undefined;
    now = next;
  }
  return { sent, throttled, withinMs: within, learnt: rate.learnt() };
}
