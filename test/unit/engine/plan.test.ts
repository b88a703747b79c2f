// The pure planner: desired state against links → operations, in the order and shape the executor runs them.
import { describe, expect, it } from 'vitest';
import { indexUsers } from '../../../src/engine/matching.js';
import { planOperations } from '../../../src/engine/model.js';
import { planChanges } from '../../../src/engine/plan.js';
import { byId, group, groupLink, input, link, settings, user } from './fixtures.js';

const kinds = (plan: ReturnType<typeof planChanges>) => planOperations(plan).map((op) => `${op.kind}:${op.sourceId}`);

describe('planChanges', () => {
  it('creates an in-scope user without a link, and nothing for a linked one that did not change', () => {
    const plan = planChanges(input({ users: [user('a'), user('b')], userLinks: byId([link('b')]) }));
    expect(kinds(plan)).toEqual(['create-user:a']);
  });

  it('sends a minimal PATCH of what changed, and a remove for a cleared value', () => {
    const desired = user('a', { attributes: { userName: 'a@example.com', 'name.formatted': null, title: 'CTO', active: true } });
    const plan = planChanges(input({ users: [desired], userLinks: byId([link('a', { applied: { userName: 'a@example.com', 'name.formatted': 'Old', active: true } })]) }));
    const [op] = plan.upserts;
    expect(op).toMatchObject({ kind: 'update-user', patch: [{ op: 'remove', path: 'name.formatted' }, { op: 'replace', path: 'title', value: 'CTO' }] });
  });

  it('never sends create-only attributes after the create', () => {
    const desired = user('a', { attributes: { userName: 'a@example.com', 'name.formatted': 'Person a', photos: 'x', active: true }, createOnly: ['photos'] });
    expect(planOperations(planChanges(input({ users: [desired], userLinks: byId([link('a')]) })))).toEqual([]);
  });

  it('disables, deletes or skips by the row of the semantics that applies', () => {
    const users = [user('off', { lifecycle: 'disabled' }), user('gone', { lifecycle: 'hard-deleted' }), user('out', { lifecycle: 'out-of-scope' }), user('bin', { lifecycle: 'soft-deleted' })];
    const links = byId(['off', 'gone', 'out', 'bin'].map((id) => link(id)));
    expect(kinds(planChanges(input({ users, userLinks: links }))).sort()).toEqual(['delete-user:gone', 'disable-user:bin', 'disable-user:off', 'disable-user:out']);
    const none = planChanges(input({ users, userLinks: links, settings: settings({}, { deprovisionAction: 'none', hardDeleteAction: 'disable' }) }));
    expect(kinds(none).sort()).toEqual(['disable-user:bin', 'disable-user:gone', 'disable-user:off', 'skip:out']);
  });

  it('re-enables a disabled link of a user back in scope, with active=true in the PATCH', () => {
    const plan = planChanges(input({ users: [user('a')], userLinks: byId([link('a', { state: 'disabled', applied: { userName: 'a@example.com', 'name.formatted': 'Person a', active: false } })]) }));
    expect(plan.upserts[0]).toMatchObject({ kind: 'enable-user', patch: [{ op: 'replace', path: 'active', value: true }] });
  });

  it('skips a protected user whatever happens to it, compared without case', () => {
    const plan = planChanges(input({ users: [user('owner', { lifecycle: 'out-of-scope' })], userLinks: byId([link('owner')]), settings: settings({}, { protectedUserNames: new Set(['owner@example.com']) }) }));
    expect(kinds(plan)).toEqual(['skip:owner']);
  });

  it('adopts a listed Notion user matched by lower-cased userName and patches only real differences, never case', () => {
    const listing = indexUsers([{ id: 'n1', userName: 'A@Example.com', name: { formatted: 'Someone' }, active: true }], true, new Set());
    const plan = planChanges(input({ users: [user('a')], notion: { users: listing, groups: { complete: true, byName: new Map(), linked: new Set() } } }));
    expect(plan.upserts[0]).toMatchObject({ kind: 'adopt-user', notionId: 'n1', patch: [{ op: 'replace', path: 'name.formatted', value: 'Person a' }] });
  });

  it('turns two candidates into a conflict, never a create', () => {
    const listing = indexUsers(
      [{ id: 'n1', userName: 'a@example.com' }, { id: 'n2', userName: 'other@example.com', emails: [{ value: 'a@example.com', type: 'work' }] }],
      true,
      new Set(),
    );
    const plan = planChanges(input({ users: [user('a')], notion: { users: listing, groups: { complete: true, byName: new Map(), linked: new Set() } } }));
    expect(kinds(plan)).toEqual(['conflict:a']);
  });

  it('asks for a lookup before the create when no complete listing answered', () => {
    const listing = indexUsers([], false, new Set());
    const plan = planChanges(input({ users: [user('a')], notion: { users: listing, groups: { complete: true, byName: new Map(), linked: new Set() } } }));
    expect(plan.upserts[0]).toMatchObject({ kind: 'create-user', lookupFirst: true });
  });

  it('adds members in batches after the users exist, removes those who left, and takes leaving users out first', () => {
    const plan = planChanges(input({
      users: [user('new'), user('quit', { lifecycle: 'out-of-scope' })],
      groups: [],
      userLinks: byId([link('old'), link('x'), link('quit')]),
      groupLinks: byId([groupLink('g')]),
      applied: new Map([['g', new Set(['old', 'x', 'quit'])]]),
      groupMembers: new Map([['g', new Set(['new', 'old', 'y1', 'y2'])]]),
    }));
    expect(plan.memberships).toEqual([
      expect.objectContaining({ kind: 'remove-members', sourceId: 'g', userSourceIds: ['quit'], offboarding: true }),
      expect.objectContaining({ kind: 'remove-members', sourceId: 'g', userSourceIds: ['x'] }),
      expect.objectContaining({ kind: 'add-members', sourceId: 'g', userSourceIds: ['new'] }),
    ]);
    expect(plan.memberships[1]).not.toHaveProperty('offboarding');
    expect(kinds(plan)).toContain('disable-user:quit');
  });

  it('lists the operations in the order they run: offboarding first, then upserts, the other memberships, group deletes', () => {
    const plan = planChanges(input({
      users: [user('new'), user('quit', { lifecycle: 'disabled' }), user('stay')],
      groups: [group('g'), group('old', { lifecycle: 'out-of-scope' })],
      userLinks: byId([link('quit'), link('stay')]),
      groupLinks: byId([groupLink('g'), groupLink('old')]),
      applied: new Map([['g', new Set(['quit'])], ['old', new Set(['stay'])]]),
      groupMembers: new Map([['g', new Set(['new', 'stay'])]]),
    }));
    expect(kinds(plan)).toEqual([
      'remove-members:g', 'disable-user:quit', 'create-user:new', 'remove-members:old', 'add-members:g', 'delete-group:old',
    ]);
  });

  it('keeps the memberships of a user whose deprovision is staged by the deletion guard', () => {
    const plan = planChanges(input({
      users: [user('quit', { lifecycle: 'out-of-scope' })],
      userLinks: byId([link('quit')]),
      groupLinks: byId([groupLink('g')]),
      applied: new Map([['g', new Set(['quit'])]]),
      groupMembers: new Map([['g', new Set<string>()]]),
      settings: settings({ threshold: 0, thresholdPercent: 0, linkedUsers: 1 }),
    }));
    expect(kinds(plan)).toEqual(['stage:quit']);
  });

  it('keeps in a group that left scope the members whose deprovision is staged: the group is emptied of the others only', () => {
    // An assigned group unassigned by mistake: its 27 members' deactivations were staged, but the same cycle emptied
    // the group, so everyone lost the pages shared with it before anyone approved anything.
    const base = settings({ threshold: 0, thresholdPercent: 0, linkedUsers: 2 });
    const plan = planChanges(input({
      users: [user('quit', { lifecycle: 'out-of-scope' }), user('stays')],
      groups: [group('g', { lifecycle: 'out-of-scope' })],
      userLinks: byId([link('quit'), link('stays')]),
      groupLinks: byId([groupLink('g')]),
      applied: new Map([['g', new Set(['quit', 'stays'])]]),
      groupMembers: new Map(),
      settings: { ...base, group: { ...base.group, graceDays: 7 } },
    }));
    expect(kinds(plan)).toEqual(['remove-members:g', 'retire-group:g', 'stage:quit']);
    expect(plan.memberships).toEqual([expect.objectContaining({ kind: 'remove-members', sourceId: 'g', userSourceIds: ['stays'] })]);
  });

  it("removes nothing, a leaving user's memberships included, while deprovisioning is held", () => {
    const plan = planChanges(input({
      users: [user('quit', { lifecycle: 'out-of-scope' })],
      userLinks: byId([link('quit')]),
      groupLinks: byId([groupLink('g')]),
      applied: new Map([['g', new Set(['quit'])]]),
      groupMembers: new Map([['g', new Set<string>()]]),
      settings: settings({ hold: 'the Entra import was incomplete' }),
    }));
    expect(plan.memberships).toEqual([]);
  });

  it('gives a returning user the managed groups Entra does not put them in, to leave after the re-enable', () => {
    const plan = planChanges(input({
      users: [user('back')],
      groups: [group('keep'), group('drop'), group('gone', { lifecycle: 'out-of-scope' })],
      userLinks: byId([link('back', { state: 'disabled', applied: { userName: 'back@example.com', 'name.formatted': 'Person back', active: false } })]),
      groupLinks: byId([groupLink('keep'), groupLink('drop'), groupLink('gone')]),
      groupMembers: new Map([['keep', new Set(['back'])], ['drop', new Set<string>()]]),
    }));
    expect(plan.upserts.find((op) => op.kind === 'enable-user')).toMatchObject({ leaveGroups: ['drop', 'gone'] });
    expect(plan.memberships).toEqual([expect.objectContaining({ kind: 'add-members', sourceId: 'keep', userSourceIds: ['back'] })]);
  });

  it('removes the members of a group that left scope before deleting it', () => {
    const plan = planChanges(input({
      groups: [group('g', { lifecycle: 'out-of-scope' })],
      userLinks: byId([link('a'), link('b'), link('c')]),
      groupLinks: byId([groupLink('g')]),
      applied: new Map([['g', new Set(['a', 'b', 'c'])]]),
    }));
    expect(plan.memberships.map((op) => [op.kind, op.userSourceIds])).toEqual([['remove-members', ['a', 'b']], ['remove-members', ['c']]]);
    expect(plan.groupRetirements).toEqual([expect.objectContaining({ kind: 'delete-group', sourceId: 'g' })]);
  });

  it('clears a staged deprovision that is no longer wanted', () => {
    const plan = planChanges(input({ users: [user('a')], userLinks: byId([link('a', { stagedAction: 'disable' })]) }));
    expect(kinds(plan)).toEqual(['unstage:a']);
  });
});

