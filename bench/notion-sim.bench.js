// Notion simulator at scale: a workspace of 100,000 members and 2,000 groups, seeded, looked up and walked over loopback.
// Run after `npm run build`; records its figures under its own heading in bench/RESULTS.md.
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { startNotionSimulator } from '../dist/sim/notion/index.js';
import { writeResultsSection } from './results.js';

const USERS = 100_000;
const GROUPS = 2_000;
const LOOKUPS = 2_000;
const CONCURRENCY = 8;
const HEADING = '## Notion simulator (bench/notion-sim.bench.js)';

const guard = setTimeout(() => {
  console.error('notion-sim: did not finish within 120 s');
  process.exit(1);
}, 120_000);

const mb = (bytes) => Math.round(bytes / 1024 / 1024);
const heapBefore = process.memoryUsage().heapUsed;
let started = performance.now();
const sim = await startNotionSimulator();
const ids = [];
for (let n = 0; n < USERS; n++) {
  ids.push(sim.workspace.addUser({ userName: `user.${n}@example.com`, name: { formatted: `User ${n}`, givenName: 'User', familyName: String(n) }, role: 'member' }).id);
}
// Group sizes spread from 1 to 5,000 members.
let memberRefs = 0;
for (let g = 0; g < GROUPS; g++) {
  const size = Math.min(USERS, Math.max(1, Math.round(5_000 / (1 + (g % 100)))));
  const members = Array.from({ length: size }, (_, k) => ids[(g * 37 + k * 101) % USERS]);
  sim.workspace.addGroup({ displayName: `Group ${g}`, members });
  memberRefs += sim.workspace.groupMembers(sim.workspace.groupAt(g).id).length;
}
const seedMs = Math.round(performance.now() - started);
const heapMb = mb(process.memoryUsage().heapUsed - heapBefore);
const rssMb = mb(process.memoryUsage().rss);

const headers = { authorization: `Bearer ${sim.token}` };
const getJson = async (path) => {
  const response = await fetch(`${sim.url}${path}`, { headers });
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  return response.json();
};

// userName lookups, CONCURRENCY in flight.
started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < LOOKUPS) {
      const n = (next++ * 7919) % USERS;
      const page = await getJson(`/Users?filter=${encodeURIComponent(`userName eq "user.${n}@example.com"`)}`);
      if (page.totalResults !== 1) throw new Error(`user.${n} not found`);
    }
  }),
);
const lookupMs = performance.now() - started;

// A full walk of the members with count=100, one page at a time.
started = performance.now();
let seen = 0;
let pages = 0;
for (let startIndex = 1; ; pages++) {
  const page = await getJson(`/Users?startIndex=${startIndex}&count=100`);
  if (page.Resources.length === 0) break;
  seen += page.Resources.length;
  startIndex += page.Resources.length;
}
const walkMs = Math.round(performance.now() - started);
if (seen !== USERS) throw new Error(`walk saw ${seen} users`);

// The largest group read by id.
started = performance.now();
const largest = await getJson(`/Groups/${sim.workspace.groupAt(0).id}`);
const largestMs = Math.round(performance.now() - started);

await sim.close();
clearTimeout(guard);

const figures = {
  seedMs,
  heapMb,
  rssMb,
  lookupsPerSecond: Math.round(LOOKUPS / (lookupMs / 1000)),
  walkMs,
  pages,
  largestMembers: largest.members.length,
  largestMs,
};
console.log(JSON.stringify(figures));

writeResultsSection(HEADING, [
  '',
  `Workspace of ${USERS.toLocaleString('en')} members and ${GROUPS.toLocaleString('en')} groups (${memberRefs.toLocaleString('en')} memberships), ` +
    `Node ${process.version}, measured ${new Date().toISOString().slice(0, 10)}.`,
  '',
  '| figure | value |',
  '| --- | --- |',
  `| seed the workspace in-process (start + addUser + addGroup) | ${figures.seedMs} ms |`,
  `| heap used by the workspace / process RSS after seeding | ${figures.heapMb} MB / ${figures.rssMb} MB |`,
  `| \`userName eq\` lookups over HTTP, ${CONCURRENCY} in flight | ${figures.lookupsPerSecond} per second (${LOOKUPS} lookups) |`,
  `| full walk of /Users with count=100 | ${USERS.toLocaleString('en')} users in ${figures.pages} pages, ${figures.walkMs} ms |`,
  `| GET of the largest group | ${figures.largestMembers} members, ${figures.largestMs} ms |`,
  '',
]);
