// The running cycle's heartbeat: every progress call is passed on; the store hears of it at most once a minute.
import { describe, expect, it } from 'vitest';
import { createHeartbeat, heartbeatEveryMs } from '../../../src/engine/heartbeat.js';
import type { Progress } from '../../../src/observe/index.js';

function recordingProgress() {
  const calls: string[] = [];
  const progress: Progress = { phase: (name) => void calls.push(`phase ${name}`), tick: (n) => void calls.push(`tick ${n ?? 1}`), done: () => void calls.push('done') };
  return { calls, progress };
}

describe('the cycle heartbeat', () => {
  it('passes every call on, and records the time at most once per interval', async () => {
    const { calls, progress } = recordingProgress();
    let clock = 0;
    const recorded: number[] = [];
    const heartbeat = createHeartbeat(progress, { now: () => new Date(clock), startedAt: new Date(0), record: async (at) => void recorded.push(at.getTime()) });
    heartbeat.phase('import users');
    clock = heartbeatEveryMs - 1;
    heartbeat.tick(5);
    clock = heartbeatEveryMs;
    heartbeat.tick();
    clock = heartbeatEveryMs + 30_000;
    heartbeat.phase('apply', 3);
    clock = 2 * heartbeatEveryMs + 1;
    heartbeat.tick();
    heartbeat.done();
    await heartbeat.settled();
    expect(calls).toEqual(['phase import users', 'tick 5', 'tick 1', 'phase apply', 'tick 1', 'done']);
    expect(recorded).toEqual([heartbeatEveryMs, 2 * heartbeatEveryMs + 1]);
  });

  it('records one at a time, and a failed record fails nothing', async () => {
    const { progress } = recordingProgress();
    let clock = 0;
    let inFlight = 0;
    let most = 0;
    const heartbeat = createHeartbeat(progress, {
      now: () => new Date(clock),
      startedAt: new Date(0),
      record: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        throw new Error('the store went away');
      },
    });
    for (let i = 1; i <= 3; i++) {
      clock = i * heartbeatEveryMs;
      heartbeat.tick();
    }
    await expect(heartbeat.settled()).resolves.toBeUndefined();
    expect(most).toBe(1);
  });
});