describe('planChanges: case and guests (issue 13)', () => {
  it('sends nothing when userName and email differ from what was applied only in case', () => {
    const work = 'emails[type eq "work"].value';
    const desired = user('a', { attributes: { userName: 'Ann.Lee@example.com', 'name.formatted': 'Person a', [work]: 'Ann.Lee@example.com', active: true } });
    const applied = { userName: 'ann.lee@example.com', 'name.formatted': 'Person a', [work]: 'ANN.LEE@example.com', active: true };
    expect(planOperations(planChanges(input({ users: [desired], userLinks: byId([link('a', { applied })]) })))).toEqual([]);
  });

  it('re-enables a user whose userName differs only in case with active=true alone', () => {
    const desired = user('a', { attributes: { userName: 'A@Example.com', 'name.formatted': 'Person a', active: true } });
    const plan = planChanges(input({ users: [desired], userLinks: byId([link('a', { state: 'disabled', applied: { userName: 'a@example.com', 'name.formatted': 'Person a', active: false } })]) }));
    expect(plan.upserts[0]).toMatchObject({ kind: 'enable-user', patch: [{ op: 'replace', path: 'active', value: true }] });
  });

  it('records a skipped guest and a guest without a usable userName, and writes neither', () => {
    const skipped = user('g1', { hold: { kind: 'skip', reason: 'B2B guest: GUEST_USERS=skip' } });
    const broken = user('g2', { hold: { kind: 'conflict', reason: 'cannot provision: the guest has no mail' } });
    const plan = planChanges(input({ users: [skipped, broken], userLinks: byId([link('g1')]) }));
    expect(plan.upserts).toEqual([]);
    expect(plan.records).toEqual([
      expect.objectContaining({ kind: 'skip', sourceId: 'g1', reason: 'B2B guest: GUEST_USERS=skip' }),
      expect.objectContaining({ kind: 'conflict', sourceId: 'g2', reason: 'cannot provision: the guest has no mail' }),
    ]);
  });

  it("says on a guest's create which UPN became which userName", () => {
    const note = 'B2B guest kim_partner.example#EXT#@contoso.onmicrosoft.com sent as kim@partner.example (GUEST_USERS=map-upn)';
    const plan = planChanges(input({ users: [user('kim', { guestNote: note })] }));
    expect(plan.upserts).toEqual([expect.objectContaining({ kind: 'create-user', reason: `in scope, not in Notion; ${note}` })]);
  });

  it('still deprovisions a held guest who leaves scope', () => {
    const leaving = user('g1', { lifecycle: 'out-of-scope', hold: { kind: 'skip', reason: 'B2B guest: GUEST_USERS=skip' } });
    expect(kinds(planChanges(input({ users: [leaving], userLinks: byId([link('g1')]) })))).toEqual(['disable-user:g1']);
  });
});
