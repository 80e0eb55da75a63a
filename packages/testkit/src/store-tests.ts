import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSync } from 'otplib';
import { createTwoFactor, phone, recoveryCodes, totp } from '@twofa/core';
import type { AuthenticatorRecord, Store } from '@twofa/core/adapter';
import { FakeClock } from './fake-clock.js';
import { fakeVerifier } from './fake-verifier.js';

/** What a store's `makeStore` hands `runStoreTests`: the store and its cleanup. */
export interface StoreFixture<S extends Store = Store> {
  store: S;
  /** Drops what the run left behind (keys, schema) and closes connections. */
  cleanup?: () => Promise<void>;
}

/** What `runStoreTests` hands `makeStore`. */
export interface StoreTestContext {
  /** The clock every test drives; hand it to the store if it takes one (only cleanup timers may use it). */
  clock: FakeClock;
}

/** Options of `runStoreTests()`. */
export interface StoreTestOptions<S extends Store = Store> {
  /** Reads a round-trip counter, enabling the round-trips-per-verify tests. */
  roundTrips?: (store: S) => number;
  /** Parallel calls in the rate-limit storm. Default 200. */
  storm?: number;
}

const HEX_KEY = 'a1'.repeat(32);
let seq = 0;
/** Partition ids unique per run, with characters stores must not trip over. */
const uid = (label: string) => `${label}:{${Date.now().toString(36)}-${(++seq).toString(36)}}%é`;

function auth(userId: string, id: string, createdAt: number, extra: Partial<AuthenticatorRecord> = {}): AuthenticatorRecord {
  return { userId, id, method: 'totp', status: 'active', secret: `v2:${id}:ciphertext`, display: { label: `Phone ${id}` }, createdAt, ...extra };
}

/**
 * The conformance suite every Store runs on itself: each operation of the Store contract
 * with MemoryStore's semantics, expiry by the `now` argument, partition isolation,
 * concurrency, and the same races driven through `twofa.verify`.
 *
 *   runStoreTests('redis', async () => ({ store: redisStore({ url }), cleanup }));
 */
