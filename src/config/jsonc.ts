// Reads JSON with comments and trailing commas (the commented example config) through jsonc-parser, and names the
// line and column of the first mistake. A key given twice in one object is a mistake too: JSON parsers silently keep
// the last one, which hides the setting an operator thought they changed.
import { parse, printParseErrorCode, visit, type ParseError } from 'jsonc-parser';

export class JsoncSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'JsoncSyntaxError';
  }
}

/** A key that appears twice in one object: its dotted path and the 1-based line of each. */
export class JsoncDuplicateKeyError extends Error {
  constructor(
    readonly key: string,
    readonly firstLine: number,
    readonly secondLine: number,
  ) {
    super(`"${key}" is given twice, on line ${firstLine} and line ${secondLine}: keep one`);
    this.name = 'JsoncDuplicateKeyError';
  }
}

/**
 * Parses JSON with `//` and `/* *\/` comments and trailing commas; throws JsoncSyntaxError at the first mistake and
 * JsoncDuplicateKeyError at the first key given twice. A leading byte order mark (Notepad, PowerShell's Out-File) is
 * not content.
 */
export function parseJsonc(withMark: string): unknown {
  const text = withMark.startsWith('\uFEFF') ? withMark.slice(1) : withMark;
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = lineAndColumn(text, first.offset);
    throw new JsoncSyntaxError(`line ${line}, column ${column}: ${describeCode(printParseErrorCode(first.error))}`, line, column);
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate) throw new JsoncDuplicateKeyError(duplicate.key, lineAndColumn(text, duplicate.offsets[0]).line, lineAndColumn(text, duplicate.offsets[1]).line);
  return value;
}

/** The first key given twice in one object, with the offsets of both (walks well-formed text). */
function firstDuplicateKey(text: string): { key: string; offsets: [number, number] } | undefined {
  // One frame per open object or array: an object's keys seen so far (with their offsets); an array's next index.
  type Frame = { keys: Map<string, number>; path: string } | { index: number; path: string };
  const frames: Frame[] = [];
  let pendingKey: string | undefined;
  let found: { key: string; offsets: [number, number] } | undefined;
  const childPath = (): string => {
    const parent = frames.at(-1);
    if (!parent) return '';
    const step = 'keys' in parent ? (pendingKey ?? '') : `[${parent.index++}]`;
    return parent.path && 'keys' in parent ? `${parent.path}.${step}` : `${parent.path}${step}`;
  };
  visit(text, {
    onObjectBegin: () => void frames.push({ keys: new Map(), path: childPath() }),
    onArrayBegin: () => void frames.push({ index: 0, path: childPath() }),
    onObjectEnd: () => void frames.pop(),
    onArrayEnd: () => void frames.pop(),
    onLiteralValue: () => void childPath(),
    onObjectProperty: (key, offset) => {
      pendingKey = key;
      const object = frames.at(-1);
      if (found || !object || !('keys' in object)) return;
      const earlier = object.keys.get(key);
      if (earlier === undefined) object.keys.set(key, offset);
      else found = { key: object.path ? `${object.path}.${key}` : key, offsets: [earlier, offset] };
    },
  }, { allowTrailingComma: true, disallowComments: false });
  return found;
}

/** 1-based line and column of an offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/** `CommaExpected` → `comma expected`. */
function describeCode(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
