import { createHash } from 'node:crypto';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { TwoFactorError, type AuthenticatorRecord, type HitResult, type RateRule, type Settle, type Store } from '@twofa/core/adapter';
import * as S from './scripts.js';

export interface RedisStoreOptions {
  /** An ioredis client or Cluster. Use the fail-closed options shown in the README. */
  client?: Redis | Cluster;
  /** A redis:// URL; the store opens (and closes) its own client with fail-closed options. */
  url?: string;
  /** Key prefix, e.g. 'twofa:'. No braces (the partition is the hash tag). */
  prefix?: string;
  /** How long a used TOTP step is kept, in seconds; it only has to outlive the code window. Default 1 day. */
  stepTtlSeconds?: number;
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
  deleteAuth: script(S.DELETE_AUTH),
  useStep: script(S.USE_TOTP_STEP),
  setRc: script(S.SET_RECOVERY),
  useRc: script(S.USE_RECOVERY),
  countRc: script(S.COUNT_RECOVERY),
  putRecord: script(S.PUT_RECORD),
  takeRecord: script(S.TAKE_RECORD),
  hit: script(S.HIT),
  reset: script(S.RESET_COUNTERS),
};

/** Partition ids become hash tags; braces and % are escaped so a tag always ends where we mean. */
const tag = (p: string) => p.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);

export function redisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options);
}

