// The deletion guard: deprovisions are counted per cycle against an absolute and a relative limit, held on a bad import.
import { describe, expect, it } from 'vitest';
import { guardDeprovisions, type GuardSettings } from '../../../src/engine/guard.js';
import type { Operation } from '../../../src/engine/model.js';

const disable = (id: string): Operation => ({ kind: 'disable-user', sourceId: id, name: id, reason: 'unassigned', notionId: `n-${id}` });
const create = (id: string): Operation => ({ kind: 'create-user', sourceId: id, name: id, reason: 'in scope', attributes: {}, lookupFirst: false });
const groupDelete = (id: string): Operation => ({ kind: 'delete-group', sourceId: id, name: id, reason: 'deleted', notionId: `g-${id}` });
const base: GuardSettings = { threshold: 2, thresholdPercent: 50, linkedUsers: 100, force: false, hold: undefined, approved: new Set() };
const kinds = (ops: Operation[]) => ops.map((op) => op.kind);

describe('guardDeprovisions', () => {
  it('lets deprovisions through up to the threshold', () => {
    expect(guardDeprovisions([disable('a'), disable('b'), create('c')], base)).toMatchObject({ staged: 0, operations: [{ kind: 'disable-user' }, { kind: 'disable-user' }, { kind: 'create-user' }] });
  });

  it('stages all of them, not the first N, once over the threshold; group deletes count too', () => {
    const outcome = guardDeprovisions([disable('a'), disable('b'), groupDelete('g'), create('c')], base);
    expect(outcome.staged).toBe(3);
    expect(kinds(outcome.operations)).toEqual(['stage', 'stage', 'stage', 'create-user']);
    expect(outcome.limit).toMatch(/threshold of 2/);
  });

  it('stages when over the share of linked users even under the absolute threshold', () => {
    const outcome = guardDeprovisions([disable('a'), disable('b')], { ...base, linkedUsers: 3, thresholdPercent: 50 });
    expect(outcome.staged).toBe(2);
    expect(outcome.limit).toMatch(/50% of 3 linked users/);
  });

  it('applies approved deprovisions without counting them, and everything when forced', () => {
    const approved = guardDeprovisions([disable('a'), disable('b'), disable('c')], { ...base, approved: new Set(['user:a', 'user:b', 'user:c']) });
    expect(approved.staged).toBe(0);
    expect(guardDeprovisions([disable('a'), disable('b'), disable('c')], { ...base, force: true }).staged).toBe(0);
  });

  it('turns every deprovision into a logged skip while deprovisioning is held', () => {
    const outcome = guardDeprovisions([disable('a'), create('c')], { ...base, hold: 'the Entra import was incomplete' });
    expect(outcome.operations[0]).toMatchObject({ kind: 'skip', reason: expect.stringContaining('the Entra import was incomplete') });
    expect(outcome.operations[1]).toMatchObject({ kind: 'create-user' });
  });
});
