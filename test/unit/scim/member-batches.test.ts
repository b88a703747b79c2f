import { describe, expect, it } from 'vitest';
import { bisectBudget, MemberBatchSize } from '../../../src/scim/member-batches.js';

/** Plays batches against a target that takes at most `limit` members, until the size stops moving. */
function settle(size: MemberBatchSize, limit: number, rounds = 40): number[] {
  const seen: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const batch = size.current;
    seen.push(batch);
    if (batch > limit) size.refusedForSize(batch);
    else size.accepted(batch);
  }
  return seen;
}

describe('the learnt member batch size', () => {
  it('starts at the ceiling and stays there while the target accepts', () => {
    const size = new MemberBatchSize(100);
    expect(settle(size, 1000).every((batch) => batch === 100)).toBe(true);
  });

  it.each([1, 7, 30, 64, 99])('finds a limit of %i below a ceiling of 100 and then stays on it', (limit) => {
    const size = new MemberBatchSize(100);
    const seen = settle(size, limit);
    expect(size.current).toBe(limit);
    expect(seen.slice(-10).every((batch) => batch === limit)).toBe(true);
    // A binary search: a handful of refused batches, not one per size.
    expect(seen.filter((batch) => batch > limit).length).toBeLessThanOrEqual(Math.ceil(Math.log2(100)) + 1);
  });

  it('never goes under 1 nor over the ceiling', () => {
    const size = new MemberBatchSize(10, { refusedSize: 500, acceptedSize: 50 });
    expect(size.current).toBe(10);
    size.refusedForSize(2);
    size.refusedForSize(2);
    expect(size.current).toBe(1);
    size.refusedForSize(1);
    expect(size.current).toBe(1);
  });

  it('forgets what it learnt above a size the target refuses later', () => {
    const size = new MemberBatchSize(100);
    settle(size, 60);
    expect(size.current).toBe(60);
    settle(size, 20);
    expect(size.current).toBe(20);
  });
});

describe('the bisection budget', () => {
  it('allows the batch and two requests per halving for two bad ids', () => {
    expect(bisectBudget(1)).toBe(1);
    expect(bisectBudget(50)).toBe(25);
    expect(bisectBudget(100)).toBe(29);
  });
});
