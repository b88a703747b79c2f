// The notification pieces that need no server: the clientState comparison, the hint limiter, and the settings check.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { clientStateMatches, generateClientState, notificationSettingsProblem } from '../../../src/notify/index.js';
import { createHintLimiter } from '../../../src/notify/hint-limiter.js';

describe('clientStateMatches', () => {
  it('accepts the secret only, whatever the length or type of what came', () => {
    const secret = generateClientState();
    expect(secret).toHaveLength(64);
    expect(clientStateMatches(secret, secret)).toBe(true);
    expect(clientStateMatches(secret, secret.slice(0, -1))).toBe(false);
    expect(clientStateMatches(secret, `${secret}x`)).toBe(false);
    expect(clientStateMatches(secret, '')).toBe(false);
    expect(clientStateMatches(secret, undefined)).toBe(false);
    expect(clientStateMatches(secret, 42)).toBe(false);
    expect(generateClientState()).not.toBe(secret);
  });
});

describe('the hint limiter', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('passes hints up to the cap, defers the next one until the minute has room, and folds the rest into it', () => {
    let fired = 0;
    const limiter = createHintLimiter(3, () => (fired += 1), () => Date.now());
    expect([limiter.offer(), limiter.offer(), limiter.offer()]).toEqual(['requested', 'requested', 'requested']);
    expect(limiter.offer()).toBe('deferred');
    expect(limiter.offer()).toBe('coalesced');
    expect(fired).toBe(3);
    vi.advanceTimersByTime(59_999);
    expect(fired).toBe(3);
    vi.advanceTimersByTime(1);
    // The deferred hint is never lost: it fires once, for all that were folded into it.
    expect(fired).toBe(4);
    expect(limiter.offer()).toBe('requested');
    limiter.stop();
  });
});

describe('notificationSettingsProblem', () => {
  const config = (env: Record<string, string>) => loadConfig({ env, cwd: '/nonexistent' });

  it('needs HTTP_PORT with NOTIFICATION_URL, and a path the worker does not serve itself', () => {
    expect(notificationSettingsProblem(config({}))).toBeUndefined();
    expect(notificationSettingsProblem(config({ NOTIFICATION_URL: 'https://sync.example.com/graph/notifications' }))).toMatch(/^NOTIFICATION_URL: .*set HTTP_PORT/);
    expect(notificationSettingsProblem(config({ NOTIFICATION_URL: 'https://sync.example.com/metrics', HTTP_PORT: '8080' }))).toMatch(/path "\/metrics"/);
    expect(notificationSettingsProblem(config({ NOTIFICATION_URL: 'https://sync.example.com/graph/notifications', HTTP_PORT: '8080' }))).toBeUndefined();
  });

  it('is refused by the loader when it is plain http off loopback, and a clientState must be 16 to 128 characters', () => {
    expect(() => config({ NOTIFICATION_URL: 'http://sync.example.com/graph/notifications' })).toThrow(/NOTIFICATION_URL \(notifications.url\): expected https/);
    expect(() => config({ NOTIFICATION_CLIENT_STATE: 'short' })).toThrow(/NOTIFICATION_CLIENT_STATE \(notifications.clientState\): expected at least 16/);
    expect(() => config({ NOTIFICATION_CLIENT_STATE: 'x'.repeat(129) })).toThrow(/at most 128/);
    expect(config({ NOTIFICATION_LIFETIME_MINUTES: '41760' }).notifications.lifetimeMinutes).toBe(41_760);
    expect(() => config({ NOTIFICATION_LIFETIME_MINUTES: '41761' })).toThrow(/NOTIFICATION_LIFETIME_MINUTES/);
  });
});
