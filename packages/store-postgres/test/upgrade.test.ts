import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { generateSync } from 'otplib';
import { afterAll, describe, expect, it } from 'vitest';
import { createTwoFactor, recoveryCodes, totp } from '@twofa/core';
import { KeyRing, systemRandom } from '@twofa/core/adapter';
import { FakeClock, legacyRecoverySecret, legacyTotpSecret } from '@twofa/testkit';
import { migrations, postgresStore } from '../src/index.js';

// A schema as twofa 0.1 left it (migrations 1 and 2, rows as 0.1's statements wrote them),
// migrated to today's and driven through the public API.

const run = promisify(execFile);
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const tsx = [`${root}node_modules/.bin/tsx`, '--tsconfig', `${root}tsconfig.json`, cli] as const;
const KEY = 'd5'.repeat(32);
const NEW_KEY = 'k2:' + Buffer.alloc(32, 9).toString('base64');
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const pool = new pg.Pool({ connectionString: url, max: 4 });
const schemas: string[] = [];

afterAll(async () => {
  for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await pool.end();
});

const code = (ms: number) => generateSync({ secret: SECRET, epoch: Math.floor(ms / 1000) });
const step = (ms: number) => Math.floor(ms / 30_000);
const recoveryCode = () => Array.from({ length: 12 }, () => 'abcdefghjkmnpqrstvwxyz23456789'[randomInt(30)]).join('');

