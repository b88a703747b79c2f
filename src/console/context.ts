// What every console route needs: the configuration, the store, who is signed in, and the clock.
import type { Hono } from 'hono';
import type { LoadedConfig } from '../config/index.js';
import type { Logger, PhaseSnapshot } from '../observe/index.js';
import type { Store } from '../store/index.js';
import type { Session } from './sessions.js';

export interface ConsoleOptions {
  config: LoadedConfig;
  store: Store;
  logger: Logger;
  /** True when the server listens on loopback only: then a password is optional and cookies need not be Secure. */
  loopback: boolean;
  now?: () => Date;
  /** The worker passes its trigger so that "retry now" and approvals run a cycle soon; the standalone console waits for the schedule. */
  requestCycle?: () => void;
  /** The phase in flight of a cycle this process runs (createPhaseRecorder), shown on the overview while it runs. */
  phaseInFlight?: () => PhaseSnapshot | undefined;
}

export interface ConsoleContext extends Required<Omit<ConsoleOptions, 'requestCycle' | 'phaseInFlight'>> {
  requestCycle: (() => void) | undefined;
  phaseInFlight: () => PhaseSnapshot | undefined;
  target: string;
  /** When the console started: staleness counts from here when no cycle ever succeeded. */
  startedAt: Date;
}

export type ConsoleEnv = { Variables: { session: Session; sessionId: string } };
export type ConsoleApp = Hono<ConsoleEnv>;