/** A Store on Redis: one atomic Lua script (EVALSHA) per read-write operation. */
export class RedisStore implements Store {
  readonly name = 'redis';
  /** Round trips to Redis since creation (or the last reset), for tests and benchmarks. */
  readonly stats = { roundTrips: 0 };
  readonly client: Redis | Cluster;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly stepTtlMs: number;
  private readonly slackMs: number;
  private readonly readyTimeoutMs: number;

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
    this.stepTtlMs = (options.stepTtlSeconds ?? 86_400) * 1000;
    this.slackMs = (options.expirySlackSeconds ?? 60) * 1000;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 1000;
  }

  private key(partition: string, suffix: string): string {
    return `${this.prefix}{${tag(partition)}}:${suffix}`;
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
  private async run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.call(async () => {
      try {
        return await this.client.evalsha(s.sha, keys.length, ...keys, ...args);
      } catch (e) {
        if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
        this.stats.roundTrips++;
        return await this.client.eval(s.src, keys.length, ...keys, ...args);
      }
    });
  }

  private settleParts(partition: string, settle?: Settle): { keys: string[]; args: (string | number)[] } {
    const reset = (settle?.reset ?? []).map((k) => this.key(partition, `ctr:${k}`));
    const drop = (settle?.drop ?? []).map((k) => this.key(partition, `rec:${k}`));
    return { keys: [...reset, ...drop], args: [reset.length, drop.length, settle?.touch ?? ''] };
  }

  private static authenticators(authFlat: string[], usedFlat: string[]): AuthenticatorRecord[] {
    const used = new Map<string, number>();
    for (let i = 0; i + 1 < usedFlat.length; i += 2) used.set(usedFlat[i]!, Number(usedFlat[i + 1]));
    const list: AuthenticatorRecord[] = [];
    for (let i = 0; i + 1 < authFlat.length; i += 2) {
      const a = JSON.parse(authFlat[i + 1]!) as AuthenticatorRecord;
      delete a.lastUsedAt;
      const u = used.get(a.id);
      if (u !== undefined) a.lastUsedAt = u;
      list.push(a);
    }
    return list.sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  }

  async getAuthenticators(userId: string): Promise<AuthenticatorRecord[]> {
    const [auth, used] = (await this.run(SCRIPTS.getAuth, [this.key(userId, 'auth'), this.key(userId, 'used')], [])) as [string[], string[]];
    return RedisStore.authenticators(auth, used);
  }

  async saveAuthenticator(record: AuthenticatorRecord, replace: string[] = []): Promise<void> {
    const u = record.userId;
    const { lastUsedAt, ...rest } = record;
    await this.run(
      SCRIPTS.saveAuth,
      [this.key(u, 'auth'), this.key(u, 'used'), this.key(u, 'step')],
      [record.id, JSON.stringify(rest), lastUsedAt === undefined ? '' : lastUsedAt, ...replace],
    );
  }

  async deleteAuthenticators(userId: string, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const n = await this.run(SCRIPTS.deleteAuth, [this.key(userId, 'auth'), this.key(userId, 'used'), this.key(userId, 'step')], ids);
    return Number(n);
  }

  async useTotpStep(userId: string, authenticatorId: string, step: number, now: number, settle?: Settle): Promise<boolean> {
    const s = this.settleParts(userId, settle);
    const r = await this.run(
      SCRIPTS.useStep,
      [this.key(userId, 'auth'), this.key(userId, 'used'), this.key(userId, 'step'), ...s.keys],
      [authenticatorId, step, now, this.stepTtlMs, ...s.args],
    );
    return Number(r) === 1;
  }

  async setRecoveryCodes(userId: string, hashes: string[], _now?: number): Promise<void> {
    await this.run(SCRIPTS.setRc, [this.key(userId, 'rc')], hashes);
  }

  async useRecoveryCode(userId: string, hashes: string[], now: number, settle?: Settle): Promise<boolean> {
    if (hashes.length === 0) return false;
    const s = this.settleParts(userId, settle);
    const r = await this.run(
      SCRIPTS.useRc,
      [this.key(userId, 'rc'), this.key(userId, 'auth'), this.key(userId, 'used'), ...s.keys],
      [now, ...s.args, ...hashes],
    );
    return Number(r) === 1;
  }

  async countRecoveryCodes(userId: string): Promise<number> {
    return Number(await this.run(SCRIPTS.countRc, [this.key(userId, 'rc')], []));
  }

  async putRecord(partition: string, key: string, value: string, expiresAt: number): Promise<void> {
    // The store has no `now` here: clean up relative to real time, never sooner than the slack.
    const ttl = Math.max(expiresAt - Date.now(), 0) + this.slackMs;
    await this.run(SCRIPTS.putRecord, [this.key(partition, `rec:${key}`)], [value, expiresAt, Math.ceil(ttl)]);
  }

  async getRecord(partition: string, key: string, now: number): Promise<string | null> {
    const [v, x] = await this.call(() => this.client.hmget(this.key(partition, `rec:${key}`), 'v', 'x'));
    return v != null && Number(x) > now ? v : null;
  }

  async takeRecord(partition: string, key: string, now: number, settle?: Settle): Promise<string | null> {
    const s = this.settleParts(partition, settle);
    const r = (await this.run(
      SCRIPTS.takeRecord,
      [this.key(partition, `rec:${key}`), this.key(partition, 'auth'), this.key(partition, 'used'), ...s.keys],
      [now, ...s.args],
    )) as string[];
    return r.length ? r[0]! : null;
  }

  async hit(partition: string, rules: RateRule[], now: number, load?: { authenticators?: boolean; record?: string }): Promise<HitResult> {
    const keys = [
      this.key(partition, 'auth'),
      this.key(partition, 'used'),
      this.key(partition, load?.record !== undefined ? `rec:${load.record}` : 'rec'),
      ...rules.map((r) => this.key(partition, `ctr:${r.key}`)),
    ];
    const args: (string | number)[] = [now, this.slackMs, load?.authenticators ? 1 : 0, load?.record !== undefined ? 1 : 0];
    for (const r of rules) args.push(r.limit, r.windowSeconds * 1000, r.blockSeconds === undefined ? -1 : r.blockSeconds * 1000);
    const [allowed, counts, resets, auth, used, rec] = (await this.run(SCRIPTS.hit, keys, args)) as [
      number,
      number[],
      string[],
      string[],
      string[],
      string[],
    ];
    const result: HitResult = { allowed: allowed === 1, counts: counts.map(Number), resetAt: resets.map(Number) };
    if (load?.authenticators) result.authenticators = RedisStore.authenticators(auth, used);
    if (load?.record !== undefined) result.record = rec.length ? rec[0]! : null;
    return result;
  }

  async resetCounters(partition: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.run(SCRIPTS.reset, keys.map((k) => this.key(partition, `ctr:${k}`)), []);
  }

  /** One PING through the store (waits for the connection, counts a round trip); the bare round trip benchmarks compare to. */
  async ping(): Promise<void> {
    await this.call(() => this.client.ping());
  }

  /** Loads every script on every (master) node, so the first operations do not pay for NOSCRIPT. */
  async loadScripts(): Promise<void> {
    const c = this.client as Redis & Partial<Pick<Cluster, 'nodes'>>;
    const nodes = typeof c.nodes === 'function' && 'isCluster' in c && c.isCluster ? c.nodes('master') : [c as Redis];
    await this.call(() => Promise.all(nodes.map((n) => Promise.all(Object.values(SCRIPTS).map((s) => n.script('LOAD', s.src))))));
  }

  async close(): Promise<void> {
    if (this.owned) await this.client.quit().catch(() => this.client.disconnect());
  }
}
