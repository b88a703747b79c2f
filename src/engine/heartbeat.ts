// The running cycle's progress, written to its cycles row now and then, so that a replica kept waiting by the target
// lock can tell a holder that is slow (an initial sync of 100,000 users takes hours) from one that is stuck.
import type { Progress } from '../observe/index.js';

/** A progress that also records, at most once per `everyMs`, that the cycle moved. */
export interface Heartbeat extends Progress {
  /** Waits for the record in flight, if any (before the cycle's row is finished and the store closed). */
  settled(): Promise<void>;
}

// Often enough that a stuck holder shows within a minute of the limit below; rare enough to cost nothing.
export const heartbeatEveryMs = 60_000;
/** No progress for this long means the holder is stuck: no phase of a cycle goes this long without a page or an operation. */
export const stalledAfterMs = 30 * 60_000;

export function createHeartbeat(inner: Progress, options: { now: () => Date; startedAt: Date; record: (at: Date) => Promise<void> }): Heartbeat {
  let recordedAt = options.startedAt.getTime();
  let inFlight: Promise<void> = Promise.resolve();
  const beat = (): void => {
    const at = options.now();
    if (at.getTime() - recordedAt < heartbeatEveryMs) return;
    recordedAt = at.getTime();
    // A lost store fails the cycle's own next query with its cause; the heartbeat adds no failure of its own.
    inFlight = inFlight.then(() => options.record(at)).catch(() => undefined);
  };
  return {
    phase(name, total) {
      inner.phase(name, total);
      beat();
    },
    tick(count) {
      inner.tick(count);
      beat();
    },
    done: () => inner.done(),
    ...(inner.useLogger ? { useLogger: inner.useLogger.bind(inner) } : {}),
    settled: () => inFlight,
  };
}
