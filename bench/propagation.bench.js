// Benchmark (issue 15): how long a change in Entra takes to reach Notion through the worker, a process in watch mode
// or with change notifications, against both simulators with a 10,000-user tenant. For a
// disable, a new hire and a group membership change: the time from the change (the Graph simulator's control API)
// to the write in the Notion simulator's traffic log, p50/p95. Then an idle stretch: Graph requests per poll
// (token requests included) and Notion requests (goal 0).
//
// Goals: watch p95 under WATCH_INTERVAL_SECONDS + 10 s; notifications p95 under 10 s; idle ≤ 4 Graph requests per
// poll and 0 Notion requests. Settings (environment): BENCH_USERS (10000), BENCH_REPEATS (changes of each kind per
// mode, 3), BENCH_WATCH_INTERVALS (comma list, "30,5"), BENCH_IDLE_POLLS (polls of the idle stretch, 6),
// BENCH_MODES ("watch,notifications"), BENCH_NOTIFICATION_PATH (the worker's notification route, "/notifications").
import { spawn, spawnSync } from 'node:child_process';
import console from 'node:console';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { createInterface } from 'node:readline';
import { fileURLToPath, URL } from 'node:url';
import { simulatorConnectionEnv } from '../dist/sim/connection-env.js';
import { DEFAULT_PERMISSIONS, generateTenant, simulatorCaPath, startGraphSimulator } from '../dist/sim/graph/index.js';
import { startNotionSimulator } from '../dist/sim/notion/index.js';
import { writeResultsSection } from './results.js';

const heading = '## Propagation: Entra change → Notion write through the worker (bench/propagation.bench.js)';
const users = Number(process.env.BENCH_USERS ?? 10_000);
const groups = Math.max(20, Math.round(users / 50));
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const watchIntervals = (process.env.BENCH_WATCH_INTERVALS ?? '30,5').split(',').map(Number).filter((n) => n > 0);
const idlePolls = Number(process.env.BENCH_IDLE_POLLS ?? 6);
const modes = (process.env.BENCH_MODES ?? 'watch,notifications').split(',');
const notificationPath = process.env.BENCH_NOTIFICATION_PATH ?? '/notifications';
const debounceSeconds = 2;
const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

// The Graph simulator speaks https with a test CA, which Node trusts only through NODE_EXTRA_CA_CERTS at start.
if (process.env.NODE_EXTRA_CA_CERTS !== simulatorCaPath) {
  const run = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: simulatorCaPath } });
  process.exit(run.status ?? 1);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/** The tenant, both simulators and a store with the initial sync done in this process (the worker takes it over). */
async function prepare() {
  const tenant = generateTenant({ seed: 15, users, groups });
  // A subscription on groups needs Group.Read.All (graph-notifications §1), which the simulator does not grant by default.
  const graph = await startGraphSimulator({ tenant, grantedPermissions: [...DEFAULT_PERMISSIONS, 'Group.Read.All'] });
  const notion = await startNotionSimulator({});
  const folder = mkdtempSync(join(tmpdir(), 'propagation-bench-'));
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_EXTRA_CA_CERTS: simulatorCaPath,
    SYNC_TARGET: 'workspace',
    ...simulatorConnectionEnv(graph, notion),
    NOTION_RATE_LIMIT_RPS: '1000', NOTION_MAX_CONCURRENCY: '8', DELETION_THRESHOLD_PERCENT: '100',
    DATA_DIR: join(folder, 'data'), LOG_LEVEL: 'silent',
  };
  // The initial sync runs as a `sync` process: in this process, the embedded store's work would starve the
  // simulators' event loop on a busy machine (their connections then reset).
  const started = Date.now();
  let code = await runSync(env);
  // On a busy machine a request may still fail: the next runs continue the read and retry what was escrowed.
  for (let retry = 0; retry < 5 && code === 4; retry += 1) {
    console.log('initial sync ended partial; another run');
    code = await runSync(env);
  }
  if (code !== 0) throw new Error(`the initial sync exited ${code}`);
  console.log(`initial sync of ${users} users: ${notion.workspace.userCount()} Notion users in ${seconds(Date.now() - started)}`);
  const control = `${new URL(graph.graphBaseUrl).origin}/_sim`;
  return { tenant, graph, notion, folder, env, control };
}

