import { describe, expect, it } from 'vitest';
import { consoleSender, createTwoFactor, failover, isTwoFactorError, localVerifier, MemoryStore, phone, recoveryCodes, totp } from '@twofa/core';
import { dumpStore, KEY_A, setup, withPhone, withTotp } from './helpers.js';

const garbageCodes = [
  '',
  '   ',
  '\t\n',
  '١٢٣٤٥٦', // Arabic-Indic digits
  '１２３４５６', // full-width digits
  '12345６',
  'x'.repeat(10_000),
  '1'.repeat(10_000),
  '\u0000\u0000\u0000\u0000\u0000\u0000',
  '123\u0000456',
  '12345',
  '1234567',
  '-123456',
  '12.3456',
  '🙂🙂🙂',
  'DROP TABLE',
];

describe('bad input', () => {
  it('garbage codes are ordinary wrong codes for every method: typed result, no crash', async () => {
    const ctx = setup({ policy: { lockoutAfter: 1000, hourlyMaxAttempts: 1000, maxAttempts: 1000 } });
    await withTotp(ctx);
    await withPhone(ctx, 'u1', '+14155550123');
    const phoneChallenge = await ctx.twofa.challenge('u1', { method: 'phone' });
    for (const code of garbageCodes) {
      for (const input of [
        { method: 'totp', code },
        { method: 'recovery', code },
        { challengeId: phoneChallenge.id, code },
      ]) {
        const r = await ctx.twofa.verify('u1', input);
        expect(r, `${JSON.stringify(input).slice(0, 60)}`).toMatchObject({ ok: false, error: 'invalid_code' });
      }
    }
  });

  it('wrong argument types and unknown names throw typed errors', async () => {
    const ctx = setup();
    await withTotp(ctx);
    const cases: [() => Promise<unknown>, string][] = [
      [() => ctx.twofa.verify('u1', { method: 'totp', code: 123456 as unknown as string }), 'invalid_input'],
      [() => ctx.twofa.verify('u1', null as never), 'invalid_input'],
      [() => ctx.twofa.verify('u1', {} as never), 'invalid_input'],
      [() => ctx.twofa.verify('', { method: 'totp', code: '123456' }), 'invalid_input'],
      [() => ctx.twofa.verify('x'.repeat(10_000), { method: 'totp', code: '123456' }), 'invalid_input'],
      [() => ctx.twofa.verify('a\u0000b', { method: 'totp', code: '123456' }), 'invalid_input'],
      [() => ctx.twofa.verify(42 as never, { method: 'totp', code: '123456' }), 'invalid_input'],
      [() => ctx.twofa.verify('u1', { method: 'sms-magic', code: '123456' }), 'unknown_method'],
      [() => ctx.twofa.verify('u1', { method: 'phone', code: '123456' }), 'invalid_input'],
      [() => ctx.twofa.verify('u1', { challengeId: 'x'.repeat(10_000), code: '123456' }), 'invalid_input'],
      [() => ctx.twofa.verify('nobody', { method: 'totp', code: '123456' }), 'not_enrolled'],
      [() => ctx.twofa.enroll('u1', 'nope' as never), 'unknown_method'],
      [() => ctx.twofa.enroll('u1', '../../etc' as never), 'unknown_method'],
      [() => ctx.twofa.enroll('u1', 'totp', { label: 'x'.repeat(10_000) }), 'invalid_input'],
      [() => ctx.twofa.enroll('u1', 'totp', { label: 'a\u0000b' }), 'invalid_input'],
      [() => ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123', channel: 'pigeon' as never }), 'channel_unsupported'],
      [() => ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123', locale: 'x'.repeat(100) }), 'invalid_input'],
      [() => ctx.twofa.confirmEnrollment('nobody', 'phone', '123456'), 'no_pending_enrollment'],
      [() => ctx.twofa.challenge('nobody'), 'not_enrolled'],
      [() => ctx.twofa.challenge('u1', { method: 'phone' }), 'not_enrolled'],
      [() => ctx.twofa.remove('u1', '../x'), 'invalid_input'],
      [() => ctx.twofa.rememberDevice('u1', { days: -1 }), 'invalid_input'],
      [() => ctx.twofa.rememberDevice('u1', null as never), 'invalid_input'],
      [() => ctx.twofa.rememberDevice('u1', { name: 'x'.repeat(101) }), 'invalid_input'],
      [() => ctx.twofa.challenge('u1', null as never), 'invalid_input'],
      [() => ctx.twofa.challenge('u1', { authenticatorId: '<x>' }), 'invalid_input'],
      [() => ctx.twofa.enroll('u1', 'totp', null as never), 'invalid_input'],
      [() => ctx.twofa.enroll('u1', 'totp', [] as never), 'invalid_input'],
      [() => ctx.twofa.confirmEnrollment('u1', 'x', null as never), 'invalid_input'],
      [() => ctx.twofa.confirmEnrollment('u1', 'x', 42 as never), 'invalid_input'],
      [() => ctx.twofa.verify('u1', { method: 'totp', code: { a: 1 } as never }), 'invalid_input'],
      [() => ctx.twofa.forgetDevice('u1', 'a b'), 'invalid_input'],
      [() => ctx.twofa.rename('u1', 'x', ''), 'invalid_input'],
    ];
    for (const [call, code] of cases) {
      const err = await call().then(
        () => new Error('resolved'),
        (e: unknown) => e,
      );
      expect(isTwoFactorError(err) ? err.code : err, call.toString()).toBe(code);
    }
  });

  it('removing an authenticator the user does not have removes nothing', async () => {
    const ctx = setup();
    await withTotp(ctx);
    expect(await ctx.twofa.remove('u1', 'nope')).toEqual({ removed: [] });
    expect(await ctx.twofa.methods('u1')).toHaveLength(2);
  });

  it('ids that are not well-formed Unicode are refused: two of them cannot reach one row', async () => {
    const ctx = setup();
    await withTotp(ctx, 'alice\uFFFD');
    for (const userId of ['alice\uD800', 'alice\uDC00', '\uDBFFalice', 'a\uD800\uD800']) {
      await expect(ctx.twofa.verify(userId, { method: 'totp', code: '123456' }), JSON.stringify(userId)).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(ctx.twofa.methods(userId)).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(ctx.twofa.enroll(userId, 'totp')).rejects.toMatchObject({ code: 'invalid_input' });
    }
    // A well-formed pair (an emoji) is fine.
    await expect(ctx.twofa.enroll('bob 🙂', 'totp')).resolves.toMatchObject({ method: 'totp' });
    await expect(ctx.twofa.enroll('bob', 'totp', { label: 'bob\uD800@example.com' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(() => setup({ issuer: 'Acme\uD800' })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });

  it('a user called "global" (or like any internal partition) does not touch the global send limit', async () => {
    const ctx = setup({ policy: { resendAfterSeconds: 0, sendLimits: { global: { max: 2, windowSeconds: 3600 }, perUser: { max: 1, windowSeconds: 3600 } } } });
    for (const userId of ['global', 'dest:x', 'lv:y']) await withTotp(ctx, userId);
    // Each of these users has its own per-user limit of 1; the global limit of 2 is untouched by their counters.
    await ctx.twofa.enroll('global', 'phone', { phoneNumber: '+14155550101' });
    await expect(ctx.twofa.enroll('global', 'phone', { phoneNumber: '+14155550102' })).rejects.toMatchObject({ code: 'send_limit' });
    await ctx.twofa.enroll('u2', 'phone', { phoneNumber: '+14155550103' });
    await expect(ctx.twofa.enroll('u3', 'phone', { phoneNumber: '+14155550104' })).rejects.toMatchObject({ code: 'send_limit' }); // global: 2 sends
    expect((await ctx.store.hit('global', [], ctx.clock.now(), { load: { counters: ['sends'] } })).counters).toEqual([{ count: 1, resetAt: expect.any(Number) }]);
  });

  it('an unknown challenge id is an expired challenge, not a crash', async () => {
    const ctx = setup();
    await withTotp(ctx);
    expect(await ctx.twofa.verify('u1', { challengeId: 'does-not-exist', code: '123456' })).toMatchObject({ ok: false, error: 'expired' });
  });

  it('refused input is a typed error and writes nothing', async () => {
    const ctx = setup({
      methods: [
        totp(),
        phone({ verifier: localVerifier({ sender: consoleSender({ write: () => {} }) }), numbers: { defaultRegion: 'US', allowedCountries: ['US', 'CA'] } }),
        recoveryCodes(),
      ],
    });
    const before = dumpStoreSafe(ctx.store);
    const refusedWith = async (p: Promise<unknown>) => {
      const e = await p.then(() => new Error('resolved'), (x: unknown) => x);
      expect(isTwoFactorError(e), String(e)).toBe(true);
      return (e as { code: string }).code;
    };
    const numbers: [unknown, string][] = [
      ['', 'invalid_phone_number'],
      ['+1', 'invalid_phone_number'],
      ['abc', 'invalid_phone_number'],
      ['+999999999999999', 'invalid_phone_number'],
      ['\u0000', 'invalid_phone_number'],
      ['x'.repeat(10_000), 'invalid_phone_number'],
      ['+44 20 7183 875O', 'invalid_phone_number'],
      [42, 'invalid_input'],
      ['+44 20 7183 8750', 'country_not_allowed'], // a valid foreign number
      ['+33 1 42 68 53 00', 'country_not_allowed'],
    ];
    for (const [phoneNumber, code] of numbers) {
      expect(await refusedWith(ctx.twofa.enroll('u9', 'phone', { phoneNumber: phoneNumber as string })), String(phoneNumber).slice(0, 20)).toBe(code);
    }
    expect(await refusedWith(ctx.twofa.enroll('u9', 'totp', { label: '' }))).toBe('invalid_input');
    expect(await ctx.store.getAuthenticators('u9')).toEqual([]);
    expect(dumpStoreSafe(ctx.store)).toBe(before);
  });
});

describe('factories and options throw only typed errors', () => {
  const store = new MemoryStore();
  const sender = consoleSender({ write: () => {} });
  const configs: [string, () => unknown][] = [
    ['createTwoFactor(null)', () => createTwoFactor(null as never)],
    ['createTwoFactor("x")', () => createTwoFactor('x' as never)],
    ['methods not an array', () => createTwoFactor({ issuer: 'A', store, encryptionKeys: [KEY_A], methods: totp() as never })],
    ['methods empty', () => createTwoFactor({ issuer: 'A', store, encryptionKeys: [KEY_A], methods: [] })],
    ['a method that is not one', () => createTwoFactor({ issuer: 'A', store, encryptionKeys: [KEY_A], methods: [{}] as never })],
    ['only a backup', () => createTwoFactor({ issuer: 'A', store, encryptionKeys: [KEY_A], methods: [recoveryCodes()] })],
    ['store not an object', () => createTwoFactor({ issuer: 'A', store: 'redis://x' as never, encryptionKeys: [KEY_A], methods: [totp()] })],
    ['store missing operations', () => createTwoFactor({ issuer: 'A', store: {} as never, encryptionKeys: [KEY_A], methods: [totp()] })],
    ['encryptionKeys not an array', () => createTwoFactor({ issuer: 'A', store, encryptionKeys: KEY_A as never, methods: [totp()] })],
    ['policy null', () => createTwoFactor({ issuer: 'A', store, encryptionKeys: [KEY_A], methods: [totp()], policy: null as never })],
    ['clock without now', () => createTwoFactor({ issuer: 'A', store, encryptionKeys: [KEY_A], methods: [totp()], clock: {} as never })],
    ['logger without warn', () => createTwoFactor({ issuer: 'A', store, encryptionKeys: [KEY_A], methods: [totp()], logger: null as never })],
    ['legacyCiphertexts typo', () => createTwoFactor({ issuer: 'A', store, encryptionKeys: [KEY_A], methods: [totp()], legacyCiphertexts: 'yes' as never })],
    ['totp(null)', () => totp(null as never)],
    ['totp secretBytes 65 (otplib refuses it)', () => totp({ secretBytes: 65 })],
    ['totp secretBytes 15', () => totp({ secretBytes: 15 })],
    ['totp period "30"', () => totp({ period: '30' as never })],
    ['phone(null)', () => phone(null as never)],
    ['phone channels not an array', () => phone({ channels: 'sms' as never })],
    ['phone numbers.allowedCountries not an array', () => phone({ numbers: { allowedCountries: 'US' as never } })],
    ['phone numbers.defaultRegion bad', () => phone({ numbers: { defaultRegion: 'USA' } })],
    ['phone locale bad', () => phone({ locale: 'english please' })],
    ['phone verifier not one', () => phone({ verifier: {} as never })],
    ['phone lineTypes not an array', () => phone({ lineTypes: 'mobile' as never })],
    ['recoveryCodes(null)', () => recoveryCodes(null as never)],
    ['recoveryCodes count "10"', () => recoveryCodes({ count: '10' as never })],
    ['localVerifier(null)', () => localVerifier(null as never)],
    ['localVerifier ttlSeconds 0', () => localVerifier({ sender, ttlSeconds: 0 })],
    ['localVerifier templates null', () => localVerifier({ sender, templates: null as never })],
    ['failover(null)', () => failover(null as never)],
    ['failover([])', () => failover([])],
  ];
  it.each(configs)('%s → config_invalid', (_name, make) => {
    let thrown: unknown;
    try {
      make();
    } catch (e) {
      thrown = e;
    }
    expect(isTwoFactorError(thrown) ? thrown.code : thrown).toBe('config_invalid');
  });

  it('totp accepts the full range otplib can use: a 64-byte secret verifies', async () => {
    const ctx = setup({ methods: [totp({ secretBytes: 64 }), recoveryCodes()] });
    const { secret } = await withTotp(ctx);
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).toMatchObject({ ok: true });
  });
});

function dumpStoreSafe(store: Parameters<typeof dumpStore>[0]): string {
  return JSON.stringify(store, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v));
}
