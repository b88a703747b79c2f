// Scenario 6: secrets echoed back. Both proxies add the SCIM token, the Entra client secret and the request's own
// Authorization header (the SCIM token, Graph's access token) to every error body and as a header, the way a careless
// server or gateway would; faults make sure there are many errors: Notion 5xx, 400 on creates (a lasting failure the
// engine records), 502 after acting, a page of Graph garbage quoting the secret, Graph 429/503 and one 401 from the
// token endpoint. Then every command that prints what happened runs (sync, plan, status, logs) with debug logging.
// Promise (README; issue 11 defect 6): no secret in stdout, stderr or any text/jsonb column of any table.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/sim/fault-proxy.js';
import { createChaosStore, runCli, scenarioSeed, startWorld, storeKinds, sync, tally, type CliRun, type Query } from './harness.js';

afterAll(() => tally.print('secrets'));

/** Every text-like column of every table in the public schema that holds one of the `needles`. */
async function storeHits(query: Query, needles: string[]): Promise<string[]> {
  const columns = await query(`select table_name, column_name from information_schema.columns
    where table_schema = 'public' and data_type in ('text', 'jsonb', 'json', 'character varying', 'ARRAY')`);
  const hits: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const checks = needles.map((needle, i) => `count(*) filter (where position('${needle.replaceAll("'", "''")}' in "${String(column)}"::text) > 0)::int as n${i}`);
    const [row] = await query(`select ${checks.join(', ')} from "${String(table)}"`);
    needles.forEach((needle, i) => {
      const n = Number(row?.[`n${i}`] ?? 0);
      if (n > 0) hits.push(`${String(table)}.${String(column)}: ${n} row(s) hold ${describeSecret(needle)}`);
    });
  }
  return hits;
}

/** A failure message must not print the secrets it found. */
const hide = (text: string, secrets: string[]) => secrets.reduce((out, secret) => out.replaceAll(secret, '<secret>'), text);
const describeSecret = (value: string) => `a secret (${value.slice(0, 4)}…, ${value.length} characters)`;

describe.each(storeKinds())('secrets echoed by both servers (%s)', (kind) => {
  it('reach neither the output of any command nor any table of the store', async () => {
    const seed = scenarioSeed(`secrets-${kind}`);
    const scimToken = `scim-${randomBytes(18).toString('base64url')}`;
    const notionRules: FaultRule[] = [
      { kind: 'status', status: 400, match: { method: 'POST', path: /\/Users$/ }, count: 3, label: 'notion 400 on create (echoing)' },
      { kind: 'status-after', status: 502, match: { method: 'POST', path: /\/Groups$/ }, count: 1, label: 'notion 502 after a group create (echoing)' },
      { kind: 'status', status: 503, match: { method: 'GET' }, count: 2, label: 'notion 503 on a read (echoing)' },
      { kind: 'status', status: 500, rate: 0.15, label: 'notion 500 (echoing)' },
      { kind: 'status-after', status: 502, rate: 0.05, label: 'notion 502 after acting (echoing)' },
      { kind: 'throttle', rate: 0.05, retryAfterSeconds: 1, label: 'notion 429 (echoing)' },
    ];
    const world = await startWorld({
      seed, notion: { token: scimToken }, notionRules,
      env: { LOG_LEVEL: 'debug' },
    });
    const clientSecret = world.graph.clientSecret;
    const graphRules: FaultRule[] = [
      { kind: 'status', status: 401, match: { path: /oauth2\/v2\.0\/token/ }, count: 1, label: 'token endpoint 401 (echoing)' },
      { kind: 'rewrite', match: { path: /users\/delta\?.*skiptoken/ }, count: 1, label: 'Graph garbage page quoting the secrets', rewrite: (_a, request) => ({
        status: 200, headers: { 'content-type': 'application/json' }, body: `{"value": [{"id": "Bearer ${scimToken} ${clientSecret} ${request.path}"`,
      }) },
      { kind: 'status', status: 503, match: { path: /^\/v1\.0\// }, count: 2, label: 'graph 503 (echoing)' },
      { kind: 'throttle', retryAfterSeconds: 1, match: { path: /^\/v1\.0\// }, rate: 0.1, label: 'graph 429 (echoing)' },
      { kind: 'status', status: 503, match: { path: /^\/v1\.0\// }, rate: 0.1, label: 'graph 503 (echoing)' },
    ];
    world.graphProxy.setRules(graphRules);
    for (const proxy of [world.graphProxy, world.notionProxy]) proxy.setEcho([scimToken, clientSecret], true);
    const store = await createChaosStore(kind);
    const runs: CliRun[] = [];
    try {
      const env = { ...world.env, ...store.env };
      runs.push(await sync(world, store), await sync(world, store, ['--full']));
      tally.cycles += 2;
      runs.push(await runCli(['plan'], env), await runCli(['status'], env), await runCli(['logs', '--limit', '1000'], env));
      tally.add(world.notionProxy.injectedCounts());
      tally.add(world.graphProxy.injectedCounts());

      // The bearer tokens clients sent (Graph's access tokens are minted per run), without the scheme word.
      const sent = [...world.graphProxy.authorizations(), ...world.notionProxy.authorizations()].map((h) => h.replace(/^Bearer\s+/i, ''));
      const secrets = [...new Set([scimToken, clientSecret, ...sent])].filter((s) => s.length >= 8);
      const failures: string[] = [];
      for (const run of runs) {
        for (const secret of secrets) {
          for (const [stream, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
            const at = text.indexOf(secret);
            if (at >= 0) failures.push(`\`${run.args.join(' ')}\` ${stream} holds ${describeSecret(secret)}: …${hide(text.slice(Math.max(0, at - 80), at), secrets)}<secret>…`);
          }
        }
      }
      failures.push(...(await store.inspect((query) => storeHits(query, secrets))));
      const errorsSeen = world.notionProxy.injected().length + world.graphProxy.injected().length;
      if (errorsSeen < 8) failures.push(`only ${errorsSeen} faults echoed the secrets (10 are arranged by count)`);
      expect(failures, `seed ${seed} (${kind})`).toEqual([]);
    } finally {
      await world.close();
      await store.drop();
    }
  });
});