async function runSync(env) {
  const child = spawn(process.execPath, [main, 'sync'], { env: { ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = await once(child, 'exit');
  return code;
}

async function controlRequest(control, method, path, body) {
  const answer = await fetch(`${control}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
  return answer.status === 204 ? undefined : answer.json();
}

function spawnWorker(env) {
  const child = spawn(process.execPath, [main, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text));
    } catch {
      // not a log line
    }
  });
  const exited = once(child, 'exit');
  return {
    child, lines, stderr: () => stderr,
    async waitFor(matches, what, timeoutMs = 600_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = lines.find(matches);
        if (line) return line;
        if (child.exitCode !== null) throw new Error(`the worker exited before ${what}: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`the worker did not log ${what} in ${timeoutMs} ms: ${stderr}`);
        await sleep(100);
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resolves with the time of the first Notion write after `since` that `matches` (method, path). */
function nextNotionWrite(notion, since, matches, timeoutMs) {
  const seen = notion.requests().find((entry) => entry.at >= since && entry.method !== 'GET' && matches(entry));
  if (seen) return Promise.resolve(seen.at);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      notion.events.off('request', onRequest);
      reject(new Error(`no matching Notion write within ${timeoutMs} ms`));
    }, timeoutMs);
    function onRequest(entry) {
      if (entry.at < since || entry.method === 'GET' || !matches(entry)) return;
      clearTimeout(timer);
      notion.events.off('request', onRequest);
      resolve(entry.at);
    }
    notion.events.on('request', onRequest);
  });
}

/** Picks for the three kinds of change; each pick is used once. */
function changeMakers(setup) {
  const { tenant, notion, control } = setup;
  const assignedGroups = tenant.assignments().filter((row) => row.principalType === 'Group').map((row) => row.principalId);
  const used = new Set();
  const activeInNotion = (user) => notion.workspace.accountByUserName(user.userPrincipalName)?.inWorkspace === true;
  const notionUserId = (user) => notion.workspace.accountByUserName(user.userPrincipalName)?.id;
  let hires = 0;
  return {
    async disable() {
      const user = tenant.users().find((candidate) => !used.has(candidate.id) && candidate.accountEnabled && !candidate.deletedDateTime && activeInNotion(candidate));
      used.add(user.id);
      const notionId = notionUserId(user);
      return { change: () => controlRequest(control, 'POST', `/users/${user.id}/disable`), write: (entry) => entry.method === 'PATCH' && entry.path === `/Users/${notionId}` };
    },
    async hire() {
      hires += 1;
      return {
        change: async () => {
          const user = await controlRequest(control, 'POST', '/users', { displayName: `Bench Hire ${hires}`, userPrincipalName: `bench.hire.${hires}.${Date.now()}@contoso.example` });
          await controlRequest(control, 'POST', '/assignments', { principalId: user.id });
        },
        write: (entry) => entry.method === 'POST' && entry.path === '/Users',
      };
    },
    async membership() {
      const groupId = assignedGroups.find((id) => !used.has(id));
      used.add(groupId);
      const members = new Set(tenant.membersOf(groupId));
      const user = tenant.users().find((candidate) => !used.has(candidate.id) && !members.has(candidate.id) && activeInNotion(candidate));
      used.add(user.id);
      const group = notion.workspace.groupByDisplayName(tenant.groups().find((g) => g.id === groupId).displayName);
      return { change: () => controlRequest(control, 'POST', `/groups/${groupId}/members`, { memberId: user.id }), write: (entry) => entry.method === 'PATCH' && entry.path === `/Groups/${group.id}` };
    },
  };
}

