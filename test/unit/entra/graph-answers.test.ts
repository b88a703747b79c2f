// Reading Graph's answers: Retry-After values, delta items with @removed and members@delta.
import { describe, expect, it } from 'vitest';
import { toMembershipWrites, toObjectWrite } from '../../../src/entra/delta-items.js';
import { retryAfterSeconds } from '../../../src/entra/request-policy.js';

describe('retryAfterSeconds', () => {
  it('reads seconds and HTTP dates, and nothing from an empty header', () => {
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterSeconds(inTenSeconds)).toBeGreaterThan(8);
    expect(retryAfterSeconds(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
  });
});

describe('delta items', () => {
  it('keeps properties and drops annotations', () => {
    expect(toObjectWrite({ id: 'u1', displayName: 'Ada', '@odata.type': '#microsoft.graph.user', 'members@delta': [] }))
      .toEqual({ id: 'u1', attributes: { id: 'u1', displayName: 'Ada' }, removedReason: null });
  });

  it('keeps the @removed reason: changed for a soft delete, deleted for a hard delete', () => {
    expect(toObjectWrite({ id: 'u1', '@removed': { reason: 'changed' } })).toEqual({ id: 'u1', attributes: null, removedReason: 'changed' });
    expect(toObjectWrite({ id: 'u1', '@removed': { reason: 'deleted' } })).toEqual({ id: 'u1', attributes: null, removedReason: 'deleted' });
    expect(toObjectWrite({ displayName: 'no id' })).toBeNull();
  });

  it('reads members@delta adds and removals of users and groups, skipping other member kinds', () => {
    expect(toMembershipWrites({
      id: 'g1',
      'members@delta': [
        { '@odata.type': '#microsoft.graph.user', id: 'u1' },
        { '@odata.type': '#microsoft.graph.group', id: 'g2', '@removed': { reason: 'deleted' } },
        { '@odata.type': '#microsoft.graph.device', id: 'd1' },
      ],
    })).toEqual([
      { groupId: 'g1', memberId: 'u1', memberType: 'user', removed: false },
      { groupId: 'g1', memberId: 'g2', memberType: 'group', removed: true },
    ]);
  });
});
