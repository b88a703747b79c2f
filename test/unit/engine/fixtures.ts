// Plain-data builders for planner tests: desired users and groups, link views, and planner settings.
import type { DesiredGroup, DesiredUser, LinkView } from '../../../src/engine/model.js';
import type { PlanInput } from '../../../src/engine/plan.js';

export function user(id: string, overrides: Partial<DesiredUser> = {}): DesiredUser {
  const userName = `${id}@example.com`;
  return {
    sourceId: id,
    lifecycle: 'active',
    attributes: { userName, 'name.formatted': `Person ${id}`, active: overrides.lifecycle && overrides.lifecycle !== 'active' ? false : true },
    createOnly: [],
    name: userName,
    mappingErrors: [],
    ...overrides,
  };
}

export function group(id: string, overrides: Partial<DesiredGroup> = {}): DesiredGroup {
  return { sourceId: id, lifecycle: 'active', attributes: { displayName: `Group ${id}` }, name: `Group ${id}`, ...overrides };
}

export function link(id: string, overrides: Partial<LinkView> = {}): LinkView {
  return {
    sourceId: id,
    notionId: `n-${id}`,
    state: 'active',
    applied: { userName: `${id}@example.com`, 'name.formatted': `Person ${id}`, active: true },
    stagedAction: null,
    attempts: 0,
    ...overrides,
  };
}

export function groupLink(id: string, overrides: Partial<LinkView> = {}): LinkView {
  return link(id, { applied: { displayName: `Group ${id}` }, ...overrides });
}

export function settings(overrides: Partial<PlanInput['settings']['guard']> = {}, user: Partial<PlanInput['settings']['user']> = {}): PlanInput['settings'] {
  return {
    user: { deprovisionAction: 'disable', hardDeleteAction: 'delete', protectedUserNames: new Set(), matchingPaths: ['userName', 'emails[type eq "work"].value'], ...user },
    group: { deleteGroups: true, graceDays: 0, now: new Date('2026-11-30T08:00:00Z') },
    guard: { threshold: 500, thresholdPercent: 100, linkedUsers: 10, force: false, hold: undefined, approved: new Set(), ...overrides },
    maxMembersPerPatch: 2,
  };
}

export function input(parts: Partial<PlanInput>): PlanInput {
  return { users: [], groups: [], userLinks: new Map(), groupLinks: new Map(), applied: new Map(), groupMembers: new Map(), settings: settings(), ...parts };
}

export const byId = <T extends { sourceId: string }>(items: T[]): Map<string, T> => new Map(items.map((i) => [i.sourceId, i]));
