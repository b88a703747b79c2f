// What happens to traffic before the directory answers: the request log, injected faults, and Graph-style
// throttling (429 + Retry-After over a budget of requests per 10 seconds, reference §6.3).
import { EventEmitter } from 'node:events';
import type { MalformedPageShape } from './malformed-pages.js';

export interface FaultSpec {
  /** `status` answers with that HTTP status and a Graph error body; `reset` destroys the connection; `body`
   *  answers 200 with `body` verbatim; `page` answers the real page bent into the `page` shape (malformed-pages.ts). */
  kind: 'status' | 'reset' | 'body' | 'page';
  status?: number;
  body?: string;
  contentType?: string;
  page?: MalformedPageShape;
  /** How many matching requests get the fault. */
  count: number;
  retryAfterSeconds?: number;
  /** `path` is tested against the path, `query` against the query string (`?$skiptoken=…`, `?$filter=…`). */
  match?: { path?: RegExp; query?: RegExp };
}

export interface RequestRecord {
  method: string;
  /** Path and query as requested. */
  path: string;
  /** The route it matched, with ids as `{id}`: what `requestCounts()` counts by. */
  route: string;
  status: number;
  at: number;
  /** For token requests: the `scope` form field the client sent. */
  scope?: string;
}

const THROTTLE_WINDOW_MS = 10_000;

export class TrafficControl {
  readonly events = new EventEmitter();
  private readonly log: RequestRecord[] = [];
  private readonly faults: Array<FaultSpec & { remaining: number }> = [];
  private readonly accepted: number[] = [];

  constructor(private readonly throttle: { requestsPer10Seconds: number } | null) {}

  injectFault(fault: FaultSpec): void {
    this.faults.push({ ...fault, remaining: fault.count });
  }

  /** The first pending fault whose patterns match, used up by one. */
  takeFault(path: string, query = ''): FaultSpec | null {
    const fault = this.faults.find((candidate) => candidate.remaining > 0
      && (candidate.match?.path?.test(path) ?? true) && (candidate.match?.query?.test(query) ?? true));
    if (!fault) return null;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  /** Seconds to wait when the request is over the budget, else null (and the request is counted). */
  throttledFor(now: number): number | null {
    if (!this.throttle) return null;
    while (this.accepted.length > 0 && (this.accepted[0] as number) <= now - THROTTLE_WINDOW_MS) this.accepted.shift();
    if (this.accepted.length >= this.throttle.requestsPer10Seconds) {
      return Math.max(1, Math.ceil(((this.accepted[0] as number) + THROTTLE_WINDOW_MS - now) / 1000));
    }
    this.accepted.push(now);
    return null;
  }

  record(entry: RequestRecord): void {
    this.log.push(entry);
    this.events.emit('request', entry);
  }

  requests(): RequestRecord[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  /** Counts per `METHOD route`, e.g. `GET /v1.0/users/delta`. */
  requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.log) {
      const key = `${entry.method} ${entry.route}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  clearRequests(): void {
    this.log.length = 0;
  }
}