/**
 * Where one change's delay went, from the worker's log lines (their `time`) between the change and the end of the
 * cycle that wrote it: `detect` until the poll saw it or the notification's hint arrived, `queue` until the cycle was
 * triggered (the debounce), `start` until the cycle started (quarantine check, lock), then the cycle's own `import`,
 * `plan` (the rest of prepare.ts: the scope and store reads, the plan, and a Notion listing when one pays) and `apply`
 * up to the write. A phase ends when the progress log reports it (a line per phase end).
 */
function breakdown(lines, at, writeAt) {
  const since = lines.filter((line) => Date.parse(line.time) >= at);
  const time = (line) => (line ? Date.parse(line.time) : undefined);
  const detected = time(since.find((line) => line.event === 'watch.changed' || line.event === 'notification.hint'));
  const triggered = time(since.find((line) => line.event === 'cycle.triggered'));
  const started = time(since.find((line) => line.event === 'cycle.started'));
  const phaseEnds = since.filter((line) => line.event === 'progress' && Date.parse(line.time) <= writeAt);
  const lastEnd = (prefix) => time(phaseEnds.filter((line) => line.phase.startsWith(prefix)).at(-1));
  const imported = lastEnd('import') ?? started;
  const planned = lastEnd('read Notion') ?? lastEnd('plan') ?? imported;
  if (detected === undefined || triggered === undefined || started === undefined) return undefined;
  return { detect: detected - at, queue: triggered - detected, start: started - triggered, import: imported - started, plan: planned - imported, apply: writeAt - planned };
}

/** Changes one at a time, each at a random moment of the poll interval; returns the delays by kind, in ms. */
async function measureChanges(setup, worker, intervalSeconds) {
  const makers = changeMakers(setup);
  const delays = { disable: [], hire: [], membership: [] };
  const parts = [];
  for (let round = 0; round < repeats; round += 1) {
    for (const kind of Object.keys(delays)) {
      await sleep(Math.random() * intervalSeconds * 1000);
      const { change, write } = await makers[kind]();
      const finished = () => worker.lines.filter((line) => line.event === 'cycle.finished').length;
      const cyclesBefore = finished();
      const at = Date.now();
      const arrived = nextNotionWrite(setup.notion, at, write, (intervalSeconds + 120) * 1000);
      await change();
      const writeAt = await arrived;
      const delay = writeAt - at;
      delays[kind].push(delay);
      // Let the cycle finish before the next change, so that each change is measured on its own.
      await worker.waitFor(() => finished() > cyclesBefore, 'the cycle to finish', 300_000);
      const part = breakdown(worker.lines, at, writeAt);
      if (part) parts.push(part);
      console.log(`  ${kind}: ${seconds(delay)}${part ? ` (${Object.entries(part).map(([name, ms]) => `${name} ${seconds(ms)}`).join(', ')})` : ''}`);
      await sleep(500);
    }
  }
  return { delays, parts };
}

/** An idle stretch of `idlePolls` polls: Graph requests (and token requests) per poll, Notion requests. */
async function measureIdle(setup, intervalSeconds) {
  setup.graph.clearRequests();
  setup.notion.clearRequests();
  const started = Date.now();
  await sleep(idlePolls * intervalSeconds * 1000 + 1000);
  const requests = setup.graph.requests();
  const tokens = requests.filter((request) => request.scope).length;
  const graphReads = requests.length - tokens;
  // Each idle poll reads the users delta once (its last read).
  const polls = Math.max(1, requests.filter((request) => request.route === '/v1.0/users/delta').length);
  const assignments = setup.tenant.assignments().length;
  return { polls, graphReads, tokens, perPoll: requests.length / polls, notion: setup.notion.requests().length, ms: Date.now() - started, assignments };
}

