import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consoleSender, createTwoFactor, localVerifier, MemoryStore, phone, recoveryCodes, totp } from '@twofa/core';
import { FakeClock, fakeVerifier } from '@twofa/testkit';
import { generateSync } from 'otplib';
import { KEY_A } from './helpers.js';

/**
 * Claims the docs make about behaviour, held to the code (release-readiness issue). Each
 * other claim has its test where the behaviour lives:
 *  1 policy overrides merge deeply ............ policy.test.ts "overrides merge deeply"
 *  2 user.locked for every lockout ............ policy.test.ts "caps attempts per hour"
 *  3 the shape of methods() ................... here
 *  4 insecureNoEncryption refused in production  security.test.ts
 *  5 key rotation finishes .................... security.test.ts, the store packages' CLI tests
 *  6 round trips per verify (docs/stores.md) .. here (and the store suites)
 *  7 adapter error tables ..................... runErrorTableTests in each adapter package
 *  8 the email channel reachable .............. email.test.ts
 *  9 which stores take a clock (testkit README)  here
 * 10 a store is required ...................... security.test.ts "a store is required"
 * 11 invalid schema name is config_invalid .... store-postgres tests
 * 12 samples in CHANGELOG-era docs compile .... examples/demo/test/docs.test.ts
 */
const doc = (path: string) => readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');

/** MemoryStore counting each call as the round trip a networked store would pay. */
function counted() {
  const store = new MemoryStore();
  let calls = 0;
  const proxy = new Proxy(store, {
    get(t, k, r) {
      const v = Reflect.get(t, k, r);
      return typeof v === 'function' ? (...a: unknown[]) => (calls++, v.apply(t, a)) : v;
    },
  });
  return { store: proxy, calls: () => calls };
}

describe('docs/concepts.md: methods() returns the fields it documents', () => {
  it('every documented field, and no other', async () => {
    const clock = new FakeClock();
    const twofa = createTwoFactor({ issuer: 'A', store: new MemoryStore(), clock, encryptionKeys: [KEY_A], methods: [totp(), recoveryCodes()] });
    const e = await twofa.enroll('u', 'totp', { name: 'Phone' });
    await twofa.confirmEnrollment('u', e.id, generateSync({ secret: e.secret, epoch: clock.now() / 1000 }));
    await twofa.verify('u', { method: 'totp', code: '000000' });
    const row = /`methods\(userId\)` \| the user's authenticators: `\{ ([^}]+) \}`/.exec(doc('docs/concepts.md'));
    expect(row, 'the methods() row of the table').not.toBeNull();
    const documented = row![1]!.split(',').map((f) => f.trim().replace(/\?$/, ''));
    const seen = new Set((await twofa.methods('u')).flatMap((a) => Object.keys(a)));
    for (const key of seen) expect(documented, `methods() returns '${key}'`).toContain(key);
    for (const key of ['id', 'method', 'name', 'status', 'isBackup', 'display', 'createdAt', 'confirmedAt', 'remaining']) expect(seen.has(key), key).toBe(true);
  });
});

describe('docs/stores.md: round trips per verify, as measured', () => {
  const table = new Map([...doc('docs/stores.md').matchAll(/^\| ([^|]+) \| (\d) \| /gm)].map((m) => [m[1]!.trim(), Number(m[2])]));

  it('TOTP right and wrong, recovery code right and wrong', async () => {
    const clock = new FakeClock();
    const { store, calls } = counted();
    const twofa = createTwoFactor({ issuer: 'A', store, clock, encryptionKeys: [KEY_A], methods: [totp(), recoveryCodes()] });
    const e = await twofa.enroll('u', 'totp');
    const ok = await twofa.confirmEnrollment('u', e.id, generateSync({ secret: e.secret, epoch: clock.now() / 1000 }));
    clock.advanceSeconds(30);
    const trips = async (f: () => Promise<unknown>) => {
      const before = calls();
      await f();
      return calls() - before;
    };
    expect(await trips(() => twofa.verify('u', { method: 'totp', code: generateSync({ secret: e.secret, epoch: clock.now() / 1000 }) }))).toBe(table.get('TOTP, right code'));
    expect(await trips(() => twofa.verify('u', { method: 'totp', code: '000000' }))).toBe(table.get('TOTP, wrong code'));
    const code = ok.ok ? ok.recoveryCodes![0]! : '';
    expect(await trips(() => twofa.verify('u', { method: 'recovery', code }))).toBe(table.get('recovery code, right or wrong'));
    expect(await trips(() => twofa.verify('u', { method: 'recovery', code }))).toBe(table.get('recovery code, right or wrong'));
  });

  it('phone codes, hosted and local', async () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const local = counted();
    const hosted = counted();
    const verifier = fakeVerifier({ clock });
    const viaLocal = createTwoFactor({ issuer: 'A', store: local.store, clock, encryptionKeys: [KEY_A], methods: [phone({ verifier: localVerifier({ sender: consoleSender({ write: () => {}, onMessage: (m) => sent.push(m.vars!.code) }) }) })] });
    const viaHosted = createTwoFactor({ issuer: 'A', store: hosted.store, clock, encryptionKeys: [KEY_A], methods: [phone({ verifier })] });
    for (const [twofa, code] of [[viaLocal, () => sent.at(-1)!], [viaHosted, () => verifier.lastCode()!]] as const) {
      const e = await twofa.enroll('u', 'phone', { phoneNumber: '+12015550123' });
      await twofa.confirmEnrollment('u', e.id, code());
    }
    clock.advanceSeconds(181);
    const trips = async (s: ReturnType<typeof counted>, f: () => Promise<unknown>) => {
      const before = s.calls();
      await f();
      return s.calls() - before;
    };
    let ch = await viaLocal.challenge('u');
    expect(await trips(local, () => viaLocal.verify('u', { challengeId: ch.id, code: sent.at(-1) === '000000' ? '111111' : '000000' }))).toBe(table.get('phone, `localVerifier`, wrong code'));
    expect(await trips(local, () => viaLocal.verify('u', { challengeId: ch.id, code: sent.at(-1)! }))).toBe(table.get('phone, `localVerifier`, right code'));
    ch = await viaHosted.challenge('u');
    expect(await trips(hosted, () => viaHosted.verify('u', { challengeId: ch.id, code: verifier.lastCode()! }))).toBe(table.get('phone, hosted verifier (Twilio Verify, Vonage Verify), right code'));
  });
});

describe('packages/testkit/README.md: which stores take a clock', () => {
  it('says stores take none and get now from the manager, and names what follows the clock through attach()', () => {
    const readme = doc('packages/testkit/README.md');
    expect(readme).toMatch(/Stores take no clock/);
    expect(readme).toMatch(/`localVerifier`, `twilioVerify`, `vonageVerify` and `failover\(\)` follow it/);
  });
});
