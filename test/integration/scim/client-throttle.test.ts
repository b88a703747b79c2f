import { afterEach, describe, expect, it } from 'vitest';
import { createScimClient, type ScimClient } from '../../../src/scim/index.js';
import { scimError, startScriptedServer, user, type ScriptedAnswer, type ScriptedServer } from './scripted-scim-server.js';

let server: ScriptedServer | undefined;
let client: ScimClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
});

/** Answers 429 (or 529) with Retry-After: 1 to the first request, then the user. */
async function throttledOnce(status: 429 | 529): Promise<{ scim: ScimClient; throttleAnswered: Promise<void> }> {
  let throttled = false;
  server = await startScriptedServer((request): ScriptedAnswer => {
    if (!throttled) {
      throttled = true;
      return { ...scimError(status, 'rate_limited'), headers: { 'retry-after': '1' } } as ScriptedAnswer;
    }
    return { status: 200, json: user(request.url.split('/').pop() ?? 'x') };
  });
  let announce: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (announce = resolve));
  client = createScimClient({
    baseUrl: server.url,
    token: server.token,
    requestsPerSecond: 100,
    maxConcurrency: 2,
    retry: { minDelayMs: 5, maxDelayMs: 20 },
    onRequest: (event) => {
      if (event.status === status) announce();
    },
  });
  return { scim: client, throttleAnswered: answered };
}

describe('throttling', () => {
  it.each([429, 529] as const)('waits out the Retry-After of a %i before any further request, then succeeds', async (status) => {
    const { scim, throttleAnswered } = await throttledOnce(status);
    const first = scim.getUser('a');
    // Asked after the throttle answer came back: the pause applies to the whole limiter, not just to the retried request.
    await throttleAnswered;
    const [a, b] = await Promise.all([first, scim.getUser('b')]);
    expect([a?.id, b?.id]).toEqual(['a', 'b']);
    const [throttledAt, ...later] = server!.seen.map((r) => r.at);
    for (const at of later) expect(at - throttledAt!).toBeGreaterThanOrEqual(950);
    expect(scim.stats()).toMatchObject({ throttled: 1, retries: 1, requests: 3 });
  });

  it('gives up on a request that stays throttled and reports it as transient with the Retry-After', async () => {
    server = await startScriptedServer(() => ({ ...scimError(429, 'rate_limited'), headers: { 'retry-after': '0' } }) as ScriptedAnswer);
    client = createScimClient({ baseUrl: server.url, token: server.token, requestsPerSecond: 100, retry: { retries: 2, minDelayMs: 5, maxDelayMs: 10 } });
    await expect(client.getUser('a')).rejects.toMatchObject({ kind: 'transient', status: 429, retryAfterMs: 0 });
    expect(client.stats()).toMatchObject({ throttled: 3, retries: 2 });
  });
});
