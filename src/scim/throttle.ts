// One rate limiter per target (bottleneck): spacing at the known rate, a whole-limiter pause on 429/529, slow recovery.
import { performance } from 'node:perf_hooks';
import Bottleneck from 'bottleneck';

export interface ThrottleOptions {
  requestsPerSecond: number;
  maxConcurrency: number;
  /** Pause when a throttle answer carries no Retry-After. */
  defaultPauseMs: number;
}

export interface Throttle {
  schedule<T>(send: () => Promise<T>): Promise<T>;
  /** A 429/529 answer to a request started at `startedAt`: pause everyone, and lower the rate if it keeps happening. */
  noteThrottled(startedAt: number, retryAfterMs: number | undefined): void;
  /** A request that was not throttled: the rate creeps back towards the configured one. */
  noteAccepted(): void;
  currentRequestsPerSecond(): number;
  stop(): Promise<void>;
}

// A throttling episode that follows another within this window lowers the rate by this factor.
const repeatWindowMs = 30_000;
const lowerFactor = 0.75;
// Recovery: 5% of the configured rate per second without throttling, so a drop of 25% takes about 5 s to heal.
const recoveryStepFraction = 0.05;
const recoveryIntervalMs = 1_000;
// Spacing is a hair wider than 1/R: timers and latency jitter, and a token bucket forgives no early arrival.
const spacingMargin = 1.02;
// How late a timer may fire and still be made up for by the next request.
const lateCreditMs = 2;

export function createThrottle(options: ThrottleOptions): Throttle {
  const configured = options.requestsPerSecond;
  // Repeated throttling never takes the rate below a tenth of the configured one.
  const floor = configured / 10;
  let rate = configured;
  let pausedUntil = 0;
  /** performance.now() time before which the next request may not be sent. */
  let nextSendAt = 0;
  let lastThrottledAt = -Infinity;
  let lastRecoveryAt = 0;

  // Fractional milliseconds: at 50/s, rounding 20.4 ms up to 21 would cost 3% of the throughput.
  const spacingMs = (rps: number): number => (1000 / rps) * spacingMargin;
  // Bottleneck keeps the queue and the concurrency; spacing and pauses are kept at send time (sendWhenDue).
  const limiter = new Bottleneck({ maxConcurrent: options.maxConcurrency });

  function setRate(next: number): void {
    rate = Math.max(floor, Math.min(configured, next));
  }

  /**
   * Waits until this request is due: after any pause, and one spacing after the previous one. Kept here rather
   * than with bottleneck's minTime, which fixes start times in advance: after an event-loop stall those timers
   * fire together, a burst the target's token bucket answers with 429.
   */
  async function sendWhenDue<T>(send: () => Promise<T>): Promise<T> {
    for (;;) {
      const wait = Math.max(pausedUntil - Date.now(), nextSendAt - performance.now());
      if (wait <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    // Spacing counts from when this request was due, so a timer firing a little late is made up for (by at most
    // `lateCreditMs`) instead of adding up over hundreds of requests.
    const now = performance.now();
    nextSendAt = Math.max(nextSendAt, now - lateCreditMs) + spacingMs(rate);
    return send();
  }

  /** Holds every request not yet sent until `ms` from now; the longer of two overlapping pauses wins. */
  function pause(ms: number): void {
    pausedUntil = Math.max(pausedUntil, Date.now() + ms);
  }

  return {
    schedule: (send) => limiter.schedule(() => sendWhenDue(send)),
    noteThrottled(startedAt, retryAfterMs) {
      const now = Date.now();
      // A request sent before the last throttle answer belongs to that episode; only a new episode counts as repeated.
      if (startedAt >= lastThrottledAt) {
        if (now - lastThrottledAt < repeatWindowMs) setRate(rate * lowerFactor);
        lastThrottledAt = now;
      }
      lastRecoveryAt = now;
      pause(retryAfterMs ?? options.defaultPauseMs);
    },
    noteAccepted() {
      const now = Date.now();
      if (rate >= configured || now - lastRecoveryAt < recoveryIntervalMs) return;
      lastRecoveryAt = now;
      setRate(rate + configured * recoveryStepFraction);
    },
    currentRequestsPerSecond: () => rate,
    stop: () => limiter.stop({ dropWaitingJobs: true }),
  };
}
