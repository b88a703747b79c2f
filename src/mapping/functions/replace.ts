// Replace (FUNC): Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template),
// whose behaviour depends on which arguments are given. Patterns use .NET syntax; the subset JavaScript shares
// (named groups `(?<name>…)`, classes, anchors) behaves the same. `${name}` in a replacement means the named group.
import { EvaluationFailure, isNullOrEmpty, mapText, textOf, type Value } from '../values.js';
import { optionalArg, textArgument, type FunctionSpec } from './spec.js';

const regexCache = new Map<string, RegExp>();

/**
 * Unicode mode first, so .NET classes such as \p{L} work; patterns that only older mode accepts (identity escapes
 * like `\@` in SCOPE's own example `.*\@domain.com`) fall back to it.
 */
function compileRegex(pattern: string, flags: string): RegExp {
  try {
    return new RegExp(pattern, `${flags}u`);
  } catch {
    try {
      return new RegExp(pattern, flags);
    } catch (error) {
      throw new EvaluationFailure('invalidRegex', `invalid regular expression "${pattern}": ${(error as Error).message}`);
    }
  }
}

/** Compiles a pattern once per process (mapping patterns are few); a bad pattern is a typed failure, not a throw. */
export function regexFor(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let regex = regexCache.get(key);
  if (regex === undefined) {
    regex = compileRegex(pattern, flags);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, regex);
  }
  regex.lastIndex = 0;
  return regex;
}

/** .NET replacement syntax to JavaScript: `${name}` → `$<name>`, `$0` → `$&`. */
function javascriptReplacement(replacement: string): string {
  return replacement.replace(/\$(\$|\{(\w+)\}|0)/g, (whole, _inner: string, name: string | undefined) => {
    if (whole === '$$') return '$$';
    return name === undefined ? '$&' : `$<${name}>`;
  });
}

function replaceGroup(text: string, regex: RegExp, group: string, replacement: string): string {
  let result = '';
  let copied = 0;
  for (const match of text.matchAll(regex)) {
    const span = match.indices?.groups?.[group];
    if (span === undefined) continue;
    result += text.slice(copied, span[0]) + replacement;
    copied = span[1];
  }
  return result + text.slice(copied);
}

export const replaceFunctions: Record<string, FunctionSpec> = {
  Replace: {
    min: 2,
    max: 7,
    omittable: (index) => index >= 1,
    evaluate: (args, scope) => {
      const source = optionalArg(args, 0, scope) ?? null;
      const oldValue = textArgument(optionalArg(args, 1, scope));
      const pattern = textArgument(optionalArg(args, 2, scope));
      const group = textArgument(optionalArg(args, 3, scope));
      const replacement = textArgument(optionalArg(args, 4, scope));
      const hasReplacementAttribute = args[5] !== undefined;
      const template = textArgument(optionalArg(args, 6, scope));

      if (pattern !== undefined) {
        if (group !== undefined && hasReplacementAttribute) {
          // Fallback mode: keep a present source, else extract the group from the other attribute.
          if (!isNullOrEmpty(source)) return source;
          const other: Value = optionalArg(args, 5, scope) ?? null;
          if (other === null) return null;
          const match = regexFor(pattern, '').exec(textOf(other));
          return match?.groups?.[group] ?? null;
        }
        if (replacement === undefined) throw new EvaluationFailure('invalidArgument', 'Replace with regexPattern needs a replacementValue or a replacementAttributeName');
        if (group !== undefined) return mapText(source, (text) => replaceGroup(text, regexFor(pattern, 'gd'), group, replacement));
        return mapText(source, (text) => text.replace(regexFor(pattern, 'g'), javascriptReplacement(replacement)));
      }
      if (oldValue !== undefined && template !== undefined) return mapText(source, (text) => (oldValue === '' ? template : template.replaceAll(oldValue, text)));
      if (oldValue !== undefined && replacement !== undefined) {
        return mapText(source, (text) => (oldValue === '' ? text : text.replaceAll(oldValue, () => replacement)));
      }
      throw new EvaluationFailure('invalidArgument', 'Replace needs oldValue with replacementValue or template, or a regexPattern');
    },
  },
};
