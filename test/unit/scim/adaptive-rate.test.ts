import { describe, expect, it } from 'vitest';
import { conservativeStartRps, createAdaptiveRate, type AdaptiveRate, type LearntRate } from '../../../src/scim/adaptive-rate.js';
import { runAgainstVirtualBucket } from '../../../src/sim/notion/virtual-bucket.js';

const settings = { floorRps: 0.5, ceilingRps: 100 };

/** Feeds `count` accepted answers spaced at the current rate, from `start` (ms); returns the time after the last. */
function acceptAtRate(rate: AdaptiveRate, start: number, count: number): number {
  let now = start;
  for (let i = 0; i < count; i += 1) {
    rate.accepted(now);
    now += 1000 / rate.rate;
  }
  return now;
}

/** A run against the simulator's token bucket in virtual time (src/sim/notion/virtual-bucket.ts). */
const runAgainstBucket = (limit: number, burst: number, seconds: number, stored?: LearntRate) =>
  runAgainstVirtualBucket(createAdaptiveRate(settings, stored), { limit, burst, seconds });

describe('the adaptive rate, before anything is known', () => {
  it('starts at a conservative rate, or at the floor or ceiling when that binds', () => {
    expect(createAdaptiveRate(settings).rate).toBe(conservativeStartRps);
    expect(createAdaptiveRate({ floorRps: 3, ceilingRps: 100 }).rate).toBe(3);
    expect(createAdaptiveRate({ floorRps: 0.1, ceilingRps: 0.5 }).rate).toBe(0.5);
  });

  it('grows by half after each busy window without a 429 (slow start), up to the ceiling', () => {
    const rate = createAdaptiveRate({ floorRps: 0.5, ceilingRps: 4 });
    let now = acceptAtRate(rate, 0, 10);
    expect(rate.rate).toBe(1.5);
    now = acceptAtRate(rate, now, 12);
    expect(rate.rate).toBe(2.25);
    acceptAtRate(rate, now, 200);
    expect(rate.rate).toBe(4);
  });

  it('keeps the rate when the engine sends less than the limiter allows: an idle window says nothing about the limit', () => {
    const rate = createAdaptiveRate(settings);
    // One request every 3 s at a rate of 1/s: a third of the allowance used.
    for (let i = 0; i < 20; i += 1) rate.accepted(i * 3000);
    expect(rate.rate).toBe(1);
  });
});

