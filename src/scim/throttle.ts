// One rate limiter per target (bottleneck): spacing at the known rate (minTime), a whole-limiter pause on 429/529
// (reservoir 0 until the Retry-After is over), and a rate lowered on repeated throttling that recovers slowly.
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
const requeued = Symbol('requeued');

export function createThrottle(options: ThrottleOptions): Throttle {
  const configured = options.requestsPerSecond;
  // Repeated throttling never takes the rate below a tenth of the configured one.
  const floor = configured / 10;
  let rate = configured;
  let lastThrottledAt = -Infinity;
  let lastRecoveryAt = 0;

  // Fractional milliseconds: at 50/s, rounding 20.4 ms up to 21 would cost 3% of the throughput.
  const minTime = (rps: number): number => (1000 / rps) * spacingMargin;
  const limiter = new Bottleneck({ maxConcurrent: options.maxConcurrency, minTime: minTime(rate) });

  function setRate(next: number): void {
    const bounded = Math.max(floor, Math.min(configured, next));
    if (bounded === rate) return;
    rate = bounded;
    void limiter.updateSettings({ minTime: minTime(rate) });
  }

  // The pause: bottleneck's reservoir at 0 holds every queued request until the Retry-After is over.
  let pausedUntil = 0;
  let pauseTimer: NodeJS.Timeout | undefined;

  /** Holds every request not yet sent until `ms` from now; the longer of two overlapping pauses wins. */
  function pause(ms: number): void {
    const until = Date.now() + ms;
    if (until <= pausedUntil) return;
    if (pauseTimer === undefined) void limiter.updateSettings({ reservoir: 0 });
    else clearTimeout(pauseTimer);
    pausedUntil = until;
    pauseTimer = setTimeout(endPause, ms);
  }

  function endPause(): void {
    pauseTimer = undefined;
    void limiter.updateSettings({ reservoir: null });
  }

  /**
   * A request bottleneck had already released to its minTime slot when a pause began is not sent: it goes back to
   * the front of the queue, to leave after the pause at the limiter's spacing like everyone else.
   */
  async function schedule<T>(send: () => Promise<T>): Promise<T> {
    for (let priority = 5; ; priority = 0) {
      const outcome = await limiter.schedule({ priority }, async () => (pauseTimer === undefined ? { sent: await send() } : requeued));
      if (outcome !== requeued) return outcome.sent;
    }
  }

  return {
    schedule,
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
    async stop() {
      if (pauseTimer !== undefined) clearTimeout(pauseTimer);
      pauseTimer = undefined;
      await limiter.stop({ dropWaitingJobs: true });
    },
  };
}
