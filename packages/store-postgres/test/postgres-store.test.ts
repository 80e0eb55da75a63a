import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runStoreTests } from '@twofa/testkit/conformance';
import { postgresStore } from '../src/index.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// Its own schema per run, dropped afterwards. An unreachable server fails migrate() and so the suite.
runStoreTests(
  'postgres',
  async () => {
    const schema = `twofa_test_${randomBytes(5).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    const store = postgresStore({ pool, schema });
    await store.migrate();
    return {
      store,
      cleanup: async () => {
        await pool.query(`DROP SCHEMA ${schema} CASCADE`);
        await pool.end();
      },
    };
  },
  { roundTrips: (s) => s.stats.roundTrips },
);
