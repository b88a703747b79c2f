// One rate limiter per target (bottleneck): spacing at the known rate, a whole-limiter pause on 429/529, slow recovery.
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
// Spacing is a hair wider than 1/R: timers and loopback latency jitter, and a token bucket forgives no early arrival.
const spacingMargin = 1.02;

export function createThrottle(options: ThrottleOptions): Throttle {
  const configured = options.requestsPerSecond;
  const floor = Math.min(configured, 0.1);
  let rate = configured;
  let pausedUntil = 0;
  let pauseTimer: NodeJS.Timeout | undefined;
  let lastThrottledAt = -Infinity;
  let lastRecoveryAt = 0;

  const minTime = (rps: number): number => Math.ceil((1000 / rps) * spacingMargin);
  const limiter = new Bottleneck({ maxConcurrent: options.maxConcurrency, minTime: minTime(rate) });

  function setRate(next: number): void {
    rate = Math.max(floor, Math.min(configured, next));
    void limiter.updateSettings({ minTime: minTime(rate) });
  }

  function pause(ms: number): void {
    const until = Date.now() + ms;
    if (until <= pausedUntil) return;
    pausedUntil = until;
    // Reservoir 0 stops bottleneck from starting jobs; restoring it starts them again, spaced by minTime.
    void limiter.updateSettings({ reservoir: 0 });
    if (pauseTimer) clearTimeout(pauseTimer);
    pauseTimer = setTimeout(() => {
      pauseTimer = undefined;
      void limiter.updateSettings({ reservoir: null });
    }, ms);
    pauseTimer.unref();
  }

  return {
    schedule: (send) =>
      limiter.schedule(async () => {
        // A job bottleneck had already started (waiting out minTime) when the pause began still honours it.
        const wait = pausedUntil - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        return send();
      }),
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
    stop: async () => {
      if (pauseTimer) clearTimeout(pauseTimer);
      await limiter.stop({ dropWaitingJobs: true });
    },
  };
}
