import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSync } from 'otplib';
import { createTwoFactor, isTwoFactorError, recoveryCodes, totp } from '@twofa/core';
import { FakeClock, freeRedisPort, startRedisServer, type RedisServerHandle } from '@twofa/testkit';
import { redisStore, type RedisStore } from '../src/index.js';

// A redis-server of our own (not the shared 6379), durable, so a crash loses nothing acknowledged.
describe('redis store: server crash and restart', () => {
  let server: RedisServerHandle;
  let store: RedisStore;
  const clock = new FakeClock();

  beforeAll(async () => {
    server = await startRedisServer({ durable: true });
    store = redisStore({ url: server.url, prefix: 'faults:', readyTimeoutMs: 300 });
    await store.ping();
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  const settled = <T,>(p: Promise<T>) => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

  it('fails closed with store_unavailable, recovers after restart, and leaves nothing half-applied', async () => {
    const u = 'crash-user';
    const now = clock.now();
    const codes = Array.from({ length: 60 }, (_, i) => `code-${i}`);
    await store.setRecoveryCodes(u, codes, now);
    const rules = [
      { key: 'a', limit: 10_000, windowSeconds: 3600 },
      { key: 'b', limit: 10_000, windowSeconds: 3600 },
    ];
    const twofa = createTwoFactor({ issuer: 'Faults', store, clock, encryptionKeys: ['b2'.repeat(32)], methods: [totp(), recoveryCodes()] });
    const e = await twofa.enroll('crash-totp', 'totp', { label: 'x' });
    const code = () => generateSync({ secret: e.secret, epoch: Math.floor(clock.now() / 1000) });
    expect((await twofa.confirmEnrollment('crash-totp', e.id, code())).ok).toBe(true);

    let next = 0;
    const batch = () =>
      Array.from({ length: 10 }, () => {
        const c = codes[next++]!;
        return [settled(store.hit(u, rules, now)), settled(store.consume(u, { recoveryCode: [c] }, now).then((ok) => ({ ok, c })))] as const;
      });
    const first = batch();
    await Promise.all(first.flat());
    // Crash while a batch is in flight.
    const inFlight = batch();
    await server.kill();
    const during = batch();
    const t = Date.now();
    const outage = await Promise.all([...inFlight, ...during].flat());
    expect(Date.now() - t).toBeLessThan(5000); // nothing hangs

    // During the outage every call is refused with the typed error; verify never lets a code through.
    const failures = outage.filter((r) => !r.ok);
    expect(failures.length).toBeGreaterThanOrEqual(20); // at least the whole post-crash batch
    for (const f of failures) expect(isTwoFactorError(f.error, 'store_unavailable')).toBe(true);
    clock.advanceSeconds(30);
    const validCode = code();
    await expect(twofa.verify('crash-totp', { method: 'totp', code: validCode })).rejects.toMatchObject({ code: 'store_unavailable' });

    await server.start();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await settled(store.ping());
      if (r.ok) break;
      if (Date.now() > deadline) throw new Error('store did not reconnect');
      await new Promise((r) => setTimeout(r, 100));
    }

    // The restart emptied the script cache: the first script call meets NOSCRIPT and loads it again.
    let trips = store.stats.roundTrips;
    await store.hit('probe', rules, now);
    expect(store.stats.roundTrips - trips).toBe(2);
    trips = store.stats.roundTrips;
    await store.hit('probe', rules, now);
    expect(store.stats.roundTrips - trips).toBe(1);

    // Back: the same code now works (it was never consumed during the outage).
    expect(await twofa.verify('crash-totp', { method: 'totp', code: validCode })).toMatchObject({ ok: true, method: 'totp' });

    // All or nothing: both counters moved together, by at least every acknowledged hit.
    const all = [...first, ...inFlight, ...during];
    const results = await Promise.all(all.map(([h]) => h));
    const acknowledged = results.filter((r) => r.ok).length;
    const check = await store.hit(u, rules, now);
    expect(check.counts[0]).toBe(check.counts[1]);
    expect(check.counts[0]! - 1).toBeGreaterThanOrEqual(acknowledged);
    expect(check.counts[0]! - 1).toBeLessThanOrEqual(30);

    // Every code reported used stays used; no code was used twice.
    const uses = await Promise.all(all.map(([, r]) => r));
    const used = uses.flatMap((r) => (r.ok && r.value.ok ? [r.value.c] : []));
    expect(used.length).toBeGreaterThanOrEqual(10);
    for (const c of used) expect(await store.consume(u, { recoveryCode: [c] }, now)).toBe(false);
    const { remaining } = await store.recoveryCodes(u);
    expect(60 - remaining).toBeGreaterThanOrEqual(used.length);
    expect(60 - remaining).toBeLessThanOrEqual(30); // only 30 distinct codes were ever submitted
  });

  it('an unreachable server fails closed, promptly', async () => {
    const down = redisStore({ url: `redis://127.0.0.1:${await freeRedisPort()}`, readyTimeoutMs: 500 });
    const t = Date.now();
    await expect(down.consume('u', { recoveryCode: ['x'] }, clock.now())).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(down.hit('u', [{ key: 'k', limit: 1, windowSeconds: 1 }], clock.now())).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(Date.now() - t).toBeLessThan(3000);
    await down.close();
  });
});
