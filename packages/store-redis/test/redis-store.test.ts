import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runStoreTests } from '@twofa/testkit/conformance';
import { failClosedRedisOptions, redisStore } from '../src/index.js';
import { redisFixture } from './fixture.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// Each run gets its own prefix; cleanup deletes exactly those keys.
runStoreTests('redis', () => redisFixture('twofa-test'), { roundTrips: (s) => s.stats.roundTrips });

describe('redis store: keys and their lifetimes', () => {
  const prefix = `twofa-test:${randomBytes(6).toString('hex')}:`;
  const client = new Redis(url, failClosedRedisOptions);
  const store = redisStore({ client, prefix });
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(...keys);
    await client.quit();
  });

  it('challenges, counters and their indexes expire; authenticators, counters of authenticators and codes do not', async () => {
    await store.ping();
    const now = Date.now();
    await store.saveAuthenticator({ userId: 'u', id: 'a', method: 'totp', status: 'active', secret: 's', createdAt: now });
    await store.setRecoveryCodes('u', ['h'], now);
    await store.putRecord('u', 'ch', 'v', now + 600_000, now);
    await store.hit('u', [{ key: 'fail', limit: 5, windowSeconds: 600, blockSeconds: 900 }], now);
    expect(await store.consume('u', { counter: { authenticatorId: 'a', value: 10 } }, now)).toBe(true);
    const ttl = (suffix: string) => client.pttl(`${prefix}{u}:${suffix}`);
    const slack = 60_000;
    for (const k of ['rec:ch', 'recs', 'ctr:fail', 'ctrs']) {
      expect(await ttl(k)).toBeGreaterThan(600_000 - 5_000);
      expect(await ttl(k)).toBeLessThanOrEqual(600_000 + slack + 1);
    }
    for (const k of ['auth', 'ord', 'step', 'rc']) expect(await ttl(k)).toBe(-1); // persistent
    expect(await store.takeRecord('u', 'ch', now)).toBe('v');
    expect(await client.exists(`${prefix}{u}:rec:ch`, `${prefix}{u}:recs`)).toBe(0); // the index went with its last member
  });

  it('purge leaves no key of the partition behind', async () => {
    const now = Date.now();
    for (const p of ['gone', 'stays']) {
      await store.saveAuthenticator({ userId: p, id: 'a', method: 'totp', status: 'active', secret: 's', createdAt: now });
      await store.consume(p, { counter: { authenticatorId: 'a', value: 1 } }, now, { touch: 'a' });
      await store.setRecoveryCodes(p, ['h1', 'h2'], now);
      await store.consume(p, { recoveryCode: ['h1'] }, now);
      await store.putRecord(p, 'dev:1', 'd', now + 60_000, now);
      await store.hit(p, [{ key: 'fail', limit: 5, windowSeconds: 600 }], now);
    }
    const keysOf = (p: string) => client.keys(`${prefix}{${p}}:*`);
    expect((await keysOf('gone')).sort()).toEqual(['auth', 'ctr:fail', 'ctrs', 'ord', 'rc', 'rec:dev:1', 'recs', 'step', 'used'].map((k) => `${prefix}{gone}:${k}`));
    await store.purge('gone');
    expect(await keysOf('gone')).toEqual([]);
    expect((await keysOf('stays')).length).toBe(9);
  });

  it('updateAuthenticator does not move lastUsedAt back (a re-encryption of the record read before a touch)', async () => {
    const now = Date.now();
    const read = { userId: 'touched', id: 'a', method: 'totp', status: 'active' as const, secret: 's1', createdAt: now, lastUsedAt: now - 1000 };
    await store.saveAuthenticator(read);
    await store.consume('touched', {}, now, { touch: 'a' });
    expect(await store.updateAuthenticator({ ...read, secret: 's2' }, 's1')).toBe(true);
    expect((await store.getAuthenticators('touched'))[0]).toMatchObject({ secret: 's2', lastUsedAt: now });
    expect(await store.updateAuthenticator({ ...read, secret: 's3', lastUsedAt: now + 5 }, 's2')).toBe(true);
    expect((await store.getAuthenticators('touched'))[0]).toMatchObject({ secret: 's3', lastUsedAt: now + 5 });
  });

  it('a counter of a 100-year window gets a TTL Redis accepts', async () => {
    const now = Date.now();
    const years = 100 * 365 * 86_400;
    await store.hit('streak', [{ key: 'streak', limit: 3, windowSeconds: years }], now);
    expect(await client.pttl(`${prefix}{streak}:ctr:streak`)).toBeGreaterThan((years - 60) * 1000);
  });
});
