// The chaos suite's world: a seeded tenant behind the Graph simulator, a Notion simulator with a few members we do
// not manage (bystanders), a fault proxy in front of each, a fresh store (PGlite or Postgres), and the built CLI
// run as a process against the proxies. `verdict` compares Notion with the tenant through the demo's oracle and
// adds what a chaos run must also never see: duplicates, wrong links, removals of in-scope users or memberships,
// any write to a bystander.
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { entraUserName, expectedWorkspace, workspaceDifferences, type ExpectedWorkspace } from '../../src/cli/commands/demo-verdict.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../../src/sim/fault-proxy.js';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GenerateTenantOptions, type GraphSimulator, type SimTenant } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator, type NotionSimulatorOptions } from '../../src/sim/notion/index.js';
import { openStore } from '../../src/store/index.js';
import { pgliteTemplateDir } from '../helpers/pglite-template.js';
import { cleanEnv } from '../helpers/cli-process.js';
import { withClient } from '../helpers/store.js';

export type StoreKind = 'pglite' | 'postgres';
export type Query = (text: string) => Promise<Array<Record<string, unknown>>>;

/** Rounds multiply how many kill points, fault cycles and data sizes a run tries (CHAOS_ROUNDS, default 1). */
export const rounds = Math.max(1, Number(process.env.CHAOS_ROUNDS ?? 1));
/** The base seed (CHAOS_SEED, default 1); every scenario derives its own from it, and names it when it fails. */
export const baseSeed = Number(process.env.CHAOS_SEED ?? 1);

