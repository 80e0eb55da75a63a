import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { generateSync } from 'otplib';
import { afterAll, describe, expect, it } from 'vitest';
import { createTwoFactor, recoveryCodes, totp } from '@twofa/core';
import { KeyRing, systemRandom } from '@twofa/core/adapter';
import { FakeClock, freeRedisPort, legacyRecoverySecret, legacyTotpSecret } from '@twofa/testkit';
import { redisStore } from '../src/index.js';

// Data exactly as twofa 0.1's scripts wrote it (raw commands, not today's code), driven
// through today's store and manager: it must keep working, and get upgraded as it is used.

const run = promisify(execFile);
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;
const KEY = 'c4'.repeat(32);
const NEW_KEY = 'next:' + Buffer.alloc(32, 7).toString('base64');
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const ALPHABET = 'abcdefghjkmnpqrstvwxyz23456789';

const client = new Redis(url); // 0.1 as an app ran it; the store under test shares it
const prefixes: string[] = [];
const freshPrefix = () => {
  const p = `twofa-upgrade:${randomBytes(6).toString('hex')}:`;
  prefixes.push(p);
  return p;
};

afterAll(async () => {
  for (const p of prefixes) {
    const keys = await client.keys(`${p}*`);
    if (keys.length) await client.del(...keys);
  }
  await client.quit();
});

/** 0.1's key for a partition (its hash tag escaping is today's). */
const keyOf = (prefix: string, user: string, suffix: string) => `${prefix}{${user.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}}:${suffix}`;
const stepAt = (ms: number) => Math.floor(ms / 30_000);
const codeAt = (ms: number) => generateSync({ secret: TOTP_SECRET, epoch: Math.floor(ms / 1000) });
const recoveryCode = () => Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/**
 * A user as 0.1 left them: a TOTP app last used at `lastStep` (step hash with its TTL), a
 * recovery set with its first code used, a failure counter, and an open record.
 */
async function legacyUser(prefix: string, user: string, now: number, lastStep: number): Promise<string[]> {
  const k = (suffix: string) => keyOf(prefix, user, suffix);
  const enrolled = now - 86_400_000;
  const app = { userId: user, id: 'app1', type: 'totp', status: 'active', secret: legacyTotpSecret(KEY, TOTP_SECRET), display: { label: 'Phone' }, createdAt: enrolled, confirmedAt: enrolled + 5000 };
  const set = { userId: user, id: 'rc1', type: 'recovery', status: 'active', secret: legacyRecoverySecret(KEY), createdAt: enrolled + 5000, confirmedAt: enrolled + 5000 };
  // SAVE_AUTH
  await client.hset(k('auth'), 'app1', JSON.stringify(app));
  await client.hset(k('auth'), 'rc1', JSON.stringify(set));
  // USE_TOTP_STEP
  await client.hset(k('step'), 'app1', String(lastStep));
  await client.pexpire(k('step'), 86_400_000);
  await client.hset(k('used'), 'app1', String(now - 60_000));
  // SET_RECOVERY, then USE_RECOVERY of the first code
  const codes = Array.from({ length: 10 }, recoveryCode);
  const ring = new KeyRing([KEY], systemRandom);
  await client.del(k('rc'));
  for (const c of codes) await client.hset(k('rc'), ring.hash('recovery', `${user}\0${c}`), '0');
  await client.hset(k('rc'), ring.hash('recovery', `${user}\0${codes[0]}`), String(now - 3_600_000));
  // HIT (two failures) and PUT_RECORD
  await client.hset(k('ctr:fail'), 'c', '2', 'r', String(now + 600_000));
  await client.pexpire(k('ctr:fail'), 660_000);
  await client.del(k('rec:note'));
  await client.hset(k('rec:note'), 'v', 'from 0.1', 'x', String(now + 600_000));
  await client.pexpire(k('rec:note'), 660_000);
  return codes;
}

const stored = async (prefix: string, user: string, id: string) => JSON.parse((await client.hget(keyOf(prefix, user, 'auth'), id))!) as Record<string, unknown>;

