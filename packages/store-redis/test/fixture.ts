import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { failClosedRedisOptions, redisStore, type RedisStore } from '../src/index.js';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A store on the shared Redis under a prefix of its own; cleanup deletes exactly its keys. */
export async function redisFixture(label: string): Promise<{ store: RedisStore; cleanup: () => Promise<void> }> {
  const prefix = `${label}:${randomBytes(6).toString('hex')}:`;
  const client = new Redis(redisUrl, failClosedRedisOptions);
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
}
