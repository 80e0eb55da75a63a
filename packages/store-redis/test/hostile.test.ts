import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { runHostileInputTests } from '@twofa/testkit/conformance';
import { failClosedRedisOptions, redisStore } from '../src/index.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// The property-based hostile-input suite, on a real Redis: ids and answers of any UTF-16
// reach the Lua scripts and keys here, not just a Map.
runHostileInputTests(
  'redis',
  async () => {
    const prefix = `twofa-hostile:${randomBytes(6).toString('hex')}:`;
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
);
