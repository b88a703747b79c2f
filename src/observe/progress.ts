// How long work reports its progress: phases with counts. The engine reports; the CLI chooses how it is shown.

export interface Progress {
  /** A new phase begins (e.g. "import users", "apply"); total when known. */
  phase(name: string, total?: number): void;
  /** Some units of the current phase are done. */
  tick(count?: number): void;
  /** All phases are over. */
  done(): void;
}

/** For callers that show nothing (tests, `plan --json`). */
export const silentProgress: Progress = { phase: () => undefined, tick: () => undefined, done: () => undefined };
