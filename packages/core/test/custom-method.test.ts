import { generateSync, verifySync } from 'otplib';
import { describe, expect, it } from 'vitest';
import { createTwoFactor, MemoryStore, recoveryCodes, totp } from '@twofa/core';
import { normaliseDigits, TwoFactorError, type Method, type MethodContext, type OpenAuthenticator } from '@twofa/core/adapter';
import { FakeClock } from '@twofa/testkit';

/**
 * The proof that methods plug in without special cases: HOTP hardware tokens (RFC 4226),
 * written here against the public contract only, run through the whole manager flow with
 * no change to core.
 */

interface HotpInput {
  /** The token's seed (base32), as the vendor ships it. */
  seed: string;
  serial?: string;
}
interface HotpEnrollment {
  serial?: string;
}
interface HotpConfig {
  seed: string;
  [k: string]: unknown;
}

/** Codes from a press-to-show token; `lookAhead` presses may have been wasted (resynchronisation window). */
function hotp({ lookAhead = 10 } = {}): Method<'hotp', HotpInput, HotpEnrollment> {
  /** The counter the code was made at, if it is one of the next `lookAhead` after the last used. */
  function match(auth: OpenAuthenticator, code: unknown): number | null {
    const token = typeof code === 'string' ? normaliseDigits(code, 6) : null;
    if (token === null) return null;
    const next = (auth.record.counter ?? -1) + 1;
    const r = verifySync({ strategy: 'hotp', secret: (auth.config as HotpConfig).seed, token, counter: next, counterTolerance: [0, lookAhead] });
    return r.valid ? next + r.delta : null;
  }
  async function use(ctx: MethodContext, candidates: OpenAuthenticator[], code: unknown) {
    for (const auth of candidates) {
      const counter = match(auth, code);
      if (counter === null) continue;
      const id = auth.record.id;
      const won = await ctx.store.consume(ctx.userId, { counter: { authenticatorId: id, value: counter } }, ctx.now, { ...ctx.settle, touch: id });
      return won ? ({ outcome: 'approved', authenticatorId: id } as const) : ({ outcome: 'invalid' } as const);
    }
    return { outcome: 'invalid' } as const;
  }
  return {
    id: 'hotp',
    role: 'primary',
    order: 5,
    needsChallenge: false,
    maxPerUser: 3,
    answer: 'code',
    isAvailable: () => true,
    async enroll(_ctx, input) {
      if (typeof input.seed !== 'string' || !/^[A-Z2-7]{16,128}$/.test(input.seed)) throw new TwoFactorError('invalid_input', { message: 'seed must be base32.' });
      return { config: { seed: input.seed }, display: { serial: input.serial ?? '' }, output: input.serial ? { serial: input.serial } : {}, ttlSeconds: 600 };
    },
    confirm: async (ctx, pending, code) => (await use(ctx, [pending], code)).outcome,
    check: use,
    challenge: async () => ({ state: {} }),
  };
}

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // RFC 4226's "12345678901234567890"
const press = (counter: number) => generateSync({ strategy: 'hotp', secret: SEED, counter });

function manager() {
  const clock = new FakeClock();
  const twofa = createTwoFactor({ issuer: 'Acme', store: new MemoryStore(), clock, encryptionKeys: ['c'.repeat(64)], methods: [totp(), hotp(), recoveryCodes()] });
  return { twofa, clock };
}

describe('a method defined outside core: HOTP hardware tokens', () => {
  it('enroll → confirm → challenge → verify, typed per method, with recovery codes on the first confirm', async () => {
    const { twofa } = manager();
    expect(press(0)).toBe('755224'); // RFC 4226 Appendix D
    const e = await twofa.enroll('u1', 'hotp', { seed: SEED, serial: 'YK-0042', name: 'Desk token' });
    expect(e.serial).toBe('YK-0042'); // typed: HotpEnrollment
    const confirmed = await twofa.confirmEnrollment('u1', e.id, press(0));
    expect(confirmed).toMatchObject({ ok: true, method: 'hotp', authenticatorId: e.id, recoveryCodes: expect.any(Array) });
    const ch = await twofa.challenge('u1');
    expect(ch.method).toBe('hotp'); // the only primary method the user has
    expect(await twofa.verify('u1', { challengeId: ch.id, code: press(1) })).toMatchObject({ ok: true, method: 'hotp', authenticatorId: e.id });
    expect(await twofa.verify('u1', { method: 'hotp', code: press(2) })).toMatchObject({ ok: true });
    expect((await twofa.methods('u1')).map((a) => [a.method, a.name, a.display.serial])).toEqual([
      ['hotp', 'Desk token', 'YK-0042'],
      ['recovery', undefined, undefined],
    ]);
  });

  it('resynchronises within the look-ahead window, never goes back, and refuses replays', async () => {
    const { twofa } = manager();
    const e = await twofa.enroll('u1', 'hotp', { seed: SEED });
    await twofa.confirmEnrollment('u1', e.id, press(0));
    expect((await twofa.verify('u1', { method: 'hotp', code: press(8) })).ok).toBe(true); // 7 presses wasted
    expect((await twofa.verify('u1', { method: 'hotp', code: press(8) })).ok).toBe(false); // replay
    expect((await twofa.verify('u1', { method: 'hotp', code: press(5) })).ok).toBe(false); // behind the counter
    expect((await twofa.verify('u1', { method: 'hotp', code: press(20) })).ok).toBe(false); // beyond the window
    expect((await twofa.verify('u1', { method: 'hotp', code: press(9) })).ok).toBe(true);
  });

  it('attempt limits and lockout apply as to any method', async () => {
    const { twofa, clock } = manager();
    const e = await twofa.enroll('u1', 'hotp', { seed: SEED });
    await twofa.confirmEnrollment('u1', e.id, press(0));
    const ch = await twofa.challenge('u1', { method: 'hotp' });
    const wrong = press(0); // already used
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await twofa.verify('u1', { challengeId: ch.id, code: wrong }));
    expect(results.map((r) => (r.ok ? 'ok' : `${r.error}:${r.attemptsLeft}`))).toEqual(['invalid_code:4', 'invalid_code:3', 'invalid_code:2', 'invalid_code:1', 'invalid_code:0']);
    expect(await twofa.verify('u1', { method: 'hotp', code: press(1) })).toMatchObject({ ok: false, error: 'locked' });
    await expect(twofa.challenge('u1', { method: 'hotp' })).rejects.toMatchObject({ code: 'locked' });
    clock.advanceSeconds(600);
    expect(await twofa.verify('u1', { method: 'hotp', code: press(1) })).toMatchObject({ ok: true });
  });

  it('bad input to the custom method is a typed error', async () => {
    const { twofa } = manager();
    await expect(twofa.enroll('u1', 'hotp', { seed: 'not base32!' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(twofa.enroll('u1', 'hotp', undefined)).rejects.toBeInstanceOf(TwoFactorError);
  });
});
