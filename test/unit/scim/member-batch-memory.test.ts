// The member batch size kept between cycles, as pure logic: what a cycle starts at after a remembered refusal, what it
// keeps for the next one, when the refusal is forgotten, and that a stored value out of range is ignored.
import { describe, expect, it } from 'vitest';
import { MemberBatchSize, memberBatchRefusalLifetimeMs, rememberedMemberBatch, type LearntMemberBatch } from '../../../src/scim/member-batches.js';

const hour = 60 * 60 * 1000;
const seenAt = new Date('2026-11-30T08:00:00Z');
const later = (ms: number): Date => new Date(seenAt.getTime() + ms);

/** Plays batches of `members` against a target that takes at most `limit`; the sizes sent, in order. */
function play(size: MemberBatchSize, limit: number, batches: number): number[] {
  const sent: number[] = [];
  for (let i = 0; i < batches; i++) {
    const batch = size.current;
    sent.push(batch);
    if (batch > limit) size.refusedForSize(batch);
    else size.accepted(batch);
  }
  return sent;
}

/** One cycle's life: remember what is stored, play, keep what was learnt. */
function cycle(stored: LearntMemberBatch | undefined, ceiling: number, limit: number, batches: number, now: Date) {
  const remembered = rememberedMemberBatch(stored, now);
  const size = new MemberBatchSize(ceiling, remembered);
  const sent = play(size, limit, batches);
  return { sent, refused: sent.filter((batch) => batch > limit).length, kept: size.learnt(remembered, now) };
}

describe('the member batch size kept between cycles', () => {
  it('starts the next cycle at the size accepted below the remembered refusal, and sends nothing refused', () => {
    const first = cycle(undefined, 100, 37, 30, seenAt);
    expect(first.refused).toBeGreaterThan(0);
    expect(first.kept).toEqual({ refusedSize: 38, refusedAt: seenAt, acceptedSize: 37 });
    const second = cycle(first.kept, 100, 37, 30, later(hour));
    expect(second.refused).toBe(0);
    expect(second.sent.every((batch) => batch === 37)).toBe(true);
    // Carried over, the refusal keeps the date it was seen: it is not made younger by a cycle that did not see it.
    expect(second.kept).toEqual(first.kept);
  });

  it('goes on with the search where a cycle left it, without sending the size refused again', () => {
    // A cycle that saw one refusal (100) and one accepted batch (50) before its work ran out.
    const stored: LearntMemberBatch = { refusedSize: 100, refusedAt: seenAt, acceptedSize: 50 };
    const next = cycle(stored, 100, 80, 20, later(hour));
    expect(next.sent[0]).toBe(50);
    expect(next.sent.every((batch) => batch < 100)).toBe(true);
    expect(next.kept).toEqual({ refusedSize: 81, refusedAt: later(hour), acceptedSize: 80 });
  });

  it('starts at half the refused size when no size below it was accepted', () => {
    expect(new MemberBatchSize(100, { refusedSize: 60, acceptedSize: null }).current).toBe(30);
  });

  it('never starts above the configured ceiling: a lowered ceiling wins', () => {
    const remembered = rememberedMemberBatch({ refusedSize: 80, refusedAt: seenAt, acceptedSize: 79 }, later(hour));
    const size = new MemberBatchSize(20, remembered);
    expect(size.current).toBe(20);
    expect(play(size, 79, 10).every((batch) => batch === 20)).toBe(true);
  });

  it('forgets a refusal a day after it was seen, so a raised limit or ceiling is used again', () => {
    const stored: LearntMemberBatch = { refusedSize: 60, refusedAt: seenAt, acceptedSize: 59 };
    expect(memberBatchRefusalLifetimeMs).toBe(24 * hour);
    expect(rememberedMemberBatch(stored, later(24 * hour - 1))).toEqual(stored);
    expect(rememberedMemberBatch(stored, later(24 * hour))).toBeUndefined();
    // The target now takes 200 per batch: the cycle after the expiry starts at the ceiling and keeps nothing.
    const after = cycle(stored, 200, 200, 3, later(25 * hour));
    expect(after.sent).toEqual([200, 200, 200]);
    expect(after.kept).toEqual({ refusedSize: null, refusedAt: null, acceptedSize: null });
  });

  it('keeps a refusal seen again after the expiry with its new date', () => {
    const stored: LearntMemberBatch = { refusedSize: 60, refusedAt: seenAt, acceptedSize: 59 };
    const after = cycle(stored, 100, 59, 30, later(25 * hour));
    expect(after.refused).toBeGreaterThan(0);
    expect(after.kept).toEqual({ refusedSize: 60, refusedAt: later(25 * hour), acceptedSize: 59 });
  });

  it('dates a smaller refusal when the target lowered its limit, and drops the size accepted above it', () => {
    const stored: LearntMemberBatch = { refusedSize: 60, refusedAt: seenAt, acceptedSize: 59 };
    const lowered = cycle(stored, 100, 20, 30, later(hour));
    expect(lowered.kept).toEqual({ refusedSize: 21, refusedAt: later(hour), acceptedSize: 20 });
  });

  it.each<[string, LearntMemberBatch]>([
    ['a refusal of one member (never a refusal for size)', { refusedSize: 1, refusedAt: seenAt, acceptedSize: null }],
    ['a negative refused size', { refusedSize: -5, refusedAt: seenAt, acceptedSize: null }],
    ['a fractional refused size', { refusedSize: 40.5, refusedAt: seenAt, acceptedSize: 20 }],
    ['an accepted size at the refused one', { refusedSize: 40, refusedAt: seenAt, acceptedSize: 40 }],
    ['an accepted size of zero', { refusedSize: 40, refusedAt: seenAt, acceptedSize: 0 }],
    ['a refusal with no date', { refusedSize: 40, refusedAt: null, acceptedSize: 20 }],
    ['a date that is not a date', { refusedSize: 40, refusedAt: new Date(Number.NaN), acceptedSize: 20 }],
    ['a date in the future (it would never expire)', { refusedSize: 40, refusedAt: new Date('9999-01-01T00:00:00Z'), acceptedSize: 20 }],
    ['an accepted size with no refusal', { refusedSize: null, refusedAt: null, acceptedSize: 20 }],
  ])('ignores %s and starts at the ceiling', (_, stored) => {
    const remembered = rememberedMemberBatch(stored, later(hour));
    expect(remembered).toBeUndefined();
    expect(new MemberBatchSize(100, remembered).current).toBe(100);
  });
});
