import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendLogEntries, openStore, recordCycleEnd, recordCycleStart, saveLearntRateLimit, tables, updateTargetState } from '../../src/store/index.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';

describe('the status and logs commands', () => {
  let env: NodeJS.ProcessEnv;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await createTestStoreLocation();
    drop = created.drop;
    const location = created.location;
    env = { PATH: process.env.PATH, ...storeEnv(location) };
    const store = await openStore(location);
    const db = store.db;
    await recordCycleStart(db, { id: 'cycle-1', target: 'default', kind: 'initial', startedAt: new Date('2026-03-02T09:00:00Z') });
    await recordCycleEnd(db, 'cycle-1', { status: 'succeeded', finishedAt: new Date('2026-03-02T09:02:05Z'), counts: { 'create.success': 2 } });
    await recordCycleStart(db, { id: 'cycle-2', target: 'default', kind: 'incremental', startedAt: new Date('2026-03-02T09:40:00Z') });
    await recordCycleEnd(db, 'cycle-2', { status: 'partial', finishedAt: new Date('2026-03-02T09:40:03Z'), counts: { 'update.success': 1, 'update.failure': 1 } });
    await updateTargetState(db, 'default', {
      quarantineReason: 'EncounteredEscrowProportionThreshold',
      quarantineSince: new Date('2026-03-02T09:40:03Z'),
      quarantineNextAttemptAt: new Date('2026-03-02T10:10:03Z'),
    });
    await db.insert(tables.links).values([
      { target: 'default', objectType: 'user', sourceId: 'u-ada', notionId: 'n-ada', state: 'active', applied: { userName: 'ada@example.com' } },
      {
        target: 'default',
        objectType: 'user',
        sourceId: 'u-bob',
        notionId: 'n-bob',
        state: 'active',
        applied: { userName: 'bob@example.com' },
        attempts: 2,
        nextAttemptAt: new Date('2026-03-02T11:00:00Z'),
        lastErrorKind: 'bad-request',
        lastError: 'title too long',
      },
      { target: 'default', objectType: 'user', sourceId: 'u-cy', notionId: 'n-cy', state: 'active', applied: { userName: 'cy@example.com' }, stagedAction: 'disable', stagedAt: new Date('2026-03-02T09:40:02Z') },
    ]);
    const entry = { target: 'default', objectType: 'user', notionId: null };
    await appendLogEntries(db, [
      { ...entry, cycleId: 'cycle-1', changeId: 'c1', at: new Date('2026-03-02T09:01:00Z'), sourceId: 'u-ada', displayName: 'ada@example.com', action: 'create', status: 'success' },
      { ...entry, cycleId: 'cycle-1', changeId: 'c2', at: new Date('2026-03-02T09:01:01Z'), sourceId: 'u-bob', displayName: 'bob@example.com', action: 'create', status: 'success' },
      {
        ...entry,
        cycleId: 'cycle-2',
        changeId: 'c3',
        at: new Date('2026-03-02T09:40:01Z'),
        sourceId: 'u-bob',
        displayName: 'bob@example.com',
        action: 'update',
        status: 'failure',
        errorKind: 'bad-request',
        errorMessage: 'title too long',
        modified: [{ path: 'title', old: 'Dev', new: 'x'.repeat(300) }],
      },
      { ...entry, cycleId: 'cycle-2', changeId: 'c4', at: new Date('2026-03-02T09:40:02Z'), sourceId: 'u-ada', displayName: 'ada@example.com', action: 'update', status: 'success' },
    ]);
    await saveLearntRateLimit(db, 'default', { requestsPerSecond: 2.3567, throttledAtRps: 2.48 });
    await store.close();
  });
  afterAll(() => drop());

  const cli = (...args: string[]) => spawnSync(process.execPath, ['dist/cli/main.js', ...args], { env, encoding: 'utf8' });

  it('shows the quarantine, the recent cycles with counts and durations, staged deletes and escrowed objects', () => {
    const result = cli('status');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Quarantine: QUARANTINED since 2026-03-02T09:40:03.000Z (EncounteredEscrowProportionThreshold); next attempt at 2026-03-02T10:10:03.000Z');
    expect(result.stdout).toContain('Last successful cycle: 2026-03-02T09:02:05.000Z');
    expect(result.stdout).toMatch(/2026-03-02T09:40:00.000Z\s+incremental\s+partial\s+3.0s\s+update.failure=1 update.success=1/);
    expect(result.stdout).toMatch(/2026-03-02T09:00:00.000Z\s+initial\s+succeeded\s+2m05s\s+create.success=2/);
    expect(result.stdout).toMatch(/user\s+cy@example.com\s+u-cy\s+disable/);
    expect(result.stdout).toMatch(/user\s+bob@example.com\s+u-bob\s+2\s+2026-03-02T11:00:00.000Z\s+bad-request: title too long/);
    // A fixed rate is used as set; a rate learnt under `auto` earlier is not what the next cycle uses, so not shown.
    expect(result.stdout).toContain('Notion request rate: 2.5/s (NOTION_RATE_LIMIT_RPS)\n');
  });

  it('shows what NOTION_RATE_LIMIT_RPS=auto learnt, which the next cycle starts from, as text and as JSON', () => {
    const auto = (target: string, ...args: string[]) =>
      spawnSync(process.execPath, ['dist/cli/main.js', ...args], { env: { ...env, NOTION_RATE_LIMIT_RPS: 'auto', SYNC_TARGET: target }, encoding: 'utf8' });
    const text = auto('default', 'status');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Notion request rate: auto, learnt 2.36/s (429 at 2.48/s); the next cycle starts there\n');
    const json = auto('default', 'status', '--json');
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ notionRate: { setting: 'auto', learnt: { requestsPerSecond: 2.3567, throttledAtRps: 2.48 } } });
    // Another target of the same store has learnt nothing.
    const fresh = auto('other', 'status');
    expect(fresh.stdout).toContain('Notion request rate: auto, nothing learnt yet (the next cycle starts slow and probes upwards)\n');
  });

  it('prints the same facts as JSON', () => {
    const result = cli('status', '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      target: 'default',
      quarantine: { reason: 'EncounteredEscrowProportionThreshold', nextAttemptAt: '2026-03-02T10:10:03.000Z' },
      cycles: [
        { id: 'cycle-2', status: 'partial', durationMs: 3000, counts: { 'update.success': 1, 'update.failure': 1 } },
        { id: 'cycle-1', status: 'succeeded', durationMs: 125_000 },
      ],
      stagedDeletes: [{ sourceId: 'u-cy', name: 'cy@example.com', action: 'disable' }],
      escrowed: [{ sourceId: 'u-bob', attempts: 2, nextAttemptAt: '2026-03-02T11:00:00.000Z', error: 'title too long' }],
    });
  });

  it('filters the log by user, action, status and cycle', () => {
    const byUser = cli('logs', '--user', 'bob@example.com', '--json');
    expect(byUser.status).toBe(0);
    const rows = byUser.stdout.trim().split('\n').map((line) => JSON.parse(line) as { changeId: string });
    expect(rows.map((r) => r.changeId)).toEqual(['c2', 'c3']);

    const failures = cli('logs', '--status', 'failure');
    expect(failures.stdout).toMatch(/cycle-2\s+update\s+failure\s+user\s+bob@example.com\s+bad-request: title too long; changed title/);
    expect(failures.stdout.trim().split('\n')).toHaveLength(2);

    const creates = cli('logs', '--action', 'create', '--cycle', 'cycle-1', '--limit', '1', '--json');
    expect(creates.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { changeId: string }).changeId)).toEqual(['c2']);

    expect(cli('logs', '--user', 'nobody').stdout).toBe('no log entries match\n');
  });

  it('refuses a bad --limit as a configuration mistake', () => {
    const result = cli('logs', '--limit', 'many');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("option '--limit <n>' argument 'many' is invalid. expected a whole number from 1 to 100000");
  });
});
