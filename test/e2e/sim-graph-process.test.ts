// The Graph simulator as its own process (the CLI's `sim graph`): one JSON line on stdout, the control API, and a clean stop on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

let child: ChildProcess | null = null;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('entra-notion-sync sim graph', () => {
  it('prints where to connect, serves the tenant, and stops on SIGTERM', async () => {
    child = spawn(process.execPath, ['dist/cli/main.js', 'sim', 'graph', '--users', '50', '--groups', '5', '--seed', '4'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const info = JSON.parse(line) as Record<string, string>;
    expect(Object.keys(info)).toEqual(expect.arrayContaining(['authorityHost', 'graphBaseUrl', 'tenantId', 'clientId', 'clientSecret', 'servicePrincipalId', 'caPath']));
    expect(info.caPath?.endsWith('src/sim/tls/ca.pem')).toBe(true);

    const users = (await (await fetch(`${info.graphBaseUrl}/_sim/users`)).json()) as { value: unknown[] };
    expect(users.value).toHaveLength(50);
    const tokenAnswer = await fetch(`${info.authorityHost}/${info.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: info.clientId!, client_secret: info.clientSecret!, scope: 'https://graph.microsoft.com/.default' }),
    });
    expect(tokenAnswer.status).toBe(200);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });
});
