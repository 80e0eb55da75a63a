import { describe, expect, it } from 'vitest';
import { consoleSender, localVerifier, phone, recoveryCodes, totp, TwoFactorError, type Verifier } from '@twofa/core';
import { setup, withPhone, withTotp } from './helpers.js';

/** The user's pending enrollment (one per method), for confirmEnrollment. */
async function pendingId(ctx: ReturnType<typeof setup>, userId = 'u1'): Promise<string> {
  const p = (await ctx.twofa.methods(userId)).find((a) => a.status === 'pending');
  if (!p) throw new Error('no pending enrollment');
  return p.id;
}

describe('phone', () => {
  it('enrolls a number with a confirmation code and stores it as E.164, shown masked', async () => {
    const ctx = setup();
    const e = await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '(415) 555-0123' });
    expect(e).toMatchObject({ method: 'phone', destination: '+1 ••• ••• 0123', channel: 'sms' });
    expect(ctx.sent.at(-1)?.to).toBe('+14155550123');
    const r = await ctx.twofa.confirmEnrollment('u1', await pendingId(ctx), ctx.lastCode());
    expect(r.ok).toBe(true);
    expect(r.ok && r.recoveryCodes).toHaveLength(10);
    const m = (await ctx.twofa.methods('u1')).find((x) => x.method === 'phone');
    expect(m).toMatchObject({ status: 'active', display: { phone: '+1 ••• ••• 0123' } });
  });

  it('a wrong confirmation code leaves the enrollment pending', async () => {
    const ctx = setup();
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    const wrong = ctx.lastCode() === '000000' ? '111111' : '000000';
    expect(await ctx.twofa.confirmEnrollment('u1', await pendingId(ctx), wrong)).toMatchObject({ ok: false, error: 'invalid_code', attemptsLeft: 4 });
    expect((await ctx.twofa.methods('u1')).find((x) => x.method === 'phone')?.status).toBe('pending');
    expect((await ctx.twofa.confirmEnrollment('u1', await pendingId(ctx), ctx.lastCode())).ok).toBe(true);
  });

  it('challenge sends a code (Sentry activate) and verify checks it once', async () => {
    const ctx = setup();
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    await ctx.twofa.confirmEnrollment('u1', await pendingId(ctx), ctx.lastCode());
    const before = ctx.sent.length;
    const ch = await ctx.twofa.challenge('u1', { method: 'phone', channel: 'call' });
    expect(ctx.sent.length).toBe(before + 1);
    expect(ctx.sent.at(-1)?.channel).toBe('call');
    expect(ch).toMatchObject({ method: 'phone', channel: 'call', destination: '+1 ••• ••• 0123' });
    expect(ch.resendAt).toBe(ctx.clock.now() + 180_000);
    const code = ctx.lastCode();
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: ` ${code.slice(0, 3)}-${code.slice(3)} ` })).toMatchObject({ ok: true, method: 'phone' });
    expect((await ctx.twofa.verify('u1', { challengeId: ch.id, code })).ok).toBe(false);
    // A wrong entry never triggers a new send.
    expect(ctx.sent.length).toBe(before + 1);
  });

  it('cancels the provider verification when a challenge uses up its attempts, and checks no more', async () => {
    const rec = recordingVerifier();
    const ctx = setup({ methods: [phone({ verifier: rec.verifier }), recoveryCodes()], policy: { lockoutAfter: 50, hourlyMaxAttempts: 50 } });
    rec.next = 'approved';
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    expect((await ctx.twofa.confirmEnrollment('u1', await pendingId(ctx), '123456')).ok).toBe(true);
    ctx.clock.advanceSeconds(181);
    const ch = await ctx.twofa.challenge('u1', { method: 'phone' });
    rec.next = 'pending'; // every guess is wrong
    const checksBefore = rec.checks;
    for (let i = 4; i >= 1; i--) {
      expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: '000000' })).toMatchObject({ ok: false, error: 'invalid_code', attemptsLeft: i });
    }
    expect(rec.cancels).toEqual([]);
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: '000000' })).toMatchObject({ ok: false, error: 'invalid_code', attemptsLeft: 0 });
    expect(rec.cancels).toEqual(['v2']); // the challenge's verification, not the enrollment's
    rec.next = 'approved';
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: '123456' })).toMatchObject({ ok: false, error: 'max_attempts' });
    expect(rec.checks - checksBefore).toBe(5);
    expect(rec.cancels).toHaveLength(1);
  });

  it('applies allowed and denied countries and refuses invalid numbers, writing nothing', async () => {
    const ctx = setup({
      methods: [phone({ verifier: recordingVerifier().verifier, numbers: { defaultRegion: 'US', allowedCountries: ['US', 'CA'], deniedCountries: ['CA'] } })],
    });
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+442071838750' })).rejects.toMatchObject({ code: 'country_not_allowed' });
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+16135550123' })).rejects.toMatchObject({ code: 'country_not_allowed' });
    for (const bad of ['12', '+1 555', 'not a number', '+999 1234 5678', '١٢٣٤٥٦٧٨٩٠', '+1\u0000415555012', 'x'.repeat(10_000)]) {
      await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: bad }), JSON.stringify(bad.slice(0, 20))).rejects.toMatchObject({ code: 'invalid_phone_number' });
    }
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: 4155550123 as unknown as string })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await ctx.store.getAuthenticators('u1')).toEqual([]);
  });

  it('errors never echo the number', async () => {
    const ctx = setup({ methods: [phone({ verifier: recordingVerifier().verifier, numbers: { allowedCountries: ['US'] } })] });
    const err = await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+442071838750' }).catch((e: TwoFactorError) => e);
    expect(err).toBeInstanceOf(TwoFactorError);
    expect(JSON.stringify({ m: (err as Error).message, s: (err as Error).stack })).not.toMatch(/2071838750/);
  });

  it('falls back to the next channel only on retryable or channel errors', async () => {
    const rec = recordingVerifier();
    const ctx = setup({ methods: [phone({ verifier: rec.verifier, channels: ['sms', 'call'] }), recoveryCodes()] });
    rec.failNext.push(new TwoFactorError('provider_unavailable'));
    const e = await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    expect(e.channel).toBe('call');
    expect(rec.starts.map((s) => s.channel)).toEqual(['sms', 'call']);

    rec.starts.length = 0;
    ctx.clock.advanceSeconds(181);
    rec.failNext.push(new TwoFactorError('invalid_destination'));
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' })).rejects.toMatchObject({ code: 'invalid_destination' });
    expect(rec.starts.map((s) => s.channel)).toEqual(['sms']); // a permanent error is not retried elsewhere
  });

  it('refuses a line type not allowed by the lookup', async () => {
    const rec = recordingVerifier('landline');
    const ctx = setup({ methods: [phone({ verifier: rec.verifier, lineTypes: ['mobile'] }), totp()] });
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' })).rejects.toMatchObject({ code: 'line_type_not_allowed' });
    expect(rec.starts).toEqual([]);
  });

  it('is unavailable without a verifier', async () => {
    const ctx = setup({ methods: [totp(), phone(), recoveryCodes()] });
    expect(ctx.twofa.availableMethods().map((m) => [m.method, m.available])).toEqual([['totp', true], ['phone', false], ['recovery', true]]);
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' })).rejects.toMatchObject({ code: 'method_unavailable' });
  });

  it('provider outcomes map to typed results: expired and max attempts close the challenge', async () => {
    const rec = recordingVerifier();
    const ctx = setup({ methods: [phone({ verifier: rec.verifier }), recoveryCodes()] });
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    rec.next = 'approved';
    expect((await ctx.twofa.confirmEnrollment('u1', await pendingId(ctx), '123456')).ok).toBe(true);
    const ch = await ctx.twofa.challenge('u1');
    rec.next = 'max_attempts';
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: '123456' })).toMatchObject({ ok: false, error: 'max_attempts' });
    rec.next = 'approved';
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: '123456' })).toMatchObject({ ok: false, error: 'expired' });
  });

  it('a failed send is an error the caller sees, and opens no challenge', async () => {
    const rec = recordingVerifier();
    const ctx = await enrolledWith(rec);
    rec.failNext.push(new TwoFactorError('provider_unavailable'));
    await expect(ctx.twofa.challenge('u1')).rejects.toMatchObject({ code: 'provider_unavailable' });
  });

  it('a send that failed on every channel gives the resend cooldown back, but the send still counts', async () => {
    const rec = recordingVerifier();
    const ctx = setup({
      methods: [phone({ verifier: rec.verifier, channels: ['sms', 'call'] }), recoveryCodes()],
      policy: { sendLimits: { perUser: { max: 3, windowSeconds: 3600 } } },
    });
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    rec.next = 'approved';
    await ctx.twofa.confirmEnrollment('u1', await pendingId(ctx), '123456'); // send 1
    rec.failNext.push(new TwoFactorError('provider_unavailable'), new TwoFactorError('provider_unavailable'));
    await expect(ctx.twofa.challenge('u1')).rejects.toMatchObject({ code: 'provider_unavailable' }); // send 2, nothing went out
    // No clock move: the user may ask again at once.
    const ch = await ctx.twofa.challenge('u1'); // send 3
    expect(ch.method).toBe('phone');
    // A delivered code does keep its cooldown.
    await expect(ctx.twofa.challenge('u1')).rejects.toMatchObject({ code: 'resend_cooldown' });
    ctx.clock.advanceSeconds(181);
    await expect(ctx.twofa.challenge('u1')).rejects.toMatchObject({ code: 'send_limit' }); // the failed send was counted
  });

  it('a permanent refusal gives the cooldown back too (the user may correct and retry)', async () => {
    const rec = recordingVerifier();
    const ctx = setup({ methods: [phone({ verifier: rec.verifier }), recoveryCodes()] });
    rec.failNext.push(new TwoFactorError('invalid_destination'));
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' })).rejects.toMatchObject({ code: 'invalid_destination' });
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550124' })).resolves.toMatchObject({ method: 'phone' });
  });

  it('two confirmations with the right code at once: one succeeds, and the phone stays enrolled', async () => {
    // The slow one read the pending record before the fast one activated it, and hears
    // 'expired' from the provider (the verification was approved already) after.
    const rec = recordingVerifier();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const check = rec.verifier.check.bind(rec.verifier);
    let calls = 0;
    rec.verifier.check = async (input) => {
      if (++calls === 1) {
        await held;
        return 'expired';
      }
      return check(input);
    };
    const ctx = setup({ methods: [phone({ verifier: rec.verifier }), recoveryCodes()] });
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    rec.next = 'approved';
    const id = await pendingId(ctx);
    const slow = ctx.twofa.confirmEnrollment('u1', id, '123456');
    while (calls === 0) await new Promise((r) => setImmediate(r));
    const fast = await ctx.twofa.confirmEnrollment('u1', id, '123456');
    release();
    expect(fast.ok).toBe(true);
    expect((await slow).ok).toBe(false);
    expect((await ctx.twofa.methods('u1')).find((m) => m.method === 'phone')?.status).toBe('active');
    expect((await ctx.twofa.challenge('u1', { method: 'phone' })).method).toBe('phone');
  });
});

