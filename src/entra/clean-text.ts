// Strings from Graph made storable (pure). Postgres refuses U+0000 in text and jsonb, and a lone UTF-16 surrogate
// in jsonb; one such value in one displayName would otherwise fail every cycle for everyone (issue 11, defect 5).
// Other C0 control characters are stripped too: no attribute Notion shows means them. Tab and newline stay.

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F]/g;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string without C0 controls (except tab and newline), lone surrogates replaced by U+FFFD. */
export function cleanText(value: string): string {
  return value.replace(CONTROL_CHARACTERS, '').replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Cleans every string in an object's attributes, nested values included. Returns the cleaned attributes and the
 * names of the top-level attributes that were changed, so the caller can name the object and attribute in a warning.
 */
export function cleanAttributes(attributes: Record<string, unknown>): { attributes: Record<string, unknown>; repaired: string[] } {
  const repaired: string[] = [];
  const cleaned = Object.fromEntries(Object.entries(attributes).map(([name, value]) => {
    const clean = cleanValue(value);
    if (clean !== value) repaired.push(name);
    return [name, clean];
  }));
  return { attributes: cleaned, repaired };
}

/** Returns the same reference when nothing changed, so callers can tell a repaired value by identity. */
function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') {
    const clean = cleanText(value);
    return clean === value ? value : clean;
  }
  if (Array.isArray(value)) {
    const items = value.map(cleanValue);
    return items.every((item, index) => item === value[index]) ? value : items;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    const cleaned = entries.map(([key, inner]) => [key, cleanValue(inner)] as const);
    return cleaned.every(([, inner], index) => inner === entries[index]?.[1]) ? value : Object.fromEntries(cleaned);
  }
  return value;
}
