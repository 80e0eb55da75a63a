import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@twofa/testkit';
import { migrate, migrations, postgresStore } from '../src/index.js';

const run = promisify(execFile);
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const pool = new pg.Pool({ connectionString: url, max: 4 });
const schemas: string[] = [];
const fresh = () => {
  const s = `twofa_mig_${randomBytes(5).toString('hex')}`;
  schemas.push(s);
  return s;
};

afterAll(async () => {
  for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await pool.end();
});

describe('postgres migrations', () => {
  it('applies every version once and is idempotent', async () => {
    const store = postgresStore({ pool, schema: fresh() });
    expect(await store.migrate()).toEqual(migrations.map((m) => m.version));
    expect(await store.migrate()).toEqual([]);
    const rows = await pool.query(`SELECT version FROM ${store.schema}.twofa_migrations ORDER BY version`);
    expect(rows.rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
  });

  it('two `twofa-postgres migrate` processes at once: both succeed, each version applied once', async () => {
    const schema = fresh();
    const env = { ...process.env, DATABASE_URL: url };
    // Hold the migration lock so both processes are provably inside migrate() at once,
    // queued on the lock, before either may proceed.
    const holder = await pool.connect();
    const lockKey = `twofa-migrate:${schema}`;
    let a: Promise<{ stdout: string }>;
    let b: Promise<{ stdout: string }>;
    try {
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
      a = run(tsx, [cli, 'migrate', '--schema', schema], { env });
      b = run(tsx, [cli, 'migrate', '--schema', schema], { env });
      const deadline = Date.now() + 20_000;
      for (;;) {
        const w = await pool.query(
          "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid::int = hashtext($1)",
          [lockKey],
        );
        if (w.rows[0].n >= 2) break;
        if (Date.now() > deadline) throw new Error('the two processes never both waited on the migration lock');
        await new Promise((r) => setTimeout(r, 50)); // real processes starting: nothing to fake
      }
    } finally {
      await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
      holder.release();
    }
    const out = [(await a!).stdout, (await b!).stdout].sort();
    expect(out[0]).toMatch(/^Applied migrations 1/);
    expect(out[1]).toMatch(/is up to date/);
    const rows = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.twofa_migrations`);
    expect(rows.rows[0].n).toBe(migrations.length);
  });

  it('upgrades a schema an earlier release made (version 1 only) to the latest', async () => {
    const schema = fresh();
    const s = `"${schema}"`;
    await pool.query(`CREATE SCHEMA ${s}`);
    await pool.query(`CREATE TABLE ${s}.twofa_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(migrations[0]!.sql(s));
    await pool.query(`INSERT INTO ${s}.twofa_migrations (version, name) VALUES (1, 'initial')`);
    const store = postgresStore({ pool, schema });
    expect(await store.migrate()).toEqual(migrations.slice(1).map((m) => m.version));
    const fn = await pool.query(
      `SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = 'hit'`,
      [schema],
    );
    expect(fn.rows[0].prosrc).toContain('pg_advisory_xact_lock'); // migration 2's hit()
    expect((await store.hit('u', [{ key: 'k', limit: 1, windowSeconds: 60 }], 1000)).allowed).toBe(true);
  });

  it('the command refuses without a database and without a known command', async () => {
    const env = { ...process.env, DATABASE_URL: '' };
    await expect(run(tsx, [cli, 'migrate'], { env })).rejects.toMatchObject({ code: 2 });
    await expect(run(tsx, [cli, 'nope'], { env })).rejects.toMatchObject({ code: 2 });
  });

  it('rejects a schema name that is not a plain identifier, as config_invalid', async () => {
    for (const schema of ['x"; DROP TABLE y; --', 'Upper', '', 'a'.repeat(64)]) {
      expect(() => postgresStore({ pool, schema })).toThrow(expect.objectContaining({ code: 'config_invalid', message: expect.stringMatching(/Invalid schema/) }));
    }
    await expect(migrate(pool, 'no-dashes')).rejects.toMatchObject({ code: 'config_invalid' });
    expect(() => postgresStore({ pool, schema: 'a'.repeat(63) })).not.toThrow();
  });

  it('a store before migrate() fails closed with a hint', async () => {
    const store = postgresStore({ pool, schema: fresh() });
    await expect(store.getAuthenticators('u')).rejects.toMatchObject({ code: 'store_unavailable', message: expect.stringMatching(/migrate/) });
  });

  it('prune() deletes expired records and counters only', async () => {
    const store = postgresStore({ pool, schema: fresh() });
    await store.migrate();
    const clock = new FakeClock();
    const now = clock.now();
    await store.putRecord('p', 'old', 'v', now + 1000, now);
    await store.putRecord('p', 'live', 'v', now + 60_000, now);
    await store.hit('p', [{ key: 'short', limit: 5, windowSeconds: 1 }, { key: 'long', limit: 5, windowSeconds: 3600 }], now);
    clock.advanceSeconds(2);
    expect(await store.prune(clock.now())).toBe(2);
    const left = await pool.query(`SELECT key FROM ${store.schema}.records UNION ALL SELECT key FROM ${store.schema}.counters ORDER BY 1`);
    expect(left.rows.map((r) => r.key)).toEqual(['live', 'long']);
    expect(await store.prune(clock.now())).toBe(0);
  });
});
