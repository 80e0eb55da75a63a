import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwoFactor, isTwoFactorError, recoveryCodes, totp } from '@twofa/core';
import { FakeClock } from '@twofa/testkit';
import { postgresStore, type PostgresStore } from '../src/index.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const settled = <T,>(p: Promise<T>) => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

describe('postgres store: connections killed mid-run', () => {
  const schema = `twofa_fault_${randomBytes(5).toString('hex')}`;
  const app = `twofa-fault-${randomBytes(4).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: url, max: 3 });
  let store: PostgresStore;
  const clock = new FakeClock();

  beforeAll(async () => {
    store = postgresStore({ connectionString: url, schema, poolOptions: { max: 8, application_name: app } });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  /** Holds a lock on some counter rows so calls pile up inside the server, then kills the store's backends. */
  async function killWhileBlocked(partition: string, keys: string[], work: () => Promise<unknown>[]) {
    const blocker = await admin.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM ${schema}.counters WHERE partition = $1 AND key = ANY ($2) FOR UPDATE`, [partition, keys]);
    const calls = work().map(settled);
    // Wait (real time: the server has to receive them) until the calls are waiting on our lock.
    for (let i = 0; i < 100; i++) {
      const r = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [app]);
      if (r.rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const killed = await admin.query(`SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) k`, [app]);
    await blocker.query('ROLLBACK');
    blocker.release();
    return { killed: killed.rows[0].n as number, results: await Promise.all(calls) };
  }

  /** Idle connections killed too are only noticed when used: each costs one failed call, then the pool reconnects. */
  async function reconnected() {
    for (let i = 0; i < 50; i++) {
      const r = await settled(store.ping());
      if (r.ok) return;
      expect(isTwoFactorError(r.error, 'store_unavailable')).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the pool did not reconnect');
  }

  it('in-flight calls fail with store_unavailable, later calls succeed, nothing is half-applied', async () => {
    const u = 'fault-user';
    const now = clock.now();
    const codes = Array.from({ length: 20 }, (_, i) => `code-${i}`);
    await store.setRecoveryCodes(u, codes, now);
    const rules = [
      { key: 'a', limit: 10_000, windowSeconds: 3600 },
      { key: 'b', limit: 10_000, windowSeconds: 3600 },
    ];
    await store.hit(u, rules, now);
    for (const c of codes) await store.putRecord(u, `rec-${c}`, 'v', now + 60_000, now);
    const { killed, results } = await killWhileBlocked(u, ['a', 'b'], () => [
      ...Array.from({ length: 6 }, () => store.hit(u, rules, now)),
      ...codes.slice(0, 6).map((c) => store.consume(u, { recoveryCode: [c] }, now, { drop: [`rec-${c}`] })),
    ]);
    expect(killed).toBeGreaterThan(0);
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(isTwoFactorError(f.error, 'store_unavailable')).toBe(true);

    // The pool replaces the dead connections: the next calls work.
    await reconnected();
    const after = await store.hit(u, rules, now);
    expect(after.allowed).toBe(true);
    expect(after.counts[0]).toBe(after.counts[1]); // both counters moved together
    const hitsOk = results.slice(0, 6).filter((r) => r.ok).length;
    expect(after.counts[0]! - 2).toBeGreaterThanOrEqual(hitsOk);
    const usedOk = results.slice(6).filter((r) => r.ok && r.value === true).length;
    expect(20 - (await store.recoveryCodes(u)).remaining).toBe(usedOk); // a killed statement rolled back entirely
    // Consume and settle went together: a code is used exactly when its settle dropped the record.
    for (const c of codes) {
      const { record } = await store.hit(u, [], now, { load: { record: `rec-${c}` } });
      expect(await store.consume(u, { recoveryCode: [c] }, now)).toBe(record !== null);
    }
  });

  it('twofa.verify in flight fails closed, and the same code works after reconnect', async () => {
    const twofa = createTwoFactor({ issuer: 'Faults', store, clock, encryptionKeys: ['c3'.repeat(32)], methods: [totp(), recoveryCodes()] });
    const user = 'fault-totp';
    const e = await twofa.enroll(user, 'totp', { label: 'x' });
    const code = () => generateSync({ secret: e.secret, epoch: Math.floor(clock.now() / 1000) });
    expect((await twofa.confirmEnrollment(user, e.id, code())).ok).toBe(true);
    clock.advanceSeconds(30);
    const valid = code();
    await store.hit(user, [{ key: 'fail', limit: 100, windowSeconds: 60 }], clock.now()); // the row the blocker locks
    const { results } = await killWhileBlocked(user, ['fail', 'hour'], () => [twofa.verify(user, { method: 'totp', code: valid })]);
    expect(results[0]!.ok).toBe(false);
    expect(isTwoFactorError((results[0] as { error: unknown }).error, 'store_unavailable')).toBe(true);
    await reconnected();
    expect(await twofa.verify(user, { method: 'totp', code: valid })).toMatchObject({ ok: true, method: 'totp' });
  });

  it('an unreachable server fails closed, promptly', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const down = postgresStore({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, schema });
    const t = Date.now();
    await expect(down.consume('u', { recoveryCode: ['x'] }, clock.now())).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(Date.now() - t).toBeLessThan(3000);
    await down.close();
  });
});
