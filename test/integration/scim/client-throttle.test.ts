import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observe/index.js';
import { parseLogLine, type LogLine } from '../../helpers/log-lines.js';
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

  it('logs a handled 429 at info, and warns only when the retries run out', async () => {
    const lines: LogLine[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(parseLogLine(String(chunk)));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    let answered = 0;
    server = await startScriptedServer((request) => {
      answered += 1;
      if (request.url.endsWith('/Users/a') && answered === 1) return { ...scimError(429, 'rate_limited'), headers: { 'retry-after': '0' } } as ScriptedAnswer;
      if (request.url.endsWith('/Users/b')) return { ...scimError(429, 'rate_limited'), headers: { 'retry-after': '0' } } as ScriptedAnswer;
      return { status: 200, json: user('a') };
    });
    client = createScimClient({ baseUrl: server.url, token: server.token, requestsPerSecond: 100, retry: { retries: 1, minDelayMs: 5, maxDelayMs: 10 }, logger });
    expect((await client.getUser('a'))?.id).toBe('a');
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
    expect(lines.filter((l) => l.event === 'scim.throttled').map((l) => l.level)).toEqual(['info']);
    await expect(client.getUser('b')).rejects.toMatchObject({ status: 429 });
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.event)).toEqual(['scim.throttled.gave-up']);
  });

  it('keeps 1/R between sends after the event loop was held, instead of sending the requests that fell due together', async () => {
    server = await startScriptedServer((request) => ({ status: 200, json: user(request.url.split('/').pop() ?? 'x') }));
    client = createScimClient({ baseUrl: server.url, token: server.token, requestsPerSecond: 20, maxConcurrency: 4 });
    const reads = ['a', 'b', 'c', 'd', 'e'].map((id) => client!.getUser(id));
    // Held (as a synchronous PGlite query or a busy machine holds it) while starts fall due: once while the limiter's
    // timers are pending, once while the sends they released wait for their slots.
    for (const seen of [1, 2]) {
      while (server.seen.length < seen) await new Promise((resolve) => setTimeout(resolve, 2));
      const heldUntil = Date.now() + 250;
      while (Date.now() < heldUntil) {
        // busy: nothing else runs
      }
    }
    await Promise.all(reads);
    const arrivals = server.seen.map((r) => r.at);
    const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]!);
    // 50 ms at 20/s. Sends that fell due together land within a millisecond or two of each other; half the interval
    // leaves room for the arrival jitter of this in-process server on a busy machine.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(25);
  });
});