describe('the adaptive rate after a 429', () => {
  it('goes back to the last confirmed rate when a step above it is throttled, and remembers where', () => {
    const rate = createAdaptiveRate(settings);
    const now = acceptAtRate(rate, 0, 10);
    expect(rate.rate).toBe(1.5);
    rate.throttled(now, now + 5);
    expect(rate.rate).toBe(1);
    expect(rate.learnt()).toEqual({ requestsPerSecond: 1, throttledAtRps: 1.5 });
  });

  it('counts the 429s of requests already in flight as one episode', () => {
    const rate = createAdaptiveRate(settings);
    let now = acceptAtRate(rate, 0, 10);
    now = acceptAtRate(rate, now, 12);
    expect(rate.rate).toBe(2.25);
    // Four requests sent before the first 429 came back: one episode, one step back.
    for (let i = 0; i < 4; i += 1) rate.throttled(now - 10, now + i);
    expect(rate.rate).toBe(1.5);
    expect(rate.learnt().throttledAtRps).toBe(2.25);
  });

  it('waits a gap of accepted requests before probing again, then bisects towards the throttled rate', () => {
    const rate = createAdaptiveRate(settings);
    let now = acceptAtRate(rate, 0, 10);
    rate.throttled(now, now);
    expect(rate.rate).toBe(1);
    now = acceptAtRate(rate, now + 1000, 99);
    expect(rate.rate).toBe(1);
    while (rate.rate === 1) now = acceptAtRate(rate, now, 1);
    expect(rate.rate).toBe(1.25);
  });

  it('lets an isolated 429 at the confirmed rate pass (bunched arrivals), and steps down by a tenth at the second', () => {
    const rate = createAdaptiveRate(settings, { requestsPerSecond: 10, throttledAtRps: 12 });
    rate.throttled(0, 1);
    expect(rate.rate).toBe(10);
    const now = acceptAtRate(rate, 1000, 50);
    rate.throttled(now, now + 1);
    expect(rate.rate).toBeCloseTo(9);
    expect(rate.learnt().throttledAtRps).toBe(10);
  });

  it('halves when throttling repeats with nothing confirmed, or far below the last confirmed rate', () => {
    const fresh = createAdaptiveRate({ floorRps: 0.1, ceilingRps: 100 });
    fresh.throttled(0, 1);
    fresh.throttled(2, 3);
    expect(fresh.rate).toBe(0.5);
    const known = createAdaptiveRate(settings, { requestsPerSecond: 10, throttledAtRps: 12 });
    for (let i = 0; i < 6; i += 1) known.throttled(i * 10, i * 10 + 1);
    // 10 (isolated) → 9 → 8.1 → 7.29 → 6.56, then below 70% of 10: halved.
    expect(known.rate).toBeCloseTo(3.28, 1);
  });

  it('never goes below the floor', () => {
    const rate = createAdaptiveRate({ floorRps: 0.8, ceilingRps: 100 });
    for (let i = 0; i < 10; i += 1) rate.throttled(i * 10_000, i * 10_000 + 1);
    expect(rate.rate).toBe(0.8);
  });
});

describe('the learnt rate kept between cycles', () => {
  it('starts at the stored rate and probes above it only after a gap', () => {
    const rate = createAdaptiveRate(settings, { requestsPerSecond: 20, throttledAtRps: 24 });
    expect(rate.rate).toBe(20);
    let now = acceptAtRate(rate, 0, 99);
    expect(rate.rate).toBe(20);
    while (rate.rate === 20) now = acceptAtRate(rate, now, 1);
    expect(rate.rate).toBe(22);
  });

  it('moves a stored throttled rate that is not above the stored rate up by a step, rather than forgetting it', () => {
    const rate = createAdaptiveRate(settings, { requestsPerSecond: 20, throttledAtRps: 20 });
    expect(rate.learnt().throttledAtRps).toBeCloseTo(22);
  });
});

describe('the adaptive rate against a token bucket (virtual time)', () => {
  it.each([2.5, 10, 25, 50])('finds a limit of %s requests/second within 10%% in the first minute, at most 1%% of requests throttled', (limit) => {
    const run = runAgainstBucket(limit, 2, 60);
    expect(run.withinMs).toBeLessThan(60_000);
    expect(run.throttled / run.sent).toBeLessThanOrEqual(0.01);
  });

  it('over ten minutes settles near the limit: confirmation windows grow after a confirmed rate is throttled', () => {
    const run = runAgainstBucket(25, 2, 600);
    expect(run.throttled / run.sent).toBeLessThanOrEqual(0.002);
    expect(run.learnt.requestsPerSecond).toBeGreaterThanOrEqual(0.9 * 25);
    expect(run.learnt.requestsPerSecond).toBeLessThanOrEqual(1.05 * 25);
  });

  it('at 1 request/second spends a single 429 in the first minute (the probe that finds the limit)', () => {
    const run = runAgainstBucket(1, 2, 60);
    expect(run.throttled).toBe(1);
    expect(run.learnt.requestsPerSecond).toBe(1);
  });

  it('starting from the learnt rate, finds no further 429 in the first minute at a low limit', () => {
    const cold = runAgainstBucket(2.5, 2, 60);
    const warm = runAgainstBucket(2.5, 2, 60, cold.learnt);
    expect(warm.withinMs).toBe(0);
    expect(warm.throttled).toBeLessThanOrEqual(1);
  });
});
