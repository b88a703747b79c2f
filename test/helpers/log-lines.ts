// Test helper: reads JSON log lines strictly, failing on a duplicate key in any object (JSON.parse keeps the last
// value silently; Elasticsearch and other collectors reject the whole document).
import { visit } from 'jsonc-parser';

export type LogLine = Record<string, unknown>;

export class DuplicateKeyError extends Error {}

/** Parses one line; throws DuplicateKeyError naming the key when an object repeats one. */
export function parseLogLine(text: string): LogLine {
  const keys: Array<Set<string>> = [];
  let duplicate: string | undefined;
  visit(text, {
    onObjectBegin: () => {
      keys.push(new Set());
    },
    onObjectEnd: () => {
      keys.pop();
    },
    onObjectProperty: (property) => {
      const seen = keys.at(-1)!;
      if (seen.has(property)) duplicate ??= property;
      seen.add(property);
    },
  });
  if (duplicate !== undefined) throw new DuplicateKeyError(`duplicate key "${duplicate}" in log line: ${text}`);
  return JSON.parse(text) as LogLine;
}

/** Every non-empty line of an output, each parsed strictly. */
export function parseLogLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(parseLogLine);
}
