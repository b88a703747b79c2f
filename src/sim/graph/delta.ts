// users/delta and groups/delta: rounds of pages over a snapshot of ids, deltaLinks that remember a position
// in the tenant's change log, `@removed` tombstones and `members@delta`, and tokens that expire on demand.
// Semantics: docs/reference/entra-provisioning.md §1.1 and §6.3 (Graph delta query overview, user-delta, group-delta).
import { GraphHttpError } from './http.js';
import type { MemberType } from './model.js';
import { GROUP_DEFAULT_PROPERTIES, ODATA_TYPE, USER_DEFAULT_PROPERTIES, parseSelect, projectGroup, projectUser } from './projection.js';
import type { SeededRandom } from './random.js';
import type { SimTenant } from './tenant.js';

export type DeltaStream = 'users' | 'groups';
type Json = Record<string, unknown>;

interface DeltaQuery {
  stream: DeltaStream;
  select: string[] | null;
  ids: string[] | null;
}

/** One pass from the first page to the deltaLink. `since` is null for the initial (full) round. */
interface Round {
  key: string;
  query: DeltaQuery;
  since: number | null;
  upto: number;
  epoch: number;
  ids: string[];
  /** Incremental group rounds: per group, the members whose membership changed in the window. */
  memberChanges: Map<string, Map<string, MemberType>> | null;
  /** A group whose members are split over pages keeps the list it started with, so none is skipped. */
  splitMembers: { groupId: string; members: Json[] } | null;
}

export interface DeltaPage {
  value: Json[];
  nextLink: string | null;
  deltaLink: string | null;
}

export type ExpiredAnswer = '410' | 'syncStateNotFound';

/** Graph allows at most 50 ids in a delta `$filter` (user-delta / group-delta docs). */
const MAX_FILTER_IDS = 50;
/** Rounds kept for their nextLinks; an older round's nextLink answers like an expired token. */
const ROUNDS_KEPT = 32;
/** A page of group delta carries at most this many `members@delta` entries per object on the page. */
const MEMBER_ENTRIES_PER_OBJECT = 5;

export class DeltaService {
  private readonly rounds = new Map<string, Round>();
  private roundCounter = 0;
  private epoch = 0;
  private expiry: { belowEpoch: number; answer: ExpiredAnswer } | null = null;

  constructor(
    private readonly tenant: SimTenant,
    private readonly random: SeededRandom,
    private readonly pageSize: { min: number; max: number },
    private readonly baseUrl: () => string,
  ) {}

  /** Every token handed out so far (nextLinks and deltaLinks) answers `answer` from now on. */
  expireTokens(answer: ExpiredAnswer): void {
    this.epoch += 1;
    this.expiry = { belowEpoch: this.epoch, answer };
  }

  /** Answers GET /v1.0/{stream}/delta with the request's query parameters. */
  readPage(stream: DeltaStream, params: URLSearchParams): DeltaPage {
    const skipToken = params.get('$skiptoken');
    if (skipToken !== null) return this.continueRound(stream, skipToken);
    const deltaToken = params.get('$deltatoken');
    const query = deltaToken !== null && deltaToken !== 'latest'
      ? this.decodeDeltaToken(stream, deltaToken)
      : { query: parseQuery(stream, params), position: null as number | null };
    if (deltaToken === 'latest') {
      // `$deltatoken=latest`: no objects, only a deltaLink from now (delta query overview).
      return { value: [], nextLink: null, deltaLink: this.deltaLink(query.query, this.tenant.changeLogPosition()) };
    }
    const round = this.startRound(query.query, query.position);
    return this.pageOf(round, 0, 0);
  }

  private startRound(query: DeltaQuery, since: number | null): Round {
    const upto = this.tenant.changeLogPosition();
    const key = String((this.roundCounter += 1));
    const round: Round = { key, query, since, upto, epoch: this.epoch, ids: [], memberChanges: null, splitMembers: null };
    if (since === null) {
      round.ids = query.stream === 'users'
        ? this.tenant.userIds().filter((id) => !this.tenant.findUser(id)?.deletedDateTime)
        : this.tenant.groupIds();
      if (query.ids) {
        const wanted = new Set(query.ids);
        round.ids = round.ids.filter((id) => wanted.has(id));
      }
    } else {
      this.collectWindow(round, since, upto);
    }
    this.rounds.set(key, round);
    if (this.rounds.size > ROUNDS_KEPT) this.rounds.delete(this.rounds.keys().next().value as string);
    return round;
  }

