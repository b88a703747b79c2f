// Parsing of numeric command-line options: a bad value is a configuration mistake (exit 2), not a stack trace.
import { CommandError, exitCodes } from './run-command.js';

export function parseWholeNumber(value: string, option: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CommandError(`${option}: expected a whole number from ${min} to ${max}, got "${value}"`, exitCodes.config);
  return n;
}

export function parsePositiveNumber(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CommandError(`${option}: expected a number above 0, got "${value}"`, exitCodes.config);
  return n;
}
