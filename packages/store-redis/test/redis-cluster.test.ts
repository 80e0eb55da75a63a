import { Cluster } from 'ioredis';
import { startRedisCluster } from '@twofa/testkit';
import { runStoreTests } from '@twofa/testkit/conformance';
import { failClosedRedisOptions, redisStore } from '../src/index.js';

// A 3-master cluster of our own on loopback; every script must find its keys in one slot.
runStoreTests(
  'redis cluster',
  async () => {
    const cluster = await startRedisCluster(3);
    const client = new Cluster(cluster.nodes, {
      enableOfflineQueue: false,
      redisOptions: failClosedRedisOptions,
      slotsRefreshTimeout: 2000,
    });
    const store = redisStore({ client, prefix: 'twofa-cluster-test:' });
    await store.ping();
    await store.loadScripts();
    return {
      store,
      cleanup: async () => {
        try {
          // The suite's many partitions must have landed on more than one master, or this proved nothing.
          const sizes = await Promise.all(client.nodes('master').map((n) => n.dbsize()));
          if (sizes.filter((n) => n > 0).length < 2) throw new Error(`keys on one node only: ${sizes.join(', ')}`);
        } finally {
          await client.quit().catch(() => client.disconnect());
          await cluster.stop();
        }
      },
    };
  },
  { roundTrips: (s) => s.stats.roundTrips },
);
