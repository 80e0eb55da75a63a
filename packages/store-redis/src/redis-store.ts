import { createHash } from 'node:crypto';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { TwoFactorError, type AuthenticatorRecord, type Consumable, type HitOptions, type HitResult, type RateRule, type RecoveryCodesState, type Settle, type Store, type StoredRecord } from '@twofa/core/adapter';
import * as S from './scripts.js';

/** Options of `redisStore()`: a client of yours, or a URL; the key prefix. */
export interface RedisStoreOptions {
  /** An ioredis client or Cluster. Use the fail-closed options shown in the README. */
  client?: Redis | Cluster;
  /** A redis:// URL; the store opens (and closes) its own client with fail-closed options. */
  url?: string;
  /** Key prefix, e.g. 'twofa:'. No braces (the partition is the hash tag). */
  prefix?: string;
  /** Extra real lifetime past a logical expiry before Redis drops a key. Default 60 s. */
  expirySlackSeconds?: number;
  /** How long an operation waits for a (re)connecting client before failing closed. Default 1000 ms. */
  readyTimeoutMs?: number;
}

/** Options for a client that fails closed: no offline queue, no retries, no replay of unanswered commands. */
export const failClosedRedisOptions: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  commandTimeout: 2000,
  connectTimeout: 2000,
  retryStrategy: (times) => Math.min(50 * times, 500),
};

interface Script {
  src: string;
  sha: string;
}
const script = (src: string): Script => ({ src, sha: createHash('sha1').update(src).digest('hex') });
const SCRIPTS = {
  getAuth: script(S.GET_AUTH),
  saveAuth: script(S.SAVE_AUTH),
  updateAuth: script(S.UPDATE_AUTH),
  deleteAuth: script(S.DELETE_AUTH),
  consume: script(S.CONSUME),
  setRc: script(S.SET_RECOVERY),
  putRecord: script(S.PUT_RECORD),
  takeRecord: script(S.TAKE_RECORD),
  listRecords: script(S.LIST_RECORDS),
  hit: script(S.HIT),
  reset: script(S.RESET_COUNTERS),
  purge: script(S.PURGE),
};

/** Partition ids become hash tags; braces and % are escaped so a tag always ends where we mean. */
const tag = (p: string) => p.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
const untag = (t: string) => t.replace(/%(7b|7d|25)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** The partition's fixed keys, in the order the scripts name them KEYS[1..7]. */
const FIXED = ['auth', 'used', 'step', 'ord', 'rc', 'recs', 'ctrs'] as const;

/** One script call: keys and args pushed in the order the script reads them (see scripts.ts). */
class Call {
  readonly keys: string[];
  readonly args: string[];
  constructor(base: string, now: number, slackMs: number) {
    this.keys = FIXED.map((k) => base + k);
    this.args = [String(now), String(slackMs)];
  }
  key(k: string): this {
    this.keys.push(k);
    return this;
  }
  arg(...values: (string | number | boolean)[]): this {
    for (const v of values) this.args.push(typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    return this;
  }
}

/** What 0.1 and today store per authenticator: the record without lastUsedAt and counter (they have hashes of their own). */
type StoredAuthenticator = Omit<AuthenticatorRecord, 'method'> & { method?: string; type?: string };

function pairs(flat: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(flat[i]!, flat[i + 1]!);
  return m;
}

/** From { auth, used, step, ord } hashes: oldest first, then in the order they were added. */
function authenticators([auth, used, step, ord]: string[][]): AuthenticatorRecord[] {
  const lastUsed = pairs(used!);
  const counters = pairs(step!);
  const order = pairs(ord!);
  const list: { a: AuthenticatorRecord; seq: number }[] = [];
  for (const [id, json] of pairs(auth!)) {
    // 0.1 wrote `type` where the record now says `method`.
    const { type, method, lastUsedAt: _u, counter: _c, ...rest } = JSON.parse(json) as StoredAuthenticator;
    const a: AuthenticatorRecord = { ...rest, method: method ?? type ?? '' };
    if (lastUsed.has(id)) a.lastUsedAt = Number(lastUsed.get(id));
    if (counters.has(id)) a.counter = Number(counters.get(id));
    list.push({ a, seq: Number(order.get(id) ?? 0) }); // 0.1's records have no place: before the newer ones
  }
  list.sort((x, y) => x.a.createdAt - y.a.createdAt || x.seq - y.seq || (x.a.id < y.a.id ? -1 : x.a.id > y.a.id ? 1 : 0));
  return list.map((x) => x.a);
}

const byKey = (a: StoredRecord, b: StoredRecord) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** A Store on Redis (standalone, Sentinel or Cluster), one Lua script per operation; see docs/stores.md. */
export function redisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options);
}