function summarize({ delays, parts }) {
  const all = Object.values(delays).flat();
  const row = (label, values) => `${label}: n=${values.length}, p50 ${seconds(percentile(values, 50))}, p95 ${seconds(percentile(values, 95))}, max ${seconds(Math.max(...values))}`;
  const lines = [...Object.entries(delays).map(([kind, values]) => row(kind, values)), row('all', all)];
  // The median and the largest of each part of the delay; `cycle` (start, import, plan, apply) is the cycle's own share.
  const share = (name, pick) => {
    const values = parts.map(pick);
    return `${name} ${seconds(percentile(values, 50))} / ${seconds(Math.max(...values))}`;
  };
  if (parts.length > 0) {
    lines.push(`parts of the delay, median / max (n=${parts.length}): ${[
      share('detect', (p) => p.detect), share('debounce', (p) => p.queue), share('to start', (p) => p.start),
      share('import', (p) => p.import), share('plan', (p) => p.plan), share('apply to the write', (p) => p.apply),
      share('cycle to the write', (p) => p.import + p.plan + p.apply),
    ].join(', ')}`);
  }
  return { all, lines };
}

/** The 1-minute load average, for the record: the cycle's time depends on what else shares the cores. */
const load = () => loadavg()[0].toFixed(1);

async function runWatch(setup, intervalSeconds) {
  console.log(`watch mode, WATCH_INTERVAL_SECONDS=${intervalSeconds}, load average ${load()}`);
  const loadAtStart = load();
  const worker = spawnWorker({ ...setup.env, LOG_LEVEL: 'info', SYNC_SCHEDULE: '0 0 1 1 *', VERIFY_SCHEDULE: 'off', WATCH_INTERVAL_SECONDS: String(intervalSeconds), CYCLE_DEBOUNCE_SECONDS: String(debounceSeconds) });
  try {
    await worker.waitFor((line) => line.event === 'cycle.finished', 'the cycle at start');
    // The first poll finds the service principal and a token: once for the worker's life, not part of an idle poll.
    await sleep(intervalSeconds * 1000 + 2000);
    const measured = await measureChanges(setup, worker, intervalSeconds);
    const idle = intervalSeconds >= 30 || watchIntervals.length === 1 ? await measureIdle(setup, intervalSeconds) : undefined;
    const { all, lines } = summarize(measured);
    const cycleMs = worker.lines.filter((line) => line.event === 'cycle.finished').slice(1).map((line) => line.durationMs);
    lines.push(`cycles (after the one at start): n=${cycleMs.length}, median ${seconds(percentile(cycleMs, 50))}, max ${seconds(Math.max(...cycleMs))}`);
    const p95 = percentile(all, 95);
    const goal = (intervalSeconds + 10) * 1000;
    const idleOk = idle ? idle.perPoll <= 4 && idle.notion === 0 : true;
    return { mode: 'watch', intervalSeconds, delays: measured.delays, loads: `${loadAtStart} → ${load()}`, lines, p95, goal, ok: p95 < goal && idleOk, idle };
  } finally {
    await worker.stop();
  }
}

async function runNotifications(setup) {
  const port = await freePort();
  console.log(`notifications mode, worker on port ${port}${notificationPath}, load average ${load()}`);
  const loadAtStart = load();
  const worker = spawnWorker({
    ...setup.env, LOG_LEVEL: 'info', SYNC_SCHEDULE: '0 0 1 1 *', VERIFY_SCHEDULE: 'off', WATCH_INTERVAL_SECONDS: '0',
    CYCLE_DEBOUNCE_SECONDS: String(debounceSeconds), HTTP_PORT: String(port),
    NOTIFICATION_URL: `http://127.0.0.1:${port}${notificationPath}`, NOTIFICATION_CLIENT_STATE: 'bench-client-state-0123456789',
  });
  try {
    await worker.waitFor((line) => line.event === 'cycle.finished', 'the cycle at start');
    await sleep(5000);
    const measured = await measureChanges(setup, worker, 10);
    const { all, lines } = summarize(measured);
    const cycleMs = worker.lines.filter((line) => line.event === 'cycle.finished').slice(1).map((line) => line.durationMs);
    lines.push(`cycles (after the one at start): n=${cycleMs.length}, median ${seconds(percentile(cycleMs, 50))}, max ${seconds(Math.max(...cycleMs))}`);
    const p95 = percentile(all, 95);
    return { mode: 'notifications', delays: measured.delays, loads: `${loadAtStart} → ${load()}`, lines, p95, goal: 10_000, ok: p95 < 10_000 };
  } finally {
    await worker.stop();
  }
}

