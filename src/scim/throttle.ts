// One rate limiter per target (bottleneck): spacing at the rate (minTime), a whole-limiter pause on 429/529
// (reservoir 0 until the Retry-After is over). A known rate is used exactly and lowered on repeated throttling (it
// recovers slowly); `auto` learns the rate (adaptive-rate.ts) and keeps it between cycles through a RateMemory.
import Bottleneck from 'bottleneck';
import { createAdaptiveRate, type AdaptiveRate, type AdaptiveRateSettings, type LearntRate } from './adaptive-rate.js';

/** Where the learnt rate is kept between cycles (the store, per target). */
export interface RateMemory {
  load(): Promise<LearntRate | undefined>;
  save(learnt: LearntRate): Promise<void>;
}

export interface AdaptiveThrottleOptions extends AdaptiveRateSettings {
  memory?: RateMemory;
}

export interface ThrottleOptions {
  /** A known limit, used exactly; `auto` finds it (then `adaptive` gives the floor, ceiling and memory). */
  requestsPerSecond: number | 'auto';
  adaptive?: AdaptiveThrottleOptions;
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
  /** With `auto`: what was learnt so far (the confirmed rate, the lowest throttled one). */
  learntRate(): LearntRate | undefined;
  /** Stops the limiter and, with `auto`, saves the learnt rate. */
  stop(): Promise<void>;
}

// A throttling episode that follows another within this window lowers the rate by this factor.
const repeatWindowMs = 30_000;
const lowerFactor = 0.75;
// Recovery: 5% of the configured rate per second without throttling, so a drop of 25% takes about 5 s to heal.
const recoveryStepFraction = 0.05;
const recoveryIntervalMs = 1_000;
const requeued = Symbol('requeued');
const maxSlotAheadSeconds = 0.5;
/** How late a timer usually fires on a busy process: a send up to this late keeps the grid of slots. */
const timerLatenessMs = 2;
export const defaultAdaptiveSettings: AdaptiveRateSettings = { floorRps: 0.5, ceilingRps: 100 };

export function createThrottle(options: ThrottleOptions): Throttle {
  const auto = options.requestsPerSecond === 'auto';
  const settings = options.adaptive ?? defaultAdaptiveSettings;
  let adaptive: AdaptiveRate | undefined = auto ? createAdaptiveRate(settings) : undefined;
  const configured = auto ? settings.ceilingRps : (options.requestsPerSecond as number);
  // Repeated throttling never takes a known rate below a tenth of it.
  const floor = auto ? settings.floorRps : configured / 10;
  let rate = adaptive?.rate ?? configured;
  let lastThrottledAt = -Infinity;
  let lastRecoveryAt = 0;

  // Exactly 1/R, in fractional milliseconds (at 50/s, rounding 20.4 ms up to 21 would cost 3% of the throughput):
  // bottleneck spaces the starts, so jitter only ever makes requests later. No margin under a known limit; `auto`
  // spends that slack on probing.
  const minTime = (rps: number): number => 1000 / rps;
  // Bottleneck gives each job its start slot when it takes it in, up to maxConcurrent jobs ahead: a new rate applies
  // only after those. With `auto`, fewer are taken in at a low rate: as many as leave in half a second, or in twice
  // the time an answer takes (so that slow answers never hold the rate back), at least one. A step up then takes
  // effect within a slot or two, not four slots of the old rate (4 s at 1 req/s) later.
  let answerMs = 0;
  const concurrency = (rps: number): number =>
    auto ? Math.min(options.maxConcurrency, Math.max(1, Math.ceil(rps * Math.max(maxSlotAheadSeconds, (2 * answerMs) / 1000)))) : options.maxConcurrency;
  let maxConcurrent = concurrency(rate);
  const limiter = new Bottleneck({ maxConcurrent, minTime: minTime(rate) });

  function setRate(next: number): void {
    const bounded = Math.max(floor, Math.min(configured, next));
    if (bounded === rate) return;
    rate = bounded;
    maxConcurrent = concurrency(rate);
    void limiter.updateSettings({ minTime: minTime(rate), maxConcurrent });
  }

  /** With `auto`: an answer took `ms`; the slots taken in ahead follow the time answers take (a moving average). */
  function noteAnswerTime(ms: number): void {
    answerMs = answerMs === 0 ? ms : 0.8 * answerMs + 0.2 * ms;
    const next = concurrency(rate);
    if (next === maxConcurrent) return;
    maxConcurrent = next;
    void limiter.updateSettings({ maxConcurrent });
  }

  // The stored rate arrives before the first request leaves: every schedule waits for it (a failed read = start afresh).
  const memory = auto ? options.adaptive?.memory : undefined;
  const loaded: Promise<void> = memory
    ? memory.load().then(
        (learnt) => {
          if (!learnt) return;
          adaptive = createAdaptiveRate(settings, learnt);
          setRate(adaptive.rate);
        },
        () => undefined,
      )
    : Promise.resolve();

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
    await loaded;
    for (let priority = 5; ; priority = 0) {
      const outcome = await limiter.schedule({ priority }, async () => {
        await waitForSendSlot();
        if (pauseTimer !== undefined) return requeued;
        const sentAt = Date.now();
        try {
          return { sent: await send() };
        } finally {
          if (auto) noteAnswerTime(Date.now() - sentAt);
        }
      });
      if (outcome !== requeued) return outcome.sent;
    }
  }

  /**
   * Bottleneck times each slot taken in on its own timer: when the event loop was held (a garbage collection, a
   * synchronous PGlite query, a busy machine), the slots that fell due meanwhile fire together and their requests would
   * leave back to back: a burst the target's token bucket answers with 429 and a second's Retry-After for everyone, and
   * with `auto` a 429 read as the limit (issue 14). So a send also waits until 1/R after the previous send's slot,
   * checked again on waking (the wait is a timer too). The slots keep an exact grid through a timer's usual lateness
   * (no rate lost to it); a send later than that starts the grid afresh, so a stall is never made up by a burst.
   */
  let lastSlot = -Infinity;
  async function waitForSendSlot(): Promise<void> {
    for (;;) {
      const next = lastSlot + minTime(rate);
      const now = performance.now();
      // Under a millisecond early is within any bucket's slack; a timer cannot wait less than one anyway.
      if (now >= next - 1) {
        lastSlot = Math.max(next, now - timerLatenessMs);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, next - now));
    }
  }

  let stopped = false;
  return {
    schedule,
    noteThrottled(startedAt, retryAfterMs) {
      const now = Date.now();
      if (adaptive) {
        adaptive.throttled(startedAt, now);
        setRate(adaptive.rate);
        pause(retryAfterMs ?? options.defaultPauseMs);
        return;
      }
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
      if (adaptive) {
        adaptive.accepted(now);
        setRate(adaptive.rate);
        return;
      }
      if (rate >= configured || now - lastRecoveryAt < recoveryIntervalMs) return;
      lastRecoveryAt = now;
      setRate(rate + configured * recoveryStepFraction);
    },
    currentRequestsPerSecond: () => rate,
    learntRate: () => adaptive?.learnt(),
    async stop() {
      // Idempotent: a client closed twice (a shutdown racing the end of a cycle) stops and saves once.
      if (stopped) return;
      stopped = true;
      if (pauseTimer !== undefined) clearTimeout(pauseTimer);
      pauseTimer = undefined;
      await limiter.stop({ dropWaitingJobs: true });
      // Kept for the next cycle; losing it only costs the next cycle a slower start, so a failed write is not an error.
      if (memory && adaptive) {
        await loaded;
        await memory.save(adaptive.learnt()).catch(() => undefined);
      }
    },
  };
}
