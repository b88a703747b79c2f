import { describe, expect, it } from 'vitest';
import { environmentSettings, loadConfig } from '../../../src/config/index.js';
import { readFileSync } from 'node:fs';

describe('config/sync.example.jsonc', () => {
  it('is a valid configuration as shipped', () => {
    const config = loadConfig({ configPath: 'config/sync.example.jsonc', env: {} });
    expect(config.target).toBe('default');
    expect(config.entra.scope).toBe('assigned');
  });

  it('names every environment variable the loader reads, and the README documents each', () => {
    const example = readFileSync('config/sync.example.jsonc', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    for (const { name, secret } of environmentSettings) {
      if (!secret && name !== 'MAPPING_FILE') expect(example, name).toContain(name);
      expect(readme, name).toContain(`\`${name}\``);
    }
  });
});
