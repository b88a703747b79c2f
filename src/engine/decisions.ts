// What the planner decides by, fingerprinted: an object settled by an earlier evaluation (store: evaluatedInScope) is
// evaluated again when any of it changes, e.g. a user removed from PROTECTED_USERS while out of scope is deprovisioned
// by the next cycle, not left linked until it happens to change in Entra.
import { createHash } from 'node:crypto';
import type { LoadedConfig } from '../config/index.js';
import type { CompiledMapping } from '../mapping/index.js';

export function decisionFingerprint(config: LoadedConfig, mapping: CompiledMapping): string {
  const material = {
    mapping: mapping.fingerprint,
    scope: config.entra.scope,
    transitiveGroups: config.entra.transitiveGroups,
    provisioning: config.provisioning,
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}