  /** Objects changed in (since, upto], once each, in order of first change; only tracked properties count. */
  private collectWindow(round: Round, since: number, upto: number): void {
    const { stream, select, ids } = round.query;
    const tracked = new Set<string>(select ?? (stream === 'users' ? USER_DEFAULT_PROPERTIES : GROUP_DEFAULT_PROPERTIES));
    const wanted = ids ? new Set(ids) : null;
    const changed = new Set<string>();
    const memberChanges = new Map<string, Map<string, MemberType>>();
    for (const entry of this.tenant.changesBetween(since, upto)) {
      if (entry.kind === 'member') {
        if (stream !== 'groups' || !tracked.has('members')) continue;
        if (wanted && !wanted.has(entry.groupId)) continue;
        changed.add(entry.groupId);
        let members = memberChanges.get(entry.groupId);
        if (!members) memberChanges.set(entry.groupId, (members = new Map()));
        members.set(entry.memberId, entry.memberType);
        continue;
      }
      if ((entry.kind === 'user') !== (stream === 'users')) continue;
      if (wanted && !wanted.has(entry.id)) continue;
      if (entry.properties === null || entry.properties.some((name) => tracked.has(name))) changed.add(entry.id);
    }
    round.ids = [...changed];
    round.memberChanges = stream === 'groups' ? memberChanges : null;
  }

  private continueRound(stream: DeltaStream, token: string): DeltaPage {
    const [key, offset, memberOffset] = Buffer.from(token, 'base64url').toString('utf8').split('.');
    const round = this.rounds.get(key ?? '');
    if (!round || round.query.stream !== stream) {
      throw new GraphHttpError(400, 'syncStateNotFound', 'The sync state generation is not found.');
    }
    this.checkNotExpired(round.epoch, round.query);
    return this.pageOf(round, Number(offset), Number(memberOffset));
  }

  private pageOf(round: Round, start: number, memberStart: number): DeltaPage {
    const size = this.random.int(this.pageSize.min, this.pageSize.max);
    let memberBudget = size * MEMBER_ENTRIES_PER_OBJECT;
    const value: Json[] = [];
    let offset = start;
    let memberOffset = memberStart;
    while (offset < round.ids.length && value.length < size) {
      const id = round.ids[offset] as string;
      const item = round.query.stream === 'users' ? this.userItem(id, round) : this.groupItem(id, round);
      const members = item.members;
      if (!members) {
        value.push(item.object);
        offset += 1;
        continue;
      }
      const remaining = members.length - memberOffset;
      const take = Math.min(remaining, memberBudget);
      if (take === 0 && remaining > 0) break;
      value.push({ ...item.object, 'members@delta': members.slice(memberOffset, memberOffset + take) });
      memberBudget -= take;
      if (take < remaining) {
        // The rest of this group's members go on the next page, with the group replayed there.
        round.splitMembers = { groupId: id, members };
        memberOffset += take;
        break;
      }
      offset += 1;
      memberOffset = 0;
    }
    if (offset < round.ids.length) {
      const next = Buffer.from(`${round.key}.${offset}.${memberOffset}`).toString('base64url');
      return { value, nextLink: `${this.baseUrl()}/v1.0/${round.query.stream}/delta?$skiptoken=${next}`, deltaLink: null };
    }
    return { value, nextLink: null, deltaLink: this.deltaLink(round.query, round.upto) };
  }

  private userItem(id: string, round: Round): { object: Json; members?: undefined } {
    const user = this.tenant.findUser(id);
    if (!user) return { object: { id, '@removed': { reason: 'deleted' } } };
    // A soft-deleted user is `changed`: it can still be restored (user-delta docs).
    if (user.deletedDateTime) return { object: { id, '@removed': { reason: 'changed' } } };
    return { object: projectUser(user, round.query.select) };
  }

