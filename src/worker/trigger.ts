// The worker's one way to start a cycle: requests (the schedule, a watch poll, a notification, the console) are
// debounced and single-flight. Requests within the debounce window run as one cycle; requests while a cycle runs
// make exactly one more cycle after it, whatever their number. The store's advisory lock keeps replicas apart.
import type { Logger } from '../observe/index.js';

export interface CycleRequestOptions {
  /** Skip the debounce window (the schedule and the start of the worker: nothing to gather). */
  immediate?: boolean;
}

export interface CycleTriggerOptions {
  /** Runs one cycle for the gathered reasons (distinct, in order of arrival). Its errors are logged, never thrown. */
  run: (reasons: string[]) => Promise<void>;
  /** How long a first request waits for others to join it, in milliseconds. */
  debounceMs: number;
  logger?: Logger;
  now?: () => number;
}

export interface CycleTrigger {
  /** Asks for a cycle; never waits for it. Ignored once stopped. */
  request(reason: string, options?: CycleRequestOptions): void;
  /** Resolves when no cycle runs and none is waiting (at once when idle). */
  idle(): Promise<void>;
  /** True while a cycle runs or waits for its debounce window. */
  busy(): boolean;
  /** Drops the waiting request and refuses new ones; resolves when the running cycle (if any) has finished. */
  stop(): Promise<void>;
}

export function createCycleTrigger(options: CycleTriggerOptions): CycleTrigger {
  const now = options.now ?? Date.now;
  let pending: string[] = [];
  /** When the oldest waiting request arrived; its debounce window is counted from then, so a stream of requests cannot starve the cycle. */
  let pendingSince: number | undefined;
  let immediate = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let idleWaiters: Array<() => void> = [];

  function wakeIdle(): void {
    if (running || timer || pending.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Arms the timer for the waiting requests, unless a cycle runs (it re-arms when it ends). */
  function arm(): void {
    if (stopped || running || pending.length === 0) return;
    if (timer) clearTimeout(timer);
    const waited = now() - (pendingSince ?? now());
    const delay = immediate ? 0 : Math.max(0, options.debounceMs - waited);
    timer = setTimeout(fire, delay);
  }

  function fire(): void {
    timer = undefined;
    if (stopped || running || pending.length === 0) return;
    const reasons = pending;
    pending = [];
    pendingSince = undefined;
    immediate = false;
    running = options
      .run(reasons)
      .catch((error: unknown) => options.logger?.error({ event: 'cycle.error', error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        running = undefined;
        arm();
        wakeIdle();
      });
  }

  return {
    request(reason, requestOptions = {}) {
      if (stopped) return;
      // Once per reason while a cycle runs: a burst of notifications is one line, not one per event.
      if (running && !pending.includes(reason)) options.logger?.info({ event: 'cycle.queued', reason, message: 'a cycle is running; one more runs after it' });
      if (!pending.includes(reason)) pending.push(reason);
      pendingSince ??= now();
      if (requestOptions.immediate && !immediate) {
        immediate = true;
        arm();
      } else if (!timer) {
        arm();
      }
    },
    idle() {
      if (!running && !timer && pending.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    busy() {
      return running !== undefined || timer !== undefined;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = [];
      pendingSince = undefined;
      await running;
      wakeIdle();
    },
  };
}
