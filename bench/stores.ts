/**
 * Store figures: TOTP verify through twofa.verify on Redis and PostgreSQL at concurrency
 * 1 and 32, the store round trips each verify took, and the ratio to the server's bare
 * round trip (Redis PING, PostgreSQL SELECT 1) at the same concurrency. Each figure runs
 * for a fixed time, on this machine's servers (REDIS_URL, DATABASE_URL).
 */
import { randomBytes } from 'node:crypto';
import { generateSync } from 'otplib';
import { createTwoFactor, recoveryCodes, totp, type Store } from '@twofa/core';
import { FakeClock } from '@twofa/testkit';
import { redisStore } from '@twofa/store-redis';
import { postgresStore } from '@twofa/store-postgres';
import { fmt } from './measure.js';

const SECONDS = Number(process.env.BENCH_STORE_SECONDS ?? 2);
const CONCURRENCY = [1, 32];

type Counted = Store & { stats: { roundTrips: number }; ping(): Promise<void> };

/** Runs `op` from `workers` loops for SECONDS; returns ops/s and round trips per op. */
async function timed(store: Counted, workers: number, op: (w: number) => Promise<void>) {
  const deadline = Date.now() + SECONDS * 1000;
  const trips0 = store.stats.roundTrips;
  let ops = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (Date.now() < deadline) {
        await op(w);
        ops++;
      }
    }),
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { opsPerSec: (ops / ms) * 1000, tripsPerOp: (store.stats.roundTrips - trips0) / ops };
}

/** One user, manager and fake clock per worker (so parallel verifies are all valid), one shared store. */
async function verifiers(store: Store, workers: number, tag: string) {
  const t0 = Date.UTC(2026, 0, 1);
  return Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const clock = new FakeClock(t0);
      const twofa = createTwoFactor({
        issuer: 'Bench',
        store,
        clock,
        encryptionKeys: ['c'.repeat(64)],
        methods: [totp(), recoveryCodes()],
        policy: { hourlyMaxAttempts: 1_000_000_000 },
      });
      const user = `${tag}-${w}`;
      const e = await twofa.enroll(user, 'totp');
      const secret = e.secret;
      const ok = await twofa.confirmEnrollment(user, e.id, generateSync({ secret, epoch: t0 / 1000 }));
      if (!ok.ok) throw new Error('bench: enrollment failed');
      let step = 0;
      return async () => {
        step++;
        clock.set(t0 + step * 30_000);
        const r = await twofa.verify(user, { method: 'totp', code: generateSync({ secret, epoch: clock.now() / 1000 }) });
        if (!r.ok) throw new Error(`bench: verify failed (${r.error})`);
      };
    }),
  );
}

/** Round trips one verify of each kind takes on `store`: the figure docs/stores.md quotes. */
async function roundTrips(name: string, store: Counted): Promise<void> {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const twofa = createTwoFactor({ issuer: 'Bench', store, clock, encryptionKeys: ['c'.repeat(64)], methods: [totp(), recoveryCodes()] });
  const user = `trips-${randomBytes(4).toString('hex')}`;
  const e = await twofa.enroll(user, 'totp');
  const confirmed = await twofa.confirmEnrollment(user, e.id, generateSync({ secret: e.secret, epoch: clock.now() / 1000 }));
  if (!confirmed.ok || !confirmed.recoveryCodes) throw new Error('bench: enrollment failed');
  const codes = confirmed.recoveryCodes;
  const trips = async (f: () => Promise<unknown>) => {
    const before = store.stats.roundTrips;
    await f();
    return store.stats.roundTrips - before;
  };
  clock.advanceSeconds(30);
  const right = await trips(() => twofa.verify(user, { method: 'totp', code: generateSync({ secret: e.secret, epoch: clock.now() / 1000 }) }));
  const wrong = await trips(() => twofa.verify(user, { method: 'totp', code: '000000' }));
  const recovery = await trips(() => twofa.verify(user, { method: 'recovery', code: codes[0]! }));
  const badRecovery = await trips(() => twofa.verify(user, { method: 'recovery', code: 'aaaa-bbbb-cccc' }));
  console.log(
    `  ${`${name}: store round trips per verify`.padEnd(48)} TOTP right ${right}, TOTP wrong ${wrong}, recovery code right ${recovery}, wrong ${badRecovery} ` +
      `(recovery target 1: ${recovery === 1 && badRecovery === 1 ? 'met' : 'missed'})`,
  );
}

async function bench(name: string, bareName: string, store: Counted) {
  await roundTrips(name, store);
  for (const c of CONCURRENCY) {
    const verify = await verifiers(store, c, `bench-${randomBytes(4).toString('hex')}-c${c}`);
    for (const v of verify) await v(); // warm-up: scripts loaded, connections open
    const v = await timed(store, c, (w) => verify[w]!());
    const bare = await timed(store, c, () => store.ping());
    console.log(
      `  ${`${name}: twofa.verify (TOTP), concurrency ${c}`.padEnd(48)} ${fmt(v.opsPerSec).padStart(10)} ops/s  ` +
        `${fmt(v.tripsPerOp, 2)} round trips/verify; bare ${bareName} ${fmt(bare.opsPerSec)} ops/s; ` +
        `verify takes ${fmt(bare.opsPerSec / v.opsPerSec, 1)}× the bare round trip ` +
        `(target ≤ 2×: ${bare.opsPerSec / v.opsPerSec <= 2 ? 'met' : 'missed'})`,
    );
  }
}

export async function run(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `twofa-bench:${randomBytes(4).toString('hex')}:`;
  const redis = redisStore({ url: redisUrl, prefix });
  try {
    await redis.ping();
    await bench('Redis', 'PING', redis);
  } catch (e) {
    console.log(`  Redis: not measured (${(e as Error).message})`);
  } finally {
    // Leave nothing behind on the shared server.
    const c = redis.client;
    let cursor = '0';
    try {
      do {
        const [next, keys] = await c.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length) await c.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch {
      // unreachable: nothing was written
    }
    await redis.close();
  }

  const schema = `twofa_bench_${randomBytes(4).toString('hex')}`;
  const pg = postgresStore({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', schema, poolOptions: { max: 10 } });
  try {
    await pg.migrate();
    await bench('PostgreSQL', 'SELECT 1', pg);
    console.log('  (a PostgreSQL verify commits twice, each a durable WAL flush; SELECT 1 writes nothing)');
  } catch (e) {
    console.log(`  PostgreSQL: not measured (${(e as Error).message})`);
  } finally {
    await pg.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await pg.close();
  }
}
