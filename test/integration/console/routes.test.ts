// The console's gate, without a browser: every registered route refuses a request without a session (except the probes
// and the sign-in form), every POST refuses a missing or wrong CSRF token, and the console will not listen beyond
// loopback without a password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConsoleApp, createConsoleRequestListener, ConsoleSetupError } from '../../../src/console/index.js';
import { decideStagedDeletes } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { appendLogEntries, escrowLink, listEscrowedObjects, readLink, readTargetState, recordCycleStart, saveLearntRateLimit, saveLink, searchLog, updateTargetState } from '../../../src/store/index.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

const password = 'correct horse battery staple';
const logger = createLogger({ level: 'silent' });
let testStore: TestStore;

beforeAll(async () => {
  testStore = await openTestStore();
  const now = new Date();
  await saveLink(testStore.store.db, 'default', { objectType: 'user', sourceId: 'u-1', notionId: 'n-1', state: 'active', applied: { userName: 'ada@example.com' } }, now);
  await escrowLink(testStore.store.db, 'default', { objectType: 'user', sourceId: 'u-1' }, { attempts: 1, nextAttemptAt: new Date(now.getTime() + 3600_000), kind: 'bad-request', message: 'refused' }, now);
  await appendLogEntries(testStore.store.db, [{ target: 'default', cycleId: null, changeId: 'c-1', objectType: 'user', sourceId: 'u-1', displayName: 'ada@example.com', action: 'create', status: 'success' }]);
});
afterAll(async () => testStore?.close());

const consoleApp = (env: Record<string, string>, loopback: boolean, extra: Partial<Parameters<typeof createConsoleApp>[0]> = {}) =>
  createConsoleApp({ config: loadConfig({ env: { DATA_DIR: '/nonexistent', ...env } }), store: testStore.store, logger, loopback, ...extra });

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/x-www-form-urlencoded', host: 'console.example', ...extra });

