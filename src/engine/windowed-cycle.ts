// A cycle in windows (issue 14: bounded memory at any size). When a cycle's candidates exceed one window
// (EVALUATION_WINDOW users), it is evaluated, planned and applied a window at a time, so that it holds a window's
// objects, not the tenant's, and still decides as one plan would (ARCHITECTURE.md "One cycle"):
//   1. A screen plans every window without sending anything: it counts the deprovisions the deletion guard counts, and
//      finds the users who are leaving or held. The guard then decides once for the whole cycle.
//   2. The leaving and held users go first (offboarding first: every deprovision before anyone is created), then the
//      other users, window by window. These leave their groups to step 3 (a returning user aside: its re-enable is
//      planned with every managed group), so that no two windows read the same groups' members.
//   3. The groups, a few at a time, once every user exists: a new group is created with its first members in the POST,
//      and each group's memberships are planned whole, the held users' kept as they are.
// Notion's listing, when the cycle needs one, is read once into the store; the unaccounted members are recorded from it
// at the end.
import { chunksOf, clearNotionListing, keysetPages, readTouchedGroups } from '../store/index.js';
import { readCandidatePage, readVanished, type Candidates } from './candidates.js';
import type { Logger } from '../observe/index.js';
import type { ApplyEnd } from './apply.js';
import { countedDeprovisions, guardLimit } from './guard.js';
import { objectTypeOf, planOperations, type Operation } from './model.js';
import { spoolNotionListing, type SpooledListing } from './notion-listing.js';
import { countUnlinked, guardSettingsOf, listingPays, prepareEvaluation, type CycleFacts, type PlanningWindow, type PrepareInput, type Prepared } from './prepare.js';

/** Users per window, and groups per group window (a group brings its members: about 50 memberships per user window). */
export interface WindowSizes {
  users: number;
  groups: number;
}

export const windowSizesFor = (users: number): WindowSizes => ({ users, groups: Math.max(1, Math.floor(users / 50)) });

export interface WindowedInput {
  prepare: PrepareInput;
  facts: CycleFacts;
  sizes: WindowSizes;
  signal?: AbortSignal;
  logger: Logger;
  /** Applies one window's plan and settles what it evaluated. */
  apply: (prepared: Prepared) => Promise<ApplyEnd>;
  /** After a complete run of every window, while Notion's listing is in the store: records the unaccounted members. */
  recordUnaccounted: () => Promise<void>;
}

type Row = { id: string; inScope: boolean };
const none: Candidates['vanished'] = { users: [], groups: [] };
const evaluation = (users: Row[], groups: Row[], vanished = none): Candidates => ({ users, groups, vanished });

/** The cycle's candidates when they fit one window (then it is planned in one piece, prepare.ts); else undefined. */
export async function readWithinOneWindow(input: PrepareInput, facts: CycleFacts, sizes: WindowSizes): Promise<Candidates | undefined> {
  const base = candidateBase(input, facts);
  const users = await readCandidatePage(base, 'user', { after: null, limit: sizes.users + 1 });
  if (users.length > sizes.users) return undefined;
  const groups = await readCandidatePage(base, 'group', { after: null, limit: sizes.groups + 1 });
  if (groups.length > sizes.groups) return undefined;
  return { users, groups, vanished: await readVanished(base) };
}

function candidateBase(input: PrepareInput, facts: CycleFacts) {
  return { db: input.db, target: input.config.target, rule: facts.rule, evaluateAll: facts.evaluateAll, now: input.now };
}

/** The candidates of one kind, a page at a time, in id order. */
function pagesOf(input: PrepareInput, facts: CycleFacts, objectType: 'user' | 'group', size: number): AsyncGenerator<Row[]> {
  const base = candidateBase(input, facts);
  return keysetPages(({ after, limit }) => readCandidatePage(base, objectType, { after: after ?? null, limit }), (row) => row.id, size);
}

interface Screen {
  /** Deprovisions the guard counts, over the whole cycle. */
  deprovisions: number;
  /** Active objects without a live link (for the listing decision). */
  unlinked: number;
  /** Users whose standing this cycle is leaving or held, with their scope: they go first. */
  first: Map<string, boolean>;
  /** Of them, those a deprovision the guard counts concerns (staged when the guard trips), and those skipped. */
  counted: Set<string>;
  skipped: Set<string>;
  /** Every group candidate (groups are few: their ids are held). */
  groups: Row[];
  vanished: Candidates['vanished'];
}

