// The log page's filter: read from the query string (the same for the page and its exports), and written back into links.
import type { LogSearch } from '../store/index.js';

export const logActions = ['create', 'update', 'disable', 'enable', 'delete', 'staged-delete', 'link', 'add-members', 'remove-members', 'skip', 'unaccounted', 'approve', 'reject', 'retry', 'provision', 'reset-escrow', 'reset-quarantine'] as const;
export const logStatuses = ['success', 'failure', 'skipped', 'warning'] as const;

export interface LogFilter {
  object: string;
  action: string;
  status: string;
  cycle: string;
  /** `YYYY-MM-DDTHH:MM` in UTC, as a datetime-local field sends it. */
  from: string;
  to: string;
}

const fields = ['object', 'action', 'status', 'cycle', 'from', 'to'] as const;

export function readLogFilter(query: (name: string) => string | undefined): LogFilter {
  const filter = Object.fromEntries(fields.map((f) => [f, (query(f) ?? '').trim().slice(0, 200)])) as unknown as LogFilter;
  if (!(logActions as readonly string[]).includes(filter.action)) filter.action = '';
  if (!(logStatuses as readonly string[]).includes(filter.status)) filter.status = '';
  return filter;
}

export function toLogSearch(target: string, filter: LogFilter): Omit<LogSearch, 'before' | 'limit'> {
  const from = utcTime(filter.from);
  const to = utcTime(filter.to);
  return {
    target,
    ...(filter.object ? { object: filter.object } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.cycle ? { cycleId: filter.cycle } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

export function logFilterQuery(filter: LogFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const f of fields) if (filter[f]) params.set(f, filter[f]);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function utcTime(value: string): Date | undefined {
  if (!value) return undefined;
  const date = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