  private groupItem(id: string, round: Round): { object: Json; members?: Json[] } {
    const group = this.tenant.findGroup(id);
    if (!group) return { object: { id, '@removed': { reason: 'deleted' } } };
    const select = round.query.select;
    const object = projectGroup(group, select ? select.filter((name) => name !== 'members') : null);
    if (!select?.includes('members')) return { object };
    if (round.splitMembers?.groupId === id) return { object, members: round.splitMembers.members };
    if (round.memberChanges) {
      // Incremental round: only the members whose membership changed; none changed → no members@delta.
      const changes = round.memberChanges.get(id);
      if (!changes) return { object };
      const present = (memberId: string): boolean => group.members.has(memberId) && this.tenant.isVisibleMember(memberId);
      return { object, members: [...changes].map(([memberId, type]) => memberEntry(memberId, type, present(memberId))) };
    }
    const members = [...group.members].filter((memberId) => this.tenant.isVisibleMember(memberId))
      .map((memberId) => memberEntry(memberId, this.tenant.memberTypeOf(memberId), true));
    return { object, members };
  }

  private deltaLink(query: DeltaQuery, position: number): string {
    const token = Buffer.from(JSON.stringify({ q: query, p: position, e: this.epoch })).toString('base64url');
    return `${this.baseUrl()}/v1.0/${query.stream}/delta?$deltatoken=${token}`;
  }

  private decodeDeltaToken(stream: DeltaStream, token: string): { query: DeltaQuery; position: number } {
    let decoded: { q: DeltaQuery; p: number; e: number };
    try {
      decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof decoded;
    } catch {
      throw new GraphHttpError(400, 'syncStateNotFound', 'The sync state generation is not found.');
    }
    if (decoded.q?.stream !== stream || typeof decoded.p !== 'number') {
      throw new GraphHttpError(400, 'syncStateNotFound', 'The sync state generation is not found.');
    }
    this.checkNotExpired(decoded.e, decoded.q);
    return { query: decoded.q, position: decoded.p };
  }

  private checkNotExpired(epoch: number, query: DeltaQuery): void {
    if (!this.expiry || epoch >= this.expiry.belowEpoch) return;
    if (this.expiry.answer === 'syncStateNotFound') {
      throw new GraphHttpError(400, 'syncStateNotFound', 'The sync state generation is not found.');
    }
    // 410 Gone: start again with a full round; Location is where that round starts (delta query overview).
    throw new GraphHttpError(410, 'resyncRequired', 'Resync required. Replace any local state with a full sync.', {
      location: this.initialUrl(query),
    });
  }

  private initialUrl(query: DeltaQuery): string {
    const params = new URLSearchParams();
    if (query.select) params.set('$select', query.select.join(','));
    if (query.ids) params.set('$filter', query.ids.map((id) => `id eq '${id}'`).join(' or '));
    const search = params.size > 0 ? `?${params.toString()}` : '';
    return `${this.baseUrl()}/v1.0/${query.stream}/delta${search}`;
  }
}

function memberEntry(id: string, type: MemberType, present: boolean): Json {
  const entry: Json = { '@odata.type': ODATA_TYPE[type], id };
  if (!present) entry['@removed'] = { reason: 'deleted' };
  return entry;
}

function parseQuery(stream: DeltaStream, params: URLSearchParams): DeltaQuery {
  const kind = stream === 'users' ? 'user' : 'group';
  const select = parseSelect(params.get('$select'), [kind], stream === 'groups' ? ['members'] : []);
  return { stream, select, ids: parseIdFilter(params.get('$filter')) };
}

/** Delta accepts only `id eq '…'` terms joined by `or`, at most 50 of them. */
function parseIdFilter(raw: string | null): string[] | null {
  if (raw === null || raw.trim() === '') return null;
  const ids = raw.trim().split(/\s+or\s+/i).map((term) => /^id\s+eq\s+'([^']+)'$/i.exec(term.trim())?.[1]);
  if (ids.some((id) => id === undefined)) throw new GraphHttpError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  if (ids.length > MAX_FILTER_IDS) {
    throw new GraphHttpError(400, 'Request_UnsupportedQuery',
      `Too many ids in the filter: ${ids.length}; delta accepts at most ${MAX_FILTER_IDS}.`);
  }
  return ids as string[];
}
