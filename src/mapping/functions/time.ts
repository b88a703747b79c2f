// Date functions (FUNC): CDate, DateAdd, DateDiff, DateFromNum, FormatDateTime, Now, NumFromDate.
import {
  addToDate,
  adTicksFromDate,
  dateDifference,
  dateFromAdTicks,
  dateIntervals,
  formatDate,
  isDateInterval,
  parseDateExact,
  parseDateText,
  type DateInterval,
} from '../dates.js';
import { EvaluationFailure, integerOf, isList, mapText, textOf, type Value } from '../values.js';
import { arg, textArgument, type FunctionSpec } from './spec.js';

/** A date argument: an instant from CDate/Now/DateAdd, or date text (read like CDate). Null stays null. */
function dateOf(value: Value, what: string): Date | null {
  if (value === null) return null;
  if (value instanceof Date) return value;
  if (isList(value)) throw new EvaluationFailure('typeMismatch', `${what}: expected a date but got a list of ${value.length} values`);
  const text = textOf(value);
  const date = parseDateText(text);
  if (date === null) throw new EvaluationFailure('invalidDate', `${what}: "${text}" is not a date`);
  return date;
}

function intervalOf(value: Value, what: string): DateInterval {
  const text = textArgument(value) ?? '';
  if (!isDateInterval(text)) throw new EvaluationFailure('invalidArgument', `${what}: interval "${text}" is not one of ${dateIntervals.join(', ')}`);
  return text;
}

function ticksOf(value: Value): bigint {
  const text = typeof value === 'number' ? String(Math.trunc(value)) : typeof value === 'string' ? value.trim() : '';
  if (!/^-?\d+$/.test(text)) throw new EvaluationFailure('typeMismatch', `DateFromNum expects an Active Directory date number`);
  return BigInt(text);
}

export const timeFunctions: Record<string, FunctionSpec> = {
  CDate: { min: 1, max: 1, evaluate: (args, scope) => dateOf(arg(args, 0, scope), 'CDate') },
  DateAdd: {
    min: 3,
    max: 3,
    evaluate: (args, scope) => {
      const interval = intervalOf(arg(args, 0, scope), 'DateAdd');
      const amount = integerOf(arg(args, 1, scope), 'DateAdd value');
      const date = dateOf(arg(args, 2, scope), 'DateAdd dateTime');
      return date === null ? null : addToDate(interval, amount, date);
    },
  },
  DateDiff: {
    min: 3,
    max: 3,
    evaluate: (args, scope) => {
      const interval = intervalOf(arg(args, 0, scope), 'DateDiff');
      const date1 = dateOf(arg(args, 1, scope), 'DateDiff date1');
      const date2 = dateOf(arg(args, 2, scope), 'DateDiff date2');
      return date1 === null || date2 === null ? null : dateDifference(interval, date1, date2);
    },
  },
  DateFromNum: {
    min: 1,
    max: 1,
    evaluate: (args, scope) => {
      const value = arg(args, 0, scope);
      return value === null ? null : dateFromAdTicks(ticksOf(value));
    },
  },
  FormatDateTime: {
    min: 4,
    max: 4,
    // dateTimeStyles may be left empty; the default (RoundtripKind, leading/trailing white allowed) is the only one applied.
    omittable: (index) => index === 1,
    evaluate: (args, scope) => {
      const inputFormat = textArgument(arg(args, 2, scope)) ?? '';
      const outputFormat = textArgument(arg(args, 3, scope)) ?? '';
      return mapText(arg(args, 0, scope), (text) => {
        const date = parseDateExact(text, inputFormat);
        if (date === null) throw new EvaluationFailure('invalidDate', `FormatDateTime: "${text}" does not match the format "${inputFormat}"`);
        return formatDate(date, outputFormat);
      });
    },
  },
  Now: { min: 0, max: 0, evaluate: (_args, scope) => scope.now },
  NumFromDate: {
    min: 1,
    max: 1,
    evaluate: (args, scope) => {
      const date = dateOf(arg(args, 0, scope), 'NumFromDate');
      // Text, not a number: AD dates (about 1.3e17) are beyond a double's exact integers.
      return date === null ? null : adTicksFromDate(date).toString();
    },
  },
};
