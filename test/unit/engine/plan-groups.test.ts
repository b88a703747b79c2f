// Groups leaving scope (pure planner): emptied and kept for a grace period, deleted after it (counted by the deletion
// guard), re-linked when they come back within it.
import { describe, expect, it } from 'vitest';
import { indexGroups, indexUsers } from '../../../src/engine/matching.js';
import type { LinkView } from '../../../src/engine/model.js';
import { planChanges, type PlanInput } from '../../../src/engine/plan.js';
import { byId, group, groupLink, input, link, settings, user } from './fixtures.js';

const now = new Date('2026-11-30T08:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
const retiring = (id: string, since: Date): LinkView => groupLink(id, { state: 'disabled', retiringSince: since });

function withGrace(parts: Partial<PlanInput>, group: Partial<PlanInput['settings']['group']> = {}, guard: Partial<PlanInput['settings']['guard']> = {}): PlanInput {
  const base = settings(guard);
  return input({ ...parts, settings: { ...base, group: { deleteGroups: true, graceDays: 7, now, ...group } } });
}

describe('a group that leaves scope', () => {
  it('is emptied of our members and kept, with the day its grace period ends in the reason', () => {
    const plan = planChanges(withGrace({
      groups: [group('g', { lifecycle: 'out-of-scope' })],
      userLinks: byId([link('a'), link('b')]),
      groupLinks: byId([groupLink('g')]),
      applied: new Map([['g', new Set(['a', 'b'])]]),
    }));
    expect(plan.memberships).toEqual([expect.objectContaining({ kind: 'remove-members', sourceId: 'g', userSourceIds: ['a', 'b'] })]);
    expect(plan.groupRetirements).toEqual([expect.objectContaining({
      kind: 'retire-group', notionId: 'n-g', reason: 'unassigned or out of scope; emptied and kept for the 7-day grace period (deleted on or after 2026-12-07 unless it returns)',
    })]);
  });

  it('is deleted at once when the grace period is 0 (the behaviour before it existed)', () => {
    const plan = planChanges(withGrace({ groups: [group('g', { lifecycle: 'deleted' })], groupLinks: byId([groupLink('g')]) }, { graceDays: 0 }));
    expect(plan.groupRetirements).toEqual([expect.objectContaining({ kind: 'delete-group', reason: 'deleted in Entra' })]);
  });

  it('sends nothing while its grace period runs', () => {
    const plan = planChanges(withGrace({ groups: [group('g', { lifecycle: 'out-of-scope' })], groupLinks: byId([retiring('g', daysAgo(6))]) }));
    expect(plan.groupRetirements).toEqual([]);
    expect(plan.memberships).toEqual([]);
  });

  it('is deleted once the grace period is over, hard-deleted in Entra or not, and says since when', () => {
    for (const lifecycle of ['out-of-scope', 'deleted'] as const) {
      const plan = planChanges(withGrace({ groups: [group('g', { lifecycle })], groupLinks: byId([retiring('g', new Date('2026-11-23T07:59:00Z'))]) }));
      expect(plan.groupRetirements).toEqual([expect.objectContaining({ kind: 'delete-group', notionId: 'n-g', reason: 'left scope on 2026-11-23; deleted after the 7-day grace period' })]);
    }
  });

  it('is never deleted when group deletes are off', () => {
    const left = planChanges(withGrace({ groups: [group('g', { lifecycle: 'out-of-scope' })], groupLinks: byId([groupLink('g')]) }, { deleteGroups: false }));
    expect(left.groupRetirements).toEqual([expect.objectContaining({ kind: 'retire-group', reason: 'unassigned or out of scope; emptied and kept; group deletes are off' })]);
    const later = planChanges(withGrace({ groups: [group('g', { lifecycle: 'out-of-scope' })], groupLinks: byId([retiring('g', daysAgo(400))]) }, { deleteGroups: false }));
    expect(later.groupRetirements).toEqual([]);
  });

  it('is re-linked to the same Notion group when it comes back, renamed if it was, and gets its members back', () => {
    const plan = planChanges(withGrace({
      groups: [group('g', { attributes: { displayName: 'Group g2' }, name: 'Group g2' })],
      userLinks: byId([link('a')]),
      groupLinks: byId([retiring('g', new Date('2026-11-27T10:00:00Z'))]),
      groupMembers: new Map([['g', new Set(['a'])]]),
    }));
    expect(plan.upserts).toEqual([expect.objectContaining({
      kind: 'adopt-group', notionId: 'n-g', reason: 'back in scope (it left scope on 2026-11-27): re-linked to the Notion group kept for it',
      patch: [expect.objectContaining({ path: 'displayName', value: 'Group g2' })],
    })]);
    expect(plan.memberships).toEqual([expect.objectContaining({ kind: 'add-members', sourceId: 'g', userSourceIds: ['a'] })]);
  });
});

describe('the deletion guard and groups', () => {
  it('counts the delete at the end of the grace period, not the emptying that starts it', () => {
    const guard = { threshold: 1, thresholdPercent: 100, linkedUsers: 100 };
    const emptied = planChanges(withGrace({
      groups: [group('g1', { lifecycle: 'out-of-scope' }), group('g2', { lifecycle: 'out-of-scope' })],
      groupLinks: byId([groupLink('g1'), groupLink('g2')]),
    }, {}, guard));
    expect(emptied.guard).toBeUndefined();
    expect(emptied.groupRetirements.map((op) => op.kind)).toEqual(['retire-group', 'retire-group']);

    const due = planChanges(withGrace({
      groups: [group('g1', { lifecycle: 'out-of-scope' }), group('g2', { lifecycle: 'deleted' })],
      groupLinks: byId([retiring('g1', daysAgo(8)), retiring('g2', daysAgo(8))]),
    }, {}, guard));
    expect(due.guard).toMatchObject({ staged: 2 });
    expect(due.groupRetirements).toEqual([]);
    expect(due.records).toEqual([
      expect.objectContaining({ kind: 'stage', objectType: 'group', sourceId: 'g1', action: 'delete', reason: expect.stringContaining('deleted after the 7-day grace period; staged') }),
      expect.objectContaining({ kind: 'stage', objectType: 'group', sourceId: 'g2', action: 'delete' }),
    ]);
  });

  it('lets an approved delete at the end of the grace period through', () => {
    const plan = planChanges(withGrace({
      groups: [group('g1', { lifecycle: 'out-of-scope' }), group('g2', { lifecycle: 'out-of-scope' })],
      groupLinks: byId([retiring('g1', daysAgo(8)), retiring('g2', daysAgo(8))]),
    }, {}, { threshold: 1, approved: new Set(['group:g1', 'group:g2']) }));
    expect(plan.groupRetirements.map((op) => op.kind)).toEqual(['delete-group', 'delete-group']);
  });

  it('holds both the emptying and the delete, and every member removal, when the import was incomplete', () => {
    const plan = planChanges(withGrace({
      groups: [group('g1', { lifecycle: 'out-of-scope' }), group('g2', { lifecycle: 'out-of-scope' })],
      userLinks: byId([link('a')]),
      groupLinks: byId([groupLink('g1'), retiring('g2', daysAgo(8))]),
      applied: new Map([['g1', new Set(['a'])]]),
    }, {}, { hold: 'the Entra import was incomplete (503)' }));
    expect(plan.groupRetirements).toEqual([]);
    expect(plan.memberships).toEqual([]);
    expect(plan.records.map((r) => [r.kind, r.sourceId])).toEqual([['skip', 'g1'], ['skip', 'g2']]);
  });
});

describe('a group adopted by name', () => {
  // Linked users a, b, c (Notion ids n-a, n-b, n-c); user d is adopted in the same plan (Notion id n-d). Entra puts a, b,
  // d and e in the group; Notion's group lists n-a, n-c (a member Entra does not put there) and n-d.
  function adopting(members: Array<{ value: string }> | undefined) {
    const listed = { id: 'n-g', displayName: 'Group g', ...(members === undefined ? {} : { members }) };
    const d = { id: 'n-d', userName: 'd@example.com', name: { formatted: 'Person d' }, active: true };
    return planChanges(input({
      users: ['a', 'b', 'c', 'd', 'e'].map((id) => user(id)),
      groups: [group('g')],
      userLinks: byId([link('a'), link('b'), link('c'), link('e', { state: 'disabled' })]),
      groupMembers: new Map([['g', new Set(['a', 'b', 'd', 'e'])]]),
      notion: { users: indexUsers([d], true, new Set(['n-a', 'n-b', 'n-c'])), groups: indexGroups([listed], true, new Set()) },
      settings: { ...settings(), maxMembersPerPatch: 50 },
    }));
  }
  const adoption = (plan: ReturnType<typeof planChanges>) => plan.upserts.find((op) => op.kind === 'adopt-group');
  const adds = (plan: ReturnType<typeof planChanges>) => plan.memberships.filter((op) => op.kind === 'add-members').flatMap((op) => op.userSourceIds);

  it('takes the members Notion lists and Entra wants as applied: recorded with the link, not added again', () => {
    const plan = adopting([{ value: 'n-a' }, { value: 'n-c' }, { value: 'n-d' }]);
    expect(adoption(plan)).toMatchObject({ alreadyMembers: ['a', 'd'], reason: 'matched existing Notion group by displayName; 2 member(s) already in it' });
    expect(adoption(plan)).not.toHaveProperty('listedMembers');
    // b is wanted and not listed; e is re-enabled (its standing is eligible) and added too.
    expect(adds(plan).sort()).toEqual(['b', 'e']);
    // c was there before us and Entra does not put it in the group: adoption removes nothing.
    expect(plan.memberships.filter((op) => op.kind === 'remove-members')).toEqual([]);
  });

  it('adds every wanted member when the listing carries no members, or members it cannot read', () => {
    expect(adds(adopting(undefined)).sort()).toEqual(['a', 'b', 'd', 'e']);
    expect(adoption(adopting(undefined))).not.toHaveProperty('alreadyMembers');
    expect(adds(adopting([{ value: 'n-zz' }, { nope: 1 } as unknown as { value: string }])).sort()).toEqual(['a', 'b', 'd', 'e']);
  });
});
