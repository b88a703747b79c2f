// Reads JSON with comments and trailing commas (the commented example config) through jsonc-parser, and names the
// line and column of the first mistake.
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

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

/** Parses JSON with `//` and `/* *\/` comments and trailing commas; throws JsoncSyntaxError at the first mistake. */
export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) return value;
  const { line, column } = lineAndColumn(text, first.offset);
  throw new JsoncSyntaxError(`line ${line}, column ${column}: ${describeCode(printParseErrorCode(first.error))}`, line, column);
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
