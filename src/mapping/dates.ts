// Date handling for the expression functions: Entra's date text, .NET custom formats, VBA-style DateAdd/DateDiff, AD dates.
// Everything is UTC: the Entra service returns UTC (FUNC CDate, Now), and an input without an offset is read as UTC.

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Entra's output form "M/d/yyyy h:mm:ss tt" (FUNC CDate, DateAdd, Now). */
export function formatEntraDate(date: Date): string {
  return formatDate(date, 'M/d/yyyy h:mm:ss tt');
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function makeUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, offsetMinutes: number): Date | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(time);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  check.setUTCFullYear(year); // Date.UTC maps years 0..99 to 1900..1999
  return new Date(check.getTime() - offsetMinutes * 60_000);
}

function offsetMinutesOf(text: string | undefined): number {
  if (text === undefined || text === '' || text === 'Z' || text === 'z') return 0;
  const match = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(text);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? '0');
  return match[1] === '-' ? -minutes : minutes;
}

function fractionMs(text: string | undefined): number {
  return text ? Math.floor(Number(`0.${text}`) * 1000) : 0;
}

const isoPattern = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const usPattern = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Reads the date texts CDate is documented with: ISO 8601 (with or without time or offset) and "M/d/yyyy h:mm:ss tt". */
export function parseDateText(text: string): Date | null {
  const trimmed = text.trim();
  const iso = isoPattern.exec(trimmed);
  if (iso) {
    const [, y, mo, d, h, mi, s, f, zone] = iso;
    return makeUtc(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), fractionMs(f), offsetMinutesOf(zone));
  }
  const us = usPattern.exec(trimmed);
  if (us) {
    const [, mo, d, y, h, mi, s, meridiem, zone] = us;
    let hour = Number(h ?? 0);
    if (meridiem !== undefined) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
    }
    return makeUtc(Number(y), Number(mo), Number(d), hour, Number(mi ?? 0), Number(s ?? 0), 0, offsetMinutesOf(zone));
  }
  return null;
}

type FormatToken = { kind: 'field'; letter: string; count: number } | { kind: 'literal'; text: string };

const fieldLetters = new Set(['y', 'M', 'd', 'H', 'h', 'm', 's', 'f', 'F', 't', 'z', 'K']);

/** Splits a .NET custom date and time format string into fields and literals (quotes and \ escape literals). */
export function tokenizeDateFormat(format: string): FormatToken[] {
  const tokens: FormatToken[] = [];
  let i = 0;
  while (i < format.length) {
    const char = format[i] as string;
    if (char === "'" || char === '"') {
      const end = format.indexOf(char, i + 1);
      const stop = end === -1 ? format.length : end;
      tokens.push({ kind: 'literal', text: format.slice(i + 1, stop) });
      i = stop + 1;
    } else if (char === '\\') {
      tokens.push({ kind: 'literal', text: format[i + 1] ?? '' });
      i += 2;
    } else if (fieldLetters.has(char)) {
      let count = 1;
      while (format[i + count] === char) count += 1;
      tokens.push({ kind: 'field', letter: char, count });
      i += count;
    } else {
      tokens.push({ kind: 'literal', text: char });
      i += 1;
    }
  }
  return tokens;
}

function formatField(date: Date, letter: string, count: number): string {
  const hour = date.getUTCHours();
  switch (letter) {
    case 'y':
      return count === 2 ? pad(date.getUTCFullYear() % 100, 2) : pad(date.getUTCFullYear(), count === 1 ? 1 : count);
    case 'M':
      if (count >= 4) return monthNames[date.getUTCMonth()] as string;
      if (count === 3) return (monthNames[date.getUTCMonth()] as string).slice(0, 3);
      return pad(date.getUTCMonth() + 1, count);
    case 'd':
      if (count >= 4) return dayNames[date.getUTCDay()] as string;
      if (count === 3) return (dayNames[date.getUTCDay()] as string).slice(0, 3);
      return pad(date.getUTCDate(), count);
    case 'H':
      return pad(hour, Math.min(count, 2));
    case 'h':
      return pad(hour % 12 === 0 ? 12 : hour % 12, Math.min(count, 2));
    case 'm':
      return pad(date.getUTCMinutes(), Math.min(count, 2));
    case 's':
      return pad(date.getUTCSeconds(), Math.min(count, 2));
    case 'f':
    case 'F': {
      const digits = pad(date.getUTCMilliseconds(), 3).padEnd(7, '0').slice(0, count);
      return letter === 'F' ? digits.replace(/0+$/, '') : digits;
    }
    case 't':
      return (hour < 12 ? 'AM' : 'PM').slice(0, count === 1 ? 1 : 2);
    case 'z':
      return count === 1 ? '+0' : count === 2 ? '+00' : '+00:00';
    default: // 'K'
      return 'Z';
  }
}

