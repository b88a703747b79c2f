import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCycleTrigger } from '../../../src/worker/trigger.js';

/** A cycle runner the test finishes by hand; it records the reasons of each cycle. */
function handRunner() {
  const cycles: string[][] = [];
  const finishers: Array<() => void> = [];
  let active = 0;
  let overlapped = false;
  const run = (reasons: string[]) =>
    new Promise<void>((resolve) => {
      cycles.push(reasons);
      active += 1;
      if (active > 1) overlapped = true;
      finishers.push(() => {
        active -= 1;
        resolve();
      });
    });
  return {
    run,
    cycles,
    overlapped: () => overlapped,
    finishNext: async () => {
      finishers.shift()?.();
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

describe('the cycle trigger', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs requests that arrive within the debounce window as one cycle', async () => {
    const runner = handRunner();
    const trigger = createCycleTrigger({ run: runner.run, debounceMs: 5000, now: () => Date.now() });
    trigger.request('watch');
    await vi.advanceTimersByTimeAsync(2000);
    trigger.request('notification');
    trigger.request('watch');
    await vi.advanceTimersByTimeAsync(2999);
    expect(runner.cycles).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runner.cycles).toEqual([['watch', 'notification']]);
    await runner.finishNext();
    await trigger.idle();
  });

  it('counts the window from the first request, so a steady stream of requests cannot hold the cycle back', async () => {
    const runner = handRunner();
    const trigger = createCycleTrigger({ run: runner.run, debounceMs: 5000, now: () => Date.now() });
    for (let second = 0; second < 5; second += 1) {
      trigger.request('notification');
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(runner.cycles).toHaveLength(1);
    await runner.finishNext();
  });

  it('runs exactly one more cycle after the running one, however many requests arrived during it', async () => {
    const runner = handRunner();
    const trigger = createCycleTrigger({ run: runner.run, debounceMs: 5000, now: () => Date.now() });
    trigger.request('schedule', { immediate: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(runner.cycles).toEqual([['schedule']]);
    for (let event = 0; event < 100; event += 1) trigger.request(event % 2 ? 'watch' : 'notification');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runner.cycles).toHaveLength(1);
    expect(trigger.busy()).toBe(true);

    await runner.finishNext();
    expect(runner.cycles).toEqual([['schedule'], ['notification', 'watch']]);
    await runner.finishNext();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runner.cycles).toHaveLength(2);
    expect(runner.overlapped()).toBe(false);
    expect(trigger.busy()).toBe(false);
  });

  it('starts an immediate request without waiting for the window, taking the waiting reasons along', async () => {
    const runner = handRunner();
    const trigger = createCycleTrigger({ run: runner.run, debounceMs: 5000, now: () => Date.now() });
    trigger.request('watch');
    await vi.advanceTimersByTimeAsync(1000);
    trigger.request('verify-schedule', { immediate: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(runner.cycles).toEqual([['watch', 'verify-schedule']]);
    await runner.finishNext();
  });

  it('resolves idle only when no cycle runs and none waits', async () => {
    const runner = handRunner();
    const trigger = createCycleTrigger({ run: runner.run, debounceMs: 5000, now: () => Date.now() });
    await trigger.idle();
    trigger.request('watch');
    let idle = false;
    void trigger.idle().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(5000);
    trigger.request('watch');
    await runner.finishNext();
    expect(idle).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runner.cycles).toHaveLength(2);
    expect(idle).toBe(false);
    await runner.finishNext();
    expect(idle).toBe(true);
  });

  it('keeps running after a cycle that threw, and logs it', async () => {
    const errors: unknown[] = [];
    const logger = { error: (line: unknown) => errors.push(line), info: () => undefined } as never;
    let calls = 0;
    const trigger = createCycleTrigger({
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error('store unreachable');
      },
      debounceMs: 0,
      logger,
      now: () => Date.now(),
    });
    trigger.request('schedule');
    await vi.advanceTimersByTimeAsync(0);
    trigger.request('schedule');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    expect(errors).toEqual([expect.objectContaining({ event: 'cycle.error', error: 'store unreachable' })]);
  });

  it('drops the waiting request on stop, waits for the running cycle, and refuses new requests', async () => {
    const runner = handRunner();
    const trigger = createCycleTrigger({ run: runner.run, debounceMs: 5000, now: () => Date.now() });
    trigger.request('schedule', { immediate: true });
    await vi.advanceTimersByTimeAsync(0);
    trigger.request('watch');
    let stopped = false;
    const stopping = trigger.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(stopped).toBe(false);
    await runner.finishNext();
    await stopping;
    trigger.request('watch');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runner.cycles).toEqual([['schedule']]);
  });
});
