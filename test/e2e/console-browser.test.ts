/// <reference lib="dom" />
// The console in a real headless browser (Debian's chromium through puppeteer-core) against a store filled by real
// cycles over the simulators: sign in, overview, log search and export, approve a staged deletion and see the next
// cycle apply it, retry an escrowed object, provision on demand (dry run), and refusals without a session or CSRF token.
// Screenshots of each page go to a temporary folder, or to docs/console/ with UPDATE_SCREENSHOTS=1 (shown in README).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleServer, type ConsoleServer } from '../../src/console/index.js';
import { createLogger } from '../../src/observe/index.js';
import type { SimUser } from '../../src/sim/graph/index.js';
import { listEscrowedObjects, listStagedDeletes, searchLog } from '../../src/store/index.js';
import { openEngineSession, type EngineSession } from '../helpers/engine-session.js';
import { directlyAssignedUser, notionUser } from '../helpers/tenant-picks.js';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const password = 'a console password for tests';
const shots = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/console' : mkdtempSync(join(tmpdir(), 'console-shots-'));

let s: EngineSession;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
let leaver: SimUser;
let newcomer: SimUser;

beforeAll(async () => {
  if (!existsSync(chromium)) throw new Error(`no browser at ${chromium}: run .ci/install-chromium.sh (or set CHROMIUM_PATH)`);
  s = await openEngineSession({ tenant: { seed: 21, users: 30, groups: 4 }, env: { DELETION_THRESHOLD: '0', CONSOLE_PASSWORD: password } });
  expect((await s.sync()).status).toBe('succeeded');
  // A second cycle that stages one deletion (threshold 0) and escrows one create. Notion refuses the POST twice: a
  // first escrow is due at the next cycle, so the create fails again there and then waits ten minutes.
  leaver = directlyAssignedUser(s.tenant);
  s.tenant.unassign(leaver.id);
  newcomer = s.tenant.hireUser({ displayName: 'Grace Newcomer' });
  s.tenant.assign(newcomer.id);
  s.notion.injectFault({ kind: 'status', status: 400, count: 2, match: { method: 'POST', path: /^\/Users$/ } });
  const second = await s.sync();
  expect(second).toMatchObject({ stagedDeletes: 1, escrowed: 1 });
  server = await startConsoleServer({ config: s.config, store: s.store.store, logger: createLogger({ level: 'silent' }), host: '127.0.0.1', port: 0 });
  browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await s?.close();
});

const go = async (path: string) => {
  const answer = await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
  return answer!;
};
const text = (selector: string) => page.$eval(selector, (e) => (e as HTMLElement).innerText);
const shoot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const submit = async (selector: string) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);

