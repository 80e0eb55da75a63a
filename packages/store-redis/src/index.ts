export { redisStore, RedisStore, failClosedRedisOptions, type RedisStoreOptions } from './redis-store.js';
