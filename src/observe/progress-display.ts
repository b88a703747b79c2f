// Shows a Progress: a bar with counts and an estimate in a terminal, or a `progress` log line every few seconds
// when the output is not a terminal (a container's log, a CI job).
import type { Logger } from './logger.js';
import type { Progress } from './progress.js';
import { endStatusLine, showStatusLine } from './terminal.js';

export interface ProgressDisplayOptions {
  /** Progress log lines go here until the engine hands over a cycle's own logger (`useLogger`). */
  logger: Logger;
  /** Where the bar goes (stderr: stdout carries the log). A terminal gets the bar; anything else, log lines. */
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Seconds between progress log lines when not a terminal. */
  logEverySeconds?: number;
  now?: () => number;
}

/** The state of one phase, and what a display needs to show it. */
export interface PhaseSnapshot {
  phase: string;
  done: number;
  total: number | undefined;
  ratePerSecond: number;
  /** Seconds left at the current rate; undefined without a total or a rate. */
  etaSeconds: number | undefined;
}

export function createProgress(options: ProgressDisplayOptions): Progress {
  return options.stream.isTTY ? createProgressBar(options) : createProgressLog(options);
}

/** Counts and rate of the current phase, shared by both displays. */
function phaseTracker(now: () => number) {
  let phase = '';
  let total: number | undefined;
  let done = 0;
  let startedAt = now();
  return {
    start(name: string, phaseTotal: number | undefined) {
      phase = name;
      total = phaseTotal;
      done = 0;
      startedAt = now();
    },
    add(count: number) {
      done += count;
    },
    get active() {
      return phase !== '';
    },
    snapshot(): PhaseSnapshot {
      const seconds = (now() - startedAt) / 1000;
      const ratePerSecond = seconds > 0 ? done / seconds : 0;
      const etaSeconds = total !== undefined && ratePerSecond > 0 ? Math.max(0, (total - done) / ratePerSecond) : undefined;
      return { phase, done, total, ratePerSecond, etaSeconds };
    },
  };
}

function createProgressLog(options: ProgressDisplayOptions): Progress {
  const now = options.now ?? Date.now;
  const everyMs = (options.logEverySeconds ?? 5) * 1000;
  const tracker = phaseTracker(now);
  let lastLoggedAt = now();
  let logger = options.logger;
  const log = () => {
    const s = tracker.snapshot();
    logger.info({
      event: 'progress',
      phase: s.phase,
      done: s.done,
      ...(s.total !== undefined ? { total: s.total } : {}),
      ratePerSecond: Math.round(s.ratePerSecond * 10) / 10,
      ...(s.etaSeconds !== undefined ? { etaSeconds: Math.round(s.etaSeconds) } : {}),
    });
    lastLoggedAt = now();
  };
  return {
    phase(name, total) {
      if (tracker.active) log();
      tracker.start(name, total);
    },
    tick(count = 1) {
      tracker.add(count);
      if (now() - lastLoggedAt >= everyMs) log();
    },
    done() {
      if (tracker.active) log();
    },
    useLogger(next) {
      logger = next;
    },
  };
}

function createProgressBar(options: ProgressDisplayOptions): Progress {
  const now = options.now ?? Date.now;
  const tracker = phaseTracker(now);
  let lastDrawnAt = 0;
  const draw = (force: boolean) => {
    if (!force && now() - lastDrawnAt < 100) return;
    lastDrawnAt = now();
    const width = options.stream.columns ?? 80;
    showStatusLine(options.stream, formatProgressLine(tracker.snapshot(), width));
  };
  const finishLine = () => {
    if (!tracker.active) return;
    draw(true);
    endStatusLine();
  };
  return {
    phase(name, total) {
      finishLine();
      tracker.start(name, total);
      draw(true);
    },
    tick(count = 1) {
      tracker.add(count);
      draw(false);
    },
    done() {
      finishLine();
    },
  };
}

/** One line: `users [#####.....] 512/1,024 50% · 120/s · ~4s left`, fitted to the terminal width. */
export function formatProgressLine(s: PhaseSnapshot, width: number): string {
  const count = s.total !== undefined ? `${s.done.toLocaleString('en-US')}/${s.total.toLocaleString('en-US')}` : s.done.toLocaleString('en-US');
  const percent = s.total ? Math.min(100, Math.floor((s.done / s.total) * 100)) : undefined;
  const rate = `${s.ratePerSecond >= 10 ? Math.round(s.ratePerSecond) : s.ratePerSecond.toFixed(1)}/s`;
  const eta = s.etaSeconds !== undefined ? ` · ~${formatSeconds(s.etaSeconds)} left` : '';
  const tail = `${count}${percent !== undefined ? ` ${percent}%` : ''} · ${rate}${eta}`;
  const barWidth = percent !== undefined ? Math.min(30, width - s.phase.length - tail.length - 5) : 0;
  if (barWidth < 5 || percent === undefined) return `${s.phase} ${tail}`.slice(0, Math.max(0, width - 1));
  const filled = Math.round((barWidth * percent) / 100);
  return `${s.phase} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${tail}`;
}

/** A length of time for people: 40s, 12m05s, 3h05m. */
export function formatSeconds(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
