// NOTION_RATE_LIMIT_RPS=auto in a cycle: the learnt rate is kept per target in the store, and the next cycle starts there.
import { describe, expect, it } from 'vitest';
import { readLearntRateLimit, saveLearntRateLimit } from '../../../src/store/index.js';
import { engineSessionPerTest } from '../../helpers/engine-session.js';

const { open } = engineSessionPerTest({
  tenant: { seed: 21, users: 60, groups: 4 },
  notion: { rateLimit: { requestsPerSecond: 80, burst: 2 } },
  env: { NOTION_RATE_LIMIT_RPS: 'auto', NOTION_RATE_LIMIT_MIN_RPS: '20', NOTION_RATE_LIMIT_MAX_RPS: '200' },
});

describe('the adaptive rate limit across cycles', () => {
  it('converges under a throttling Notion and keeps the learnt rate for the target', async () => {
    const session = await open();
    expect(await readLearntRateLimit(session.store.store.db, 'workspace')).toBeUndefined();
    const summary = await session.sync();
    expect(summary.status).toBe('succeeded');
    expect(session.differences()).toEqual([]);
    const learnt = await readLearntRateLimit(session.store.store.db, 'workspace');
    expect(learnt?.requestsPerSecond).toBeGreaterThanOrEqual(20);
    expect(learnt?.requestsPerSecond).toBeLessThanOrEqual(200);
    // The summary reports the rate the next cycle starts from.
    expect(summary.scim.requestsPerSecond).toBe(learnt?.requestsPerSecond);
  });

  it('starts the next cycle at the stored rate, and stores what that cycle learnt in its place', async () => {
    const session = await open({ env: { NOTION_RATE_LIMIT_RPS: 'auto', NOTION_RATE_LIMIT_MIN_RPS: '1', NOTION_RATE_LIMIT_MAX_RPS: '200' } });
    await saveLearntRateLimit(session.store.store.db, 'workspace', { requestsPerSecond: 70, throttledAtRps: 90 });
    const summary = await session.sync();
    expect(summary.status).toBe('succeeded');
    // From 1 request/second, slow start would have ended far below 70 in a cycle of this size.
    const learnt = await readLearntRateLimit(session.store.store.db, 'workspace');
    expect(learnt?.requestsPerSecond).toBeGreaterThanOrEqual(63);
    expect(learnt?.throttledAtRps).not.toBeNull();
  });

  it('forgets nothing for another target sharing the store', async () => {
    const session = await open();
    await saveLearntRateLimit(session.store.store.db, 'other', { requestsPerSecond: 5, throttledAtRps: null });
    await session.sync();
    expect(await readLearntRateLimit(session.store.store.db, 'other')).toEqual({ requestsPerSecond: 5, throttledAtRps: null });
  });
});
