/**
 * `redisStore()`: a Store on Redis (ioredis), one Lua script per operation, Redis Cluster safe.
 *
 * @packageDocumentation
 * @module @twofa/store-redis
 */
export { redisStore, RedisStore, failClosedRedisOptions, type RedisStoreOptions } from './redis-store.js';
