// Tables in command output are indented by two spaces under their heading.
import { formatTable as formatPlainTable } from '../observe/index.js';

export function formatTable(headers: string[], rows: string[][]): string {
  return formatPlainTable(headers, rows, '  ');
}