describe('redis store: data written by twofa 0.1', () => {
  it('verifies TOTP and recovery codes, keeps the used step and codes, lists the methods, and upgrades what it uses', async () => {
    const prefix = freshPrefix();
    const store = redisStore({ client, prefix });
    const clock = new FakeClock();
    const user = 'legacy-{user}%é';
    const codes = await legacyUser(prefix, user, clock.now(), stepAt(clock.now()));
    const twofa = createTwoFactor({ issuer: 'Upgrade', store, clock, encryptionKeys: [KEY], methods: [totp(), recoveryCodes()], logger: { warn: () => {} } });

    // 0.1's counter and record read as they are.
    const state = await store.hit(user, [], clock.now(), { load: { counters: ['fail'], record: 'note' } });
    expect(state).toMatchObject({ record: 'from 0.1', counters: [{ count: 2, resetAt: clock.now() + 600_000 }] });

    // The step 0.1 recorded is used: its code is a replay.
    expect(await twofa.verify(user, { method: 'totp', code: codeAt(clock.now()) })).toMatchObject({ ok: false, error: 'invalid_code' });
    clock.advanceSeconds(30);
    expect(await twofa.verify(user, { method: 'totp', code: codeAt(clock.now()) })).toMatchObject({ ok: true, method: 'totp', authenticatorId: 'app1' });

    // Used, the app's record is written in today's form: `method`, bound v2 secret; its counter kept for good.
    const app = await stored(prefix, user, 'app1');
    expect(app).toMatchObject({ method: 'totp' });
    expect(app).not.toHaveProperty('type');
    expect(String(app.secret)).toMatch(/^v2\./);
    expect(await client.hget(keyOf(prefix, user, 'step'), 'app1')).toBe(String(stepAt(clock.now())));
    expect(await client.pttl(keyOf(prefix, user, 'step'))).toBe(-1);
    // The success reset 0.1's failure counter.
    expect(await client.exists(keyOf(prefix, user, 'ctr:fail'))).toBe(0);

    expect(await twofa.verify(user, { method: 'recovery', code: codes[0]! })).toMatchObject({ ok: false, error: 'invalid_code' }); // used under 0.1
    expect(await twofa.verify(user, { method: 'recovery', code: codes[1]! })).toMatchObject({ ok: true, method: 'recovery' });

    const listed = await twofa.methods(user);
    expect(listed).toEqual([
      expect.objectContaining({ id: 'app1', method: 'totp', status: 'active', isBackup: false, display: { label: 'Phone' }, lastUsedAt: clock.now() }),
      expect.objectContaining({ id: 'rc1', method: 'recovery', status: 'active', isBackup: true, remaining: 8, lastUsedAt: clock.now() }),
    ]);
    expect(await store.takeRecord(user, 'note', clock.now())).toBe('from 0.1');
  });

  it('`twofa-redis reencrypt` rewrites every 0.1 secret under the prefix with the newest key', async () => {
    const prefix = freshPrefix();
    const other = freshPrefix();
    const clock = new FakeClock();
    const users = ['alice', 'bob{1}', '%é x'];
    for (const u of users) await legacyUser(prefix, u, clock.now(), stepAt(clock.now()) - 5);
    await legacyUser(other, 'carol', clock.now(), 0);
    const env = { ...process.env, REDIS_URL: url, TWOFA_ENCRYPTION_KEYS: `${NEW_KEY}, ${KEY}` };
    const reencrypt = () => run(tsx, ['--tsconfig', `${root}tsconfig.json`, cli, 'reencrypt', '--prefix', prefix], { env });

    const first = await reencrypt();
    expect(first.stdout).toBe('Re-encrypted 6 secrets of 3 users.\n');
    for (const out of [first.stdout, first.stderr]) expect(out).not.toContain(KEY);
    for (const u of users) for (const id of ['app1', 'rc1']) expect(String((await stored(prefix, u, id)).secret)).toMatch(/^v2\.next\./);
    expect(String((await stored(other, 'carol', 'app1')).secret)).toMatch(/^v1\./); // another prefix is not ours

    expect((await reencrypt()).stdout).toBe('Re-encrypted 0 secrets of 3 users.\n');

    // Only the new key now, and 0.1's format refused: every user still verifies.
    const store = redisStore({ client, prefix });
    const twofa = createTwoFactor({ issuer: 'Upgrade', store, clock, encryptionKeys: [NEW_KEY], legacyCiphertexts: 'refuse', methods: [totp(), recoveryCodes()] });
    for (const u of users) expect(await twofa.verify(u, { method: 'totp', code: codeAt(clock.now()) })).toMatchObject({ ok: true });
  });

  it('the command refuses without keys or a known command, and fails closed without leaking the URL or keys', async () => {
    const env = { ...process.env, REDIS_URL: url, TWOFA_ENCRYPTION_KEYS: KEY };
    const args = ['--tsconfig', `${root}tsconfig.json`, cli];
    await expect(run(tsx, [...args, 'reencrypt'], { env: { ...env, TWOFA_ENCRYPTION_KEYS: '' } })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/TWOFA_ENCRYPTION_KEYS/) });
    await expect(run(tsx, [...args, 'nope'], { env })).rejects.toMatchObject({ code: 2 });
    const down = `redis://:hunter2@127.0.0.1:${await freeRedisPort()}`;
    const failed = await run(tsx, [...args, 'reencrypt', '--url', down], { env }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Re-encryption failed: Redis is not reachable/) });
    expect(`${failed.stdout}${failed.stderr}`).not.toMatch(new RegExp(`hunter2|${KEY}`));
  });
});
