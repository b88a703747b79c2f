// A first cycle's unaccounted members are recorded from Notion's listing in the store a page at a time (issue 14:
// no code path holds them all): every one once, across pages, with the loud log line's sample the first by userName
// whatever page they were read in. On PGlite and on Postgres.
import { describe, expect, it } from 'vitest';
import { recordUnaccountedMembers } from '../../../src/engine/record-unaccounted.js';
import { createLogger } from '../../../src/observe/index.js';
import { queryLog, readUnaccountedPage, writeNotionListingPage, type ListedObject } from '../../../src/store/index.js';
import { storePerFile } from '../../helpers/store.js';

const target = 'recorded';
// More than two pages of 1,000; Notion ids ascend where userNames descend, so the first by userName are read last.
const count = 2_100;
const notionId = (i: number) => `n${String(i).padStart(5, '0')}`;
const userName = (i: number) => `member.${String(count - i).padStart(5, '0')}@example.com`;
const listed = (i: number): ListedObject => ({
  notionId: notionId(i), matchName: userName(i), emails: [], active: true, owner: false, resource: { id: notionId(i), userName: userName(i), active: true },
});

describe('recording unaccounted members', () => {
  const test = storePerFile();

  it('records each member once across pages, and samples the first by userName', async () => {
    const db = test.current.store.db;
    await writeNotionListingPage(db, target, 'user', Array.from({ length: count }, (_, i) => listed(i)));
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const counts: Record<string, number> = {};
    const record = () => recordUnaccountedMembers({ db, target, cycleId: 'cycle-1', logger, now: new Date() }, new Set(), counts);

    await record();
    expect(counts).toEqual({ 'unaccounted.warning': count });
    const links = await readUnaccountedPage(db, target, { objectType: 'user', limit: count + 1 });
    expect(new Set(links.map((link) => link.sourceId))).toEqual(new Set(Array.from({ length: count }, (_, i) => `notion:${notionId(i)}`)));
    const rows = await queryLog(db, { target, action: 'unaccounted', limit: count + 1 });
    expect(new Set(rows.map((row) => row.notionId)).size).toBe(count);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: 'initial.unaccounted-members', count });
    expect(lines[0]?.sample).toEqual(Array.from({ length: 20 }, (_, k) => userName(count - 1 - k)));

    // Recorded members wait for a decision: a cycle that recorded them and then failed does not record them twice.
    await record();
    expect(counts).toEqual({ 'unaccounted.warning': count });
    expect(lines).toHaveLength(1);
  });
});