const userStandingKinds = new Set<Operation['kind']>(['disable-user', 'delete-user', 'skip', 'stage']);

async function screenCycle(input: PrepareInput, facts: CycleFacts, sizes: WindowSizes, listing: SpooledListing | undefined): Promise<Screen> {
  const screen: Screen = { deprovisions: 0, unlinked: 0, first: new Map(), counted: new Set(), skipped: new Set(), groups: [], vanished: await readVanished(candidateBase(input, facts)) };
  const planning = { listing, window: { cycleDeprovisions: 0, held: new Set<string>(), deferMembers: 'unlinked', screen: true, membershipsChanged: new Set<string>() } satisfies PlanningWindow };
  // `scopeOf` undefined: the vanished objects, which window 0 carries anyway.
  const take = (prepared: Prepared, scopeOf?: (id: string) => boolean) => {
    const operations = planOperations(prepared.plan);
    const counted = countedDeprovisions(operations, facts.approved);
    screen.deprovisions += counted.length;
    for (const op of operations) {
      if (!userStandingKinds.has(op.kind) || objectTypeOf(op) !== 'user') continue;
      if (scopeOf) screen.first.set(op.sourceId, scopeOf(op.sourceId));
      if (op.kind === 'skip') screen.skipped.add(op.sourceId);
    }
    for (const op of counted) if (objectTypeOf(op) === 'user') screen.counted.add(op.sourceId);
    screen.unlinked += countUnlinked(prepared);
  };
  for await (const page of pagesOf(input, facts, 'group', sizes.groups)) screen.groups.push(...page);
  // Without any link, no user or group can be deprovisioned or held: only the listing decision is left, and a first
  // cycle lists Notion anyway (the unaccounted check). The initial sync's first request is not kept waiting.
  if (facts.firstCycle) return screen;
  for await (const page of pagesOf(input, facts, 'user', sizes.users)) {
    const inScope = new Map(page.map((row) => [row.id, row.inScope]));
    take(await prepareEvaluation(input, facts, evaluation(page, []), planning), (id) => inScope.get(id) ?? false);
  }
  for (const groups of chunksOf(screen.groups, sizes.groups)) take(await prepareEvaluation(input, facts, evaluation([], groups), planning), () => false);
  if (screen.vanished.users.length + screen.vanished.groups.length > 0) {
    take(await prepareEvaluation(input, facts, evaluation([], [], screen.vanished), planning));
  }
  return screen;
}

