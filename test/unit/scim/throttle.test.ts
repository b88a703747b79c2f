import { afterEach, describe, expect, it, vi } from 'vitest';
import { conservativeStartRps } from '../../../src/scim/adaptive-rate.js';
import { createThrottle, type Throttle } from '../../../src/scim/throttle.js';

let throttle: Throttle | undefined;

afterEach(async () => {
  await throttle?.stop();
  vi.useRealTimers();
});

describe('the adaptive rate', () => {
  it('keeps the rate after one throttling episode, however many answers it brings', () => {
    throttle = createThrottle({ requestsPerSecond: 20, maxConcurrency: 4, defaultPauseMs: 10 });
    const before = Date.now() - 5;
    // Four requests in flight when the limit hit: one episode.
    for (let i = 0; i < 4; i += 1) throttle.noteThrottled(before, 10);
    expect(throttle.currentRequestsPerSecond()).toBe(20);
  });

  it('lowers the rate when throttling comes back, and recovers it slowly once answers are accepted', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    throttle = createThrottle({ requestsPerSecond: 20, maxConcurrency: 1, defaultPauseMs: 10 });
    throttle.noteThrottled(Date.now(), 10);
    vi.advanceTimersByTime(100);
    throttle.noteThrottled(Date.now(), 10);
    expect(throttle.currentRequestsPerSecond()).toBe(15);
    throttle.noteAccepted();
    expect(throttle.currentRequestsPerSecond()).toBe(15);
    for (let second = 0; second < 10; second += 1) {
      vi.advanceTimersByTime(1_000);
      throttle.noteAccepted();
    }
    expect(throttle.currentRequestsPerSecond()).toBe(20);
  });
});

describe('pacing and pauses through the one limiter', () => {
  it('spaces sends at the rate, and holds even those already released to their slot while a Retry-After lasts', async () => {
    throttle = createThrottle({ requestsPerSecond: 10, maxConcurrency: 4, defaultPauseMs: 10 });
    const sentAt: number[] = [];
    const jobs = Array.from({ length: 4 }, (_, i) =>
      throttle!.schedule(async () => {
        sentAt.push(Date.now());
        // The first answer is a 429 asking for 300 ms: the three others were already queued or in their slot.
        if (i === 0) throttle!.noteThrottled(Date.now(), 300);
        return i;
      }),
    );
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3]);
    const [first, ...later] = sentAt;
    for (const at of later) expect(at - first!).toBeGreaterThanOrEqual(295);
    for (let i = 1; i < later.length; i += 1) expect(later[i]! - later[i - 1]!).toBeGreaterThanOrEqual(95);
  });
});

describe('auto: the learnt rate kept between cycles', () => {
  it('starts from the stored rate before the first request leaves, and saves what it learnt when stopped', async () => {
    const saved: unknown[] = [];
    throttle = createThrottle({
      requestsPerSecond: 'auto', maxConcurrency: 1, defaultPauseMs: 10,
      adaptive: {
        floorRps: 0.5, ceilingRps: 100,
        memory: { load: async () => ({ requestsPerSecond: 40, throttledAtRps: 44 }), save: async (learnt) => void saved.push(learnt) },
      },
    });
    expect(await throttle.schedule(async () => throttle!.currentRequestsPerSecond())).toBe(40);
    await throttle.stop();
    throttle = undefined;
    expect(saved).toEqual([{ requestsPerSecond: 40, throttledAtRps: 44 }]);
  });

  it('starts afresh when the stored rate cannot be read', async () => {
    throttle = createThrottle({
      requestsPerSecond: 'auto', maxConcurrency: 1, defaultPauseMs: 10,
      adaptive: { floorRps: 0.5, ceilingRps: 100, memory: { load: () => Promise.reject(new Error('store down')), save: async () => undefined } },
    });
    expect(await throttle.schedule(async () => throttle!.currentRequestsPerSecond())).toBe(conservativeStartRps);
  });

  it('keeps its rate between the floor and the ceiling', () => {
    throttle = createThrottle({ requestsPerSecond: 'auto', maxConcurrency: 1, defaultPauseMs: 10, adaptive: { floorRps: 2, ceilingRps: 3 } });
    expect(throttle.currentRequestsPerSecond()).toBe(2);
    for (let i = 0; i < 5; i += 1) throttle.noteThrottled(Date.now() + i, 1);
    expect(throttle.currentRequestsPerSecond()).toBe(2);
  });
});

describe('auto: pacing after a stall', () => {
  it('spaces sends from the last actual send: slots that fell due while the event loop was blocked do not leave together', async () => {
    throttle = createThrottle({ requestsPerSecond: 'auto', maxConcurrency: 4, defaultPauseMs: 10, adaptive: { floorRps: 10, ceilingRps: 10 } });
    const sentAt: number[] = [];
    const jobs = Array.from({ length: 4 }, () => throttle!.schedule(async () => void sentAt.push(Date.now())));
    // Shortly after, the event loop is blocked for 400 ms: the slots bottleneck gave the three others fall due meanwhile.
    setTimeout(() => {
      for (const until = Date.now() + 400; Date.now() < until; );
    }, 50);
    await Promise.all(jobs);
    for (let i = 1; i < sentAt.length; i += 1) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(95);
  });
});

describe('auto: slots taken in ahead', () => {
  it('keeps as many requests in flight as slow answers need to hold the rate', async () => {
    throttle = createThrottle({ requestsPerSecond: 'auto', maxConcurrency: 4, defaultPauseMs: 10, adaptive: { floorRps: 4, ceilingRps: 4 } });
    let inFlight = 0;
    let mostInFlight = 0;
    // Answers take 700 ms at 4 requests/second: about three in flight (half a second of slots would allow two).
    const jobs = Array.from({ length: 12 }, () =>
      throttle!.schedule(async () => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 700));
        inFlight -= 1;
      }),
    );
    await Promise.all(jobs);
    expect(mostInFlight).toBeGreaterThanOrEqual(3);
  });
});
