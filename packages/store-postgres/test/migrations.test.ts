import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@twofa/testkit';
import { migrations, postgresStore } from '../src/index.js';

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
    const [a, b] = await Promise.all([run(tsx, [cli, 'migrate', '--schema', schema], { env }), run(tsx, [cli, 'migrate', '--schema', schema], { env })]);
    const out = [a.stdout, b.stdout].sort();
    expect(out[0]).toMatch(/^Applied migrations 1/);
    expect(out[1]).toMatch(/is up to date/);
    const rows = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.twofa_migrations`);
    expect(rows.rows[0].n).toBe(migrations.length);
  });

  it('the command refuses without a database and without a known command', async () => {
    const env = { ...process.env, DATABASE_URL: '' };
    await expect(run(tsx, [cli, 'migrate'], { env })).rejects.toMatchObject({ code: 2 });
    await expect(run(tsx, [cli, 'nope'], { env })).rejects.toMatchObject({ code: 2 });
  });

  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => postgresStore({ pool, schema: 'x"; DROP TABLE y; --' })).toThrow(/Invalid schema/);
    expect(() => postgresStore({ pool, schema: 'Upper' })).toThrow(/Invalid schema/);
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
    await store.putRecord('p', 'old', 'v', now + 1000);
    await store.putRecord('p', 'live', 'v', now + 60_000);
    await store.hit('p', [{ key: 'short', limit: 5, windowSeconds: 1 }, { key: 'long', limit: 5, windowSeconds: 3600 }], now);
    clock.advanceSeconds(2);
    expect(await store.prune(clock.now())).toBe(2);
    const left = await pool.query(`SELECT key FROM ${store.schema}.records UNION ALL SELECT key FROM ${store.schema}.counters ORDER BY 1`);
    expect(left.rows.map((r) => r.key)).toEqual(['live', 'long']);
    expect(await store.prune(clock.now())).toBe(0);
  });
});