async function signIn(app: ReturnType<typeof consoleApp>): Promise<{ cookie: string; csrf: string }> {
  const answer = await app.request('/sign-in', { method: 'POST', headers: formHeaders({ origin: 'https://console.example' }), body: form({ name: 'alice', password }) });
  expect(answer.status).toBe(303);
  const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await (await app.request('/escrow', { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  expect(csrf).toBeTruthy();
  return { cookie, csrf: csrf! };
}

describe('console gate', () => {
  it('refuses every registered route without a session, except the probes and the sign-in form', async () => {
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const routes = app.routes.filter((r) => r.method !== 'ALL');
    expect(routes.length).toBeGreaterThan(12);
    const open = new Set<string>();
    for (const route of routes) {
      const path = route.path.replace(':type', 'user').replace(':id', 'u-1');
      const answer = await app.request(path, { method: route.method, headers: formHeaders(), ...(route.method === 'POST' ? { body: form({ ids: 'user:u-1', which: 'all', confirm: 'yes', decision: 'approve' }) } : {}) });
      if ([303, 401].includes(answer.status) && (answer.status === 401 || answer.headers.get('location')?.startsWith('/sign-in'))) continue;
      open.add(`${route.method} ${route.path}`);
    }
    expect([...open].sort()).toEqual(['GET /healthz', 'GET /readyz', 'GET /sign-in', 'POST /sign-in']);
    // Nothing was done by the refused POSTs: the escrowed object is still escrowed.
    expect(await listEscrowedObjects(testStore.store.db, 'default')).toHaveLength(1);
  });

  it('refuses a POST without the CSRF token or with a wrong one, and accepts the right one', async () => {
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const { cookie, csrf } = await signIn(app);
    const retry = (fields: Record<string, string>) => app.request('/escrow/retry', { method: 'POST', headers: formHeaders({ cookie }), body: form({ which: 'selected', ids: 'user:u-9', ...fields }) });
    expect((await retry({})).status).toBe(403);
    expect((await retry({ _csrf: `${csrf}x` })).status).toBe(403);
    expect((await retry({ _csrf: csrf })).status).toBe(303);
  });

  it('signs in with the password only, and sets an HttpOnly, SameSite=Lax, Secure cookie off loopback', async () => {
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const wrong = await app.request('/sign-in', { method: 'POST', headers: formHeaders(), body: form({ name: 'mallory', password: 'guess' }) });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const crossSite = await app.request('/sign-in', { method: 'POST', headers: formHeaders({ origin: 'https://evil.example' }), body: form({ name: 'alice', password }) });
    expect(crossSite.status).toBe(403);
    const right = await app.request('/sign-in', { method: 'POST', headers: formHeaders(), body: form({ name: 'alice', password }) });
    expect(right.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect(right.headers.get('set-cookie')).toMatch(/SameSite=Lax/);
    expect(right.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('answers 429 after ten failed sign-ins in a minute, even to the right password', async () => {
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const attempt = (pw: string) => app.request('/sign-in', { method: 'POST', headers: formHeaders(), body: form({ name: 'mallory', password: pw }) });
    for (let i = 0; i < 10; i++) expect((await attempt(`guess ${i}`)).status).toBe(401);
    expect((await attempt(password)).status).toBe(429);
  });

  it('signs out: the old session cookie no longer opens a page', async () => {
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const { cookie, csrf } = await signIn(app);
    expect((await app.request('/', { headers: { cookie } })).status).toBe(200);
    expect((await app.request('/sign-out', { method: 'POST', headers: formHeaders({ cookie }), body: form({ _csrf: csrf }) })).status).toBe(303);
    expect((await app.request('/', { headers: { cookie } })).status).toBe(303);
  });

  it('sends a strict content security policy: no script, only its own hashed stylesheet', async () => {
    const app = consoleApp({}, true);
    const answer = await app.request('/sign-in');
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await answer.text()).not.toContain('<script');
  });

  it('will not listen beyond loopback without a password', () => {
    expect(() => consoleApp({}, false)).toThrow(ConsoleSetupError);
    expect(() => consoleApp({}, true)).not.toThrow();
  });

  it('on loopback without a password, still asks who you are and records it as the actor', async () => {
    const app = consoleApp({}, true);
    expect((await app.request('/')).status).toBe(303);
    const answer = await app.request('/sign-in', { method: 'POST', headers: formHeaders({ host: '127.0.0.1:8470' }), body: form({ name: 'bob' }) });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('set-cookie')).not.toMatch(/Secure/);
  });
});

describe('console on loopback, against DNS rebinding', () => {
  it('answers only to a loopback name: a page whose name was re-pointed at 127.0.0.1 can neither sign in nor read', async () => {
    const app = consoleApp({}, true);
    const rebound = { host: 'evil.example:8470', origin: 'http://evil.example:8470' };
    const signIn = await app.request('/sign-in', { method: 'POST', headers: formHeaders(rebound), body: form({ name: 'mallory', next: '/staged' }) });
    expect(signIn.status).toBe(421);
    expect(signIn.headers.get('set-cookie')).toBeNull();
    expect((await app.request('/sign-in', { headers: { host: 'evil.example:8470' } })).status).toBe(421);
    expect((await app.request('/healthz', { headers: { host: 'evil.example' } })).status).toBe(421);
    for (const host of ['127.0.0.1:8470', 'localhost:8470', '[::1]:8470', 'localhost']) {
      expect((await app.request('/sign-in', { headers: { host } })).status).toBe(200);
    }
    // Off loopback a password guards it, and the name it is reached by is the operator's (a proxy, a DNS name).
    expect((await consoleApp({ CONSOLE_PASSWORD: password }, false).request('/sign-in', { headers: { host: 'sync.corp.example' } })).status).toBe(200);
  });
});

describe('console on the worker\'s HTTP port', () => {
  it('answers every path the worker hands it, behind the same gate, and needs a password on all interfaces', async () => {
    const config = loadConfig({ env: { DATA_DIR: '/nonexistent' } });
    expect(() => createConsoleRequestListener({ config, store: testStore.store, logger, host: undefined })).toThrow(ConsoleSetupError);
    const listener = createConsoleRequestListener({ config: loadConfig({ env: { DATA_DIR: '/nonexistent', CONSOLE_PASSWORD: password } }), store: testStore.store, logger, host: undefined });
    // As the worker would: its own probes first, everything else to the console.
    const server = createServer((request, response) => (request.url === '/metrics' ? response.end('metrics\n') : listener(request, response)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await (await fetch(`${base}/metrics`)).text()).toBe('metrics\n');
      const overview = await fetch(`${base}/`, { redirect: 'manual' });
      expect(overview.status).toBe(303);
      expect(overview.headers.get('location')).toBe('/sign-in?next=%2F');
      const signedIn = await fetch(`${base}/sign-in`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ name: 'alice', password }) });
      expect(signedIn.headers.get('set-cookie')).toMatch(/Secure/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('console actions', () => {
  it('ends a quarantine only with the confirmation, and logs who ended it', async () => {
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const { cookie, csrf } = await signIn(app);
    await updateTargetState(testStore.store.db, 'default', { quarantineReason: 'Notion refused the token', quarantineSince: new Date(), quarantineSeriesCount: 2 });
    expect(await (await app.request('/escrow', { headers: { cookie } })).text()).toContain('Notion refused the token');
    const end = (fields: Record<string, string>) => app.request('/quarantine/end', { method: 'POST', headers: formHeaders({ cookie }), body: form({ _csrf: csrf, ...fields }) });
    expect((await end({})).status).toBe(400);
    expect((await readTargetState(testStore.store.db, 'default'))?.quarantineReason).toBe('Notion refused the token');
    expect((await end({ confirm: 'yes' })).status).toBe(303);
    expect(await readTargetState(testStore.store.db, 'default')).toMatchObject({ quarantineReason: null, quarantineSeriesCount: 0 });
    const rows = (await searchLog(testStore.store.db, { target: 'default', action: 'reset-quarantine' })).rows;
    expect(rows.map((r) => [r.actor, r.objectType])).toEqual([['console:alice', 'target']]);
  });

  it('rejects a staged deletion: the object is released and the rejection logged with who did it', async () => {
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const { cookie, csrf } = await signIn(app);
    await saveLink(testStore.store.db, 'default', { objectType: 'user', sourceId: 'u-2', notionId: 'n-2', state: 'active', applied: { userName: 'bo@example.com' }, stagedAction: 'disable', stagedAt: new Date() }, new Date());
    const confirm = await (await app.request('/staged/confirm?decision=reject-all', { headers: { cookie } })).text();
    expect(confirm).toContain('Reject 1 staged deletion(s): 1 user(s) and 0 group(s) keep their access');
    const decided = await app.request('/staged/decide', { method: 'POST', headers: formHeaders({ cookie }), body: form({ _csrf: csrf, decision: 'reject', ids: 'u-2', confirm: 'yes' }) });
    expect(decided.headers.get('location')).toBe('/staged?done=reject&n=1');
    expect(await readLink(testStore.store.db, 'default', 'user', 'u-2')).toMatchObject({ state: 'released', stagedAction: null });
    const rows = (await searchLog(testStore.store.db, { target: 'default', action: 'reject' })).rows;
    expect(rows.map((r) => [r.actor, r.sourceId])).toEqual([['console:alice', 'u-2']]);
  });

  it('approves a selection of several staged deletions at once, and only those', async () => {
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const { cookie, csrf } = await signIn(app);
    for (const id of ['u-3', 'u-4', 'u-5']) {
      await saveLink(testStore.store.db, 'default', { objectType: 'user', sourceId: id, notionId: `n-${id}`, state: 'active', applied: { userName: `${id}@example.com` }, stagedAction: 'disable', stagedAt: new Date() }, new Date());
    }
    const confirm = await (await app.request('/staged/confirm?decision=approve-selected&ids=u-3&ids=u-5', { headers: { cookie } })).text();
    expect(confirm).toContain('Approve 2 staged deletion(s): 2 user(s) will lose access to Notion in the next cycle.');
    const body = `${form({ _csrf: csrf, decision: 'approve', confirm: 'yes' })}&ids=u-3&ids=u-5`;
    const decided = await app.request('/staged/decide', { method: 'POST', headers: formHeaders({ cookie }), body });
    expect(decided.headers.get('location')).toBe('/staged?done=approve&n=2');
    expect((await readLink(testStore.store.db, 'default', 'user', 'u-3'))?.stagedAction).toBe('approved:disable');
    expect((await readLink(testStore.store.db, 'default', 'user', 'u-4'))?.stagedAction).toBe('disable');
    expect((await readLink(testStore.store.db, 'default', 'user', 'u-5'))?.stagedAction).toBe('approved:disable');
  });

  it('leaves out a confirmed id decided meanwhile, decides the rest, and never reads "none left" as "all"', async () => {
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const { cookie, csrf } = await signIn(app);
    for (const id of ['u-6', 'u-7', 'u-8']) {
      await saveLink(testStore.store.db, 'default', { objectType: 'user', sourceId: id, notionId: `n-${id}`, state: 'active', applied: { userName: `${id}@example.com` }, stagedAction: 'disable', stagedAt: new Date() }, new Date());
    }
    // The admin confirmed u-6 and u-7; meanwhile `approve --reject u-7` ran from the CLI.
    await decideStagedDeletes(testStore.store.db, 'default', { ids: ['u-7'], reject: true, actor: 'cli:bob' });
    const decide = (ids: string[]) =>
      app.request('/staged/decide', { method: 'POST', headers: formHeaders({ cookie }), body: `${form({ _csrf: csrf, decision: 'approve', confirm: 'yes' })}&${ids.map((id) => `ids=${id}`).join('&')}` });
    expect((await decide(['u-6', 'u-7'])).headers.get('location')).toBe('/staged?done=approve&n=1');
    expect((await readLink(testStore.store.db, 'default', 'user', 'u-6'))?.stagedAction).toBe('approved:disable');
    expect(await readLink(testStore.store.db, 'default', 'user', 'u-7')).toMatchObject({ state: 'released', stagedAction: null });
    const approvals = (await searchLog(testStore.store.db, { target: 'default', action: 'approve', object: 'u-6' })).rows;
    expect(approvals.map((r) => [r.actor, r.reason])).toEqual([['console:alice', 'staged disable approved in the console: the next cycle applies it']]);
    expect((await searchLog(testStore.store.db, { target: 'default', action: 'approve', object: 'u-7' })).rows).toEqual([]);
    // Every id confirmed was decided meanwhile: nothing is decided, u-8 (staged, not named) least of all.
    expect((await decide(['u-7'])).headers.get('location')).toBe('/staged?done=approve&n=0');
    expect((await readLink(testStore.store.db, 'default', 'user', 'u-8'))?.stagedAction).toBe('disable');
  });

  it('reloads the overview every 5 seconds while a cycle runs, with the progress of its phase', async () => {
    const phaseInFlight = () => ({ phase: 'apply', done: 120, total: 400, ratePerSecond: 2.5, etaSeconds: 112 });
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false, { phaseInFlight });
    const { cookie } = await signIn(app);
    expect(await (await app.request('/', { headers: { cookie } })).text()).not.toContain('http-equiv="refresh"');
    await recordCycleStart(testStore.store.db, { id: 'cycle-running', target: 'default', kind: 'incremental', startedAt: new Date() });
    const page = await (await app.request('/', { headers: { cookie } })).text();
    expect(page).toContain('<meta http-equiv="refresh" content="5"/>');
    expect(page).toContain('incremental cycle since');
    expect(page).toContain('<div class="mono" id="phase">apply [#########.....................] 120/400 30% · 2.5/s · ~1m52s left</div>');
  });

  it('shows the rate Notion requests go at: the setting, or with auto what was learnt', async () => {
    const fixed = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const { cookie } = await signIn(fixed);
    expect(await (await fixed.request('/', { headers: { cookie } })).text()).toContain('<td id="notion-rate">2.5/s (NOTION_RATE_LIMIT_RPS)</td>');
    const auto = consoleApp({ CONSOLE_PASSWORD: password, NOTION_RATE_LIMIT_RPS: 'auto' }, false);
    const session = await signIn(auto);
    expect(await (await auto.request('/', { headers: { cookie: session.cookie } })).text()).toContain('<td id="notion-rate">auto, nothing learnt yet (the next cycle starts slow and probes upwards)</td>');
    await saveLearntRateLimit(testStore.store.db, 'default', { requestsPerSecond: 2.3567, throttledAtRps: 2.48 });
    expect(await (await auto.request('/', { headers: { cookie: session.cookie } })).text()).toContain('<td id="notion-rate">auto, learnt 2.36/s (429 at 2.48/s); the next cycle starts there</td>');
  });

  it('explains that provision now needs credentials when they are not configured', async () => {
    const app = consoleApp({ CONSOLE_PASSWORD: password }, false);
    const { cookie, csrf } = await signIn(app);
    expect(await (await app.request('/objects/user/u-1', { headers: { cookie } })).text()).toContain('Provision now needs Graph and Notion credentials; not configured here: ENTRA_TENANT_ID');
    const refused = await app.request('/objects/user/u-1/provision', { method: 'POST', headers: formHeaders({ cookie }), body: form({ _csrf: csrf, mode: 'dry-run' }) });
    expect(refused.status).toBe(409);
  });
});
