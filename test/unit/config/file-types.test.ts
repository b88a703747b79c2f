// The config file is JSON and is read as such: numbers are numbers, booleans are true or false; an environment
// variable's text is converted to the same types, so that both agree on what a setting accepts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, environmentSettings, loadConfig, type LoadedConfig } from '../../../src/config/index.js';

function load(text: string, env: Record<string, string> = {}): LoadedConfig | string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ens-file-types-'));
  const path = join(dir, 'sync.jsonc');
  writeFileSync(path, text);
  try {
    return loadConfig({ configPath: path, cwd: dir, env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('the config file takes JSON types strictly', () => {
  it('refuses a boolean where a number is expected, naming the key, what came and what is expected', () => {
    expect(load('{ "safety": { "deletionThresholdPercent": true } }')).toEqual([
      'DELETION_THRESHOLD_PERCENT (safety.deletionThresholdPercent): expected a number from 0 to 100, got true (a boolean)',
    ]);
  });

  it('refuses text where a boolean or a number is expected', () => {
    expect(load('{ "provisioning": { "deleteGroups": "no" }, "safety": { "deletionThreshold": "500" } }')).toEqual([
      'DELETE_GROUPS (provisioning.deleteGroups): expected true or false, got the text "no"',
      'DELETION_THRESHOLD (safety.deletionThreshold): expected a whole number from 0 to 1000000, got the text "500"',
    ]);
  });

  it('takes numbers, booleans and lists as JSON gives them', () => {
    const config = load('{ "safety": { "deletionThresholdPercent": 5, "quarantineMinOperations": 3 }, "provisioning": { "deleteGroups": false, "protectedUsers": ["owner@contoso.com"] }, "notion": { "rateLimitRps": "auto" } }');
    expect(Array.isArray(config)).toBe(false);
    const { safety, provisioning, notion } = config as LoadedConfig;
    expect([safety.deletionThresholdPercent, safety.quarantineMinOperations, provisioning.deleteGroups, provisioning.protectedUsers, notion.rateLimitRps]).toEqual([5, 3, false, ['owner@contoso.com'], 'auto']);
  });

  it('ignores a byte order mark at the start of the file (Notepad, PowerShell Out-File)', () => {
    const config = load('\uFEFF{ "safety": { "deletionThreshold": 7 } }');
    expect((config as LoadedConfig).safety?.deletionThreshold).toBe(7);
  });

  it('refuses a key given twice, naming it and both lines', () => {
    expect(load('{\n  "safety": {\n    "deletionThreshold": 5,\n    // changed later\n    "deletionThreshold": 50\n  }\n}\n')).toEqual([
      expect.stringMatching(/sync\.jsonc: "safety\.deletionThreshold" is given twice, on line 3 and line 5: keep one$/),
    ]);
  });
});

describe('environment variables are converted to the same types', () => {
  it('reads numbers, flags, lists and the rate from text, and refuses text that is not one', () => {
    const config = load('{}', { DELETION_THRESHOLD_PERCENT: '5', QUARANTINE_MIN_OPERATIONS: '3', DELETE_GROUPS: 'no', PROTECTED_USERS: 'a@contoso.com, b@contoso.com', NOTION_RATE_LIMIT_RPS: 'AUTO' }) as LoadedConfig;
    expect([config.safety.deletionThresholdPercent, config.safety.quarantineMinOperations, config.provisioning.deleteGroups, config.provisioning.protectedUsers, config.notion.rateLimitRps]).toEqual([5, 3, false, ['a@contoso.com', 'b@contoso.com'], 'auto']);
    expect(load('{}', { DELETION_THRESHOLD_PERCENT: 'true', DELETE_GROUPS: 'maybe' })).toEqual([
      'DELETE_GROUPS (provisioning.deleteGroups): expected true or false, got the text "maybe"',
      'DELETION_THRESHOLD_PERCENT (safety.deletionThresholdPercent): expected a number from 0 to 100, got the text "true"',
    ]);
  });

  it('has a variable for every setting of the example config, quarantineMinOperations included', () => {
    expect(environmentSettings.find((s) => s.path === 'safety.quarantineMinOperations')?.name).toBe('QUARANTINE_MIN_OPERATIONS');
  });
});
