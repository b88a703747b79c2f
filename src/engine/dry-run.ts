// `plan`: the same pipeline as a cycle up to the plan; Notion may be read (listings, lookups) but nothing is written,
// and neither the links nor the dirty flags change.
import { compileMapping } from '../mapping/index.js';
import { silentProgress } from '../observe/index.js';
import type { ScimClient } from '../scim/index.js';
import { createNotionClient, createSource } from './clients.js';
import type { CycleDependencies, CycleOptions } from './cycle.js';
import type { Plan } from './model.js';
import { prepareCycle } from './prepare.js';

export interface PlanReport {
  plan: Plan;
  importComplete: boolean;
  importIncompleteReason?: string;
  /** The import was read in full but the scope shrank suspiciously: removals are held (not an incomplete read). */
  scopeShrinkHeld: boolean;
  notionRead: boolean;
  evaluated: { users: number; groups: number };
}

export async function planCycle(deps: CycleDependencies, options: Pick<CycleOptions, 'mode' | 'forceDeletes'> = {}): Promise<PlanReport> {
  const mapping = compileMapping(deps.config.mapping);
  const lock = await deps.store.tryLockTarget(deps.config.target);
  if (!lock) throw new Error(`another process is running a cycle for target "${deps.config.target}"; try again when it is over`);
  let scim: ScimClient | undefined;
  try {
    scim = createNotionClient(deps.config, deps.logger, undefined, deps.store.db);
    const prepared = await prepareCycle({
      config: deps.config,
      db: deps.store.db,
      source: createSource(deps.config, deps.logger, deps.signal),
      scim,
      progress: deps.progress ?? silentProgress,
      mapping,
      now: (deps.now ?? (() => new Date()))(),
      mode: options.mode ?? 'incremental',
      forceDeletes: options.forceDeletes ?? false,
    });
    const reason = prepared.importResult?.incompleteReason;
    return {
      plan: prepared.plan,
      importComplete: prepared.importResult?.complete ?? true,
      ...(reason ? { importIncompleteReason: reason } : {}),
      scopeShrinkHeld: prepared.importResult?.scopeShrinkHeld ?? false,
      notionRead: prepared.notionRead,
      evaluated: { users: prepared.evaluated.users.length, groups: prepared.evaluated.groups.length },
    };
  } finally {
    await scim?.close();
    await lock.release();
  }
}
