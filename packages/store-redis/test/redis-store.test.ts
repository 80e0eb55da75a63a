import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runStoreTests } from '@twofa/testkit/conformance';
import { failClosedRedisOptions, redisStore } from '../src/index.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// Each run gets its own prefix; cleanup deletes exactly those keys.
runStoreTests(
  'redis',
  async () => {
    const prefix = `twofa-test:${randomBytes(6).toString('hex')}:`;
    const client = new Redis(url, failClosedRedisOptions);
    const store = redisStore({ client, prefix });
    await store.ping(); // unreachable -> this throws and the suite fails (never skips)
    return {
      store,
      cleanup: async () => {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          if (keys.length) await client.del(...keys);
          cursor = next;
        } while (cursor !== '0');
        await client.quit();
      },
    };
  },
  { roundTrips: (s) => s.stats.roundTrips },
);

describe('redis store: cleanup by TTL', () => {
  const prefix = `twofa-test:${randomBytes(6).toString('hex')}:`;
  const client = new Redis(url, failClosedRedisOptions);
  const store = redisStore({ client, prefix });
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(...keys);
    await client.quit();
  });

  it('challenges, counters and used TOTP steps expire; user data does not', async () => {
    await store.ping();
    const now = Date.now();
    await store.saveAuthenticator({ userId: 'u', id: 'a', type: 'totp', status: 'active', secret: 's', createdAt: now });
    await store.putRecord('u', 'ch', 'v', now + 600_000);
    await store.hit('u', [{ key: 'fail', limit: 5, windowSeconds: 600, blockSeconds: 900 }], now);
    expect(await store.useTotpStep('u', 'a', 10, now)).toBe(true);
    const ttl = (suffix: string) => client.pttl(`${prefix}{u}:${suffix}`);
    const slack = 60_000;
    expect(await ttl('rec:ch')).toBeGreaterThan(600_000 - 5_000);
    expect(await ttl('rec:ch')).toBeLessThanOrEqual(600_000 + slack);
    expect(await ttl('ctr:fail')).toBeGreaterThan(0);
    expect(await ttl('ctr:fail')).toBeLessThanOrEqual(600_000 + slack);
    expect(await ttl('step')).toBeGreaterThan(0);
    expect(await ttl('step')).toBeLessThanOrEqual(86_400_000);
    expect(await ttl('auth')).toBe(-1); // persistent
    expect(await store.takeRecord('u', 'ch', now)).toBe('v');
    expect(await client.exists(`${prefix}{u}:rec:ch`)).toBe(0);
  });
});
