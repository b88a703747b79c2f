// Upgrading to the gallery default mapping, and what Notion echoes: a deployment that ran the richer mapping (emails,
// names, title) gets no PATCH storm and no email removal when it moves to the default, and `sync --verify` does not
// send again what Notion keeps in its one Email field or answers without `type`.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { runCycle } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { engineSessionPerTest } from '../../helpers/engine-session.js';

const richMapping = fileURLToPath(new URL('../../../config/notion-mapping.rich.example.json', import.meta.url));
const logger = createLogger({ level: 'silent' });
const { synced } = engineSessionPerTest({ tenant: { seed: 21, users: 30, groups: 4 } });

describe('the default mapping and what Notion echoes', () => {
  it('moving from the richer mapping to the default re-evaluates everyone and sends nothing', async () => {
    const s = await synced({ env: { MAPPING_FILE: richMapping } });
    const withEmail = s.notion.workspace.users().filter((u) => u.emails.some((e) => e.type === 'work')).length;
    expect(withEmail).toBeGreaterThan(0);
    const { MAPPING_FILE: _rich, ...defaultEnv } = s.env;
    const config = loadConfig({ env: defaultEnv, cwd: '/nonexistent' });
    s.notion.clearRequests();
    const upgrade = await runCycle({ config, store: s.store.store, logger });
    expect(upgrade.status).toBe('succeeded');
    expect(s.writes()).toBe(0);
    // Nobody lost the email the richer mapping gave them.
    expect(s.notion.workspace.users().filter((u) => u.emails.some((e) => e.type === 'work')).length).toBe(withEmail);
    const verify = await runCycle({ config, store: s.store.store, logger }, { mode: 'verify' });
    expect(verify.status).toBe('succeeded');
    expect(s.writes()).toBe(0);
  });

  it('sync --verify with the richer mapping sends nothing when Notion answers emails without type', async () => {
    const s = await synced({ env: { MAPPING_FILE: richMapping } });
    const ws = s.notion.workspace;
    // As the real Notion answers (reference notion-scim.md §2.2): emails carry no `type`.
    for (const user of ws.users()) ws.editUser(user.id, { emails: user.emails.map(({ value }, i) => ({ value, primary: i === 0 })) });
    s.notion.clearRequests();
    expect((await s.sync({ mode: 'verify' })).status).toBe('succeeded');
    expect(s.writes()).toBe(0);
  });
});