/** A Store on Redis: one atomic Lua script (EVALSHA) per operation; plain reads are one command. */
export class RedisStore implements Store {
  readonly name = 'redis';
  /** Round trips to Redis since creation (or the last reset), for tests and benchmarks. */
  readonly stats = { roundTrips: 0 };
  readonly client: Redis | Cluster;
  readonly prefix: string;
  private readonly owned: boolean;
  private readonly slackMs: number;
  private readonly readyTimeoutMs: number;

  /** Use `redisStore(options)`; the same. */
  constructor(options: RedisStoreOptions) {
    const prefix = options.prefix ?? 'twofa:';
    if (/[{}]/.test(prefix)) throw new TwoFactorError('config_invalid', { message: 'redisStore prefix must not contain braces.' });
    this.prefix = prefix;
    if (options.client) {
      this.client = options.client;
      this.owned = false;
    } else if (options.url) {
      this.client = new Redis(options.url, failClosedRedisOptions);
      this.owned = true;
    } else {
      throw new TwoFactorError('config_invalid', { message: 'redisStore needs a client or a url.' });
    }
    // Errors surface on the operations; an unhandled 'error' event would crash the process.
    this.client.on('error', () => {});
    this.slackMs = (options.expirySlackSeconds ?? 60) * 1000;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 1000;
  }

  /** `<prefix>{<tag>}:`: every key of the partition starts so. */
  private base(partition: string): string {
    return `${this.prefix}{${tag(partition)}}:`;
  }

  private at(partition: string, now = 0): Call {
    return new Call(this.base(partition), now, this.slackMs);
  }

  private recordKey(partition: string, key: string): string {
    return `${this.base(partition)}rec:${key}`;
  }

  private counterKey(partition: string, key: string): string {
    return `${this.base(partition)}ctr:${key}`;
  }

  private waiting: Promise<void> | undefined;