/** A schema at version 2: what 0.1's `migrate` made. */
async function schemaOf01(): Promise<string> {
  const schema = `twofa_up_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  await pool.query(`CREATE SCHEMA ${schema}`);
  await pool.query(`CREATE TABLE ${schema}.twofa_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const m of migrations.slice(0, 2)) {
    await pool.query(m.sql(`"${schema}"`));
    await pool.query(`INSERT INTO ${schema}.twofa_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
  }
  return schema;
}

/** One user as 0.1 wrote it: an app last used at `lastStep`, a recovery set with its first code used, two failures, a record. */
async function user01(schema: string, user: string, now: number, lastStep: number): Promise<string[]> {
  const enrolled = now - 86_400_000;
  const insert = `INSERT INTO ${schema}.authenticators (user_id, id, type, status, secret, display, created_at, confirmed_at, last_used_at) VALUES ($1, $2, $3, 'active', $4, $5, $6, $7, $8)`;
  await pool.query(insert, [user, 'app1', 'totp', legacyTotpSecret(KEY, SECRET), JSON.stringify({ label: 'Phone' }), enrolled, enrolled + 5000, null]);
  await pool.query(insert, [user, 'rc1', 'recovery', legacyRecoverySecret(KEY), null, enrolled + 5000, enrolled + 5000, null]);
  await pool.query(`UPDATE ${schema}.authenticators SET last_step = $3, last_used_at = $4 WHERE user_id = $1 AND id = $2`, [user, 'app1', lastStep, now - 60_000]);
  const codes = Array.from({ length: 10 }, recoveryCode);
  const ring = new KeyRing([KEY], systemRandom);
  const hashes = codes.map((c) => ring.hash('recovery', `${user}\0${c}`));
  await pool.query(`INSERT INTO ${schema}.recovery_codes (user_id, hash) SELECT $1, h FROM unnest($2::text[]) WITH ORDINALITY AS t(h, o) ORDER BY o`, [user, hashes]);
  await pool.query(`UPDATE ${schema}.recovery_codes SET used_at = $3 WHERE user_id = $1 AND hash = $2`, [user, hashes[0], now - 3_600_000]);
  await pool.query(`SELECT * FROM ${schema}.hit($1, ARRAY['fail'], ARRAY[5], ARRAY[600000::bigint], ARRAY[600000::bigint], $2)`, [user, now - 1]);
  await pool.query(`SELECT * FROM ${schema}.hit($1, ARRAY['fail'], ARRAY[5], ARRAY[600000::bigint], ARRAY[600000::bigint], $2)`, [user, now]);
  await pool.query(`INSERT INTO ${schema}.records (partition, key, value, expires_at) VALUES ($1, 'note', 'from 0.1', $2)`, [user, now + 600_000]);
  return codes;
}

const row = async (schema: string, user: string, id: string) =>
  (await pool.query(`SELECT type, secret, last_step FROM ${schema}.authenticators WHERE user_id = $1 AND id = $2`, [user, id])).rows[0] as { type: string; secret: string; last_step: string };

describe('postgres store: a schema and rows twofa 0.1 wrote', () => {
  it('migrates to 3, then verifies TOTP and recovery codes, keeps what 0.1 used, lists the methods, and upgrades what it uses', async () => {
    const schema = await schemaOf01();
    const clock = new FakeClock();
    const user = 'legacy-{user}%é';
    const codes = await user01(schema, user, clock.now(), step(clock.now()));
    const store = postgresStore({ pool, schema });
    await expect(store.getAuthenticators(user)).rejects.toMatchObject({ code: 'store_unavailable', message: expect.stringMatching(/migrate/) });
    expect(await store.migrate()).toEqual([3]);
    const twofa = createTwoFactor({ issuer: 'Upgrade', store, clock, encryptionKeys: [KEY], methods: [totp(), recoveryCodes()], logger: { warn: () => {} } });

    expect(await store.hit(user, [], clock.now(), { load: { counters: ['fail'], record: 'note' } })).toMatchObject({
      record: 'from 0.1',
      counters: [{ count: 2, resetAt: clock.now() - 1 + 600_000 }],
    });
    expect(await twofa.verify(user, { method: 'totp', code: code(clock.now()) })).toMatchObject({ ok: false, error: 'invalid_code' }); // 0.1 used this step
    clock.advanceSeconds(30);
    expect(await twofa.verify(user, { method: 'totp', code: code(clock.now()) })).toMatchObject({ ok: true, method: 'totp', authenticatorId: 'app1' });
    const app = await row(schema, user, 'app1');
    expect(app).toMatchObject({ type: 'totp', last_step: String(step(clock.now())) });
    expect(app.secret).toMatch(/^v2\./); // re-encrypted on use
    expect((await store.hit(user, [], clock.now(), { load: { counters: ['fail'] } })).counters).toEqual([{ count: 0, resetAt: 0 }]);

    expect(await twofa.verify(user, { method: 'recovery', code: codes[0]! })).toMatchObject({ ok: false, error: 'invalid_code' }); // used under 0.1
    expect(await twofa.verify(user, { method: 'recovery', code: codes[1]! })).toMatchObject({ ok: true, method: 'recovery' });
    expect(await twofa.methods(user)).toEqual([
      expect.objectContaining({ id: 'app1', method: 'totp', status: 'active', isBackup: false, display: { label: 'Phone' }, lastUsedAt: clock.now() }),
      expect.objectContaining({ id: 'rc1', method: 'recovery', status: 'active', isBackup: true, remaining: 8, lastUsedAt: clock.now() }),
    ]);
    expect(await store.takeRecord(user, 'note', clock.now())).toBe('from 0.1');
  });

  it('`twofa-postgres reencrypt` rewrites every 0.1 secret in the schema with the newest key', async () => {
    const schema = await schemaOf01();
    const clock = new FakeClock();
    const users = Array.from({ length: 7 }, (_, i) => `user-${i}`);
    for (const u of users) await user01(schema, u, clock.now(), step(clock.now()) - 3);
    const env = { ...process.env, DATABASE_URL: url, TWOFA_ENCRYPTION_KEYS: `${NEW_KEY},${KEY}` };
    expect((await run(tsx[0], [...tsx.slice(1), 'migrate', '--schema', schema], { env })).stdout).toBe(`Applied migrations 3 to schema ${schema}.\n`);

    const first = await run(tsx[0], [...tsx.slice(1), 'reencrypt', '--schema', schema], { env });
    expect(first.stdout).toBe('Re-encrypted 14 secrets of 7 users.\n');
    for (const out of [first.stdout, first.stderr]) expect(out).not.toContain(KEY);
    for (const u of users) for (const id of ['app1', 'rc1']) expect((await row(schema, u, id)).secret).toMatch(/^v2\.k2\./);
    expect((await run(tsx[0], [...tsx.slice(1), 'reencrypt', '--schema', schema], { env })).stdout).toBe('Re-encrypted 0 secrets of 7 users.\n');

    // Pages of users: the same set, whatever the page size.
    const store = postgresStore({ pool, schema });
    const listed: string[] = [];
    for await (const u of store.users(3)) listed.push(u);
    expect(listed).toEqual(users);

    const twofa = createTwoFactor({ issuer: 'Upgrade', store, clock, encryptionKeys: [NEW_KEY], legacyCiphertexts: 'refuse', methods: [totp(), recoveryCodes()] });
    for (const u of users) expect(await twofa.verify(u, { method: 'totp', code: code(clock.now()) })).toMatchObject({ ok: true });
  });

  it('the command refuses without keys, and fails closed without leaking the password or keys', async () => {
    const env = { ...process.env, DATABASE_URL: url, TWOFA_ENCRYPTION_KEYS: '' };
    await expect(run(tsx[0], [...tsx.slice(1), 'reencrypt'], { env })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/TWOFA_ENCRYPTION_KEYS/) });
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const down = `postgres://postgres:hunter2@127.0.0.1:${port}/test`;
    const failed = await run(tsx[0], [...tsx.slice(1), 'reencrypt', '--url', down], { env: { ...env, TWOFA_ENCRYPTION_KEYS: KEY } }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Re-encryption failed: The store could not be reached/) });
    expect(`${failed.stdout}${failed.stderr}`).not.toMatch(new RegExp(`hunter2|${KEY}`));
  });
});
