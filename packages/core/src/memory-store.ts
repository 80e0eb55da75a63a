import { safeEqual } from './crypto.js';
import type {
  AuthenticatorRecord,
  Consumable,
  CounterState,
  HitOptions,
  HitResult,
  RateRule,
  RecoveryCodesState,
  Settle,
  Store,
  StoredRecord,
} from './store.js';

interface Counter {
  count: number;
  resetAt: number;
}
interface Partition {
  authenticators: Map<string, AuthenticatorRecord>;
  counters: Map<string, number>; // authenticator id → consume counter (TOTP step, sign count)
  recovery: { hash: string; usedAt: number | null }[];
  records: Map<string, { value: string; expiresAt: number }>;
  rates: Map<string, Counter>;
}

// Callers get their own copies, as they would from a real database.
const copy = (a: AuthenticatorRecord): AuthenticatorRecord => ({ ...a, ...(a.display ? { display: { ...a.display } } : {}) });

/**
 * The embedded default Store: state in this process only. Every operation runs
 * synchronously inside one call, so each is atomic in Node's single thread.
 * Expired entries are swept lazily on access and by `prune()`.
 */
export class MemoryStore implements Store {
  readonly name = 'memory';
  private readonly partitions = new Map<string, Partition>();

  private part(id: string): Partition {
    let p = this.partitions.get(id);
    if (!p) {
      p = this.empty();
      this.partitions.set(id, p);
    }
    return p;
  }

  private empty(): Partition {
    return { authenticators: new Map(), counters: new Map(), recovery: [], records: new Map(), rates: new Map() };
  }

  private apply(p: Partition, now: number, settle?: Settle): void {
    if (!settle) return;
    for (const k of settle.reset ?? []) p.rates.delete(k);
    for (const k of settle.drop ?? []) p.records.delete(k);
    const a = settle.touch === undefined ? undefined : p.authenticators.get(settle.touch);
    if (a) p.authenticators.set(a.id, { ...a, lastUsedAt: now });
  }

  async getAuthenticators(userId: string): Promise<AuthenticatorRecord[]> {
    return this.list(userId);
  }

  private list(userId: string): AuthenticatorRecord[] {
    const p = this.partitions.get(userId);
    if (!p) return [];
    return [...p.authenticators.values()].map((a) => {
      const c = p.counters.get(a.id);
      return c === undefined ? copy(a) : { ...copy(a), counter: c };
    });
  }

  async saveAuthenticator(record: AuthenticatorRecord, replace: string[] = []): Promise<void> {
    const p = this.part(record.userId);
    for (const id of replace) {
      if (id === record.id) continue;
      p.authenticators.delete(id);
      p.counters.delete(id);
    }
    const { counter: _ignored, ...rest } = record;
    p.authenticators.set(record.id, copy(rest));
  }

  async updateAuthenticator(record: AuthenticatorRecord, ifSecret: string): Promise<boolean> {
    const p = this.partitions.get(record.userId);
    const current = p?.authenticators.get(record.id);
    if (!p || !current || current.secret !== ifSecret) return false;
    const { counter: _ignored, ...rest } = record;
    // A writer that read before a use must not move lastUsedAt back.
    const lastUsedAt = Math.max(rest.lastUsedAt ?? 0, current.lastUsedAt ?? 0);
    p.authenticators.set(record.id, copy(lastUsedAt ? { ...rest, lastUsedAt } : rest));
    return true;
  }

  async deleteAuthenticators(userId: string, ids: string[]): Promise<number> {
    const p = this.partitions.get(userId);
    if (!p) return 0;
    let n = 0;
    for (const id of new Set(ids)) {
      if (p.authenticators.delete(id)) n++;
      p.counters.delete(id);
    }
    return n;
  }

  async consume(userId: string, what: Consumable, now: number, settle?: Settle): Promise<boolean> {
    const p = this.partitions.get(userId);
    return p ? this.use(p, what, now, settle) : false;
  }

  /** Checks every condition first, then writes: all or nothing. */
  private use(p: Partition, what: Consumable, now: number, settle?: Settle): boolean {
    if (what.record !== undefined && !this.live(p, what.record, now)) return false;
    const c = what.counter;
    if (c) {
      if (!p.authenticators.has(c.authenticatorId)) return false;
      const last = p.counters.get(c.authenticatorId);
      const zeroOk = c.allowZero === true && c.value === 0 && (last === undefined || last === 0);
      if (!zeroOk && last !== undefined && c.value <= last) return false;
    }
    let code: { hash: string; usedAt: number | null } | undefined;
    if (what.recoveryCode) {
      // Look at every stored code so timing does not depend on where a match sits.
      for (const stored of p.recovery) {
        let match = false;
        for (const h of what.recoveryCode) match = safeEqual(stored.hash, h) || match;
        if (match && stored.usedAt === null && !code) code = stored;
      }
      if (!code) return false;
    }
    if (what.record !== undefined) p.records.delete(what.record);
    if (c) p.counters.set(c.authenticatorId, c.value);
    if (code) code.usedAt = now;
    this.apply(p, now, settle);
    return true;
  }