/** Runs the cycle's windows in order; stops at the first that does not end `done`, or when told to stop. */
export async function runWindowedCycle(input: WindowedInput): Promise<ApplyEnd> {
  const { prepare, facts, sizes } = input;
  const { db } = prepare;
  const target = prepare.config.target;
  let listing: SpooledListing | undefined;
  try {
    if (prepare.mode === 'verify' || facts.findUnaccounted) listing = await spoolNotionListing(db, target, prepare.scim);
    prepare.progress.phase('plan: screen every window');
    const screen = await screenCycle(prepare, facts, sizes, listing);
    input.logger.info({ event: 'cycle.screened', deprovisions: screen.deprovisions, leavingOrHeld: screen.first.size, groups: screen.groups.length, unlinked: screen.unlinked }, 'cycle.screened');
    if (!listing && listingPays(screen.unlinked, facts.linkedCount)) listing = await spoolNotionListing(db, target, prepare.scim);
    const guard = guardSettingsOf(prepare, facts);
    const trips = !guard.force && facts.hold === undefined && guardLimit(screen.deprovisions, guard) !== undefined;
    // Held: what the screen skipped, and every counted deprovision when the guard stages them all.
    const held = new Set([...screen.skipped, ...(trips ? screen.counted : [])]);
    const membershipsChanged = new Set<string>();
    const window: Omit<PlanningWindow, 'deferMembers'> = { cycleDeprovisions: screen.deprovisions, held, membershipsChanged };
    const deferredGroups = new Map<string, boolean>();
    type Part = 'leaving and held users' | 'users' | 'groups';
    // The leaving and held users' groups are planned with them (their removals go first), and a returning user's; every
    // other user's wait for the group windows, which a cycle that evaluates everything runs over every group anyway.
    const plan = async (part: Part, candidates: Candidates): Promise<Prepared> => {
      const deferMembers = part === 'leaving and held users' ? 'unlinked' : 'all-but-returning';
      const prepared = await prepareEvaluation(prepare, facts, candidates, { listing, window: { ...window, deferMembers } });
      if (!facts.evaluateAll) for (const group of await readTouchedGroups(db, target, facts.rule, { users: prepared.deferredMembers, groups: [] })) deferredGroups.set(group.id, group.inScope);
      return prepared;
    };
    const apply = async (part: Part, candidates: Candidates, prepared: Prepared): Promise<ApplyEnd | undefined> => {
      if (input.signal?.aborted) return { kind: 'interrupted' };
      input.logger.info({
        event: 'cycle.window', part, users: candidates.users.length + candidates.vanished.users.length,
        groups: candidates.groups.length + candidates.vanished.groups.length, operations: planOperations(prepared.plan).length,
      }, 'cycle.window');
      const end = await input.apply(prepared);
      for (const op of prepared.plan.memberships) membershipsChanged.add(op.sourceId);
      return end.kind === 'done' ? undefined : end;
    };
    const run = async (part: Part, candidates: Candidates) => apply(part, candidates, await plan(part, candidates));

    const first = [...screen.first].map(([id, inScope]) => ({ id, inScope }));
    const leaving = chunksOf(first, sizes.users);
    if (leaving.length === 0 && screen.vanished.users.length > 0) leaving.push([]);
    for (const [index, users] of leaving.entries()) {
      const ended = await run('leaving and held users', evaluation(users, [], { users: index === 0 ? screen.vanished.users : [], groups: [] }));
      if (ended) return ended;
    }
    // Each window is planned while the one before is applied, so that Notion is not left idle between them. User windows
    // concern different users, group windows different groups (planned once every user window is applied); a Notion id
    // two user windows would adopt is one a single plan would adopt twice too.
    const pipelined = async (part: Part, windows: AsyncIterable<Candidates> | Iterable<Candidates>): Promise<ApplyEnd | undefined> => {
      let planned: { candidates: Candidates; prepared: Promise<Prepared> } | undefined;
      try {
        for await (const candidates of windows) {
          const previous = planned;
          planned = { candidates, prepared: plan(part, candidates) };
          // Handled here; awaited (and any failure thrown) when its turn comes.
          planned.prepared.catch(() => undefined);
          const ended = previous ? await apply(part, previous.candidates, await previous.prepared) : undefined;
          if (ended) return ended;
        }
        const last = planned;
        planned = undefined;
        return last ? await apply(part, last.candidates, await last.prepared) : undefined;
      } finally {
        await planned?.prepared.catch(() => undefined);
      }
    };
    const userWindows = async function* (): AsyncGenerator<Candidates> {
      for await (const page of pagesOf(prepare, facts, 'user', sizes.users)) {
        const users = page.filter((row) => !screen.first.has(row.id));
        if (users.length > 0) yield evaluation(users, []);
      }
    };
    const usersEnded = await pipelined('users', userWindows());
    if (usersEnded) return usersEnded;
    const groups = new Map(screen.groups.map((row) => [row.id, row.inScope]));
    for (const [id, inScope] of deferredGroups) if (!groups.has(id)) groups.set(id, inScope);
    const groupRows = [...groups].map(([id, inScope]) => ({ id, inScope })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const groupWindows = chunksOf(groupRows, sizes.groups);
    if (groupWindows.length === 0 && screen.vanished.groups.length > 0) groupWindows.push([]);
    const groupsEnded = await pipelined('groups', groupWindows.map((chunk, index) => evaluation([], chunk, { users: [], groups: index === 0 ? screen.vanished.groups : [] })));
    if (groupsEnded) return groupsEnded;
    // Only over a complete Entra read: a partial one would call members "not in scope" that are.
    if (listing && facts.findUnaccounted && facts.hold === undefined) await input.recordUnaccounted();
    return { kind: 'done' };
  } finally {
    if (listing) await clearNotionListing(db, target).catch(() => undefined);
  }
}
