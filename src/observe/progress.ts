// How long work reports its progress: phases with counts. The engine reports; the CLI chooses how it is shown.
import type { Logger } from './logger.js';

export interface Progress {
  /** A new phase begins (e.g. "import users", "apply"); total when known. */
  phase(name: string, total?: number): void;
  /** Some units of the current phase are done. */
  tick(count?: number): void;
  /** All phases are over. */
  done(): void;
  /** From now on, progress log lines go through this logger (a cycle's child logger: they carry its cycleId). */
  useLogger?(logger: Logger): void;
}

/** For callers that show nothing (tests, `plan --json`). */
export const silentProgress: Progress = { phase: () => undefined, tick: () => undefined, done: () => undefined };

/** One progress fed to several displays (the terminal or log lines, and the console's phase in flight). */
export function teeProgress(...targets: Progress[]): Progress {
  return {
    phase: (name, total) => targets.forEach((t) => t.phase(name, total)),
    tick: (count) => targets.forEach((t) => t.tick(count)),
    done: () => targets.forEach((t) => t.done()),
    useLogger: (logger) => targets.forEach((t) => t.useLogger?.(logger)),
  };
}