  async setRecoveryCodes(userId: string, hashes: string[]): Promise<void> {
    this.part(userId).recovery = hashes.map((hash) => ({ hash, usedAt: null }));
  }

  /** How many of the user's recovery codes are unused, and when one was last used. */
  async recoveryCodes(userId: string): Promise<RecoveryCodesState> {
    const codes = this.partitions.get(userId)?.recovery ?? [];
    const used = codes.map((c) => c.usedAt).filter((t): t is number => t !== null);
    return { remaining: codes.length - used.length, ...(used.length ? { lastUsedAt: Math.max(...used) } : {}) };
  }

  async putRecord(partition: string, key: string, value: string, expiresAt: number, now: number): Promise<string | null> {
    const previous = this.live(this.part(partition), key, now)?.value ?? null;
    this.part(partition).records.set(key, { value, expiresAt });
    return previous;
  }

  async takeRecord(partition: string, key: string, now: number, settle?: Settle): Promise<string | null> {
    const p = this.partitions.get(partition);
    const r = p && this.live(p, key, now);
    if (!p || !r) return null;
    p.records.delete(key);
    this.apply(p, now, settle);
    return r.value;
  }

  async listRecords(partition: string, prefix: string, now: number): Promise<StoredRecord[]> {
    const p = this.partitions.get(partition);
    if (!p) return [];
    const out: StoredRecord[] = [];
    for (const key of [...p.records.keys()]) {
      const r = key.startsWith(prefix) ? this.live(p, key, now) : undefined;
      if (r) out.push({ key, value: r.value, expiresAt: r.expiresAt });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private live(p: Partition, key: string, now: number) {
    const r = p.records.get(key);
    if (!r) return undefined;
    if (r.expiresAt <= now) {
      p.records.delete(key);
      return undefined;
    }
    return r;
  }

  async hit(partition: string, rules: RateRule[], now: number, options: HitOptions = {}): Promise<HitResult> {
    // A read (no rules) creates nothing.
    const p = rules.length > 0 ? this.part(partition) : (this.partitions.get(partition) ?? this.empty());
    const current = rules.map((r) => {
      const c = p.rates.get(r.key);
      return c && c.resetAt > now ? c : { count: 0, resetAt: now + r.windowSeconds * 1000 };
    });
    const allowed = rules.every((r, i) => current[i]!.count < r.limit);
    if (allowed) {
      rules.forEach((r, i) => {
        const c = { ...current[i]! };
        c.count += 1;
        if (r.blockSeconds !== undefined && c.count >= r.limit) c.resetAt = Math.max(c.resetAt, now + r.blockSeconds * 1000);
        current[i] = c;
        p.rates.set(r.key, c);
      });
    }
    const result: HitResult = { allowed, counts: current.map((c) => c.count), resetAt: current.map((c) => c.resetAt) };
    if (options.consume) result.consumed = allowed && this.use(p, options.consume, now, options.settle);
    const load = options.load;
    if (load?.authenticators) result.authenticators = this.list(partition);
    if (load?.record !== undefined) result.record = this.live(p, load.record, now)?.value ?? null;
    if (load?.counters) result.counters = load.counters.map((k) => this.counter(p, k, now));
    return result;
  }

  private counter(p: Partition, key: string, now: number): CounterState {
    const c = p.rates.get(key);
    return c && c.resetAt > now ? { ...c } : { count: 0, resetAt: 0 };
  }

  async resetCounters(partition: string, keys: string[]): Promise<void> {
    const p = this.partitions.get(partition);
    for (const k of keys) p?.rates.delete(k);
  }

  async purge(partition: string): Promise<void> {
    this.partitions.delete(partition);
  }

  async *users(): AsyncIterable<string> {
    for (const [id, p] of this.partitions) if (p.authenticators.size > 0) yield id;
  }

  /** Drop expired records and counters; returns how many entries went. */
  prune(now: number = Date.now()): number {
    let n = 0;
    for (const p of this.partitions.values()) {
      for (const [k, r] of p.records) if (r.expiresAt <= now && p.records.delete(k)) n++;
      for (const [k, c] of p.rates) if (c.resetAt <= now && p.rates.delete(k)) n++;
    }
    return n;
  }
}
