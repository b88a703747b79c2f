// Which objects a cycle evaluates: dirty ones, every link with open work (a pending create, an escrow that is due, a
// staged deprovision), scope changes seen against the links (level-triggered), and everything after a mapping change
// or in a full or verify run.
import type { LinkRow } from '../store/index.js';

export interface CandidateInput {
  /** Every mirrored id with its removal state. */
  mirrored: ReadonlyArray<{ id: string; removedReason: string | null }>;
  inScope: ReadonlySet<string>;
  dirty: ReadonlySet<string>;
  links: readonly LinkRow[];
  evaluateAll: boolean;
  now: Date;
}

export interface Candidates {
  /** Mirrored ids to evaluate. */
  ids: string[];
  /** Linked ids that the mirror no longer holds at all: treated as deleted in Entra. */
  vanished: string[];
  /** Escrowed ids whose next attempt is not due yet: left alone. */
  waiting: Set<string>;
}

const live = new Set(['active', 'pending-create']);

/** A pending create is open work whatever its attempts say: `reset escrows` sets them to 0 and it must still resolve. */
// A group in its grace period (retiringSince) is open work too: its deletion falls due without any change in Entra.
const hasOpenWork = (link: LinkRow): boolean => link.state === 'pending-create' || link.attempts > 0 || link.stagedAction !== null || link.retiringSince !== null;

export function selectCandidates(input: CandidateInput): Candidates {
  const waiting = new Set(input.links.filter((l) => l.attempts > 0 && l.nextAttemptAt !== null && l.nextAttemptAt > input.now).map((l) => l.sourceId));
  const linkById = new Map(input.links.map((l) => [l.sourceId, l]));
  const chosen = new Set<string>();
  const mirroredIds = new Set<string>();
  for (const object of input.mirrored) {
    mirroredIds.add(object.id);
    const link = linkById.get(object.id);
    const linkedLive = link !== undefined && live.has(link.state);
    const scoped = input.inScope.has(object.id);
    if (
      input.evaluateAll ||
      input.dirty.has(object.id) ||
      // In scope without a live link, or linked while out of scope: the scope moved.
      scoped !== linkedLive ||
      (link !== undefined && hasOpenWork(link))
    ) {
      chosen.add(object.id);
    }
  }
  const vanished = input.links.filter((l) => !mirroredIds.has(l.sourceId) && (l.state === 'active' || l.state === 'disabled') && !waiting.has(l.sourceId)).map((l) => l.sourceId);
  return { ids: [...chosen].filter((id) => !waiting.has(id)), vanished, waiting };
}
