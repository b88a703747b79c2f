// Benchmark: evaluating the default Notion mapping (config/notion-mapping.json) over 100,000 generated users.
// Goal (issue 6): at least 50,000 users per second. Pure CPU, no I/O besides reading the mapping and writing RESULTS.md.
import console from 'node:console';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';
import { mappingConfigSchema } from '../dist/config/index.js';
import { compileMapping, evaluateUser } from '../dist/mapping/index.js';
import { writeResultsSection } from './results.js';

const userCount = 100_000;
const rounds = 5;
const goal = 50_000;

const config = mappingConfigSchema.parse(JSON.parse(readFileSync(new URL('../config/notion-mapping.json', import.meta.url), 'utf8')));
const mapping = compileMapping(config);
const givenNames = ['Ada', 'Zoë', 'Łukasz', 'Ana', 'Søren', 'José', 'Mei', 'Olu'];
const surnames = ['Lovelace', 'Ünal', 'Kowalski', 'Silva', 'Kierkegaard', 'García', 'Chen', 'Adeyemi'];
const users = Array.from({ length: userCount }, (_, index) => {
  const givenName = givenNames[index % givenNames.length];
  const surname = surnames[(index * 7) % surnames.length];
  const upn = `user${index}@contoso.com`;
  return {
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    attributes: {
      userPrincipalName: upn,
      displayName: `${givenName} ${surname}`,
      givenName,
      surname,
      mail: index % 10 === 0 ? null : upn,
      jobTitle: index % 3 === 0 ? undefined : 'Engineer',
      accountEnabled: index % 50 !== 0,
    },
    assigned: index % 100 !== 0,
    softDeleted: false,
    appRoleAssignments: [],
  };
});
const context = { now: new Date(), random: Math.random };

let active = 0;
for (const user of users.slice(0, 10_000)) if (evaluateUser(mapping, user, context).attributes.active) active += 1; // warm-up
const rates = [];
for (let round = 0; round < rounds; round += 1) {
  const start = process.hrtime.bigint();
  for (const user of users) if (evaluateUser(mapping, user, context).attributes.active) active += 1;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rates.push(userCount / seconds);
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)];
const slowest = rates[0];
const fmt = (rate) => `${Math.round(rate).toLocaleString('en-US')} users/s`;
console.log(`default Notion mapping: median ${fmt(median)}, slowest round ${fmt(slowest)} (${rounds} rounds of ${userCount} users; ${active} active evaluations)`);

const heading = '## Attribute mapping (bench/mapping.bench.js)';
writeResultsSection(heading, [
  '',
  `The default Notion mapping (config/notion-mapping.json) evaluated with evaluateUser over ${userCount.toLocaleString('en-US')} generated users, ${rounds} rounds after a warm-up; one core, Node ${process.version}, measured ${new Date().toISOString().slice(0, 10)}.`,
  '',
  '| figure | value |',
  '| --- | --- |',
  `| median round | ${fmt(median)} |`,
  `| slowest round | ${fmt(slowest)} |`,
  `| goal | ${fmt(goal)} — ${slowest >= goal ? 'met' : 'NOT met'} |`,
  '',
]);
if (slowest < goal) {
  console.error(`below the goal of ${fmt(goal)}`);
  process.exit(1);
}
