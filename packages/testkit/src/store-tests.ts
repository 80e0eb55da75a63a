import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSync } from 'otplib';
import { createTwoFactor, recoveryCodes, totp, type Store } from '@twofa/core';
import { type AuthenticatorRecord } from '@twofa/core/adapter';
import { FakeClock } from './fake-clock.js';

export interface StoreFixture<S extends Store = Store> {
  store: S;
  /** Drops what the run left behind (keys, schema) and closes connections. */
  cleanup?: () => Promise<void>;
}

export interface StoreTestContext {
  /** The clock every test drives; hand it to the store if it takes one (only cleanup timers may use it). */
  clock: FakeClock;
}

export interface StoreTestOptions<S extends Store = Store> {
  /** Reads a round-trip counter, enabling the "at most 2 round trips per verify" test. */
  roundTrips?: (store: S) => number;
  /** Parallel calls in the rate-limit storm. Default 200. */
  storm?: number;
}

const HEX_KEY = 'a1'.repeat(32);
let seq = 0;
/** Partition ids unique per run, with characters stores must not trip over. */
const uid = (label: string) => `${label}:{${Date.now().toString(36)}-${(++seq).toString(36)}}%é`;

function auth(userId: string, id: string, createdAt: number, extra: Partial<AuthenticatorRecord> = {}): AuthenticatorRecord {
  return { userId, id, type: 'totp', status: 'active', secret: `v1:${id}:ciphertext`, display: { label: `Phone ${id}` }, createdAt, ...extra };
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

    describe('authenticators', () => {
      it('saves, lists oldest first and returns copies', async () => {
        const u = uid('a');
        expect(await store.getAuthenticators(u)).toEqual([]);
        // Ids sort the other way round, so a store ordering by id fails.
        const z = auth(u, 'z', t0 + 1000, { confirmedAt: t0 + 1500, lastUsedAt: t0 + 1600 });
        const a = auth(u, 'a', t0 + 2000, { status: 'pending' });
        await store.saveAuthenticator(z);
        await store.saveAuthenticator(a);
        const list = await store.getAuthenticators(u);
        expect(list).toEqual([z, a]);
        list[0]!.display!.label = 'changed';
        expect((await store.getAuthenticators(u))[0]!.display).toEqual({ label: 'Phone z' });
      });

      it('replaces a record with the same id in place', async () => {
        const u = uid('a');
        await store.saveAuthenticator(auth(u, 'x', t0, { status: 'pending' }));
        await store.saveAuthenticator(auth(u, 'x', t0, { status: 'active', confirmedAt: t0 + 5 }));
        expect(await store.getAuthenticators(u)).toEqual([auth(u, 'x', t0, { status: 'active', confirmedAt: t0 + 5 })]);
      });

      it('deletes the replace ids in the same step, with their TOTP step state', async () => {
        const u = uid('a');
        await store.saveAuthenticator(auth(u, 'old', t0));
        await store.saveAuthenticator(auth(u, 'keep', t0 + 1));
        expect(await store.useTotpStep(u, 'old', 100, t0)).toBe(true);
        await store.saveAuthenticator(auth(u, 'new', t0 + 2), ['old', 'new', 'missing']);
        expect((await store.getAuthenticators(u)).map((x) => x.id)).toEqual(['keep', 'new']);
        await store.saveAuthenticator(auth(u, 'old', t0 + 3));
        expect(await store.useTotpStep(u, 'old', 50, t0)).toBe(true); // the old step went with it
      });

      it('deleteAuthenticators counts what existed and drops step state', async () => {
        const u = uid('a');
        await store.saveAuthenticator(auth(u, 'a', t0));
        await store.saveAuthenticator(auth(u, 'b', t0 + 1));
        expect(await store.useTotpStep(u, 'a', 10, t0)).toBe(true);
        expect(await store.deleteAuthenticators(u, ['a', 'a', 'zz'])).toBe(1);
        expect((await store.getAuthenticators(u)).map((x) => x.id)).toEqual(['b']);
        expect(await store.deleteAuthenticators(uid('nobody'), ['a'])).toBe(0);
        await store.saveAuthenticator(auth(u, 'a', t0 + 2));
        expect(await store.useTotpStep(u, 'a', 5, t0)).toBe(true);
      });
    });

    describe('useTotpStep', () => {
      it('accepts only later steps and touches lastUsedAt', async () => {
        const u = uid('t');
        expect(await store.useTotpStep(u, 'none', 1, t0)).toBe(false);
        await store.saveAuthenticator(auth(u, 'k', t0));
        expect(await store.useTotpStep(u, 'other', 1, t0)).toBe(false);
        expect(await store.useTotpStep(u, 'k', 1000, t0 + 10)).toBe(true);
        expect((await store.getAuthenticators(u))[0]!.lastUsedAt).toBe(t0 + 10);
        expect(await store.useTotpStep(u, 'k', 1000, t0 + 20)).toBe(false);
        expect(await store.useTotpStep(u, 'k', 999, t0 + 20)).toBe(false);
        expect((await store.getAuthenticators(u))[0]!.lastUsedAt).toBe(t0 + 10);
        expect(await store.useTotpStep(u, 'k', 1001, t0 + 30)).toBe(true);
        expect((await store.getAuthenticators(u))[0]!.lastUsedAt).toBe(t0 + 30);
      });

      it('applies settle only when the step is accepted', async () => {
        const u = uid('t');
        await store.saveAuthenticator(auth(u, 'k', t0));
        await store.saveAuthenticator(auth(u, 'r', t0 + 1, { type: 'recovery' }));
        const rule = { key: 'fail', limit: 9, windowSeconds: 600 };
        await store.hit(u, [rule], t0);
        await store.putRecord(u, 'ch:1', 'challenge', t0 + 60_000);
        const settle = { reset: ['fail'], drop: ['ch:1'], touch: 'r' };
        expect(await store.useTotpStep(u, 'k', 7, t0 + 5, settle)).toBe(true);
        expect(await store.useTotpStep(u, 'k', 7, t0 + 6, settle)).toBe(false);
        expect((await store.hit(u, [rule], t0 + 7)).counts).toEqual([1]);
        expect(await store.getRecord(u, 'ch:1', t0 + 7)).toBeNull();
        expect((await store.getAuthenticators(u)).map((a) => a.lastUsedAt)).toEqual([t0 + 5, t0 + 5]);

        await store.putRecord(u, 'ch:2', 'challenge', t0 + 60_000);
        expect(await store.useTotpStep(u, 'k', 6, t0 + 8, { reset: ['fail'], drop: ['ch:2'], touch: 'r' })).toBe(false);
        expect((await store.hit(u, [rule], t0 + 9)).counts).toEqual([2]);
        expect(await store.getRecord(u, 'ch:2', t0 + 9)).toBe('challenge');
        expect((await store.getAuthenticators(u)).map((a) => a.lastUsedAt)).toEqual([t0 + 5, t0 + 5]);
      });
    });

    describe('recovery codes', () => {
      it('uses a code once by any of its candidate hashes and counts what is left', async () => {
        const u = uid('r');
        expect(await store.countRecoveryCodes(u)).toBe(0);
        expect(await store.useRecoveryCode(u, ['h1'], t0)).toBe(false);
        await store.setRecoveryCodes(u, ['h1', 'h2', 'h3'], t0);
        expect(await store.countRecoveryCodes(u)).toBe(3);
        expect(await store.useRecoveryCode(u, ['nope', 'h2'], t0)).toBe(true);
        expect(await store.countRecoveryCodes(u)).toBe(2);
        expect(await store.useRecoveryCode(u, ['h2'], t0)).toBe(false);
        expect(await store.useRecoveryCode(u, ['nope'], t0)).toBe(false);
        expect(await store.useRecoveryCode(u, [], t0)).toBe(false);
        expect(await store.countRecoveryCodes(u)).toBe(2);
      });

      it('replaces all codes on set, and an empty list deletes them', async () => {
        const u = uid('r');
        await store.setRecoveryCodes(u, ['a1', 'a2'], t0);
        await store.setRecoveryCodes(u, ['b1'], t0);
        expect(await store.useRecoveryCode(u, ['a1'], t0)).toBe(false);
        expect(await store.countRecoveryCodes(u)).toBe(1);
        await store.setRecoveryCodes(u, [], t0);
        expect(await store.countRecoveryCodes(u)).toBe(0);
        expect(await store.useRecoveryCode(u, ['b1'], t0)).toBe(false);
      });

      it('applies settle only on a successful use', async () => {
        const u = uid('r');
        await store.saveAuthenticator(auth(u, 'rc', t0, { type: 'recovery' }));
        await store.setRecoveryCodes(u, ['c1'], t0);
        const rule = { key: 'fail', limit: 9, windowSeconds: 600 };
        await store.hit(u, [rule], t0);
        await store.putRecord(u, 'ch', 'v', t0 + 60_000);
        expect(await store.useRecoveryCode(u, ['x'], t0 + 1, { reset: ['fail'], drop: ['ch'], touch: 'rc' })).toBe(false);
        expect(await store.getRecord(u, 'ch', t0 + 1)).toBe('v');
        expect((await store.getAuthenticators(u))[0]!.lastUsedAt).toBeUndefined();
        expect(await store.useRecoveryCode(u, ['c1'], t0 + 2, { reset: ['fail'], drop: ['ch'], touch: 'rc' })).toBe(true);
        expect(await store.getRecord(u, 'ch', t0 + 3)).toBeNull();
        expect((await store.hit(u, [rule], t0 + 3)).counts).toEqual([1]);
        expect((await store.getAuthenticators(u))[0]!.lastUsedAt).toBe(t0 + 2);
      });
    });

    describe('records', () => {
      it('puts, overwrites and expires by the `now` passed in', async () => {
        const p = uid('rec');
        expect(await store.getRecord(p, 'k', clock.now())).toBeNull();
        const exp = clock.now() + 60_000;
        await store.putRecord(p, 'k', 'one', exp);
        await store.putRecord(p, 'k', 'two', exp);
        expect(await store.getRecord(p, 'k', exp - 1)).toBe('two');
        expect(await store.getRecord(p, 'k', exp)).toBeNull();
        expect(await store.takeRecord(p, 'k', exp + 1)).toBeNull();
      });

      it('follows the fake clock: a record is gone once the clock passes its expiry', async () => {
        const p = uid('rec');
        await store.putRecord(p, 'k', 'v', clock.now() + 10_000);
        clock.advanceSeconds(9);
        expect(await store.getRecord(p, 'k', clock.now())).toBe('v');
        clock.advanceSeconds(1);
        expect(await store.getRecord(p, 'k', clock.now())).toBeNull();
      });

      it('takeRecord returns the value once and settles only when it took something', async () => {
        const p = uid('rec');
        const now = clock.now();
        await store.saveAuthenticator(auth(p, 'k', now));
        const rule = { key: 'c', limit: 9, windowSeconds: 600 };
        await store.hit(p, [rule], now);
        await store.putRecord(p, 'take', 'secret-ish', now + 1000);
        await store.putRecord(p, 'other', 'o', now + 1000);
        expect(await store.takeRecord(p, 'missing', now, { reset: ['c'], drop: ['other'], touch: 'k' })).toBeNull();
        expect(await store.getRecord(p, 'other', now)).toBe('o');
        expect(await store.takeRecord(p, 'take', now + 1, { reset: ['c'], drop: ['other'], touch: 'k' })).toBe('secret-ish');
        expect(await store.takeRecord(p, 'take', now + 1)).toBeNull();
        expect(await store.getRecord(p, 'other', now + 1)).toBeNull();
        expect((await store.hit(p, [rule], now + 2)).counts).toEqual([1]);
        expect((await store.getAuthenticators(p))[0]!.lastUsedAt).toBe(now + 1);
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

      it('loads authenticators and one live record in the same call', async () => {
        const p = uid('h');
        const now = clock.now();
        const rule = { key: 'x', limit: 5, windowSeconds: 60 };
        const empty = await store.hit(p, [rule], now, { authenticators: true, record: 'ch' });
        expect(empty.authenticators).toEqual([]);
        expect(empty.record).toBeNull();
        const a = auth(p, 'one', now);
        await store.saveAuthenticator(a);
        await store.putRecord(p, 'ch', 'payload', now + 1000);
        const loaded = await store.hit(p, [rule], now + 1, { authenticators: true, record: 'ch' });
        expect(loaded.authenticators).toEqual([a]);
        expect(loaded.record).toBe('payload');
        expect((await store.hit(p, [rule], now + 1000, { record: 'ch' })).record).toBeNull();
        // A refused hit still loads.
        const refused = await store.hit(p, [{ key: 'x', limit: 1, windowSeconds: 60 }], now + 2, { authenticators: true });
        expect(refused.allowed).toBe(false);
        expect(refused.authenticators).toEqual([a]);
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

    it('keeps partitions apart', async () => {
      const base = uid('iso');
      const p1 = `${base}`;
      const p2 = `${base}}x`; // a brace must not let one partition reach into another
      const now = clock.now();
      const rule = { key: 'k', limit: 1, windowSeconds: 60 };
      await store.saveAuthenticator(auth(p1, 'a', now));
      await store.setRecoveryCodes(p1, ['h'], now);
      await store.putRecord(p1, 'r', 'v1', now + 1000);
      await store.hit(p1, [rule], now);
      expect(await store.getAuthenticators(p2)).toEqual([]);
      expect(await store.countRecoveryCodes(p2)).toBe(0);
      expect(await store.useRecoveryCode(p2, ['h'], now)).toBe(false);
      expect(await store.useTotpStep(p2, 'a', 1, now)).toBe(false);
      expect(await store.getRecord(p2, 'r', now)).toBeNull();
      expect((await store.hit(p2, [rule], now)).allowed).toBe(true);
      expect(await store.deleteAuthenticators(p2, ['a'])).toBe(0);
      expect(await store.getAuthenticators(p1)).toHaveLength(1);
      expect(await store.getRecord(p1, 'r', now)).toBe('v1');
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

      it('20 parallel useTotpStep with one step: exactly one wins', async () => {
        const u = uid('c');
        await store.saveAuthenticator(auth(u, 'k', clock.now()));
        const r = await Promise.all(Array.from({ length: 20 }, () => store.useTotpStep(u, 'k', 4242, clock.now())));
        expect(r.filter(Boolean)).toHaveLength(1);
      });

      it('20 parallel useRecoveryCode of one code: exactly one wins', async () => {
        const u = uid('c');
        await store.setRecoveryCodes(u, ['one', 'two'], clock.now());
        const r = await Promise.all(Array.from({ length: 20 }, () => store.useRecoveryCode(u, ['one'], clock.now())));
        expect(r.filter(Boolean)).toHaveLength(1);
        expect(await store.countRecoveryCodes(u)).toBe(1);
      });

      it('20 parallel takeRecord: exactly one gets the value', async () => {
        const p = uid('c');
        await store.putRecord(p, 'k', 'only-once', clock.now() + 60_000);
        const r = await Promise.all(Array.from({ length: 20 }, () => store.takeRecord(p, 'k', clock.now())));
        expect(r.filter((v) => v !== null)).toEqual(['only-once']);
      });
    });

    describe('through twofa.verify', () => {
      // User-wide limits far above the storm, so every parallel call reaches the store's
      // consume (or the per-challenge counter) and the store alone decides the outcome.
      const policy = { lockoutAfter: 10_000, hourlyMaxAttempts: 10_000 };
      const manager = () => createTwoFactor({ issuer: 'Conformance', store, clock, policy, encryptionKeys: [HEX_KEY], interfaces: [totp(), recoveryCodes()] });
      const codeAt = (secret: string, ms: number) => generateSync({ secret, epoch: Math.floor(ms / 1000) });

      async function enrolled() {
        const twofa = manager();
        const user = uid('u');
        const e = (await twofa.enroll(user, 'totp', { label: 'conformance' })) as unknown as { secret: string };
        const confirmed = await twofa.confirmEnrollment(user, 'totp', codeAt(e.secret, clock.now()));
        expect(confirmed.ok).toBe(true);
        clock.advanceSeconds(30); // the confirming step is used; later tests need a fresh one
        return { twofa, user, secret: e.secret, codes: (confirmed as { recoveryCodes?: string[] }).recoveryCodes ?? [] };
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

      it('one valid TOTP code sent 20 times in parallel is accepted once', async () => {
        const { twofa, user, secret } = await enrolled();
        const code = codeAt(secret, clock.now());
        const results = await Promise.all(Array.from({ length: 20 }, () => twofa.verify(user, { method: 'totp', code })));
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok && r.error === 'invalid_code')).toHaveLength(19); // each reached the step check
      });

      it('one recovery code sent 20 times in parallel is accepted once', async () => {
        const { twofa, user, codes } = await enrolled();
        expect(codes.length).toBeGreaterThan(1);
        const results = await Promise.all(Array.from({ length: 20 }, () => twofa.verify(user, { method: 'recovery', code: codes[0]! })));
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok && r.error === 'invalid_code')).toHaveLength(19);
        expect(await twofa.recoveryCodesRemaining(user)).toBe(codes.length - 1);
      });

      if (options.roundTrips) {
        const count = options.roundTrips;
        it('a TOTP or recovery-code verify takes at most 2 round trips', async () => {
          const { twofa, user, secret, codes } = await enrolled();
          let before = count(store);
          expect(await twofa.verify(user, { method: 'totp', code: codeAt(secret, clock.now()) })).toEqual({ ok: true, method: 'totp' });
          const totpTrips = count(store) - before;
          before = count(store);
          expect(await twofa.verify(user, { method: 'recovery', code: codes[1]! })).toMatchObject({ ok: true });
          const recoveryTrips = count(store) - before;
          expect(totpTrips).toBeGreaterThan(0);
          expect(totpTrips).toBeLessThanOrEqual(2);
          expect(recoveryTrips).toBeGreaterThan(0);
          expect(recoveryTrips).toBeLessThanOrEqual(2);
        });
      }
    });
  });
}
