import { describe, expect, it } from 'vitest';
import { describeSummary, type CycleSummary } from '../../../src/engine/summary.js';

const summary: CycleSummary = {
  cycleId: 'c1', target: 'workspace', kind: 'incremental', status: 'succeeded',
  startedAt: new Date(0), finishedAt: new Date(2_500), durationMs: 2_500, importComplete: true,
  counts: { 'create.success': 2 }, stagedDeletes: 0, escrowed: 0, unaccountedMembers: 0,
  scim: { requests: 12, throttled: 1, retries: 1, requestsPerSecond: 2.3567 }, graph: { requests: 3, throttled: 0 },
};

describe('the summary for people', () => {
  it('names the rate Notion requests went at, when any went', () => {
    expect(describeSummary(summary)).toBe('incremental cycle succeeded in 2.5s\n  changes: create.success=2\n  requests: Notion 12 (throttled 1) at 2.36/s, Graph 3');
    const idle = describeSummary({ ...summary, counts: {}, scim: { requests: 0, throttled: 0, retries: 0, requestsPerSecond: 2.5 } });
    expect(idle).toContain('  requests: Notion 0 (throttled 0), Graph 3');
  });
});
