import { describe, expect, it } from 'vitest';
import { consoleSender, isTwoFactorError, localVerifier, phone, recoveryCodes, totp } from '@twofa/core';
import { dumpStore, setup, withTotp } from './helpers.js';

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
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    await ctx.twofa.confirmEnrollment('u1', 'phone', ctx.lastCode());
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
      [() => ctx.twofa.enroll('u1', 'nope'), 'unknown_method'],
      [() => ctx.twofa.enroll('u1', '../../etc'), 'unknown_method'],
      [() => ctx.twofa.enroll('u1', 'totp', { label: 'x'.repeat(10_000) }), 'invalid_input'],
      [() => ctx.twofa.enroll('u1', 'totp', { label: 'a\u0000b' }), 'invalid_input'],
      [() => ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123', channel: 'pigeon' }), 'channel_unsupported'],
      [() => ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123', locale: 'x'.repeat(100) }), 'invalid_input'],
      [() => ctx.twofa.confirmEnrollment('nobody', 'phone', '123456'), 'no_pending_enrollment'],
      [() => ctx.twofa.challenge('nobody'), 'not_enrolled'],
      [() => ctx.twofa.challenge('u1', { method: 'phone' }), 'not_enrolled'],
      [() => ctx.twofa.remove('u1', 'nope'), 'unknown_method'],
      [() => ctx.twofa.rememberDevice('u1', { days: -1 }), 'invalid_input'],
    ];
    for (const [call, code] of cases) {
      const err = await call().then(
        () => new Error('resolved'),
        (e: unknown) => e,
      );
      expect(isTwoFactorError(err) ? err.code : err, call.toString()).toBe(code);
    }
  });

  it('an unknown challenge id is an expired challenge, not a crash', async () => {
    const ctx = setup();
    await withTotp(ctx);
    expect(await ctx.twofa.verify('u1', { challengeId: 'does-not-exist', code: '123456' })).toMatchObject({ ok: false, error: 'expired' });
  });

  it('refused input is a typed error and writes nothing', async () => {
    const ctx = setup({
      interfaces: [
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

function dumpStoreSafe(store: Parameters<typeof dumpStore>[0]): string {
  return JSON.stringify(store, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v));
}
