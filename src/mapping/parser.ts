// Parses Entra's expression syntax (FUNC "Syntax overview") into a tree; errors name the position and what was expected.
//   expression := operand (("=" | "<>" | "<" | "<=" | ">" | ">=") operand)?     comparisons as used inside IIF/CBool
//   operand    := "[" name "]" | "\"" text "\"" | number | "&H" hex | Name "(" arguments? ")" | vbTextCompare | vbBinaryCompare
//   arguments  := argument ("," argument)*       an argument may be empty: Switch([x], , "a", "b")

export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type ExpressionNode =
  | { kind: 'attribute'; name: string; position: number }
  | { kind: 'string'; value: string; position: number }
  | { kind: 'number'; value: number; position: number }
  | { kind: 'call'; name: string; args: Array<ExpressionNode | null>; position: number }
  | { kind: 'compare'; operator: ComparisonOperator; left: ExpressionNode; right: ExpressionNode; position: number };

/** A syntax or compile error; `position` is 1-based, as shown to the user ("at 14: ..."). */
export class ExpressionSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly detail: string,
  ) {
    super(`at ${position}: ${detail}`);
    this.name = 'ExpressionSyntaxError';
  }
}

/** Entra caps an expression at 10,000 characters (KNOWN, reference §3). */
export const maxExpressionLength = 10_000;
const maxNesting = 100;
const enumNames = new Set(['vbTextCompare', 'vbBinaryCompare']);

function shown(text: string, index: number): string {
  if (index >= text.length) return 'end of input';
  return JSON.stringify(text[index]);
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parseWhole(): ExpressionNode {
    if (this.text.length > maxExpressionLength) {
      throw new ExpressionSyntaxError(maxExpressionLength + 1, `expected at most ${maxExpressionLength} characters (Entra's limit) but found ${this.text.length}`);
    }
    const node = this.parseExpression();
    this.skipSpace();
    if (this.index < this.text.length) this.fail('end of input');
    return node;
  }

  private fail(expected: string): never {
    throw new ExpressionSyntaxError(this.index + 1, `expected ${expected} but found ${shown(this.text, this.index)}`);
  }

  private skipSpace(): void {
    while (this.index < this.text.length && /\s/.test(this.text[this.index] as string)) this.index += 1;
  }

  private parseExpression(): ExpressionNode {
    const left = this.parseOperand();
    this.skipSpace();
    const operator = this.readOperator();
    if (operator === undefined) return left;
    const right = this.parseOperand();
    return { kind: 'compare', operator, left, right, position: left.position };
  }

  private readOperator(): ComparisonOperator | undefined {
    for (const operator of ['<>', '<=', '>=', '=', '<', '>'] as const) {
      if (this.text.startsWith(operator, this.index)) {
        this.index += operator.length;
        return operator;
      }
    }
    return undefined;
  }

  private parseOperand(): ExpressionNode {
    this.skipSpace();
    const position = this.index + 1;
    const char = this.text[this.index];
    if (char === '[') return this.parseAttribute(position);
    if (char === '"') return this.parseString(position);
    if (char === '&' && (this.text[this.index + 1] === 'H' || this.text[this.index + 1] === 'h')) return this.parseHex(position);
    if (char !== undefined && /[-+\d]/.test(char)) return this.parseNumber(position);
    if (char !== undefined && /[A-Za-z_]/.test(char)) return this.parseCall(position);
    return this.fail('an attribute, a string, a number or a function');
  }

  private parseAttribute(position: number): ExpressionNode {
    this.index += 1;
    const start = this.index;
    // An attribute name never holds brackets, quotes, commas or parentheses: stopping there points at the missing "]".
    while (this.index < this.text.length && !'[]",()'.includes(this.text[this.index] as string)) this.index += 1;
    const name = this.text.slice(start, this.index).trim();
    if (this.text[this.index] !== ']') this.fail('"]"');
    if (name === '') this.fail('an attribute name');
    this.index += 1;
    return { kind: 'attribute', name, position };
  }

  private parseString(position: number): ExpressionNode {
    this.index += 1;
    let value = '';
    for (;;) {
      const char = this.text[this.index];
      if (char === undefined) this.fail('a closing \'"\'');
      if (char === '"') break;
      if (char === '\\') {
        this.index += 1;
        const escaped = this.text[this.index];
        if (escaped !== '\\' && escaped !== '"') this.fail('\'\\\\\' or \'"\' after \'\\\'');
        value += escaped;
      } else value += char;
      this.index += 1;
    }
    this.index += 1;
    return { kind: 'string', value, position };
  }

  private parseHex(position: number): ExpressionNode {
    this.index += 2;
    const match = /^[0-9A-Fa-f]+/.exec(this.text.slice(this.index));
    if (!match) this.fail('hexadecimal digits after "&H"');
    this.index += match[0].length;
    return { kind: 'number', value: Number.parseInt(match[0], 16), position };
  }

  private parseNumber(position: number): ExpressionNode {
    const match = /^[-+]?\d+(\.\d+)?/.exec(this.text.slice(this.index));
    if (!match) {
      this.index += 1;
      this.fail('a digit');
    }
    this.index += match[0].length;
    return { kind: 'number', value: Number(match[0]), position };
  }

  private parseCall(position: number): ExpressionNode {
    const start = this.index;
    while (this.index < this.text.length && /[A-Za-z0-9_]/.test(this.text[this.index] as string)) this.index += 1;
    const name = this.text.slice(start, this.index);
    this.skipSpace();
    if (this.text[this.index] !== '(') {
      if (enumNames.has(name)) return { kind: 'string', value: name, position };
      this.fail(`"(" after the function name ${name}`);
    }
    this.index += 1;
    this.depth += 1;
    if (this.depth > maxNesting) throw new ExpressionSyntaxError(position, `expected at most ${maxNesting} nested functions`);
    const args: Array<ExpressionNode | null> = [];
    this.skipSpace();
    if (this.text[this.index] === ')') this.index += 1;
    else {
      for (;;) {
        this.skipSpace();
        const next = this.text[this.index];
        args.push(next === ',' || next === ')' ? null : this.parseExpression());
        this.skipSpace();
        if (this.text[this.index] === ',') {
          this.index += 1;
          continue;
        }
        if (this.text[this.index] === ')') {
          this.index += 1;
          break;
        }
        this.fail('"," or ")"');
      }
    }
    this.depth -= 1;
    return { kind: 'call', name, args, position };
  }
}

export function parseExpression(text: string): ExpressionNode {
  return new Parser(text).parseWhole();
}
