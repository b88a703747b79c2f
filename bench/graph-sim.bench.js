// Benchmark: the Graph simulator with a generated tenant of 100,000 users and 2,000 groups — generation and
// start-up time, memory (RSS, heap), and one full users/delta and groups/delta round read over loopback https.
// Run after `npm run build`; records its figures under its own heading in bench/RESULTS.md.
import console from 'node:console';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { URLSearchParams } from 'node:url';
import { Agent, fetch } from 'undici';
import { generateTenant, simulatorCaPath, startGraphSimulator } from '../dist/sim/graph/index.js';
import { writeResultsSection } from './results.js';

const USERS = 100_000;
const GROUPS = 2_000;
const HEADING = '## Graph simulator (bench/graph-sim.bench.js)';

const mb = (bytes) => Math.round(bytes / 1024 / 1024);
const dispatcher = new Agent({ connect: { ca: readFileSync(simulatorCaPath) } });

async function getJson(url, token) {
  const response = await fetch(url, { dispatcher, headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/** Reads one delta round to its deltaLink; returns pages, objects and member references seen. */
async function readRound(firstUrl, token) {
  let url = firstUrl;
  let pages = 0;
  let objects = 0;
  let memberRefs = 0;
  for (;;) {
    const body = await getJson(url, token);
    pages += 1;
    objects += body.value.length;
    for (const item of body.value) memberRefs += item['members@delta']?.length ?? 0;
    if (body['@odata.deltaLink']) return { pages, objects, memberRefs };
    url = body['@odata.nextLink'];
  }
}

const baseline = process.memoryUsage();
const started = performance.now();
const tenant = generateTenant({ seed: 1, users: USERS, groups: GROUPS });
const generated = performance.now();
const sim = await startGraphSimulator({ tenant });
const listening = performance.now();
const afterStart = process.memoryUsage();

try {
  const tokenAnswer = await fetch(`${sim.authorityHost}/${sim.tenantId}/oauth2/v2.0/token`, {
    dispatcher,
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  const { access_token: token } = await tokenAnswer.json();

  const usersStart = performance.now();
  const users = await readRound(`${sim.graphBaseUrl}/v1.0/users/delta?$select=userPrincipalName,displayName,givenName,surname,mail,jobTitle,accountEnabled`, token);
  const usersDone = performance.now();
  const groups = await readRound(`${sim.graphBaseUrl}/v1.0/groups/delta?$select=displayName,members`, token);
  const groupsDone = performance.now();
  const afterReads = process.memoryUsage();

  const figures = {
    generateMs: Math.round(generated - started),
    startUpMs: Math.round(listening - started),
    rssMb: mb(afterStart.rss),
    heapUsedMb: mb(afterStart.heapUsed),
    tenantHeapMb: mb(afterStart.heapUsed - baseline.heapUsed),
    usersRound: { ...users, ms: Math.round(usersDone - usersStart) },
    groupsRound: { ...groups, ms: Math.round(groupsDone - usersDone) },
    rssAfterReadsMb: mb(afterReads.rss),
    heapAfterReadsMb: mb(afterReads.heapUsed),
  };
  console.log(JSON.stringify({ bench: 'graph-sim', users: USERS, groups: GROUPS, ...figures }));
  recordResults(figures);
} finally {
  await sim.close();
  await dispatcher.close();
}

function recordResults(f) {
  writeResultsSection(HEADING, [
    '',
    `Tenant of ${USERS.toLocaleString('en')} users and ${GROUPS.toLocaleString('en')} groups (seed 1), Node ${process.version}, ` +
      `measured ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| generate the tenant | ${f.generateMs} ms |`,
    `| start-up (generate + listen) | ${f.startUpMs} ms |`,
    `| RSS after start-up | ${f.rssMb} MB |`,
    `| heap used after start-up (tenant's share) | ${f.heapUsedMb} MB (${f.tenantHeapMb} MB) |`,
    `| users/delta full round | ${f.usersRound.objects} users in ${f.usersRound.pages} pages, ${f.usersRound.ms} ms |`,
    `| groups/delta full round with members | ${f.groupsRound.objects} group entries, ${f.groupsRound.memberRefs} member refs in ${f.groupsRound.pages} pages, ${f.groupsRound.ms} ms |`,
    `| RSS / heap after both rounds | ${f.rssAfterReadsMb} MB / ${f.heapAfterReadsMb} MB |`,
    '',
  ]);
}
