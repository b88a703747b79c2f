// What happens around each request: the token-bucket rate limit, injected faults, and the request log with counts.
import type { NotionFault } from './options.js';

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly requestsPerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Takes one token; when none is left, returns the whole seconds to wait (Notion's `Retry-After` is an integer, reference §5.1). */
  take(): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const at = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((at - this.updatedAt) / 1000) * this.requestsPerSecond);
    this.updatedAt = at;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.requestsPerSecond)) };
  }
}

interface ArmedFault {
  fault: NotionFault;
  remaining: number;
}

/** mulberry32: a small seeded generator, so that `rate` faults fall on the same requests in every run of a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private armed: ArmedFault[] = [];
  private random: () => number = Math.random;

  /** A seed makes the draws of `rate` faults repeatable; undefined goes back to Math.random. */
  seed(seed: number | undefined): void {
    this.random = seed === undefined ? Math.random : seededRandom(seed);
  }

  add(fault: NotionFault): void {
    this.armed.push({ fault, remaining: fault.rate === undefined ? (fault.count ?? 1) : Infinity });
  }

  clear(): void {
    this.armed = [];
  }

  /** The first armed fault that matches and fires for this request; a counted fault is used up as it fires. */
  draw(method: string, path: string): NotionFault | undefined {
    for (const entry of this.armed) {
      const { match, rate } = entry.fault;
      if (match?.method && match.method.toUpperCase() !== method) continue;
      if (match?.path && !match.path.test(path)) continue;
      if (rate !== undefined && this.random() >= rate) continue;
      entry.remaining -= 1;
      if (entry.remaining <= 0) this.armed = this.armed.filter((other) => other !== entry);
      return entry.fault;
    }
    return undefined;
  }

  list(): NotionFault[] {
    return this.armed.map((entry) => ({ ...entry.fault, ...(entry.fault.rate === undefined ? { count: entry.remaining } : {}) }));
  }
}

export interface RequestLogEntry {
  method: string;
  /** Path after /scim/v2, e.g. '/Users/<id>'. */
  path: string;
  query: string;
  /** 0 when no answer was sent (a reset or a hanging request). */
  status: number;
  at: number;
  body?: unknown;
}

/** The log keeps the latest entries (a long demo must not grow without bound); the counts are exact. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly keep = 100_000) {}

  record(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.keep * 2) this.entries = this.entries.slice(-this.keep);
    const key = `${entry.method} ${routeOf(entry.path)}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  list(): RequestLogEntry[] {
    return this.entries.slice(-this.keep);
  }

  countsByRoute(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  clear(): void {
    this.entries = [];
    this.counts.clear();
  }
}

/** '/Users/3f2…' → '/Users/:id', so counts group by route. */
function routeOf(path: string): string {
  const [, collection = '', id] = path.split('/');
  return id === undefined ? `/${collection}` : `/${collection}/:id`;
}