  /** Waits briefly for a (re)connecting client so a blip does not fail; a real outage fails closed. */
  private ready(): Promise<void> {
    const c = this.client;
    if (c.status === 'ready') return Promise.resolve();
    if (c.status === 'end') return Promise.reject(new TwoFactorError('store_unavailable', { provider: 'redis', message: 'The Redis client was closed.' }));
    if (c.status === 'wait') c.connect().catch(() => {});
    // One shared wait, so a burst of calls during an outage adds one listener, not hundreds.
    this.waiting ??= new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        clearTimeout(timer);
        c.off('ready', onReady);
        this.waiting = undefined;
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const timer = setTimeout(
        () => done(new TwoFactorError('store_unavailable', { provider: 'redis', message: 'Redis is not reachable.' })),
        this.readyTimeoutMs,
      );
      c.once('ready', onReady);
    });
    return this.waiting;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      await this.ready();
      this.stats.roundTrips++;
      return await fn();
    } catch (e) {
      if (e instanceof TwoFactorError) throw e;
      throw new TwoFactorError('store_unavailable', { provider: 'redis', cause: e });
    }
  }

  /** EVALSHA; on NOSCRIPT (cache flushed, failover, new node) EVAL once, which loads it again. */
  private async run(s: Script, c: Call): Promise<unknown> {
    return this.call(async () => {
      try {
        return await this.client.evalsha(s.sha, c.keys.length, ...c.keys, ...c.args);
      } catch (e) {
        if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
        this.stats.roundTrips++;
        return await this.client.eval(s.src, c.keys.length, ...c.keys, ...c.args);
      }
    });
  }

  private settle(c: Call, partition: string, settle: Settle = {}): void {
    const reset = settle.reset ?? [];
    const drop = settle.drop ?? [];
    c.arg(reset.length, drop.length);
    for (const k of reset) c.key(this.counterKey(partition, k)).arg(k);
    for (const k of drop) c.key(this.recordKey(partition, k)).arg(k);
    c.arg(settle.touch !== undefined, settle.touch ?? '');
  }

  private consumable(c: Call, partition: string, what: Consumable): void {
    c.arg(what.record !== undefined);
    if (what.record !== undefined) c.key(this.recordKey(partition, what.record)).arg(what.record);
    const counter = what.counter;
    c.arg(counter !== undefined);
    if (counter) c.arg(counter.authenticatorId, counter.value, counter.allowZero === true);
    c.arg(what.recoveryCode ? what.recoveryCode.length : -1, ...(what.recoveryCode ?? []));
  }

  async getAuthenticators(userId: string): Promise<AuthenticatorRecord[]> {
    return authenticators((await this.run(SCRIPTS.getAuth, this.at(userId))) as string[][]);
  }

  /** The stored JSON: lastUsedAt and the counter live in hashes of their own. */
  private static stored(record: AuthenticatorRecord): [string, number | ''] {
    const { lastUsedAt, counter: _ignored, ...rest } = record;
    return [JSON.stringify(rest), lastUsedAt ?? ''];
  }

  async saveAuthenticator(record: AuthenticatorRecord, replace: string[] = []): Promise<void> {
    await this.run(SCRIPTS.saveAuth, this.at(record.userId).arg(record.id, ...RedisStore.stored(record), ...replace));
  }

  async updateAuthenticator(record: AuthenticatorRecord, ifSecret: string): Promise<boolean> {
    const r = await this.run(SCRIPTS.updateAuth, this.at(record.userId).arg(record.id, ...RedisStore.stored(record), ifSecret));
    return Number(r) === 1;
  }

  async deleteAuthenticators(userId: string, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return Number(await this.run(SCRIPTS.deleteAuth, this.at(userId).arg(...ids)));
  }

  async consume(userId: string, what: Consumable, now: number, settle?: Settle): Promise<boolean> {
    const c = this.at(userId, now);
    this.consumable(c, userId, what);
    this.settle(c, userId, settle);
    return Number(await this.run(SCRIPTS.consume, c)) === 1;
  }

  async setRecoveryCodes(userId: string, hashes: string[], _now?: number): Promise<void> {
    await this.run(SCRIPTS.setRc, this.at(userId).arg(...hashes));
  }

  /** How many of the user's recovery codes are unused, and when one was last used. */
  async recoveryCodes(userId: string): Promise<RecoveryCodesState> {
    const values = await this.call(() => this.client.hvals(`${this.base(userId)}rc`));
    const used = values.filter((v) => v !== '0').map(Number);
    return { remaining: values.length - used.length, ...(used.length ? { lastUsedAt: Math.max(...used) } : {}) };
  }

  async putRecord(partition: string, key: string, value: string, expiresAt: number, now: number): Promise<string | null> {
    const c = this.at(partition, now).key(this.recordKey(partition, key)).arg(key, value, expiresAt);
    const r = (await this.run(SCRIPTS.putRecord, c)) as string[];
    return r[0] ?? null;
  }

  async takeRecord(partition: string, key: string, now: number, settle?: Settle): Promise<string | null> {
    const c = this.at(partition, now).key(this.recordKey(partition, key)).arg(key);
    this.settle(c, partition, settle);
    const r = (await this.run(SCRIPTS.takeRecord, c)) as string[];
    return r[0] ?? null;
  }

  async listRecords(partition: string, prefix: string, now: number): Promise<StoredRecord[]> {
    const flat = (await this.run(SCRIPTS.listRecords, this.at(partition, now).arg(this.base(partition), prefix))) as string[];
    const out: StoredRecord[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) out.push({ key: flat[i]!, value: flat[i + 1]!, expiresAt: Number(flat[i + 2]) });
    return out.sort(byKey);
  }

  async hit(partition: string, rules: RateRule[], now: number, options: HitOptions = {}): Promise<HitResult> {
    const c = this.at(partition, now).arg(rules.length);
    for (const r of rules) {
      c.key(this.counterKey(partition, r.key)).arg(r.key, r.limit, r.windowSeconds * 1000, r.blockSeconds === undefined ? -1 : r.blockSeconds * 1000);
    }
    c.arg(options.consume !== undefined);
    if (options.consume) {
      this.consumable(c, partition, options.consume);
      this.settle(c, partition, options.settle);
    }
    const load = options.load ?? {};
    c.arg(load.authenticators === true, load.record !== undefined);
    if (load.record !== undefined) c.key(this.recordKey(partition, load.record));
    const counters = load.counters ?? [];
    c.arg(counters.length);
    for (const k of counters) c.key(this.counterKey(partition, k));

    const [allowed, counts, resets, consumed, auth, rec, ctr] = (await this.run(SCRIPTS.hit, c)) as [number, number[], string[], number, string[][], string[], string[]];
    const result: HitResult = { allowed: allowed === 1, counts: counts.map(Number), resetAt: resets.map(Number) };
    if (options.consume) result.consumed = consumed === 1;
    if (load.authenticators) result.authenticators = authenticators(auth);
    if (load.record !== undefined) result.record = rec[0] ?? null;
    if (load.counters) result.counters = counters.map((_, i) => ({ count: Number(ctr[2 * i]), resetAt: Number(ctr[2 * i + 1]) }));
    return result;
  }

  async resetCounters(partition: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const c = this.at(partition).arg(keys.length);
    for (const k of keys) c.key(this.counterKey(partition, k)).arg(k);
    await this.run(SCRIPTS.reset, c);
  }

  async purge(partition: string): Promise<void> {
    await this.run(SCRIPTS.purge, this.at(partition).arg(this.base(partition)));
  }

  /**
   * Every user with authenticators: SCAN MATCH over the `auth` hashes, on every master of a
   * Cluster. Each id once (a SCAN may return a key twice, so the ids seen are remembered).
   */
  async *users(): AsyncIterable<string> {
    const pattern = `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}{*}:auth`;
    const seen = new Set<string>();
    for (const node of this.masters()) {
      let cursor = '0';
      do {
        const [next, keys] = await this.call(() => node.scan(cursor, 'MATCH', pattern, 'COUNT', 500));
        cursor = next;
        for (const k of keys) {
          const id = this.userOf(k);
          if (id === undefined || seen.has(id)) continue;
          seen.add(id);
          yield id;
        }
      } while (cursor !== '0');
    }
  }

  /** The partition of `<prefix>{<tag>}:auth`; undefined for another key the pattern matched (a record named `x}:auth`). */
  private userOf(key: string): string | undefined {
    const inner = key.slice(this.prefix.length + 1);
    const close = inner.indexOf('}');
    return close >= 0 && inner.slice(close) === '}:auth' ? untag(inner.slice(0, close)) : undefined;
  }

  private masters(): Redis[] {
    const c = this.client as Redis & Partial<Pick<Cluster, 'nodes'>>;
    return typeof c.nodes === 'function' && 'isCluster' in c && c.isCluster ? c.nodes('master') : [c as Redis];
  }

  /** One PING through the store (waits for the connection, counts a round trip); the bare round trip benchmarks compare to. */
  async ping(): Promise<void> {
    await this.call(() => this.client.ping());
  }

  /** Loads every script on every (master) node, so the first operations do not pay for NOSCRIPT. */
  async loadScripts(): Promise<void> {
    await this.call(() => Promise.all(this.masters().map((n) => Promise.all(Object.values(SCRIPTS).map((s) => n.script('LOAD', s.src))))));
  }

  async close(): Promise<void> {
    if (this.owned) await this.client.quit().catch(() => this.client.disconnect());
  }
}