/** PGlite always; Postgres too when TEST_DATABASE_URL names a server (the shared one: each world makes its own database). */
export function storeKinds(): StoreKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface ChaosStore {
  kind: StoreKind;
  env: Record<string, string>;
  /** Rows of a query, run in this process once no CLI process holds the store. */
  query(text: string): Promise<Array<Record<string, unknown>>>;
  /** Several queries over one connection (opening PGlite costs a second or more). */
  inspect<T>(work: (query: Query) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

/** A fresh, migrated store. `adminUrl` overrides TEST_DATABASE_URL (the Postgres-restart scenario's private cluster). */
export async function createChaosStore(kind: StoreKind, adminUrl = process.env.TEST_DATABASE_URL): Promise<ChaosStore> {
  if (kind === 'pglite') {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'ens-chaos-')), 'data');
    cpSync(pgliteTemplateDir(), dataDir, { recursive: true });
    const inspect = async <T>(work: (query: Query) => Promise<T>): Promise<T> => {
      const store = await openStore({ dataDir });
      try {
        return await work(async (text) => ((await store.db.execute(sql.raw(text))) as unknown as { rows: Array<Record<string, unknown>> }).rows);
      } finally {
        await store.close();
      }
    };
    return {
      kind, env: { DATA_DIR: dataDir }, inspect,
      query: (text) => inspect((query) => query(text)),
      drop: async () => rmSync(join(dataDir, '..'), { recursive: true, force: true }),
    };
  }
  if (!adminUrl) throw new Error('a Postgres chaos store needs TEST_DATABASE_URL');
  const name = `ens_chaos_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await withClient(adminUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const store = await openStore({ databaseUrl });
  await store.migrate();
  await store.close();
  const inspect = <T>(work: (query: Query) => Promise<T>): Promise<T> =>
    withClient(databaseUrl, (c) => work(async (text) => (await c.query(text)).rows as Array<Record<string, unknown>>));
  return {
    kind, env: { DATABASE_URL: databaseUrl }, inspect,
    query: (text) => inspect((query) => query(text)),
    drop: () => withClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

export interface WorldOptions {
  seed: number;
  tenant?: Omit<GenerateTenantOptions, 'seed'>;
  /** Change the tenant before the simulators start (hostile data). */
  shapeTenant?: (tenant: SimTenant) => void;
  notion?: NotionSimulatorOptions;
  /** Change the Notion workspace before the first cycle (accounts that exist already). */
  shapeNotion?: (notion: NotionSimulator) => void;
  graphRules?: FaultRule[];
  notionRules?: FaultRule[];
  /** Extra CLI environment. */
  env?: Record<string, string>;
  /** Members of the workspace we do not manage, each in an unmanaged group. */
  bystanders?: number;
}

export interface World {
  seed: number;
  tenant: SimTenant;
  graph: GraphSimulator;
  notion: NotionSimulator;
  graphProxy: FaultProxy;
  notionProxy: FaultProxy;
  /** userNames of the bystanders (lower case). */
  bystanders: string[];
  env: Record<string, string>;
  expected(): ExpectedWorkspace;
  close(): Promise<void>;
}


const bystanderGroup = (i: number) => `Unmanaged ${i}`;

export async function startWorld(options: WorldOptions): Promise<World> {
  const tenant = generateTenant({ seed: options.seed, users: 40, groups: 6, directAssignmentShare: 0.3, assignedGroupShare: 0.5, ...options.tenant });
  options.shapeTenant?.(tenant);
  const graph = await startGraphSimulator({ tenant, pageSize: { min: 5, max: 15 } });
  const notion = await startNotionSimulator(options.notion ?? {});
  options.shapeNotion?.(notion);
  const bystanders: string[] = [];
  for (let i = 0; i < (options.bystanders ?? 3); i += 1) {
    const user = notion.workspace.addUser({ userName: `bystander${i}@unmanaged.example`, name: { formatted: `Bystander ${i}` } });
    notion.workspace.addGroup({ displayName: bystanderGroup(i), members: [user.id] });
    bystanders.push(user.userName.toLowerCase());
  }
  const graphProxy = await startFaultProxy({ target: graph.authorityHost, tls: true, seed: options.seed, rules: options.graphRules ?? [] });
  const notionProxy = await startFaultProxy({ target: new URL(notion.url).origin, seed: options.seed + 1, rules: options.notionRules ?? [] });
  // The engine follows only links on GRAPH_BASE_URL's origin, and the token scope follows it: the simulator speaks as the proxy.
  graph.usePublicGraphBaseUrl(graphProxy.url);
  const env: Record<string, string> = {
    ...cleanEnv,
    ENTRA_TENANT_ID: graph.tenantId,
    ENTRA_CLIENT_ID: graph.clientId,
    ENTRA_CLIENT_SECRET: graph.clientSecret,
    ENTRA_SERVICE_PRINCIPAL_ID: graph.servicePrincipalId,
    ENTRA_AUTHORITY_HOST: graphProxy.url,
    GRAPH_BASE_URL: graphProxy.url,
    NOTION_SCIM_URL: `${notionProxy.url}${new URL(notion.url).pathname}`,
    NOTION_SCIM_TOKEN: notion.token,
    NOTION_RATE_LIMIT_RPS: '1000',
    NOTION_MAX_CONCURRENCY: '4',
    DELETION_THRESHOLD_PERCENT: '100',
    LOG_LEVEL: 'silent',
    NODE_EXTRA_CA_CERTS: simulatorCaPath,
    // The bystanders are members the operator knows are not managed: declared, else a first cycle reports them as
    // unaccounted and ends held (issue 12). The verdict's bystander checks read Notion's request log and the links,
    // not the plan, so declaring them hides no wrong write or wrong link.
    PROTECTED_USERS: bystanders.join(','),
    ...options.env,
  };
  return {
    seed: options.seed, tenant, graph, notion, graphProxy, notionProxy, bystanders, env,
    expected: () => expectedWorkspace(tenant),
    close: async () => {
      await Promise.all([graphProxy.close(), notionProxy.close()]);
      await Promise.all([graph.close(), notion.close()]);
    },
  };
}

export interface CliRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed by runCli itself after timeoutMs: a hang, never a kill a scenario asked for. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The cycle summary (the last stdout line, when it is JSON). */
  summary: Record<string, unknown> | undefined;
}

/** Runs the built CLI (`npm run build` first). `onSpawn` gets the child, e.g. to kill it from a proxy event. */
export function runCli(args: string[], env: Record<string, string>, onSpawn?: (child: ChildProcess) => void, timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    onSpawn?.(child);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      let summary: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(last);
        if (parsed && typeof parsed === 'object' && 'status' in parsed) summary = parsed as Record<string, unknown>;
      } catch {
        summary = undefined;
      }
      resolve({ args, code, signal, timedOut, stdout, stderr, summary });
    });
  });
}

/** One sync cycle, `--full` when asked. */
export const sync = (world: World, store: ChaosStore, extra: string[] = [], onSpawn?: (child: ChildProcess) => void) =>
  runCli(['sync', ...extra], { ...world.env, ...store.env }, onSpawn);

/** A finished cycle's status, or why it did not finish, for failure messages. */
export function describeRun(run: CliRun): string {
  if (run.timedOut) return 'hung: killed after the time limit';
  if (run.signal) return `killed by ${run.signal}`;
  const status = run.summary?.status;
  const error = run.summary?.error ?? run.summary?.message;
  return `exit ${run.code}${status ? `, status ${String(status)}` : ''}${error ? `, error: ${JSON.stringify(error).slice(0, 300)}` : ''}${run.stderr.trim() ? `, stderr: ${run.stderr.trim().split('\n').slice(0, 3).join(' | ').slice(0, 400)}` : ''}`;
}

/** Stack frames, unhandled-error notes: what a clean failure never prints. */
export function looksLikeCrash(text: string): boolean {
  return /\n\s+at .+:\d+:\d+\)?/.test(text) || /Unhandled|uncaught|node:internal/i.test(text);
}

interface ScimOperation {
  op?: string;
  path?: string;
  value?: unknown;
}

/**
 * Everything a chaos run must never leave behind, as readable lines (empty when all is well):
 * the demo's oracle (missing, unexpected, disabled or wrong users; group members), duplicates by userName and by
 * Entra id, links to the wrong Notion member, and, from the Notion simulator's request log, every removal of an
 * in-scope user or of a membership the tenant wants, and any write that touched a bystander.
 */
export async function verdict(world: World, store: ChaosStore | undefined, options: { converged: boolean }): Promise<string[]> {
  const expected = world.expected();
  // Bystanders' groups are not the tenant's: checked below (untouched), not reported as unexpected.
  const unmanagedGroups = new Set(world.bystanders.map((_, i) => `unexpected group ${bystanderGroup(i)}`));
  const problems = options.converged ? workspaceDifferences(expected, world.notion.workspace, { ignoreUserNames: world.bystanders }).filter((p) => !unmanagedGroups.has(p)) : [];
  const snapshot = world.notion.workspace.snapshot();
  const byName = new Map<string, string[]>();
  for (const user of snapshot.users) byName.set(user.userName.toLowerCase(), [...(byName.get(user.userName.toLowerCase()) ?? []), user.id]);
  for (const [name, ids] of byName) if (ids.length > 1) problems.push(`duplicate: ${ids.length} Notion accounts for userName ${name}`);
  const groupNames = new Map<string, number>();
  for (const group of snapshot.groups) groupNames.set(group.displayName, (groupNames.get(group.displayName) ?? 0) + 1);
  for (const [name, count] of groupNames) if (count > 1) problems.push(`duplicate: ${count} Notion groups named ${name}`);

  const accounts = new Map(snapshot.users.map((u) => [u.id, u]));
  const bystanderIds = new Set(snapshot.users.filter((u) => world.bystanders.includes(u.userName.toLowerCase())).map((u) => u.id));
  for (const id of bystanderIds) {
    const account = accounts.get(id);
    if (!account?.inWorkspace) problems.push(`wrong removal: bystander ${account?.userName ?? id} was removed from the workspace`);
  }
  for (const [i, name] of world.bystanders.entries()) {
    const group = world.notion.workspace.groupByDisplayName(bystanderGroup(i));
    const member = snapshot.users.find((u) => u.userName.toLowerCase() === name);
    if (!group || !member || !group.members.has(member.id)) problems.push(`wrong removal: bystander ${name} lost its unmanaged group`);
  }

  // The request log: removals of in-scope users and wanted memberships, writes to bystanders.
  const userNameOf = (id: string) => accounts.get(id)?.userName.toLowerCase();
  const groupNameOf = new Map(snapshot.groups.map((g) => [g.id, g.displayName]));
  for (const request of world.notion.requests()) {
    if (request.method === 'GET' || request.status === 0 || request.status >= 400) continue;
    const [, collection, id] = request.path.split('/');
    if (!id) continue;
    if (collection === 'Users') {
      const name = userNameOf(id);
      if (bystanderIds.has(id)) problems.push(`wrong write: ${request.method} to bystander ${name}`);
      const operations = ((request.body as { Operations?: ScimOperation[] } | undefined)?.Operations ?? []);
      const deactivates = request.method === 'DELETE' || operations.some((o) => (o.path?.toLowerCase() === 'active' && String(o.value).toLowerCase() === 'false')
        || (o.path === undefined && typeof o.value === 'object' && o.value !== null && String((o.value as Record<string, unknown>).active).toLowerCase() === 'false'));
      if (deactivates && name && expected.users.has(name)) problems.push(`wrong removal: in-scope user ${name} was deactivated (${request.method})`);
    }
    if (collection === 'Groups' && request.method === 'PATCH') {
      const groupName = groupNameOf.get(id);
      const wanted = groupName === undefined ? undefined : expected.groups.get(groupName);
      for (const operation of (request.body as { Operations?: ScimOperation[] } | undefined)?.Operations ?? []) {
        if (operation.op?.toLowerCase() !== 'remove') continue;
        const fromPath = /value eq "([^"]+)"/.exec(operation.path ?? '')?.[1];
        const ids = fromPath ? [fromPath] : Array.isArray(operation.value) ? operation.value.map((v: { value?: string }) => v.value ?? '') : [];
        for (const memberId of ids) {
          const name = userNameOf(memberId);
          if (bystanderIds.has(memberId)) problems.push(`wrong removal: bystander ${name} removed from group ${groupName}`);
          else if (name && wanted?.has(name)) problems.push(`wrong removal: ${name} removed from group ${groupName}, where the tenant wants them`);
        }
      }
    }
  }

  if (store && options.converged) {
    // Links: one Notion account per Entra user, and it must be the account whose userName is that user's UPN as Entra
    // sends it (a B2B guest's without #EXT#).
    const rows = await store.query(`select source_id, notion_id, state from links where object_type = 'user' and notion_id is not null`);
    const upnById = new Map(world.tenant.users().map((u) => [u.id, entraUserName(u.userPrincipalName).toLowerCase()]));
    const sourcesByNotion = new Map<string, string[]>();
    for (const row of rows) {
      const sourceId = String(row.source_id);
      const notionId = String(row.notion_id);
      sourcesByNotion.set(notionId, [...(sourcesByNotion.get(notionId) ?? []), sourceId]);
      const linked = accounts.get(notionId);
      const upn = upnById.get(sourceId);
      if (linked && upn && linked.userName.toLowerCase() !== upn) problems.push(`wrong link: Entra user ${upn} is linked to Notion member ${linked.userName}`);
    }
    for (const [notionId, sources] of sourcesByNotion) if (sources.length > 1) problems.push(`duplicate: Notion account ${notionId} linked to ${sources.length} Entra users`);
  }
  return problems;
}

/** Injected faults per label, for a slice of a proxy's log (one variant's share). */
export function countLabels(entries: Array<{ label: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[entry.label] = (counts[entry.label] ?? 0) + 1;
  return counts;
}

/** A scenario's own seed, derived from CHAOS_SEED and its name: the same CHAOS_SEED replays the same faults and kill points. */
export function scenarioSeed(name: string): number {
  let hash = baseSeed >>> 0;
  for (const char of name) hash = (Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0);
  return hash % 1_000_000;
}

/** A tally the scenarios add to and docs/CHAOS.md reports from (printed at the end of each file). */
export const tally = {
  kills: 0,
  cycles: 0,
  faults: {} as Record<string, number>,
  add(counts: Record<string, number>): void {
    for (const [label, count] of Object.entries(counts)) this.faults[label] = (this.faults[label] ?? 0) + count;
  },
  print(scenario: string): void {
    process.stdout.write(`[chaos] ${scenario}: ${JSON.stringify({ kills: this.kills, cycles: this.cycles, faults: this.faults, rounds, seed: baseSeed })}\n`);
  },
};
