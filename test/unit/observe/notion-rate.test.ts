import { describe, expect, it } from 'vitest';
import { describeNotionRate } from '../../../src/observe/index.js';

describe('the Notion request rate for people', () => {
  it('names a fixed rate as set, and with auto what was learnt or that nothing was yet', () => {
    expect(describeNotionRate({ setting: 2.5, learnt: null })).toBe('2.5/s (NOTION_RATE_LIMIT_RPS)');
    expect(describeNotionRate({ setting: 'auto', learnt: null })).toBe('auto, nothing learnt yet (the next cycle starts slow and probes upwards)');
    expect(describeNotionRate({ setting: 'auto', learnt: { requestsPerSecond: 7.0349, throttledAtRps: null } })).toBe('auto, learnt 7.03/s (no 429 yet); the next cycle starts there');
    expect(describeNotionRate({ setting: 'auto', learnt: { requestsPerSecond: 2.3567, throttledAtRps: 2.48 } })).toBe('auto, learnt 2.36/s (429 at 2.48/s); the next cycle starts there');
  });
});
