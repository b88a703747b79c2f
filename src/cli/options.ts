// Argument parsers for numeric command-line options, given to commander: a bad value is a usage mistake that
// commander reports as "option '--x <n>' argument 'y' is invalid. …" and the CLI exits 2, never a stack trace.
import { InvalidArgumentError } from 'commander';
import { CommandError, exitCodes } from './run-command.js';

export function wholeNumber(min = 0, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0');
  return n;
}

/** For a value read inside an action (e.g. `console --port`, whose default comes from the configuration); prefer
 *  giving `wholeNumber` to commander, which reports the mistake itself. */
export function parseWholeNumber(value: string, option: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  try {
    return wholeNumber(min, max)(value);
  } catch (error) {
    throw new CommandError(`${option}: ${(error as Error).message}, got "${value}"`, exitCodes.config);
  }
}