describe('message text (localVerifier templates)', () => {
  it('follows the locale: exact, then language, then English; custom languages can be added', async () => {
    const sent: string[] = [];
    const sender = consoleSender({ write: () => {}, onMessage: (m) => sent.push(m.body) });
    const ctx = setup({
      methods: [
        phone({ verifier: localVerifier({ sender, templates: { it: ({ code, issuer }) => `Il tuo codice ${issuer} è ${code}.` } }) }),
        recoveryCodes(),
      ],
      policy: { resendAfterSeconds: 0 },
    });
    const texts: Record<string, RegExp> = {
      fr: /^Votre code de vérification Acme est \d{6}\. Il expire dans 10 minutes\./,
      'fr-CA': /^Votre code de vérification Acme est \d{6}/,
      'de-AT': /^Ihr Acme-Bestätigungscode lautet \d{6}/,
      'pt-BR': /^Your Acme verification code is \d{6}\. It expires in 10 minutes\./,
      it: /^Il tuo codice Acme è \d{6}\.$/,
    };
    for (const [locale, text] of Object.entries(texts)) {
      await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123', locale });
      expect(sent.at(-1), locale).toMatch(text);
    }
  });
});

describe('several phones, replaced codes, lockouts (hardening)', () => {
  it('a user holds two named phones; a challenge goes to the one asked for and only its code passes', async () => {
    const ctx = setup();
    const work = await withPhone(ctx, 'u1', '+12015550123', 'Work');
    const home = await withPhone(ctx, 'u1', '+12015550199', 'Home');
    ctx.clock.advanceSeconds(181);
    const ch = await ctx.twofa.challenge('u1', { authenticatorId: home.id });
    expect(ch).toMatchObject({ method: 'phone', authenticatorId: home.id, destination: '+1 ••• ••• 0199' });
    expect(ctx.sent.at(-1)?.to).toBe('+12015550199');
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: ctx.lastCode() })).toMatchObject({ ok: true, authenticatorId: home.id });
    const listed = await ctx.twofa.methods('u1');
    expect(listed.filter((a) => a.method === 'phone').map((a) => [a.name, a.display.phone])).toEqual([['Work', '+1 ••• ••• 0123'], ['Home', '+1 ••• ••• 0199']]);
    expect(await ctx.twofa.remove('u1', work.id)).toEqual({ removed: [work.id] });
    await expect(ctx.twofa.challenge('u1', { authenticatorId: work.id })).rejects.toMatchObject({ code: 'not_enrolled' });
  });

  it('the same number twice is refused; a TOTP challenge for one app takes only its codes', async () => {
    const ctx = setup();
    await withPhone(ctx, 'u1', '+12015550123', 'Work');
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: '(201) 555-0123' })).rejects.toMatchObject({ code: 'already_enrolled' });
    const a = await withTotp(ctx, 'u2', 'A');
    const b = await withTotp(ctx, 'u2', 'B');
    const ch = await ctx.twofa.challenge('u2', { authenticatorId: b.id });
    expect(ch.authenticatorId).toBe(b.id);
    expect(await ctx.twofa.verify('u2', { challengeId: ch.id, code: ctx.totpCode(a.secret) })).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(await ctx.twofa.verify('u2', { challengeId: ch.id, code: ctx.totpCode(b.secret) })).toMatchObject({ ok: true, authenticatorId: b.id });
  });

  it('a new challenge cancels the open one at the provider before it sends (Vonage allows one per number)', async () => {
    const rec = recordingVerifier();
    const order: string[] = [];
    const start = rec.verifier.start.bind(rec.verifier);
    const cancel = rec.verifier.cancel.bind(rec.verifier);
    rec.verifier.start = async (i) => (order.push('start'), start(i));
    rec.verifier.cancel = async (id) => (order.push(`cancel ${id}`), cancel(id));
    const ctx = await enrolledWith(rec);
    ctx.clock.advanceSeconds(181);
    const first = await ctx.twofa.challenge('u1');
    ctx.clock.advanceSeconds(181);
    order.length = 0;
    const second = await ctx.twofa.challenge('u1');
    expect(order).toEqual(['cancel v2', 'start']);
    // The first challenge is gone; the second works.
    expect(await ctx.twofa.verify('u1', { challengeId: first.id, code: '123456' })).toMatchObject({ ok: false, error: 'expired' });
    expect(await ctx.twofa.verify('u1', { challengeId: second.id, code: '123456' })).toMatchObject({ ok: true });
  });

  it("a provider's own send limit carries retryAt: when the verification it still counts would end", async () => {
    const rec = recordingVerifier();
    const ctx = await enrolledWith(rec);
    ctx.clock.advanceSeconds(181);
    const first = await ctx.twofa.challenge('u1');
    ctx.clock.advanceSeconds(181);
    rec.failNext.push(new TwoFactorError('send_limit', { provider: 'recording', providerCode: 60203 }));
    const err = await ctx.twofa.challenge('u1').catch((e: TwoFactorError) => e);
    expect(err).toMatchObject({ code: 'send_limit', retryAt: first.expiresAt, providerCode: 60203 });
  });

  it('within the cooldown a new challenge is refused and the open one stays valid', async () => {
    const rec = recordingVerifier();
    const ctx = await enrolledWith(rec);
    ctx.clock.advanceSeconds(181);
    const ch = await ctx.twofa.challenge('u1');
    await expect(ctx.twofa.challenge('u1')).rejects.toMatchObject({ code: 'resend_cooldown' });
    expect(rec.cancels).toEqual([]);
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: '123456' })).toMatchObject({ ok: true });
  });

  it('a new enrollment cancels the code of the one it replaces', async () => {
    const rec = recordingVerifier();
    const ctx = setup({ methods: [phone({ verifier: rec.verifier }), recoveryCodes()], policy: { resendAfterSeconds: 0 } });
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    expect(rec.cancels).toEqual(['v1']);
  });

  it('a locked user cannot make the SDK send: challenge throws locked with retryAt and sends nothing', async () => {
    const ctx = setup();
    await withPhone(ctx);
    ctx.clock.advanceSeconds(181);
    const ch = await ctx.twofa.challenge('u1');
    for (let i = 0; i < 5; i++) await ctx.twofa.verify('u1', { challengeId: ch.id, code: '000000' === ctx.lastCode() ? '111111' : '000000' });
    ctx.clock.advanceSeconds(181);
    const before = ctx.sent.length;
    const err = await ctx.twofa.challenge('u1').catch((e: TwoFactorError) => e);
    expect(err).toMatchObject({ code: 'locked', retryAt: expect.any(Number) });
    expect((err as TwoFactorError).retryAt!).toBeGreaterThan(ctx.clock.now());
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+12015550177' })).rejects.toMatchObject({ code: 'locked' });
    expect(ctx.sent.length).toBe(before);
    ctx.clock.set((err as TwoFactorError).retryAt!);
    await expect(ctx.twofa.challenge('u1')).resolves.toMatchObject({ method: 'phone' });
  });

  it('open challenges stay bounded: a flood of challenge() keeps one per method', async () => {
    const ctx = setup();
    await withTotp(ctx);
    const ids = [];
    for (let i = 0; i < 50; i++) ids.push((await ctx.twofa.challenge('u1', { method: 'totp' })).id);
    const records = await ctx.store.listRecords('u1', 'ch:', ctx.clock.now());
    expect(records.map((r) => r.key)).toEqual(['ch:totp']);
    expect(await ctx.twofa.verify('u1', { challengeId: ids[0]!, code: '123456' })).toMatchObject({ ok: false, error: 'expired' });
  });

  it('numbers of no country (premium, shared cost, satellite) are refused unless allowed', async () => {
    const ctx = setup({ methods: [phone({ verifier: recordingVerifier().verifier, numbers: { deniedCountries: ['CU'] } }), recoveryCodes()], policy: { resendAfterSeconds: 0 } });
    for (const n of ['+979123456789', '+80812345678', '+870773111632', '+881612345678', '+8823456789012', '+883510012345']) {
      await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: n }), n).rejects.toMatchObject({ code: 'country_not_allowed' });
    }
    const open = setup({ methods: [phone({ verifier: recordingVerifier().verifier, numbers: { allowNonGeographic: ['870'] } }), recoveryCodes()] });
    await expect(open.twofa.enroll('u1', 'phone', { phoneNumber: '+870773111632' })).resolves.toMatchObject({ method: 'phone' });
    await expect(open.twofa.enroll('u2', 'phone', { phoneNumber: '+979123456789' })).rejects.toMatchObject({ code: 'country_not_allowed' });
    expect(() => phone({ numbers: { allowNonGeographic: ['+870'] } })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});

