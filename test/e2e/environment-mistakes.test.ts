// Mistakes in the environment, as an operator makes them: each ends with one line naming what is wrong and what to
// do, exit 2 (configuration or environment), and no stack trace; a command that only reads or decides never takes a
// store that nothing has run against (a typo in DATA_DIR or the database name) for a healthy, empty one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { runCli, type CliRun } from '../helpers/cli-process.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';

/** One line on stderr, and nothing of a stack trace or of the catch-all. */
function expectOneLine(run: CliRun, code: number, text: string | RegExp): void {
  expect(run.stderr).not.toMatch(/Unexpected failure|\n\s+at /);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(text);
  expect(run.code).toBe(code);
}

describe('a Notion token or URL that does not work', () => {
  let graph: GraphSimulator;
  let notion: NotionSimulator;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    graph = await startGraphSimulator({ tenant: generateTenant({ seed: 5, users: 10, groups: 2 }) });
    notion = await startNotionSimulator({});
    const created = await createTestStoreLocation();
    drop = created.drop;
    env = { ...simulatorConnectionEnv(graph, notion), LOG_LEVEL: 'silent', NODE_EXTRA_CA_CERTS: simulatorCaPath, ...storeEnv(created.location) };
  });
  afterAll(async () => {
    await Promise.all([graph.close(), notion.close()]);
    await drop();
  });

  it('plan --verify with a refused token: one line naming NOTION_SCIM_TOKEN, exit 2', async () => {
    const plan = await runCli(['plan', '--verify'], { ...env, NOTION_SCIM_TOKEN: 'not-the-token' });
    expectOneLine(plan, 2, /^Notion refused the SCIM token: GET .*\/Users\?.* failed with 401.*: check NOTION_SCIM_TOKEN/);
    expect(plan.stderr).not.toContain('not-the-token');
  });
});
