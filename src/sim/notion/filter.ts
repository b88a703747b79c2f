// Parses the SCIM filters Notion answers: `attribute eq "value"` terms joined by `and` (reference §2.4, §4).
import { ScimHttpError } from './scim-error.js';

export interface FilterTerm {
  /** As written by the client; SCIM attribute names are case-insensitive, so compare lower-cased. */
  attribute: string;
  value: string;
}

const termStart = /\s*([A-Za-z_][\w.:-]*)\s+([A-Za-z]+)\s+/y;
const andKeyword = /\s+and\s+/iy;

/** Returns the terms of a conjunction of `eq` comparisons; anything else is a 400 invalidFilter. */
export function parseEqualityFilter(filter: string): FilterTerm[] {
  const terms: FilterTerm[] = [];
  let position = 0;
  for (;;) {
    termStart.lastIndex = position;
    const head = termStart.exec(filter);
    if (!head) throw invalid(filter, 'expected `attribute eq value`');
    const [, attribute = '', operator = ''] = head;
    // Operators other than `eq` are not documented for Notion (reference §2.4); a client only needs `eq`.
    if (operator.toLowerCase() !== 'eq') throw invalid(filter, `operator ${operator} is not supported`);
    const { value, end } = readValue(filter, termStart.lastIndex);
    terms.push({ attribute, value });
    if (filter.slice(end).trim() === '') return terms;
    andKeyword.lastIndex = end;
    if (!andKeyword.exec(filter)) throw invalid(filter, 'expected `and` between terms');
    position = andKeyword.lastIndex;
  }
}

/** A JSON string literal (RFC 7644 §3.4.2.2: `\"` and `\\` escapes), or a bare word like Notion's own `displayName eq Designers`. */
function readValue(filter: string, start: number): { value: string; end: number } {
  if (filter[start] !== '"') {
    const bare = /[^\s"]+/y;
    bare.lastIndex = start;
    const match = bare.exec(filter);
    if (!match) throw invalid(filter, 'expected a value');
    return { value: match[0], end: bare.lastIndex };
  }
  let index = start + 1;
  while (index < filter.length && filter[index] !== '"') index += filter[index] === '\\' ? 2 : 1;
  if (index >= filter.length) throw invalid(filter, 'unterminated string');
  try {
    return { value: JSON.parse(filter.slice(start, index + 1)) as string, end: index + 1 };
  } catch {
    throw invalid(filter, 'bad escape in string');
  }
}

function invalid(filter: string, reason: string): ScimHttpError {
  return new ScimHttpError(400, `Invalid filter ${JSON.stringify(filter)}: ${reason}`, 'invalidFilter');
}