/** A manager whose user u1 has one phone, confirmed through `rec` (which then approves). */
async function enrolledWith(rec: ReturnType<typeof recordingVerifier>) {
  const ctx = setup({ methods: [phone({ verifier: rec.verifier }), recoveryCodes()] });
  await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
  rec.next = 'approved';
  await ctx.twofa.confirmEnrollment('u1', await pendingId(ctx), '123456');
  return ctx;
}

/** A scripted Verifier for manager-level tests. */
function recordingVerifier(lineType: string | null = 'mobile') {
  const state = {
    starts: [] as { to: string; channel: string }[],
    checks: 0,
    cancels: [] as string[],
    failNext: [] as Error[],
    next: 'pending' as 'approved' | 'pending' | 'expired' | 'max_attempts',
    verifier: undefined as unknown as Verifier,
  };
  let n = 0;
  state.verifier = {
    name: 'recording',
    channels: ['sms', 'call', 'whatsapp'],
    async start(input) {
      state.starts.push({ to: input.to, channel: input.channel });
      const err = state.failNext.shift();
      if (err) throw err;
      return { id: `v${++n}`, channel: input.channel, expiresAt: Date.UTC(2026, 0, 1, 12, 10) };
    },
    async check() {
      state.checks++;
      return state.next;
    },
    async cancel(id) {
      state.cancels.push(id);
      return true;
    },
    async lookupLineType() {
      return lineType;
    },
  };
  return state;
}