function recordResults(results) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const out = [
    '',
    `Tenant of ${users} users and ${groups} groups (seed 15), initial sync done beforehand; the worker as a process (PGlite store), ${repeats} changes of each kind per mode, each at a random moment of the poll interval and measured alone; debounce ${debounceSeconds} s. Delay: from the control-API request that makes the change to the first matching write in the Notion simulator's traffic log. ${cpus().length} × ${cpu}, Node ${process.version}, measured ${new Date().toISOString().slice(0, 10)}; the 1-minute load average at the start and the end of each mode is in its row.`,
    '',
    '| mode | p50 | p95 | max | goal (p95) | goal met | load average |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const all = Object.values(r.delays).flat();
    const label = r.mode === 'watch' ? `watch, ${r.intervalSeconds} s` : 'notifications';
    out.push(`| ${label} | ${seconds(percentile(all, 50))} | ${seconds(r.p95)} | ${seconds(Math.max(...all))} | < ${seconds(r.goal)} | ${r.p95 < r.goal ? 'yes' : 'NO'} | ${r.loads} |`);
  }
  out.push('', 'By kind of change (and how long the cycles took, from their start to their end):', '');
  for (const r of results) out.push(`- ${r.mode === 'watch' ? `watch, ${r.intervalSeconds} s` : 'notifications'}: ${r.lines.join('; ')}`);
  out.push('', 'What a delay is made of (the "parts" above, from the worker\'s log lines): `detect`, the wait for the next poll (uniform over the interval) and the poll, or the notification\'s delivery; `debounce`, the trigger\'s window (a poll\'s request starts at once); `to start`, the quarantine check and the lock; then the cycle\'s own `import` (the delta reads into the store), `plan` (the rest of prepare.ts: the scope and store reads, the plan, a Notion listing when one pays) and `apply` up to the write.');
  const idle = results.find((r) => r.idle)?.idle;
  if (idle) {
    out.push(
      '',
      `Idle stretch (watch, ${results.find((r) => r.idle).intervalSeconds} s, ${idle.polls} polls, ${seconds(idle.ms)}): ${idle.graphReads} Graph requests and ${idle.tokens} token requests = ${idle.perPoll.toFixed(2)} per poll (goal ≤ 4: ${idle.perPoll <= 4 ? 'met' : 'NOT met'}): the users delta, the groups delta, and the app's ${idle.assignments} assignments at 999 a page; ${idle.notion} Notion requests (goal 0: ${idle.notion === 0 ? 'met' : 'NOT met'}). A token lives 3600 s in the simulator (as in Entra), so an idle hour at 30 s is 120 polls × that + about 1 token request.`,
    );
  }
  writeResultsSection(heading, [...out, '']);
}

const setup = await prepare();
const results = [];
try {
  if (modes.includes('notifications')) results.push(await runNotifications(setup));
  if (modes.includes('watch')) for (const interval of watchIntervals) results.push(await runWatch(setup, interval));
} finally {
  await Promise.all([setup.graph.close(), setup.notion.close()]);
  rmSync(setup.folder, { recursive: true, force: true });
}
for (const r of results) console.log(`${r.mode}${r.intervalSeconds ? ` ${r.intervalSeconds} s` : ''}: ${r.lines.find((line) => line.startsWith('all:'))} → ${r.ok ? 'ok' : 'GOAL MISSED'}`);
recordResults(results);
if (results.some((r) => !r.ok)) process.exit(1);
