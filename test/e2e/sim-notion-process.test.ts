// The Notion simulator as its own process (the CLI's `sim notion`): where to connect, a rate limit, a clean stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

let child: ChildProcess | null = null;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('entra-notion-sync sim notion', () => {
  it('prints where to connect, serves SCIM with its token and rate limit, and stops on SIGTERM', async () => {
    child = spawn(process.execPath, ['dist/cli/main.js', 'sim', 'notion', '--token', 'rehearsal-token', '--rate-limit', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const info = JSON.parse(line) as { url: string; token: string };
    expect(info.token).toBe('rehearsal-token');

    expect((await fetch(`${info.url}/Users`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const headers = { authorization: `Bearer ${info.token}` };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${info.url}/Users?count=1`, { headers })).status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses a bad option value with exit code 2', async () => {
    const bad = spawn(process.execPath, ['dist/cli/main.js', 'sim', 'notion', '--rate-limit', 'lots'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    bad.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = (await once(bad, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain("option '--rate-limit <rps>' argument 'lots' is invalid. expected a number above 0");
  });
});
