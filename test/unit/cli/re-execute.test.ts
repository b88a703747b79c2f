import { describe, expect, it } from 'vitest';
import { exitCodeOfSignal } from '../../../src/cli/re-execute.js';

describe('the exit code of a re-executed child that a signal ended', () => {
  it('is 7 (interrupted, as in the README) for the stop signals SIGTERM, SIGINT and SIGHUP', () => {
    expect([exitCodeOfSignal('SIGTERM'), exitCodeOfSignal('SIGINT'), exitCodeOfSignal('SIGHUP')]).toEqual([7, 7, 7]);
  });

  it("is the shell's 128 + n for any other signal", () => {
    expect([exitCodeOfSignal('SIGQUIT'), exitCodeOfSignal('SIGKILL')]).toEqual([131, 137]);
  });
});
