import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCommandLogger } from '../../../src/cli/run-command.js';
import { loadConfig } from '../../../src/config/index.js';

const configWith = (env: Record<string, string>) => loadConfig({ env, cwd: mkdtempSync(join(tmpdir(), 'ens-logger-')) });

describe('the command logger', () => {
  it('logs at info by default, and at warn for commands whose output is a report', () => {
    expect(createCommandLogger(configWith({})).level).toBe('info');
    expect(createCommandLogger(configWith({}), { quiet: true }).level).toBe('warn');
  });

  it('honours LOG_LEVEL in every command, report commands included', () => {
    expect(createCommandLogger(configWith({ LOG_LEVEL: 'debug' }), { quiet: true }).level).toBe('debug');
    expect(createCommandLogger(configWith({ LOG_LEVEL: 'error' })).level).toBe('error');
  });
});
