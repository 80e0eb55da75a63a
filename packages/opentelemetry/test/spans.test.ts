import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { isTwoFactorError, TwoFactorError, type Verifier } from '@twofa/core';
import { fakeVerifier } from '@twofa/testkit';
import { isChildOf, named, only, startOtel, type Otel } from './harness.js';
import { manager, wrong, withPhone, withTotp } from './setup.js';

let otel: Otel;
beforeEach(() => {
  otel = startOtel();
});
afterEach(async () => {
  await otel.stop();
});

const UNSET = { code: SpanStatusCode.UNSET };

describe('operation spans', () => {
  it('TOTP: one span per call, with the method and the outcome, and nothing else', async () => {
    const c = manager(otel);
    const { secret } = await withTotp(c);
    const bad = await c.twofa.verify('u1', { method: 'totp', code: wrong(c.totpCode(secret)) });
    const good = await c.twofa.verify('u1', { method: 'totp', code: c.totpCode(secret) });
    expect([bad.ok, good.ok]).toEqual([false, true]);

    const spans = otel.spans();
    expect(spans.map((s) => s.name)).toEqual(['twofa.enroll', 'twofa.confirm_enrollment', 'twofa.verify', 'twofa.verify']);
    expect(only(spans, 'twofa.enroll').attributes).toEqual({ 'twofa.method': 'totp', 'twofa.outcome': 'ok' });
    expect(only(spans, 'twofa.confirm_enrollment').attributes).toEqual({ 'twofa.method': 'totp', 'twofa.outcome': 'ok' });
    const [wrongSpan, rightSpan] = named(spans, 'twofa.verify');
    expect(wrongSpan!.attributes).toEqual({ 'twofa.method': 'totp', 'twofa.outcome': 'invalid_code', 'twofa.attempts_left': 4 });
    expect(rightSpan!.attributes).toEqual({ 'twofa.method': 'totp', 'twofa.outcome': 'ok' });
    // A wrong code is a result, not a failed operation.
    for (const s of spans) {
      expect(s.status).toEqual(UNSET);
      expect(s.kind).toBe(SpanKind.INTERNAL);
      expect(s.parentSpanContext).toBeUndefined(); // each call is its own root here
    }
  });

  it('a failed confirmation names its method, which only the manager knew (from its event)', async () => {
    const c = manager(otel);
    const e = await c.twofa.enroll('u1', 'totp');
    const r = await c.twofa.confirmEnrollment('u1', e.id, wrong(c.totpCode(e.secret)));
    expect(r).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(only(otel.spans(), 'twofa.confirm_enrollment').attributes).toEqual({ 'twofa.method': 'totp', 'twofa.outcome': 'invalid_code', 'twofa.attempts_left': 4 });
  });

  it('remove and regenerateRecoveryCodes have spans too; the codes are not on them', async () => {
    const c = manager(otel);
    await withTotp(c);
    const codes = await c.twofa.regenerateRecoveryCodes('u1');
    const totpId = (await c.twofa.methods('u1')).find((m) => m.method === 'totp')!.id;
    const { removed } = await c.twofa.remove('u1', totpId);
    expect(removed).toHaveLength(2); // the last primary takes the recovery set with it
    expect(only(otel.spans(), 'twofa.regenerate_recovery_codes').attributes).toEqual({ 'twofa.outcome': 'ok' });
    expect(only(otel.spans(), 'twofa.remove').attributes).toEqual({ 'twofa.method': 'totp', 'twofa.removed': 2, 'twofa.outcome': 'ok' });
    expect(JSON.stringify(otel.spans().map((s) => s.attributes))).not.toContain(codes[0]!);
  });
});

