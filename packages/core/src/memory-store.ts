import { safeEqual } from './crypto.js';
import type { AuthenticatorRecord, HitResult, RateRule, Settle, Store } from './store.js';

interface Counter {
  count: number;
  resetAt: number;
}
interface Partition {
  authenticators: Map<string, AuthenticatorRecord>;
  steps: Map<string, number>;
  recovery: { hash: string; usedAt: number | null }[];
  records: Map<string, { value: string; expiresAt: number }>;
  counters: Map<string, Counter>;
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
      p = { authenticators: new Map(), steps: new Map(), recovery: [], records: new Map(), counters: new Map() };
      this.partitions.set(id, p);
    }
    return p;
  }

  private apply(p: Partition, now: number, settle?: Settle): void {
    if (!settle) return;
    for (const k of settle.reset ?? []) p.counters.delete(k);
    for (const k of settle.drop ?? []) p.records.delete(k);
    const a = settle.touch === undefined ? undefined : p.authenticators.get(settle.touch);
    if (a) p.authenticators.set(a.id, { ...a, lastUsedAt: now });
  }

  async getAuthenticators(userId: string): Promise<AuthenticatorRecord[]> {
    return this.list(userId);
  }

  private list(userId: string): AuthenticatorRecord[] {
    const p = this.partitions.get(userId);
    return p ? [...p.authenticators.values()].map(copy) : [];
  }

  async saveAuthenticator(record: AuthenticatorRecord, replace: string[] = []): Promise<void> {
    const p = this.part(record.userId);
    for (const id of replace) {
      if (id === record.id) continue;
      p.authenticators.delete(id);
      p.steps.delete(id);
    }
    p.authenticators.set(record.id, copy(record));
  }

  async deleteAuthenticators(userId: string, ids: string[]): Promise<number> {
    const p = this.partitions.get(userId);
    if (!p) return 0;
    let n = 0;
    for (const id of new Set(ids)) {
      if (p.authenticators.delete(id)) n++;
      p.steps.delete(id);
    }
    return n;
  }

  async useTotpStep(userId: string, authenticatorId: string, step: number, now: number, settle?: Settle): Promise<boolean> {
    const p = this.partitions.get(userId);
    const a = p?.authenticators.get(authenticatorId);
    if (!p || !a) return false;
    const last = p.steps.get(authenticatorId);
    if (last !== undefined && step <= last) return false;
    p.steps.set(authenticatorId, step);
    p.authenticators.set(a.id, { ...a, lastUsedAt: now });
    this.apply(p, now, settle);
    return true;
  }

  async setRecoveryCodes(userId: string, hashes: string[]): Promise<void> {
    this.part(userId).recovery = hashes.map((hash) => ({ hash, usedAt: null }));
  }

  async useRecoveryCode(userId: string, hashes: string[], now: number, settle?: Settle): Promise<boolean> {
    const p = this.partitions.get(userId);
    if (!p) return false;
    let found: { hash: string; usedAt: number | null } | undefined;
    // Look at every stored code so timing does not depend on where a match sits.
    for (const c of p.recovery) {
      let match = false;
      for (const h of hashes) match = safeEqual(c.hash, h) || match;
      if (match && c.usedAt === null && !found) found = c;
    }
    if (!found) return false;
    found.usedAt = now;
    this.apply(p, now, settle);
    return true;
  }

  async countRecoveryCodes(userId: string): Promise<number> {
    return this.partitions.get(userId)?.recovery.filter((c) => c.usedAt === null).length ?? 0;
  }

  async putRecord(partition: string, key: string, value: string, expiresAt: number): Promise<void> {
    this.part(partition).records.set(key, { value, expiresAt });
  }

  async getRecord(partition: string, key: string, now: number): Promise<string | null> {
    return this.live(partition, key, now)?.value ?? null;
  }

  async takeRecord(partition: string, key: string, now: number, settle?: Settle): Promise<string | null> {
    const r = this.live(partition, key, now);
    if (!r) return null;
    const p = this.part(partition);
    p.records.delete(key);
    this.apply(p, now, settle);
    return r.value;
  }

  private live(partition: string, key: string, now: number) {
    const p = this.partitions.get(partition);
    const r = p?.records.get(key);
    if (!p || !r) return undefined;
    if (r.expiresAt <= now) {
      p.records.delete(key);
      return undefined;
    }
    return r;
  }

  async hit(
    partition: string,
    rules: RateRule[],
    now: number,
    load?: { authenticators?: boolean; record?: string },
  ): Promise<HitResult> {
    const p = this.part(partition);
    const current = rules.map((r) => {
      const c = p.counters.get(r.key);
      return c && c.resetAt > now ? c : { count: 0, resetAt: now + r.windowSeconds * 1000 };
    });
    const allowed = rules.every((r, i) => current[i]!.count < r.limit);
    if (allowed) {
      rules.forEach((r, i) => {
        const c = { ...current[i]! };
        c.count += 1;
        if (r.blockSeconds !== undefined && c.count >= r.limit) c.resetAt = Math.max(c.resetAt, now + r.blockSeconds * 1000);
        current[i] = c;
        p.counters.set(r.key, c);
      });
    }
    const result: HitResult = { allowed, counts: current.map((c) => c.count), resetAt: current.map((c) => c.resetAt) };
    if (load?.authenticators) result.authenticators = this.list(partition);
    if (load?.record !== undefined) result.record = this.live(partition, load.record, now)?.value ?? null;
    return result;
  }

  async resetCounters(partition: string, keys: string[]): Promise<void> {
    const p = this.partitions.get(partition);
    for (const k of keys) p?.counters.delete(k);
  }

  /** Drop expired records and counters; returns how many entries went. */
  prune(now: number = Date.now()): number {
    let n = 0;
    for (const p of this.partitions.values()) {
      for (const [k, r] of p.records) if (r.expiresAt <= now && p.records.delete(k)) n++;
      for (const [k, c] of p.counters) if (c.resetAt <= now && p.counters.delete(k)) n++;
    }
    return n;
  }
}
