// Caps the cycles notifications may ask for: a flood of notifications (forged with a stolen clientState, or replayed)
// costs at most `perMinute` delta reads a minute. A hint over the cap is deferred, never lost: one deferred hint
// fires when the window has room, and every later one folds into it.
import type { HintOutcome } from '../observe/index.js';

export interface HintLimiter {
  offer(): HintOutcome;
  stop(): void;
}

export function createHintLimiter(perMinute: number, fire: () => void, now: () => number = Date.now): HintLimiter {
  const fired: number[] = [];
  let deferred: NodeJS.Timeout | undefined;
  const room = (): boolean => {
    while (fired.length > 0 && (fired[0] as number) <= now() - 60_000) fired.shift();
    return fired.length < perMinute;
  };
  const fireNow = (): void => {
    fired.push(now());
    fire();
  };
  return {
    offer() {
      if (deferred) return 'coalesced';
      if (room()) {
        fireNow();
        return 'requested';
      }
      const wait = Math.max(0, (fired[0] as number) + 60_000 - now());
      deferred = setTimeout(() => {
        deferred = undefined;
        room();
        fireNow();
      }, wait);
      deferred.unref();
      return 'deferred';
    },
    stop() {
      clearTimeout(deferred);
      deferred = undefined;
    },
  };
}