export function formatDate(date: Date, format: string): string {
  return tokenizeDateFormat(format)
    .map((token) => (token.kind === 'literal' ? token.text : formatField(date, token.letter, token.count)))
    .join('');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function fieldPattern(letter: string, count: number): string {
  switch (letter) {
    case 'y':
      return count === 2 ? '(\\d{2})' : count === 1 ? '(\\d{1,4})' : `(\\d{${count},4})`;
    case 'M':
      return count >= 3 ? '([A-Za-z]+)' : count === 2 ? '(\\d{2})' : '(\\d{1,2})';
    case 'd':
      return count >= 3 ? '([A-Za-z]+)' : count === 2 ? '(\\d{2})' : '(\\d{1,2})';
    case 'f':
      return `(\\d{${count}})`;
    case 'F':
      return `(\\d{0,${count}})`;
    case 't':
      return count === 1 ? '([AaPp])' : '([AaPp][Mm])';
    case 'z':
      return count === 3 ? '([+-]\\d{2}:\\d{2})' : count === 2 ? '([+-]\\d{2})' : '([+-]\\d{1,2})';
    case 'K':
      return '(Z|[+-]\\d{2}:\\d{2})?';
    default: // H h m s
      return count >= 2 ? '(\\d{2})' : '(\\d{1,2})';
  }
}

/** DateTime.ParseExact with a custom format: the whole text must match (leading and trailing white space allowed). */
export function parseDateExact(text: string, format: string): Date | null {
  const tokens = tokenizeDateFormat(format);
  const fields: Array<{ letter: string; count: number }> = [];
  let pattern = '^\\s*';
  for (const token of tokens) {
    if (token.kind === 'literal') pattern += escapeRegex(token.text);
    else {
      pattern += fieldPattern(token.letter, token.count);
      fields.push(token);
    }
  }
  const match = new RegExp(`${pattern}\\s*$`).exec(text);
  if (!match) return null;
  let year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, ms = 0, offset = 0;
  let pm: boolean | undefined;
  for (const [index, field] of fields.entries()) {
    const raw = match[index + 1] ?? '';
    const number = Number(raw);
    switch (field.letter) {
      case 'y':
        year = field.count === 2 ? (number < 50 ? 2000 + number : 1900 + number) : number;
        break;
      case 'M':
        if (field.count >= 3) {
          const found = monthNames.findIndex((name) => (field.count === 3 ? name.slice(0, 3) : name).toLowerCase() === raw.toLowerCase());
          if (found === -1) return null;
          month = found + 1;
        } else month = number;
        break;
      case 'd':
        if (field.count <= 2) day = number;
        break;
      case 'H':
        hour = number;
        break;
      case 'h':
        hour = number % 12;
        break;
      case 'm':
        minute = number;
        break;
      case 's':
        second = number;
        break;
      case 'f':
      case 'F':
        ms = fractionMs(raw);
        break;
      case 't':
        pm = raw.toUpperCase().startsWith('P');
        break;
      default: // z K
        offset = offsetMinutesOf(raw);
    }
  }
  if (pm === true && hour < 12) hour += 12;
  return makeUtc(year, month, day, hour, minute, second, ms, offset);
}

export const dateIntervals = ['yyyy', 'm', 'd', 'ww', 'h', 'n', 's'] as const;
export type DateInterval = (typeof dateIntervals)[number];

export function isDateInterval(text: string): text is DateInterval {
  return (dateIntervals as readonly string[]).includes(text);
}

function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay)); // like .NET AddMonths: Jan 31 + 1 month = the last day of February
  return result;
}

const unitMs: Record<'d' | 'ww' | 'h' | 'n' | 's', number> = { d: 86_400_000, ww: 604_800_000, h: 3_600_000, n: 60_000, s: 1000 };

export function addToDate(interval: DateInterval, amount: number, date: Date): Date {
  if (interval === 'yyyy') return addMonths(date, amount * 12);
  if (interval === 'm') return addMonths(date, amount);
  return new Date(date.getTime() + amount * unitMs[interval]);
}

/** VBA DateDiff: the number of interval boundaries crossed from date1 to date2 (weeks start on Sunday). */
export function dateDifference(interval: DateInterval, date1: Date, date2: Date): number {
  if (interval === 'yyyy') return date2.getUTCFullYear() - date1.getUTCFullYear();
  if (interval === 'm') return date2.getUTCFullYear() * 12 + date2.getUTCMonth() - (date1.getUTCFullYear() * 12 + date1.getUTCMonth());
  if (interval === 'ww') {
    // 1970-01-01 was a Thursday: adding 4 days makes each Sunday-to-Saturday week one integer step.
    const week = (date: Date) => Math.floor((Math.floor(date.getTime() / unitMs.d) + 4) / 7);
    return week(date2) - week(date1);
  }
  const unit = unitMs[interval];
  return Math.floor(date2.getTime() / unit) - Math.floor(date1.getTime() / unit);
}

// Active Directory dates count 100-nanosecond ticks since 1601-01-01 UTC (FUNC DateFromNum, NumFromDate).
const adEpochOffsetMs = 11_644_473_600_000n;

export function dateFromAdTicks(ticks: bigint): Date {
  return new Date(Number(ticks / 10_000n - adEpochOffsetMs));
}

export function adTicksFromDate(date: Date): bigint {
  return (BigInt(date.getTime()) + adEpochOffsetMs) * 10_000n;
}
