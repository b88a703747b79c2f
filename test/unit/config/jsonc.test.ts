import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { JsoncSyntaxError, parseJsonc } from '../../../src/config/jsonc.js';

describe('parseJsonc', () => {
  it('accepts comments and trailing commas, and keeps comment-like text inside strings', () => {
    const text = '{\n  // the workspace\n  "target": "acme", /* inline */\n  "url": "https://x//y/*z*/",\n  "list": [1, 2,],\n}\n';
    expect(parseJsonc(text)).toEqual({ target: 'acme', url: 'https://x//y/*z*/', list: [1, 2] });
  });

  it('names the line and column of the first mistake', () => {
    const text = '{\n  "target": "acme"\n  "schedule": "*/5 * * * *"\n}';
    expect(() => parseJsonc(text)).toThrow(JsoncSyntaxError);
    expect(() => parseJsonc(text)).toThrow('line 3, column 3: comma expected');
  });
});

describe('the config file', () => {
  const write = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'ens-jsonc-'));
    const path = join(dir, 'sync.jsonc');
    writeFileSync(path, text);
    return { dir, path };
  };

  it('may end objects and lists with a comma', () => {
    const { dir, path } = write('{\n  "target": "acme",\n  "provisioning": { "protectedUsers": ["owner@x.com",], },\n}\n');
    const config = loadConfig({ configPath: path, cwd: dir, env: {} });
    expect(config.target).toBe('acme');
    expect(config.provisioning.protectedUsers).toEqual(['owner@x.com']);
  });

  it('reports a syntax mistake in one line naming the file, line and column', () => {
    const { dir, path } = write('{\n  // comment\n  "target": "acme",,\n}\n');
    let problems: string[] = [];
    try {
      loadConfig({ configPath: path, cwd: dir, env: {} });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual([`config file ${path}: not valid JSON (line 3, column 20: property name expected)`]);
  });
});
