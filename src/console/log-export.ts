// Exports of the log's current filter: CSV (for a spreadsheet) and JSON; every text passes redaction first.
import { redactText } from '../observe/index.js';
import type { ProvisioningLogRow } from '../store/index.js';

const columns = ['id', 'at', 'cycleId', 'actor', 'objectType', 'sourceId', 'notionId', 'displayName', 'action', 'status', 'reason', 'modified', 'errorKind', 'errorMessage', 'durationMs'] as const;

export function exportedRow(row: ProvisioningLogRow): Record<(typeof columns)[number], string | number | null | unknown> {
  const text = (value: string | null) => (value === null ? null : redactText(value));
  return {
    id: row.id,
    at: row.at.toISOString(),
    cycleId: row.cycleId,
    actor: text(row.actor),
    objectType: row.objectType,
    sourceId: row.sourceId,
    notionId: row.notionId,
    displayName: text(row.displayName),
    action: row.action,
    status: row.status,
    reason: text(row.reason),
    modified: row.modified ? JSON.parse(redactText(JSON.stringify(row.modified))) : null,
    errorKind: row.errorKind,
    errorMessage: text(row.errorMessage),
    durationMs: row.durationMs,
  };
}

export const csvHeader = `${columns.join(',')}\r\n`;

export function csvLine(row: ProvisioningLogRow): string {
  const exported = exportedRow(row);
  return `${columns.map((c) => csvCell(exported[c])).join(',')}\r\n`;
}

/** RFC 4180 quoting; a cell that a spreadsheet would run as a formula (= + - @) is prefixed with a quote (OWASP CSV injection). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
