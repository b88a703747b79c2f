// Keeps the phase in flight of the cycle this process runs, for the overview ("apply 120/400 30% · 2.5/s"): the worker
// (or the console demo) passes `progress` to its cycles and `snapshot` to the console.
import type { PhaseSnapshot, Progress } from '../observe/index.js';

export interface PhaseRecorder {
  progress: Progress;
  /** The phase in flight, or undefined between cycles. */
  snapshot(): PhaseSnapshot | undefined;
}

export function createPhaseRecorder(now: () => number = Date.now): PhaseRecorder {
  let current: { phase: string; total: number | undefined; done: number; startedAt: number } | undefined;
  return {
    progress: {
      phase: (phase, total) => void (current = { phase, total, done: 0, startedAt: now() }),
      tick: (count = 1) => void (current && (current.done += count)),
      done: () => void (current = undefined),
    },
    snapshot() {
      if (!current) return undefined;
      const seconds = (now() - current.startedAt) / 1000;
      const ratePerSecond = seconds > 0 ? current.done / seconds : 0;
      const etaSeconds = current.total !== undefined && ratePerSecond > 0 ? Math.max(0, (current.total - current.done) / ratePerSecond) : undefined;
      return { phase: current.phase, done: current.done, total: current.total, ratePerSecond, etaSeconds };
    },
  };
}
