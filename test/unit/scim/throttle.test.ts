import { afterEach, describe, expect, it, vi } from 'vitest';
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
