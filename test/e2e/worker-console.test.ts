// The worker as a process with CONSOLE_ENABLED: the console answers on the worker's HTTP port beside the probes,
// asks for a sign-in, and refuses to start without HTTP_PORT or (on every interface) without a password. And a
// quarantine caused by a bad Notion token is lifted when the worker starts with a new one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, readTargetState } from '../../src/store/index.js';
import { openEngineSession, type EngineSession } from '../helpers/engine-session.js';
import { freePort } from '../helpers/free-port.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';
import { directlyAssignedUser } from '../helpers/tenant-picks.js';
import { finishedCycle, spawnWorker, type WorkerProcess } from './worker-processes.js';

describe('entra-notion-sync worker with the console', () => {
  let session: EngineSession;
  let location: { databaseUrl: string } | { dataDir: string };
  let drop: () => Promise<void>;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];
  const start = (extra: Record<string, string>) => {
    const worker = spawnWorker({ ...env, ...extra });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    session = await openEngineSession({ tenant: { seed: 5, users: 20, groups: 3 } });
    ({ location, drop } = await createTestStoreLocation());
    env = {
      ...session.env,
      ...storeEnv(location),
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
      SYNC_SCHEDULE: '0 0 1 1 *',
      LOG_LEVEL: 'info',
      PROTECTED_USERS: 'owner@example.com',
    };
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await session?.close();
    await drop?.();
  });

  it('refuses CONSOLE_ENABLED without HTTP_PORT, and without a password on every interface, in one line with exit 2', async () => {
    const noPort = start({ CONSOLE_ENABLED: 'true', CONSOLE_PASSWORD: 'a-long-console-password' });
    expect(await noPort.exited).toBe(2);
    expect(noPort.stderr()).toMatch(/^CONSOLE_ENABLED: .*HTTP_PORT/);
    const noPassword = start({ CONSOLE_ENABLED: 'true', HTTP_PORT: String(await freePort()) });
    expect(await noPassword.exited).toBe(2);
    expect(noPassword.stderr()).toMatch(/^CONSOLE_ENABLED: .*CONSOLE_PASSWORD/);
    expect(noPassword.stderr()).not.toMatch(/\n\s+at /);
  });

  it('lifts a quarantine left by a rotated token when it starts with the new token, then serves the console beside the probes', async () => {
    const first = start({});
    await first.waitForLine(finishedCycle('succeeded'), 'the initial cycle');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // Notion's token is rotated while the worker still has the old one: its next write is refused, and it quarantines.
    session.tenant.disableUser(directlyAssignedUser(session.tenant).id);
    session.notion.setOptions({ token: 'the-rotated-notion-token' });
    const quarantined = start({});
    await quarantined.waitForLine(finishedCycle('quarantined'), 'a quarantined cycle');
    quarantined.child.kill('SIGTERM');
    expect(await quarantined.exited).toBe(0);

    const port = await freePort();
    const worker = start({ NOTION_SCIM_TOKEN: 'the-rotated-notion-token', CONSOLE_ENABLED: 'true', CONSOLE_PASSWORD: 'a-long-console-password', HTTP_PORT: String(port) });
    await worker.waitForLine((line) => line.event === 'quarantine.lifted', 'the quarantine lifted at start');
    await worker.waitForLine(finishedCycle('succeeded'), 'a succeeded cycle right away');
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    const overview = await fetch(`${base}/`, { redirect: 'manual' });
    expect(overview.status).toBe(303);
    expect(overview.headers.get('location')).toMatch(/\/sign-in/);
    const signIn = await fetch(`${base}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('name="password"');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    const store = await openStore(location);
    try {
      expect((await readTargetState(store.db, session.config.target))?.quarantineReason ?? null).toBeNull();
    } finally {
      await store.close();
    }
  });
});