describe('console in a browser', () => {
  it('sends a visitor without a session to the sign-in form, and signs in with the password', async () => {
    await go('/log');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.type('input[name=name]', 'alice');
    await page.type('input[name=password]', password);
    await shoot('sign-in');
    await submit('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/log');
    const cookie = (await browser.cookies()).find((c) => c.name === 'ens_console_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });

  it('shows health, counts and the chart of cycles on the overview', async () => {
    await go('/');
    expect(await text('#health')).toMatch(/Deprovisioning held: 1 staged deletion/);
    expect(await text('.cards')).toMatch(/1\s+Escrowed objects/);
    expect(await page.$$eval('svg.chart g', (groups) => groups.length)).toBe(2);
    expect(await page.$$eval('svg.chart rect.bar-create', (bars) => bars.length)).toBeGreaterThan(0);
    expect(await text('#notion-rate')).toBe('1000/s (NOTION_RATE_LIMIT_RPS)');
    await shoot('overview');
  });

  it('searches the log by user and exports the same filter as CSV and JSON', async () => {
    await go('/log');
    await page.type('input[name=object]', leaver.userPrincipalName.slice(0, 6).toUpperCase());
    await page.select('select[name=action]', 'create');
    await submit('form.filters button[type=submit]');
    const rows = await page.$$eval('#log-rows tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).innerText));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes('create'))).toBe(true);
    expect(rows.some((r) => r.includes(leaver.userPrincipalName))).toBe(true);
    await shoot('log');

    const cookie = (await browser.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const csvHref = await page.$eval('#export-csv', (a) => (a as HTMLAnchorElement).href);
    const csv = await (await fetch(csvHref, { headers: { cookie } })).text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,at,cycleId,actor,objectType,sourceId/);
    expect(lines.length - 1).toBe(rows.length);
    const json = (await (await fetch(csvHref.replace('export.csv', 'export.json'), { headers: { cookie } })).json()) as Array<{ action: string; displayName: string }>;
    expect(json).toHaveLength(rows.length);
    expect(json.every((r) => r.action === 'create')).toBe(true);
    expect((await fetch(csvHref, { redirect: 'manual' })).status).toBe(303);
  });

  it('approves a staged deletion after a confirmation naming who loses access, and the next cycle applies it', async () => {
    await go('/staged');
    expect(await text('#staged-rows')).toContain(leaver.userPrincipalName);
    await shoot('staged');
    await page.click(`input[name=ids][value="${leaver.id}"]`);
    await submit('button[value=approve-selected]');
    expect(await text('#confirm-text')).toBe('Approve 1 staged deletion(s): 1 user(s) will lose access to Notion in the next cycle.');
    await shoot('staged-confirm');
    await page.click('input[name=confirm]');
    await submit('button[type=submit].danger');
    expect(await text('.notice')).toContain('Approved 1 staged deletion(s)');

    expect(notionUser(s.notion.workspace, leaver.userPrincipalName)?.inWorkspace).toBe(true);
    const next = await s.sync();
    expect(next.counts['disable.success']).toBe(1);
    expect(notionUser(s.notion.workspace, leaver.userPrincipalName)?.inWorkspace).toBe(false);
    expect(await listStagedDeletes(s.store.store.db, s.config.target)).toEqual([]);
    const approvals = await searchLog(s.store.store.db, { target: s.config.target, action: 'approve' });
    expect(approvals.rows.map((r) => [r.actor, r.sourceId])).toEqual([['console:alice', leaver.id]]);
  });

  it('retries an escrowed object now, and the next cycle creates it', async () => {
    // The cycle above retried the create once more and was refused again: the object now waits ten minutes.
    expect(await listEscrowedObjects(s.store.store.db, s.config.target)).toHaveLength(1);
    await go('/escrow');
    expect(await text('#escrow-rows')).toContain('bad-request');
    await shoot('escrow');
    await page.click(`input[name=ids][value="user:${newcomer.id}"]`);
    await submit('button[value=selected]');
    expect(await text('.notice')).toBe('1 object(s) will be tried again in the next cycle.');
    const next = await s.sync();
    expect(next).toMatchObject({ escrowed: 0 });
    expect(next.counts['create.success']).toBe(1);
    expect(notionUser(s.notion.workspace, newcomer.userPrincipalName)?.inWorkspace).toBe(true);
    const retries = await searchLog(s.store.store.db, { target: s.config.target, action: 'retry' });
    expect(retries.rows.map((r) => [r.actor, r.sourceId])).toEqual([['console:alice', newcomer.id]]);
  });

  it('shows the cycles, one cycle with its counts and log rows, and one user with a dry run of provision now', async () => {
    await go('/cycles');
    expect(await page.$$eval('#cycle-rows tbody tr', (trs) => trs.length)).toBe(4);
    await shoot('cycles');
    await submit('#cycle-rows tbody tr:last-child a');
    expect(await text('#cycle-counts')).toMatch(/create\.success\s+\d+/);
    await shoot('cycle');

    await go(`/objects/user/${newcomer.id}`);
    expect(await text('main')).toContain('active');
    await submit('form[action$="/provision"] button');
    expect(await text('#provision-steps')).toMatch(/Import user: found[\s\S]*Assigned to the app: pass[\s\S]*Nothing would change/);
    await shoot('user');
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    await go('/escrow');
    await page.setBypassCSP(true);
    // Forge the form: remove the token, as a cross-site form would lack it.
    await page.evaluate(() => {
      document.querySelector('form.sign-out input[name=_csrf]')?.remove();
    });
    const [answer] = await submit('form.sign-out button');
    expect(answer?.status()).toBe(403);
    expect(await page.content()).toContain('missing or wrong CSRF token');
    // Still signed in: the refused sign-out did nothing.
    expect((await go('/')).status()).toBe(200);
  });

  it('refuses a browser without a session', async () => {
    const stranger = await browser.createBrowserContext();
    try {
      const other = await stranger.newPage();
      await other.goto(`${server.url}/staged`);
      expect(new URL(other.url()).pathname).toBe('/sign-in');
      expect(await other.content()).not.toContain(leaver.userPrincipalName);
    } finally {
      await stranger.close();
    }
  });
});