describe('provider spans nest under the operation', () => {
  it('phone on a hosted verifier: start and check are children of enroll, confirm, challenge and verify', async () => {
    const c = manager(otel);
    await withPhone(c);
    otel.reset();
    const ch = await c.twofa.challenge('u1', { method: 'phone' });
    const code = c.phoneCode();
    await c.twofa.verify('u1', { challengeId: ch.id, code: wrong(code) });
    await c.twofa.verify('u1', { challengeId: ch.id, code });

    const spans = otel.spans();
    const challenge = only(spans, 'twofa.challenge');
    const start = only(spans, 'twofa.verifier.start');
    expect(challenge.attributes).toEqual({ 'twofa.method': 'phone', 'twofa.channel': 'sms', 'twofa.outcome': 'ok' });
    expect(start.attributes).toEqual({ 'twofa.provider': 'fake', 'twofa.action': 'start', 'twofa.channel': 'sms', 'twofa.outcome': 'ok' });
    expect(isChildOf(start, challenge)).toBe(true);

    const [v1, v2] = named(spans, 'twofa.verify');
    const [c1, c2] = named(spans, 'twofa.verifier.check');
    expect(isChildOf(c1!, v1!) && isChildOf(c2!, v2!)).toBe(true);
    expect(c1!.attributes).toEqual({ 'twofa.provider': 'fake', 'twofa.action': 'check', 'twofa.outcome': 'pending' });
    expect(c2!.attributes).toEqual({ 'twofa.provider': 'fake', 'twofa.action': 'check', 'twofa.outcome': 'approved' });
    // verify by challengeId: the method comes from the manager, not from parsing the id.
    expect(v1!.attributes).toEqual({ 'twofa.method': 'phone', 'twofa.outcome': 'invalid_code', 'twofa.attempts_left': 4 });
    expect(v2!.attributes).toEqual({ 'twofa.method': 'phone', 'twofa.outcome': 'ok' });
  });

  it('enrolling a phone: start under enroll, check under confirm_enrollment', async () => {
    const c = manager(otel);
    await withPhone(c);
    const spans = otel.spans();
    expect(isChildOf(only(spans, 'twofa.verifier.start'), only(spans, 'twofa.enroll'))).toBe(true);
    expect(isChildOf(only(spans, 'twofa.verifier.check'), only(spans, 'twofa.confirm_enrollment'))).toBe(true);
    expect(only(spans, 'twofa.enroll').attributes).toEqual({ 'twofa.method': 'phone', 'twofa.channel': 'sms', 'twofa.outcome': 'ok' });
  });

  it('localVerifier with an instrumented sender: challenge > verifier.start > sender.send', async () => {
    const c = manager(otel, { verifier: 'local' });
    await withPhone(c);
    otel.reset();
    await c.twofa.challenge('u1');
    const spans = otel.spans();
    const send = only(spans, 'twofa.sender.send');
    const start = only(spans, 'twofa.verifier.start');
    expect(send.attributes).toEqual({ 'twofa.provider': 'console', 'twofa.action': 'send', 'twofa.channel': 'sms', 'twofa.outcome': 'ok' });
    expect(start.attributes['twofa.provider']).toBe('local(console)');
    expect(isChildOf(send, start) && isChildOf(start, only(spans, 'twofa.challenge'))).toBe(true);
  });

  it('a new challenge cancels the open one: verifier.cancel under the new challenge', async () => {
    const c = manager(otel);
    await withPhone(c);
    await c.twofa.challenge('u1');
    c.clock.advanceSeconds(181);
    otel.reset();
    await c.twofa.challenge('u1');
    const spans = otel.spans();
    const cancel = only(spans, 'twofa.verifier.cancel');
    expect(cancel.attributes).toEqual({ 'twofa.provider': 'fake', 'twofa.action': 'cancel', 'twofa.outcome': 'canceled' });
    expect(isChildOf(cancel, only(spans, 'twofa.challenge'))).toBe(true);
  });

  it('a line-type lookup at enrollment has its span', async () => {
    const c = manager(otel, { lineType: 'mobile' });
    await c.twofa.enroll('u1', 'phone', { phoneNumber: '+12015550123' });
    const lookup = only(otel.spans(), 'twofa.verifier.lookup_line_type');
    expect(lookup.attributes).toEqual({ 'twofa.provider': 'fake', 'twofa.action': 'lookup_line_type', 'twofa.outcome': 'ok' });
    expect(isChildOf(lookup, only(otel.spans(), 'twofa.enroll'))).toBe(true);
  });
});