export function runStoreTests<S extends Store>(
  name: string,
  makeStore: (ctx: StoreTestContext) => Promise<StoreFixture<S>> | StoreFixture<S>,
  options: StoreTestOptions<S> = {},
): void {
  describe(`Store conformance: ${name}`, () => {
    const clock = new FakeClock();
    let fixture: StoreFixture<S>;
    let store: S;
    const t0 = clock.now();

    beforeAll(async () => {
      fixture = await makeStore({ clock });
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    /** Whether a record is live: taking it tells, so put it back. */
    async function peek(p: string, key: string, now: number): Promise<string | null> {
      return (await store.hit(p, [], now, { load: { record: key } })).record ?? null;
    }

    describe('authenticators', () => {
      it('saves, lists oldest first and returns copies, with name and method', async () => {
        const u = uid('a');
        expect(await store.getAuthenticators(u)).toEqual([]);
        // Ids sort the other way round, so a store ordering by id fails.
        const z = auth(u, 'z', t0 + 1000, { confirmedAt: t0 + 1500, lastUsedAt: t0 + 1600, name: 'Work phone ☎' });
        const a = auth(u, 'a', t0 + 2000, { status: 'pending', method: 'phone' });
        await store.saveAuthenticator(z);
        await store.saveAuthenticator(a);
        const list = await store.getAuthenticators(u);
        expect(list).toEqual([z, a]);
        list[0]!.display!.label = 'changed';
        expect((await store.getAuthenticators(u))[0]!.display).toEqual({ label: 'Phone z' });
      });

      it('replaces a record with the same id in place, keeping its counter', async () => {
        const u = uid('a');
        await store.saveAuthenticator(auth(u, 'x', t0, { status: 'pending' }));
        expect(await store.consume(u, { counter: { authenticatorId: 'x', value: 9 } }, t0)).toBe(true);
        await store.saveAuthenticator(auth(u, 'x', t0, { status: 'active', confirmedAt: t0 + 5, counter: 1 }));
        expect(await store.getAuthenticators(u)).toEqual([auth(u, 'x', t0, { status: 'active', confirmedAt: t0 + 5, counter: 9 })]);
      });

      it('deletes the replace ids in the same step, with their counters', async () => {
        const u = uid('a');
        await store.saveAuthenticator(auth(u, 'old', t0));
        await store.saveAuthenticator(auth(u, 'keep', t0 + 1));
        expect(await store.consume(u, { counter: { authenticatorId: 'old', value: 100 } }, t0)).toBe(true);
        await store.saveAuthenticator(auth(u, 'new', t0 + 2), ['old', 'new', 'missing']);
        expect((await store.getAuthenticators(u)).map((x) => x.id)).toEqual(['keep', 'new']);
        await store.saveAuthenticator(auth(u, 'old', t0 + 3));
        expect(await store.consume(u, { counter: { authenticatorId: 'old', value: 50 } }, t0)).toBe(true); // the old counter went with it
      });

      it('updateAuthenticator writes only while the secret is the one expected', async () => {
        const u = uid('a');
        const a = auth(u, 'k', t0, { status: 'pending' });
        expect(await store.updateAuthenticator({ ...a, status: 'active' }, a.secret)).toBe(false); // nothing to update: not created
        expect(await store.getAuthenticators(u)).toEqual([]);
        await store.saveAuthenticator(a);
        expect(await store.consume(u, { counter: { authenticatorId: 'k', value: 3 } }, t0)).toBe(true);
        const active = { ...a, status: 'active' as const, secret: 'v2:new', confirmedAt: t0 + 1 };
        expect(await store.updateAuthenticator(active, 'v2:wrong')).toBe(false);
        expect(await store.updateAuthenticator(active, a.secret)).toBe(true);
        expect(await store.updateAuthenticator({ ...active, name: 'again' }, a.secret)).toBe(false); // the secret moved on
        expect(await store.getAuthenticators(u)).toEqual([{ ...active, counter: 3 }]);
        // A writer that read before a use does not move lastUsedAt back.
        expect(await store.consume(u, {}, t0 + 50, { touch: 'k' })).toBe(true);
        expect(await store.updateAuthenticator({ ...active, name: 'stale read', lastUsedAt: t0 + 1 }, active.secret)).toBe(true);
        expect((await store.getAuthenticators(u))[0]).toMatchObject({ name: 'stale read', lastUsedAt: t0 + 50 });
        await store.deleteAuthenticators(u, ['k']);
        expect(await store.updateAuthenticator(active, active.secret)).toBe(false); // a removed record stays removed
        expect(await store.getAuthenticators(u)).toEqual([]);
      });

      it('deleteAuthenticators counts what existed and drops counters', async () => {
        const u = uid('a');
        await store.saveAuthenticator(auth(u, 'a', t0));
        await store.saveAuthenticator(auth(u, 'b', t0 + 1));
        expect(await store.consume(u, { counter: { authenticatorId: 'a', value: 10 } }, t0)).toBe(true);
        expect(await store.deleteAuthenticators(u, ['a', 'a', 'zz'])).toBe(1);
        expect((await store.getAuthenticators(u)).map((x) => x.id)).toEqual(['b']);
        expect(await store.deleteAuthenticators(uid('nobody'), ['a'])).toBe(0);
        await store.saveAuthenticator(auth(u, 'a', t0 + 2));
        expect(await store.consume(u, { counter: { authenticatorId: 'a', value: 5 } }, t0)).toBe(true);
      });

      if (options.roundTrips) {
        const count = options.roundTrips;
        it('two parallel saves of two new authenticators both persist', async () => {
          const u = uid('a');
          await Promise.all([store.saveAuthenticator(auth(u, 'p', t0)), store.saveAuthenticator(auth(u, 'q', t0 + 1))]);
          expect((await store.getAuthenticators(u)).map((x) => x.id)).toEqual(['p', 'q']);
          expect(count(store)).toBeGreaterThan(0);
        });
      }
    });

    describe('consume: counters', () => {
      it('accepts only values above the counter, shows it, and touches via settle', async () => {
        const u = uid('t');
        const c = (value: number, now = t0) => store.consume(u, { counter: { authenticatorId: 'k', value } }, now, { touch: 'k' });
        expect(await c(1)).toBe(false); // no such authenticator
        await store.saveAuthenticator(auth(u, 'k', t0));
        expect(await store.consume(u, { counter: { authenticatorId: 'other', value: 1 } }, t0)).toBe(false);
        expect(await c(1000, t0 + 10)).toBe(true);
        expect((await store.getAuthenticators(u))[0]).toMatchObject({ lastUsedAt: t0 + 10, counter: 1000 });
        expect(await c(1000, t0 + 20)).toBe(false);
        expect(await c(999, t0 + 20)).toBe(false);
        expect((await store.getAuthenticators(u))[0]).toMatchObject({ lastUsedAt: t0 + 10, counter: 1000 });
        expect(await c(1001, t0 + 30)).toBe(true);
        expect((await store.getAuthenticators(u))[0]).toMatchObject({ lastUsedAt: t0 + 30, counter: 1001 });
      });

      it('allowZero passes 0 only while the counter is absent or 0', async () => {
        const u = uid('t');
        await store.saveAuthenticator(auth(u, 'k', t0));
        const zero = () => store.consume(u, { counter: { authenticatorId: 'k', value: 0, allowZero: true } }, t0);
        expect(await store.consume(u, { counter: { authenticatorId: 'k', value: 0 } }, t0)).toBe(true); // strict: 0 is above "none"
        expect(await zero()).toBe(true);
        expect(await zero()).toBe(true);
        expect(await store.consume(u, { counter: { authenticatorId: 'k', value: 0 } }, t0)).toBe(false); // strict: not above 0
        expect(await store.consume(u, { counter: { authenticatorId: 'k', value: 5, allowZero: true } }, t0)).toBe(true);
        expect(await zero()).toBe(false); // a key that counted cannot go back to 0
        expect((await store.getAuthenticators(u))[0]!.counter).toBe(5);
      });

      it('applies settle only when it consumed', async () => {
        const u = uid('t');
        await store.saveAuthenticator(auth(u, 'k', t0));
        await store.saveAuthenticator(auth(u, 'r', t0 + 1, { method: 'recovery' }));
        const rule = { key: 'fail', limit: 9, windowSeconds: 600 };
        await store.hit(u, [rule], t0);
        await store.putRecord(u, 'ch:1', 'challenge', t0 + 60_000, t0);
        const settle = { reset: ['fail'], drop: ['ch:1'], touch: 'r' };
        expect(await store.consume(u, { counter: { authenticatorId: 'k', value: 7 } }, t0 + 5, settle)).toBe(true);
        expect(await store.consume(u, { counter: { authenticatorId: 'k', value: 7 } }, t0 + 6, settle)).toBe(false);
        expect((await store.hit(u, [rule], t0 + 7)).counts).toEqual([1]);
        expect(await peek(u, 'ch:1', t0 + 7)).toBeNull();
        expect((await store.getAuthenticators(u)).map((a) => a.lastUsedAt)).toEqual([undefined, t0 + 5]);

        await store.putRecord(u, 'ch:2', 'challenge', t0 + 60_000, t0);
        expect(await store.consume(u, { counter: { authenticatorId: 'k', value: 6 } }, t0 + 8, { reset: ['fail'], drop: ['ch:2'], touch: 'r' })).toBe(false);
        expect((await store.hit(u, [rule], t0 + 9)).counts).toEqual([2]);
        expect(await peek(u, 'ch:2', t0 + 9)).toBe('challenge');
        expect((await store.getAuthenticators(u)).map((a) => a.lastUsedAt)).toEqual([undefined, t0 + 5]);
      });
    });

    describe('consume: records and all-or-nothing', () => {
      it('takes a live record once', async () => {
        const u = uid('c');
        await store.putRecord(u, 'ch', 'x', t0 + 1000, t0);
        expect(await store.consume(u, { record: 'missing' }, t0)).toBe(false);
        expect(await store.consume(u, { record: 'ch' }, t0 + 1000)).toBe(false); // expired at `now`
        await store.putRecord(u, 'ch', 'x', t0 + 1000, t0);
        expect(await store.consume(u, { record: 'ch' }, t0 + 1)).toBe(true);
        expect(await store.consume(u, { record: 'ch' }, t0 + 2)).toBe(false);
      });

      it('a record and a counter together: both conditions, or nothing written', async () => {
        const u = uid('c');
        await store.saveAuthenticator(auth(u, 'key', t0));
        expect(await store.consume(u, { counter: { authenticatorId: 'key', value: 10 } }, t0)).toBe(true);
        await store.putRecord(u, 'ch', 'x', t0 + 60_000, t0);
        // The counter does not advance: the record stays.
        expect(await store.consume(u, { record: 'ch', counter: { authenticatorId: 'key', value: 10 } }, t0)).toBe(false);
        expect(await peek(u, 'ch', t0)).toBe('x');
        // No record: the counter stays.
        expect(await store.consume(u, { record: 'nope', counter: { authenticatorId: 'key', value: 11 } }, t0)).toBe(false);
        expect((await store.getAuthenticators(u))[0]!.counter).toBe(10);
        expect(await store.consume(u, { record: 'ch', counter: { authenticatorId: 'key', value: 11 } }, t0, { touch: 'key' })).toBe(true);
        expect(await peek(u, 'ch', t0)).toBeNull();
        expect((await store.getAuthenticators(u))[0]).toMatchObject({ counter: 11, lastUsedAt: t0 });
      });

      it('an empty consumable always succeeds and settles', async () => {
        const u = uid('c');
        await store.saveAuthenticator(auth(u, 'k', t0));
        const rule = { key: 'fail', limit: 9, windowSeconds: 600 };
        await store.hit(u, [rule], t0);
        expect(await store.consume(u, {}, t0 + 3, { reset: ['fail'], touch: 'k' })).toBe(true);
        expect((await store.hit(u, [rule], t0 + 4)).counts).toEqual([1]);
        expect((await store.getAuthenticators(u))[0]!.lastUsedAt).toBe(t0 + 3);
      });
    });

    describe('recovery codes', () => {
      it('uses a code once by any of its candidate hashes and reports what is left', async () => {
        const u = uid('r');
        const use = (hashes: string[], now = t0) => store.consume(u, { recoveryCode: hashes }, now);
        expect(await store.recoveryCodes(u)).toEqual({ remaining: 0 });
        expect(await use(['h1'])).toBe(false);
        await store.setRecoveryCodes(u, ['h1', 'h2', 'h3'], t0);
        expect(await store.recoveryCodes(u)).toEqual({ remaining: 3 });
        expect(await use(['nope', 'h2'], t0 + 7)).toBe(true);
        expect(await store.recoveryCodes(u)).toEqual({ remaining: 2, lastUsedAt: t0 + 7 });
        expect(await use(['h2'])).toBe(false);
        expect(await use(['nope'])).toBe(false);
        expect(await use([])).toBe(false);
        expect(await store.recoveryCodes(u)).toEqual({ remaining: 2, lastUsedAt: t0 + 7 });
      });

      it('replaces all codes on set, and an empty list deletes them', async () => {
        const u = uid('r');
        await store.setRecoveryCodes(u, ['a1', 'a2'], t0);
        await store.setRecoveryCodes(u, ['b1'], t0);
        expect(await store.consume(u, { recoveryCode: ['a1'] }, t0)).toBe(false);
        expect(await store.recoveryCodes(u)).toEqual({ remaining: 1 });
        await store.setRecoveryCodes(u, [], t0);
        expect(await store.recoveryCodes(u)).toEqual({ remaining: 0 });
        expect(await store.consume(u, { recoveryCode: ['b1'] }, t0)).toBe(false);
      });

      it('applies settle only on a successful use', async () => {
        const u = uid('r');
        await store.saveAuthenticator(auth(u, 'rc', t0, { method: 'recovery' }));
        await store.setRecoveryCodes(u, ['c1'], t0);
        const rule = { key: 'fail', limit: 9, windowSeconds: 600 };
        await store.hit(u, [rule], t0);
        await store.putRecord(u, 'ch', 'v', t0 + 60_000, t0);
        const settle = { reset: ['fail'], drop: ['ch'], touch: 'rc' };
        expect(await store.consume(u, { recoveryCode: ['x'] }, t0 + 1, settle)).toBe(false);
        expect(await peek(u, 'ch', t0 + 1)).toBe('v');
        expect((await store.getAuthenticators(u))[0]!.lastUsedAt).toBeUndefined();
        expect(await store.consume(u, { recoveryCode: ['c1'] }, t0 + 2, settle)).toBe(true);
        expect(await peek(u, 'ch', t0 + 3)).toBeNull();
        expect((await store.hit(u, [rule], t0 + 3)).counts).toEqual([1]);
        expect((await store.getAuthenticators(u))[0]!.lastUsedAt).toBe(t0 + 2);
      });
    });

    describe('records', () => {
      it('puts, returns what it replaced while live, and expires by the `now` passed in', async () => {
        const p = uid('rec');
        const now = clock.now();
        expect(await peek(p, 'k', now)).toBeNull();
        const exp = now + 60_000;
        expect(await store.putRecord(p, 'k', 'one', exp, now)).toBeNull();
        expect(await store.putRecord(p, 'k', 'two', exp, now + 1)).toBe('one');
        expect(await peek(p, 'k', exp - 1)).toBe('two');
        expect(await peek(p, 'k', exp)).toBeNull();
        expect(await store.putRecord(p, 'k', 'three', exp + 10_000, exp)).toBeNull(); // 'two' had expired
        expect(await store.takeRecord(p, 'k', exp + 10_001)).toBeNull();
      });

      it('follows the fake clock: a record is gone once the clock passes its expiry', async () => {
        const p = uid('rec');
        await store.putRecord(p, 'k', 'v', clock.now() + 10_000, clock.now());
        clock.advanceSeconds(9);
        expect(await peek(p, 'k', clock.now())).toBe('v');
        clock.advanceSeconds(1);
        expect(await peek(p, 'k', clock.now())).toBeNull();
      });

      it('takeRecord returns the value once and settles only when it took something', async () => {
        const p = uid('rec');
        const now = clock.now();
        await store.saveAuthenticator(auth(p, 'k', now));
        const rule = { key: 'c', limit: 9, windowSeconds: 600 };
        await store.hit(p, [rule], now);
        await store.putRecord(p, 'take', 'secret-ish', now + 1000, now);
        await store.putRecord(p, 'other', 'o', now + 1000, now);
        expect(await store.takeRecord(p, 'missing', now, { reset: ['c'], drop: ['other'], touch: 'k' })).toBeNull();
        expect(await peek(p, 'other', now)).toBe('o');
        expect(await store.takeRecord(p, 'take', now + 1, { reset: ['c'], drop: ['other'], touch: 'k' })).toBe('secret-ish');
        expect(await store.takeRecord(p, 'take', now + 1)).toBeNull();
        expect(await peek(p, 'other', now + 1)).toBeNull();
        expect((await store.hit(p, [rule], now + 2)).counts).toEqual([1]);
        expect((await store.getAuthenticators(p))[0]!.lastUsedAt).toBe(now + 1);
      });

      it('lists the live records of a prefix, by key', async () => {
        const p = uid('rec');
        const now = clock.now();
        expect(await store.listRecords(p, 'dev:', now)).toEqual([]);
        await store.putRecord(p, 'dev:b', 'B', now + 5000, now);
        await store.putRecord(p, 'dev:a', 'A', now + 9000, now);
        await store.putRecord(p, 'dev:gone', 'G', now + 10, now);
        await store.putRecord(p, 'other', 'O', now + 9000, now);
        await store.putRecord(p, 'dev_', 'X', now + 9000, now); // '_' and '%' are not wildcards
        await store.putRecord(p, 'de%', 'Y', now + 9000, now);
        expect(await store.listRecords(p, 'dev:', now + 100)).toEqual([
          { key: 'dev:a', value: 'A', expiresAt: now + 9000 },
          { key: 'dev:b', value: 'B', expiresAt: now + 5000 },
        ]);
        await store.takeRecord(p, 'dev:a', now + 100);
        expect((await store.listRecords(p, 'dev:', now + 5000)).map((r) => r.key)).toEqual([]);
        expect((await store.listRecords(p, 'de%', now)).map((r) => r.key)).toEqual(['de%']);
        expect((await store.listRecords(uid('other'), 'dev:', now)).length).toBe(0);
      });
    });

    describe('hit', () => {
      it('counts up to the limit, then refuses without counting', async () => {
        const p = uid('h');
        const now = clock.now();
        const rule = { key: 'att', limit: 3, windowSeconds: 60 };
        const seen = [];
        for (let i = 0; i < 5; i++) seen.push(await store.hit(p, [rule], now + i));
        expect(seen.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
        expect(seen.map((r) => r.counts[0])).toEqual([1, 2, 3, 3, 3]);
        expect(seen.every((r) => r.resetAt[0] === now + 60_000)).toBe(true);
        expect(seen[0]!.authenticators).toBeUndefined();
        expect(seen[0]!.record).toBeUndefined();
        expect(seen[0]!.consumed).toBeUndefined();
      });

      it('is all or nothing across rules', async () => {
        const p = uid('h');
        const now = clock.now();
        const a = { key: 'a', limit: 10, windowSeconds: 60 };
        const b = { key: 'b', limit: 2, windowSeconds: 120 };
        await store.hit(p, [a, b], now);
        await store.hit(p, [a, b], now);
        const refused = await store.hit(p, [a, b], now);
        expect(refused).toMatchObject({ allowed: false, counts: [2, 2], resetAt: [now + 60_000, now + 120_000] });
        expect((await store.hit(p, [a], now)).counts).toEqual([3]);
      });

      it('starts a new window once the old one ends', async () => {
        const p = uid('h');
        const now = clock.now();
        const rule = { key: 'w', limit: 1, windowSeconds: 30 };
        expect((await store.hit(p, [rule], now)).allowed).toBe(true);
        expect((await store.hit(p, [rule], now + 29_999)).allowed).toBe(false);
        const fresh = await store.hit(p, [rule], now + 30_000);
        expect(fresh).toMatchObject({ allowed: true, counts: [1], resetAt: [now + 60_000] });
      });

      it('blockSeconds keeps the key blocked from the hit that reached the limit', async () => {
        const p = uid('h');
        const now = clock.now();
        const rule = { key: 'lock', limit: 2, windowSeconds: 60, blockSeconds: 600 };
        expect((await store.hit(p, [rule], now)).resetAt).toEqual([now + 60_000]);
        const second = await store.hit(p, [rule], now + 10_000);
        expect(second).toMatchObject({ allowed: true, counts: [2], resetAt: [now + 610_000] });
        expect((await store.hit(p, [rule], now + 300_000)).allowed).toBe(false);
        expect((await store.hit(p, [rule], now + 610_000)).allowed).toBe(true);
      });

      it('a window far in the future (a failure streak) neither overflows nor expires', async () => {
        const p = uid('h');
        const now = clock.now();
        const rule = { key: 'streak', limit: 3, windowSeconds: 100 * 365 * 86_400 };
        await store.hit(p, [rule], now);
        const r = await store.hit(p, [rule], now + 86_400_000);
        expect(r).toMatchObject({ allowed: true, counts: [2], resetAt: [now + rule.windowSeconds * 1000] });
      });

      it('loads authenticators, one live record and counters in the same call', async () => {
        const p = uid('h');
        const now = clock.now();
        const rule = { key: 'x', limit: 5, windowSeconds: 60 };
        const empty = await store.hit(p, [rule], now, { load: { authenticators: true, record: 'ch', counters: ['x', 'none'] } });
        expect(empty.authenticators).toEqual([]);
        expect(empty.record).toBeNull();
        expect(empty.counters).toEqual([{ count: 1, resetAt: now + 60_000 }, { count: 0, resetAt: 0 }]);
        const a = auth(p, 'one', now);
        await store.saveAuthenticator(a);
        await store.putRecord(p, 'ch', 'payload', now + 1000, now);
        const loaded = await store.hit(p, [rule], now + 1, { load: { authenticators: true, record: 'ch' } });
        expect(loaded.authenticators).toEqual([a]);
        expect(loaded.record).toBe('payload');
        expect((await store.hit(p, [rule], now + 1000, { load: { record: 'ch' } })).record).toBeNull();
        // A refused hit still loads.
        const refused = await store.hit(p, [{ key: 'x', limit: 1, windowSeconds: 60 }], now + 2, { load: { authenticators: true } });
        expect(refused.allowed).toBe(false);
        expect(refused.authenticators).toEqual([a]);
      });

      it('with no rules it only loads: nothing counted, counters read past their window as 0', async () => {
        const p = uid('h');
        const now = clock.now();
        const rule = { key: 'fail', limit: 5, windowSeconds: 60 };
        await store.hit(p, [rule], now);
        const read = await store.hit(p, [], now + 1, { load: { counters: ['fail'] } });
        expect(read).toMatchObject({ allowed: true, counts: [], resetAt: [], counters: [{ count: 1, resetAt: now + 60_000 }] });
        expect((await store.hit(p, [], now + 60_000, { load: { counters: ['fail'] } })).counters).toEqual([{ count: 0, resetAt: 0 }]);
        expect((await store.hit(p, [rule], now + 2)).counts).toEqual([2]);
      });

      it('consumes in the same step only when allowed, and settles only when consumed', async () => {
        const u = uid('h');
        const now = clock.now();
        await store.saveAuthenticator(auth(u, 'rc', now, { method: 'recovery' }));
        await store.setRecoveryCodes(u, ['good'], now);
        const att = { key: 'att', limit: 2, windowSeconds: 60 };
        const fail = { key: 'fail', limit: 10, windowSeconds: 60 };
        const settle = { reset: ['fail'] };
        const wrong = await store.hit(u, [att, fail], now, { consume: { recoveryCode: ['bad'] }, settle, load: { counters: ['fail'] } });
        expect(wrong).toMatchObject({ allowed: true, consumed: false, counts: [1, 1], counters: [{ count: 1 }] });
        const right = await store.hit(u, [att, fail], now, { consume: { recoveryCode: ['good'] }, settle, load: { counters: ['fail'], authenticators: true } });
        // Counted, then consumed, then settled: the failure count this hit made is reset.
        expect(right).toMatchObject({ allowed: true, consumed: true, counts: [2, 2], counters: [{ count: 0, resetAt: 0 }] });
        expect(right.authenticators).toHaveLength(1);
        expect(await store.recoveryCodes(u)).toEqual({ remaining: 0, lastUsedAt: now });
        await store.setRecoveryCodes(u, ['good2'], now);
        const refused = await store.hit(u, [att, fail], now, { consume: { recoveryCode: ['good2'] }, settle });
        expect(refused).toMatchObject({ allowed: false, consumed: false });
        expect(await store.recoveryCodes(u)).toEqual({ remaining: 1 }); // nothing consumed when refused
      });

      it('resetCounters clears only the keys named', async () => {
        const p = uid('h');
        const now = clock.now();
        const a = { key: 'a', limit: 1, windowSeconds: 60 };
        const b = { key: 'b', limit: 1, windowSeconds: 60 };
        await store.hit(p, [a, b], now);
        await store.resetCounters(p, ['a', 'nothing']);
        expect((await store.hit(p, [a], now)).allowed).toBe(true);
        expect((await store.hit(p, [b], now)).allowed).toBe(false);
      });
    });

    it('keeps partitions apart, the SDK\'s own ("\\u0001…") included', async () => {
      const base = uid('iso');
      const p1 = `${base}`;
      const p2 = `${base}}x`; // a brace must not let one partition reach into another
      const p3 = `\u0001${base}`;
      const now = clock.now();
      const rule = { key: 'k', limit: 1, windowSeconds: 60 };
      await store.saveAuthenticator(auth(p1, 'a', now));
      await store.setRecoveryCodes(p1, ['h'], now);
      await store.putRecord(p1, 'r', 'v1', now + 1000, now);
      await store.hit(p1, [rule], now);
      for (const other of [p2, p3]) {
        expect(await store.getAuthenticators(other)).toEqual([]);
        expect(await store.recoveryCodes(other)).toEqual({ remaining: 0 });
        expect(await store.consume(other, { recoveryCode: ['h'] }, now)).toBe(false);
        expect(await store.consume(other, { counter: { authenticatorId: 'a', value: 1 } }, now)).toBe(false);
        expect(await peek(other, 'r', now)).toBeNull();
        expect(await store.listRecords(other, '', now)).toEqual([]);
        expect((await store.hit(other, [rule], now)).allowed).toBe(true);
        expect(await store.deleteAuthenticators(other, ['a'])).toBe(0);
      }
      expect(await store.getAuthenticators(p1)).toHaveLength(1);
      expect(await peek(p1, 'r', now)).toBe('v1');
    });

    it('purge deletes everything of one partition and nothing of another', async () => {
      const u = uid('purge');
      const other = uid('purge');
      const now = clock.now();
      for (const p of [u, other]) {
        await store.saveAuthenticator(auth(p, 'a', now));
        await store.consume(p, { counter: { authenticatorId: 'a', value: 5 } }, now);
        await store.setRecoveryCodes(p, ['h1'], now);
        await store.putRecord(p, 'ch:totp', 'c', now + 60_000, now);
        await store.putRecord(p, 'dev:1', 'd', now + 60_000, now);
        await store.hit(p, [{ key: 'fail', limit: 1, windowSeconds: 600 }, { key: 'att:ch:x', limit: 9, windowSeconds: 600 }], now);
      }
      await store.purge(u);
      expect(await store.getAuthenticators(u)).toEqual([]);
      expect(await store.recoveryCodes(u)).toEqual({ remaining: 0 });
      expect(await store.listRecords(u, '', now)).toEqual([]);
      expect((await store.hit(u, [], now, { load: { counters: ['fail', 'att:ch:x'] } })).counters).toEqual([{ count: 0, resetAt: 0 }, { count: 0, resetAt: 0 }]);
      await store.saveAuthenticator(auth(u, 'a', now));
      expect(await store.consume(u, { counter: { authenticatorId: 'a', value: 1 } }, now)).toBe(true); // the counter went too
      // The other partition is whole.
      expect(await store.getAuthenticators(other)).toEqual([{ ...auth(other, 'a', now), counter: 5 }]);
      expect(await store.recoveryCodes(other)).toEqual({ remaining: 1 });
      expect((await store.listRecords(other, '', now)).map((r) => r.key)).toEqual(['ch:totp', 'dev:1']);
      expect((await store.hit(other, [], now, { load: { counters: ['fail'] } })).counters![0]!.count).toBe(1);
    });

    it('users() lists every user with authenticators, when the store can', async () => {
      if (!store.users) return expect(store.users).toBeUndefined();
      const u1 = uid('list');
      const u2 = uid('list');
      await store.saveAuthenticator(auth(u1, 'a', t0));
      await store.saveAuthenticator(auth(u2, 'b', t0));
      await store.putRecord(uid('list-only-records'), 'r', 'v', t0 + 1000, t0);
      const seen = new Set<string>();
      for await (const u of store.users()) seen.add(u);
      expect(seen.has(u1) && seen.has(u2)).toBe(true);
      expect([...seen].some((u) => u.startsWith('list-only-records'))).toBe(false);
    });

    const storm = options.storm ?? 200;
    describe('concurrency', () => {
      it(`${storm} parallel hits on one key with limit 5 allow exactly 5`, async () => {
        const p = uid('c');
        const now = clock.now();
        const rules = [
          { key: 'att:ch', limit: 5, windowSeconds: 600 },
          { key: 'hour', limit: 1000, windowSeconds: 3600 },
        ];
        const results = await Promise.all(Array.from({ length: storm }, () => store.hit(p, rules, now)));
        expect(results.filter((r) => r.allowed)).toHaveLength(5);
        expect([...results.filter((r) => r.allowed).map((r) => r.counts[0])].sort()).toEqual([1, 2, 3, 4, 5]);
        expect((await store.hit(p, [rules[1]!], now)).counts).toEqual([6]); // refused hits counted nothing
      });

      it('20 parallel counter consumes of one value: exactly one wins', async () => {
        const u = uid('c');
        await store.saveAuthenticator(auth(u, 'k', clock.now()));
        const r = await Promise.all(Array.from({ length: 20 }, () => store.consume(u, { counter: { authenticatorId: 'k', value: 4242 } }, clock.now())));
        expect(r.filter(Boolean)).toHaveLength(1);
      });

      it('20 parallel uses of one recovery code: exactly one wins', async () => {
        const u = uid('c');
        await store.setRecoveryCodes(u, ['one', 'two'], clock.now());
        const r = await Promise.all(Array.from({ length: 20 }, () => store.consume(u, { recoveryCode: ['one'] }, clock.now())));
        expect(r.filter(Boolean)).toHaveLength(1);
        expect((await store.recoveryCodes(u)).remaining).toBe(1);
      });

      it('20 parallel hit-and-consume of one recovery code: exactly one consumes', async () => {
        const u = uid('c');
        await store.setRecoveryCodes(u, ['one'], clock.now());
        const rules = [{ key: 'fail', limit: 1000, windowSeconds: 600 }];
        const r = await Promise.all(Array.from({ length: 20 }, () => store.hit(u, rules, clock.now(), { consume: { recoveryCode: ['one'] }, settle: { reset: ['fail'] } })));
        expect(r.filter((x) => x.consumed)).toHaveLength(1);
        expect(r.every((x) => x.allowed)).toBe(true);
      });

      it('20 parallel record-and-counter consumes (a WebAuthn assertion): exactly one wins', async () => {
        const u = uid('c');
        await store.saveAuthenticator(auth(u, 'key', clock.now(), { method: 'webauthn' }));
        await store.putRecord(u, 'ch:webauthn', 'c', clock.now() + 60_000, clock.now());
        const r = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.consume(u, { record: 'ch:webauthn', counter: { authenticatorId: 'key', value: 10 + i, allowZero: true } }, clock.now())),
        );
        expect(r.filter(Boolean)).toHaveLength(1);
      });

      it('20 parallel takeRecord: exactly one gets the value', async () => {
        const p = uid('c');
        await store.putRecord(p, 'k', 'only-once', clock.now() + 60_000, clock.now());
        const r = await Promise.all(Array.from({ length: 20 }, () => store.takeRecord(p, 'k', clock.now())));
        expect(r.filter((v) => v !== null)).toEqual(['only-once']);
      });

      it('two parallel updateAuthenticator from one secret: exactly one wins', async () => {
        const u = uid('c');
        const a = auth(u, 'k', clock.now());
        await store.saveAuthenticator(a);
        const r = await Promise.all([store.updateAuthenticator({ ...a, name: 'one', secret: 's1' }, a.secret), store.updateAuthenticator({ ...a, name: 'two', secret: 's2' }, a.secret)]);
        expect(r.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('through twofa.verify', () => {
      // User-wide limits far above the storm, so every parallel call reaches the store's
      // consume (or the per-challenge counter) and the store alone decides the outcome.
      const policy = { lockoutAfter: 10_000, hourlyMaxAttempts: 10_000, maxConsecutiveFailures: 10_000 };
      const manager = () => createTwoFactor({ issuer: 'Conformance', store, clock, policy, encryptionKeys: [HEX_KEY], methods: [totp(), recoveryCodes()] });
      const codeAt = (secret: string, ms: number) => generateSync({ secret, epoch: Math.floor(ms / 1000) });

      async function enrolled(apps = 1) {
        const twofa = manager();
        const user = uid('u');
        const secrets: string[] = [];
        let codes: string[] = [];
        for (let i = 0; i < apps; i++) {
          const e = await twofa.enroll(user, 'totp', { label: 'conformance', name: `app ${i}` });
          const confirmed = await twofa.confirmEnrollment(user, e.id, codeAt(e.secret, clock.now()));
          expect(confirmed.ok).toBe(true);
          if (confirmed.ok && confirmed.recoveryCodes) codes = confirmed.recoveryCodes;
          secrets.push(e.secret);
        }
        clock.advanceSeconds(30); // the confirming step is used; later tests need a fresh one
        return { twofa, user, secret: secrets[0]!, secrets, codes };
      }

      it(`${storm} parallel wrong codes on one challenge count exactly maxAttempts`, async () => {
        const { twofa, user, secret } = await enrolled();
        const ch = await twofa.challenge(user, { method: 'totp' });
        const right = codeAt(secret, clock.now());
        const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
        const results = await Promise.all(Array.from({ length: storm }, () => twofa.verify(user, { challengeId: ch.id, code: wrong })));
        expect(results.some((r) => r.ok)).toBe(false);
        const errors = results.map((r) => (r.ok ? 'ok' : r.error));
        expect(errors.filter((e) => e === 'invalid_code')).toHaveLength(5);
        expect(errors.filter((e) => e === 'max_attempts')).toHaveLength(storm - 5);
        // Nothing more was counted or let through: the right code is refused now.
        const after = await twofa.verify(user, { challengeId: ch.id, code: right });
        expect(after.ok).toBe(false);
      });

      it('one valid TOTP code sent 20 times in parallel is accepted once, across all the user\'s apps', async () => {
        const { twofa, user, secrets } = await enrolled(3);
        const code = codeAt(secrets[1]!, clock.now());
        const results = await Promise.all(Array.from({ length: 20 }, () => twofa.verify(user, { method: 'totp', code })));
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok && r.error === 'invalid_code')).toHaveLength(19); // each reached the step check
        const winner = results.find((r) => r.ok);
        const listed = await twofa.methods(user);
        expect(listed.filter((a) => a.method === 'totp').map((a) => a.name)).toEqual(['app 0', 'app 1', 'app 2']);
        expect(winner).toMatchObject({ authenticatorId: listed[1]!.id });
      });

      it('two parallel confirmations of two new authenticators both succeed, with one recovery set', async () => {
        const verifier = fakeVerifier({ clock });
        const twofa = createTwoFactor({ issuer: 'Conformance', store, clock, policy, encryptionKeys: [HEX_KEY], methods: [totp(), phone({ verifier }), recoveryCodes()] });
        const user = uid('u');
        const app = await twofa.enroll(user, 'totp', { name: 'Phone app' });
        const work = await twofa.enroll(user, 'phone', { phoneNumber: '+12015550123', name: 'Work phone' });
        const results = await Promise.all([
          twofa.confirmEnrollment(user, app.id, codeAt(app.secret, clock.now())),
          twofa.confirmEnrollment(user, work.id, verifier.lastCode()!),
        ]);
        expect(results.map((r) => r.ok)).toEqual([true, true]);
        expect(results.filter((r) => r.ok && r.recoveryCodes)).toHaveLength(1);
        const listed = await twofa.methods(user);
        expect(listed.map((a) => [a.method, a.name, a.status])).toEqual([
          ['totp', 'Phone app', 'active'],
          ['phone', 'Work phone', 'active'],
          ['recovery', undefined, 'active'],
        ]);
      });

      it('one recovery code sent 20 times in parallel is accepted once', async () => {
        const { twofa, user, codes } = await enrolled();
        expect(codes.length).toBeGreaterThan(1);
        const results = await Promise.all(Array.from({ length: 20 }, () => twofa.verify(user, { method: 'recovery', code: codes[0]! })));
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok && r.error === 'invalid_code')).toHaveLength(19);
        expect((await twofa.methods(user)).find((m) => m.method === 'recovery')?.remaining).toBe(codes.length - 1);
      });

      it('step-up: a proof is fresh for its user within maxAge, and not once its authenticator is gone', async () => {
        const { twofa, user, secret } = await enrolled(2);
        const r = await twofa.verify(user, { method: 'totp', code: codeAt(secret, clock.now()) });
        if (!r.ok) throw new Error('verify failed');
        const fresh = (o: { userId?: string; maxAgeSeconds?: number; methods?: string[] } = {}) => twofa.isFresh(r.proof, { userId: user, maxAgeSeconds: 300, ...o });
        expect(await fresh()).toBe(true);
        expect(await fresh({ methods: ['totp'] })).toBe(true);
        expect(await fresh({ methods: ['phone'] })).toBe(false);
        expect(await fresh({ userId: uid('other') })).toBe(false);
        expect(await twofa.isFresh(`${r.proof.slice(0, -3)}xyz`, { userId: user, maxAgeSeconds: 300 })).toBe(false);
        clock.advanceSeconds(301);
        expect(await fresh()).toBe(false);
        expect(await fresh({ maxAgeSeconds: 400 })).toBe(true);
        await twofa.remove(user, r.authenticatorId);
        expect(await fresh({ maxAgeSeconds: 400 })).toBe(false);
      });

      it('required 2FA: grace, then overdue (said once), enrolled, and forgotten when no longer required', async () => {
        const twofa = createTwoFactor({ issuer: 'Conformance', store, clock, policy, encryptionKeys: [HEX_KEY], methods: [totp(), recoveryCodes()], requirement: { graceSeconds: 86_400 } });
        const events: string[] = [];
        twofa.on('requirement.grace_started', () => events.push('grace'));
        twofa.on('requirement.overdue', () => events.push('overdue'));
        const user = uid('req');
        const start = clock.now();
        expect(await twofa.requirement(user, { required: false })).toEqual({ state: 'not_required' });
        // Reading only (an admin page) starts nothing.
        clock.advanceSeconds(5);
        expect(await twofa.requirement(user, { required: true, record: false })).toEqual({ state: 'grace', since: start + 5000, until: start + 5000 + 86_400_000 });
        expect(events).toEqual([]);
        clock.set(start);
        expect(await twofa.requirement(user, { required: true })).toEqual({ state: 'grace', since: start, until: start + 86_400_000 });
        clock.advanceSeconds(3600);
        expect(await twofa.requirement(user, { required: true })).toEqual({ state: 'grace', since: start, until: start + 86_400_000 });
        clock.set(start + 86_400_000);
        expect(await twofa.requirement(user, { required: true })).toEqual({ state: 'overdue', since: start, until: start + 86_400_000, mayEnroll: true });
        expect(await twofa.requirement(user, { required: true })).toMatchObject({ state: 'overdue' });
        expect(events).toEqual(['grace', 'overdue']);
        const e = await twofa.enroll(user, 'totp');
        await twofa.confirmEnrollment(user, e.id, codeAt(e.secret, clock.now()));
        expect(await twofa.requirement(user, { required: true })).toEqual({ state: 'enrolled' });
        expect(await twofa.requirement(user, { required: false })).toEqual({ state: 'not_required' });
        // Required again later, without 2FA: a new grace period (the old start was forgotten).
        const other = uid('req');
        await twofa.requirement(other, { required: true });
        await twofa.requirement(other, { required: false });
        clock.advanceSeconds(10);
        expect(await twofa.requirement(other, { required: true })).toMatchObject({ state: 'grace', since: clock.now() });
      });

      it('imports a TOTP secret with its last used step, and recovery codes another library issued', async () => {
        const twofa = manager();
        const user = uid('imp');
        const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
        const step = Math.floor(clock.now() / 30_000);
        const { authenticatorId } = await twofa.importAuthenticator(user, { method: 'totp', data: { secret, label: 'ada@example.com' }, name: 'Old app', lastUsedStep: step });
        // The step the old system saw used is refused here too; the next one passes.
        expect(await twofa.verify(user, { method: 'totp', code: codeAt(secret, clock.now()) })).toMatchObject({ ok: false, error: 'invalid_code' });
        clock.advanceSeconds(30);
        expect(await twofa.verify(user, { method: 'totp', code: codeAt(secret, clock.now()) })).toMatchObject({ ok: true, authenticatorId });
        // Devise-style hex codes and django-otp-style base32 codes, used once each.
        await twofa.importAuthenticator(user, { method: 'recovery', data: { codes: ['a1b2c3d4e5', '7f3k2m9qzxw4abcd'] } });
        expect(await twofa.verify(user, { method: 'recovery', code: 'A1B2C3D4E5' })).toMatchObject({ ok: true });
        expect(await twofa.verify(user, { method: 'recovery', code: 'a1b2c3d4e5' })).toMatchObject({ ok: false, error: 'invalid_code' });
        expect((await twofa.methods(user)).map((a) => [a.method, a.name, a.remaining])).toEqual([
          ['totp', 'Old app', undefined],
          ['recovery', undefined, 1],
        ]);
        await expect(twofa.importAuthenticator(user, { method: 'totp', data: { secret: 'not base32!' } })).rejects.toMatchObject({ code: 'invalid_input' });
      });

      it('admin reset removes everything of the user in one step, or nothing when the store fails', async () => {
        const { twofa, user, secret, codes } = await enrolled();
        await twofa.rememberDevice(user, { name: 'laptop' });
        await twofa.challenge(user, { method: 'totp' });
        await twofa.verify(user, { method: 'totp', code: '000000' });
        // A store that fails at the reset: nothing at all is removed.
        const failing = new Proxy(store, {
          get: (t, k, r) => (k === 'purge' ? async () => Promise.reject(new Error('connection lost')) : Reflect.get(t, k, r)),
        });
        const broken = createTwoFactor({ issuer: 'Conformance', store: failing, clock, policy, encryptionKeys: [HEX_KEY], methods: [totp(), recoveryCodes()] });
        await expect(broken.reset(user, { actor: 'support:ann', reason: 'lost phone, ticket 42' })).rejects.toMatchObject({ code: 'store_unavailable' });
        expect((await twofa.methods(user)).map((m) => m.method)).toEqual(['totp', 'recovery']);
        expect(await twofa.devices(user)).toHaveLength(1);
        const resets: unknown[] = [];
        twofa.on('admin.reset', (e) => resets.push(e));
        await twofa.reset(user, { actor: 'support:ann', reason: 'lost phone, ticket 42' });
        expect(resets).toEqual([{ userId: user, actor: 'support:ann', reason: 'lost phone, ticket 42', at: clock.now() }]);
        expect(await twofa.methods(user)).toEqual([]);
        expect(await twofa.devices(user)).toEqual([]);
        expect(await store.listRecords(user, '', clock.now())).toEqual([]);
        expect((await store.hit(user, [], clock.now(), { load: { counters: ['fail', 'hour'] } })).counters!.map((c) => c.count)).toEqual([0, 0]);
        await expect(twofa.verify(user, { method: 'recovery', code: codes[0]! })).rejects.toMatchObject({ code: 'not_enrolled' });
        await expect(twofa.verify(user, { method: 'totp', code: codeAt(secret, clock.now()) })).rejects.toMatchObject({ code: 'not_enrolled' });
        // The user can start again at once.
        const again = await twofa.enroll(user, 'totp');
        expect((await twofa.confirmEnrollment(user, again.id, codeAt(again.secret, clock.now()))).ok).toBe(true);
      });

      if (options.roundTrips) {
        const count = options.roundTrips;
        it('round trips per verify: TOTP right ≤ 2, TOTP wrong 1, recovery code 1', async () => {
          const { twofa, user, secret, codes } = await enrolled();
          const trips = async (f: () => Promise<unknown>) => {
            const before = count(store);
            await f();
            return count(store) - before;
          };
          const right = await trips(async () => expect(await twofa.verify(user, { method: 'totp', code: codeAt(secret, clock.now()) })).toMatchObject({ ok: true, method: 'totp' }));
          const wrong = await trips(async () => expect(await twofa.verify(user, { method: 'totp', code: '000000' })).toMatchObject({ ok: false }));
          const recovery = await trips(async () => expect(await twofa.verify(user, { method: 'recovery', code: codes[1]! })).toMatchObject({ ok: true }));
          expect(right).toBeGreaterThan(0);
          expect(right).toBeLessThanOrEqual(2);
          expect(wrong).toBe(1);
          expect(recovery).toBe(1);
        });
      }
    });
  });
}
