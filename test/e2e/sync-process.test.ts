// `sync` as a process, as a CronJob runs it: an exit code per outcome, webhook alerts once per change (even across
// runs), and a stop signal (SIGTERM, or SIGHUP when the terminal goes) in the middle of a cycle ends it `interrupted`
// with exit 7.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { openEngineSession, type EngineSession } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { readCycles } from './worker-processes.js';

describe('entra-notion-sync sync as a scheduled job', () => {
  let session: EngineSession;
  let receiver: WebhookReceiver;
  let env: Record<string, string>;
  let location: { databaseUrl: string } | { dataDir: string };
  let drop: () => Promise<void>;

  beforeAll(async () => {
    session = await openEngineSession({ tenant: { seed: 5, users: 40, groups: 4 } });
    receiver = await startWebhookReceiver();
    // The CLI's own store: the session's is open in this process, and an embedded store has one owner.
    ({ location, drop } = await createTestStoreLocation());
    env = {
      ...session.env,
      ...storeEnv(location),
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
      WEBHOOK_URL: receiver.url,
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    await receiver?.close();
    await session?.close();
    await drop?.();
  });

  // Not spawnSync: the simulators answer from this process, whose event loop must keep running.
  const sync = (extra: Record<string, string> = {}) => runCli(['sync'], { ...env, ...extra });
  const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as { status: string; error?: string };

  it('exits 1 on a failed cycle, 6 quarantined, 4 partial, 0 on success, and alerts once per change across runs', async () => {
    // A spoiled listing fails the initial cycle closed.
    session.notion.injectFault({ kind: 'malformed', rate: 1, match: { method: 'GET' } });
    const failed = await sync();
    session.notion.clearFaults();
    expect({ status: failed.code, summary: summaryOf(failed.stdout).status }).toEqual({ status: 1, summary: 'failed' });
    // PROTECTED_USERS is empty here: said once, with what to do.
    expect(failed.stdout.match(/"event":"config.no-protected-users".*"hint":"set PROTECTED_USERS/g)).toHaveLength(1);

    const quarantined = await sync({ NOTION_SCIM_TOKEN: 'wrong-token' });
    expect({ status: quarantined.code, summary: summaryOf(quarantined.stdout).status }).toEqual({ status: 6, summary: 'quarantined' });

    // The right token again: the quarantine is lifted at once (the configuration changed), and the cycle runs.
    session.graph.injectFault({ kind: 'status', status: 404, count: 1, match: { path: /\/groups/ } });
    const partial = await sync();
    expect({ status: partial.code, summary: summaryOf(partial.stdout).status }).toEqual({ status: 4, summary: 'partial' });

    const succeeded = await sync();
    expect(succeeded.stderr).toBe('');
    expect({ status: succeeded.code, summary: summaryOf(succeeded.stdout).status }).toEqual({ status: 0, summary: 'succeeded' });
    expect((await sync()).code).toBe(0);

    expect(receiver.received.map((m) => m.text)).toEqual([
      expect.stringContaining('the last cycle failed'),
      expect.stringMatching(/provisioning is quarantined: Notion refused the SCIM token/),
      expect.stringContaining('the quarantine is lifted'),
      // The error's own period is not doubled by the sentence that goes on after it.
      expect.stringMatching(/the last cycle was partial: .*[^.]\. Some changes were not made/),
      expect.stringContaining('cycles succeed again'),
    ]);
    expect(JSON.stringify(receiver.received)).not.toContain('wrong-token');
  });

  it.each<NodeJS.Signals>(['SIGTERM', 'SIGHUP'])('stops on %s in the middle of a cycle: the request in flight finishes, the cycle is interrupted, exit 7', async (signal) => {
    // A workspace of its own: the initial cycle has creates to interrupt.
    const other = await openEngineSession({ tenant: { seed: 6, users: 40, groups: 4 } });
    const fresh = await createTestStoreLocation();
    try {
      other.notion.setOptions({ latencyMs: 100 });
      const firstWrite = new Promise<void>((resolve) => {
        const onRequest = (entry: { method: string }) => {
          if (entry.method !== 'POST') return;
          other.notion.events.off('request', onRequest);
          resolve();
        };
        other.notion.events.on('request', onRequest);
      });
      const result = await runCli(['sync'], { ...env, ...other.env, ...storeEnv(fresh.location), PROTECTED_USERS: 'owner@example.com' }, (child) => void firstWrite.then(() => child.kill(signal)));
      expect(result.signal).toBeNull();
      expect(result.code).toBe(7);
      expect(summaryOf(result.stdout).status).toBe('interrupted');
      expect(result.stdout).not.toContain('config.no-protected-users');
      const cycles = await readCycles(fresh.location, 'workspace');
      expect(cycles.map((c) => c.status)).toEqual(['interrupted']);
      expect(other.differences()).not.toEqual([]);
    } finally {
      await other.close();
      await fresh.drop();
    }
  });

  it('documents every exit code in --help', async () => {
    const help = await runCli(['sync', '--help'], env);
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7]) expect(help.stdout).toMatch(new RegExp(`^  ${code}  \\w`, 'm'));
  });
});