describe('errors: status ERROR with the stable code, never the message', () => {
  it('resend_cooldown: the challenge span is an error, and no provider was called', async () => {
    const c = manager(otel);
    await withPhone(c);
    await c.twofa.challenge('u1');
    otel.reset();
    const err = await c.twofa.challenge('u1').catch((e: unknown) => e);
    expect(isTwoFactorError(err, 'resend_cooldown')).toBe(true);
    const spans = otel.spans();
    expect(spans.map((s) => s.name)).toEqual(['twofa.challenge']);
    expect(spans[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'resend_cooldown' });
    expect(spans[0]!.attributes).toEqual({ 'twofa.outcome': 'resend_cooldown', 'twofa.error_code': 'resend_cooldown' });
    expect(spans[0]!.events).toEqual([]); // no exception event: it would carry the message and stack
  });

  it('locked: the verify that began the lockout carries a twofa.lockout event; the next challenge is an error span', async () => {
    const c = manager(otel);
    const { secret } = await withTotp(c);
    otel.reset();
    for (let i = 0; i < 5; i++) await c.twofa.verify('u1', { method: 'totp', code: wrong(c.totpCode(secret)) });
    const verifies = named(otel.spans(), 'twofa.verify');
    expect(verifies.map((s) => s.events.map((e) => [e.name, e.attributes]))).toEqual([[], [], [], [], [['twofa.lockout', { 'twofa.reason': 'failures' }]]]);
    expect(verifies[4]!.attributes).toMatchObject({ 'twofa.outcome': 'invalid_code', 'twofa.attempts_left': 0 });

    otel.reset();
    await expect(c.twofa.challenge('u1', { method: 'totp' })).rejects.toMatchObject({ code: 'locked' });
    const locked = await c.twofa.verify('u1', { method: 'totp', code: c.totpCode(secret) });
    expect(locked).toMatchObject({ ok: false, error: 'locked' });
    const [challenge, verify] = otel.spans();
    expect(challenge!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'locked' });
    expect(challenge!.attributes).toEqual({ 'twofa.method': 'totp', 'twofa.outcome': 'locked', 'twofa.error_code': 'locked' });
    expect(verify!.status).toEqual(UNSET); // a locked result is an answer, not a failure of the call
    expect(verify!.attributes).toMatchObject({ 'twofa.outcome': 'locked' });
  });

  it('a provider outage: the failed start is an error span, the fallback channel sends, the challenge succeeds', async () => {
    const c = manager(otel);
    await withPhone(c);
    otel.reset();
    c.fake.failNext('provider_unavailable', 'start');
    const ch = await c.twofa.challenge('u1');
    expect(ch.channel).toBe('call');
    const spans = otel.spans();
    const [sms, call] = named(spans, 'twofa.verifier.start');
    expect(sms!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'provider_unavailable' });
    expect(sms!.attributes).toEqual({ 'twofa.provider': 'fake', 'twofa.action': 'start', 'twofa.channel': 'sms', 'twofa.outcome': 'provider_unavailable', 'twofa.error_code': 'provider_unavailable' });
    expect(call!.status).toEqual(UNSET);
    expect(call!.attributes).toMatchObject({ 'twofa.channel': 'call', 'twofa.outcome': 'ok' });
    expect(only(spans, 'twofa.challenge').status).toEqual(UNSET);
    expect(only(spans, 'twofa.challenge').attributes).toEqual({ 'twofa.method': 'phone', 'twofa.channel': 'call', 'twofa.outcome': 'ok' });
  });

  it('an error that is not a TwoFactorError is _OTHER; its message (with a number in it) goes nowhere', async () => {
    const inner = fakeVerifier();
    const leaky: Verifier = {
      name: 'leaky',
      channels: ['sms', 'call'],
      start: (input) => inner.start(input),
      check: async () => {
        throw new Error('gateway refused +12015550123 with code 123456');
      },
      cancel: (id) => inner.cancel(id),
    };
    const c = manager(otel, { custom: leaky });
    await c.twofa.enroll('u1', 'phone', { phoneNumber: '+12015550123' });
    const enrollment = (await c.twofa.methods('u1'))[0]!;
    otel.reset();
    await expect(c.twofa.confirmEnrollment('u1', enrollment.id, '123456')).rejects.toThrow('gateway refused');
    const spans = otel.spans();
    for (const name of ['twofa.verifier.check', 'twofa.confirm_enrollment']) {
      expect(only(spans, name).status).toEqual({ code: SpanStatusCode.ERROR, message: '_OTHER' });
      expect(only(spans, name).attributes).toMatchObject({ 'twofa.outcome': '_OTHER', 'twofa.error_code': '_OTHER' });
    }
    expect(JSON.stringify(spans.map((s) => [s.attributes, s.status, s.events]))).not.toMatch(/12015550123|123456|gateway/);
  });

  it('a TwoFactorError from a provider keeps its code on the provider span and the operation span', async () => {
    const c = manager(otel);
    const { id } = await withPhone(c);
    const ch = await c.twofa.challenge('u1', { authenticatorId: id });
    otel.reset();
    c.fake.failNext('rate_limited', 'check');
    const err = await c.twofa.verify('u1', { challengeId: ch.id, code: '000000' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwoFactorError);
    for (const name of ['twofa.verifier.check', 'twofa.verify']) {
      expect(only(otel.spans(), name).status).toEqual({ code: SpanStatusCode.ERROR, message: 'rate_limited' });
    }
  });
});
