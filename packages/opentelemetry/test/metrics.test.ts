import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failover } from '@twofa/core';
import { instrumentVerifier } from '@twofa/opentelemetry';
import { fakeVerifier } from '@twofa/testkit';
import { startOtel, type Otel } from './harness.js';
import { manager, wrong, withPhone, withTotp } from './setup.js';

let otel: Otel;
beforeEach(() => {
  otel = startOtel();
});
afterEach(async () => {
  await otel.stop();
});

const verifications = (method: string | undefined, purpose: string, outcome: string) =>
  otel.value('twofa.verifications', { ...(method ? { 'twofa.method': method } : {}), 'twofa.purpose': purpose, 'twofa.outcome': outcome });

describe('twofa.verifications', () => {
  it('counts each judged verification by method, purpose and outcome', async () => {
    const c = manager(otel);
    const { secret } = await withTotp(c);
    await c.twofa.verify('u1', { method: 'totp', code: wrong(c.totpCode(secret)) });
    await c.twofa.verify('u1', { method: 'totp', code: wrong(c.totpCode(secret)) });
    await c.twofa.verify('u1', { method: 'totp', code: c.totpCode(secret) });
    expect(await verifications('totp', 'enroll', 'ok')).toBe(1);
    expect(await verifications('totp', 'challenge', 'invalid_code')).toBe(2);
    expect(await verifications('totp', 'challenge', 'ok')).toBe(1);
    const names = new Set((await otel.points()).map((p) => p.metric));
    expect(names.has('twofa.lockouts')).toBe(false); // nothing recorded, nothing exported
  });

  it('counts verifications made through the original manager too (they come from its events)', async () => {
    const c = manager(otel);
    const { secret } = await withTotp(c);
    await c.bare.verify('u1', { method: 'totp', code: c.totpCode(secret) });
    expect(await verifications('totp', 'challenge', 'ok')).toBe(1);
    expect(otel.spans().filter((s) => s.name === 'twofa.verify')).toHaveLength(0); // no span: not called through the wrapper
  });

  it('two managers on one meter add up (one total per attribute set, not one each)', async () => {
    const a = manager(otel);
    const b = manager(otel);
    for (const c of [a, b]) {
      const { secret } = await withTotp(c);
      await c.twofa.verify('u1', { method: 'totp', code: c.totpCode(secret) });
    }
    expect(await verifications('totp', 'challenge', 'ok')).toBe(2);
    expect(await verifications('totp', 'enroll', 'ok')).toBe(2);
  });

  it('counts a verification that threw, with its error code', async () => {
    const c = manager(otel);
    await expect(c.twofa.verify('u1', { method: 'totp', code: '123456' })).rejects.toMatchObject({ code: 'not_enrolled' });
    await expect(c.twofa.confirmEnrollment('u1', 'nope', '123456')).rejects.toMatchObject({ code: 'no_pending_enrollment' });
    expect(await verifications('totp', 'challenge', 'not_enrolled')).toBe(1);
    expect(await verifications(undefined, 'enroll', 'no_pending_enrollment')).toBe(1);
  });

  it('a method id the caller made up is not an attribute value', async () => {
    const c = manager(otel);
    await expect(c.twofa.verify('u1', { method: 'sms-hack', code: '123456' })).rejects.toMatchObject({ code: 'unknown_method' });
    expect(await verifications(undefined, 'challenge', 'unknown_method')).toBe(1);
    expect(JSON.stringify(await otel.points())).not.toContain('sms-hack');
  });
});

describe('twofa.sends', () => {
  it('counts codes handed to the provider, by provider, channel and outcome, failures included', async () => {
    const c = manager(otel);
    await withPhone(c); // one send (enroll)
    c.fake.failNext('provider_unavailable', 'start');
    await c.twofa.challenge('u1'); // sms fails, call sends
    expect(await otel.value('twofa.sends', { 'twofa.provider': 'fake', 'twofa.channel': 'sms', 'twofa.outcome': 'ok' })).toBe(1);
    expect(await otel.value('twofa.sends', { 'twofa.provider': 'fake', 'twofa.channel': 'sms', 'twofa.outcome': 'provider_unavailable' })).toBe(1);
    expect(await otel.value('twofa.sends', { 'twofa.provider': 'fake', 'twofa.channel': 'call', 'twofa.outcome': 'ok' })).toBe(1);
  });

  it('a code sent by localVerifier through an instrumented sender is counted once, as the sender', async () => {
    const c = manager(otel, { verifier: 'local' });
    await withPhone(c);
    await c.twofa.challenge('u1');
    const sends = (await otel.points()).filter((p) => p.metric === 'twofa.sends');
    expect(sends).toEqual([{ metric: 'twofa.sends', unit: '{send}', attributes: { 'twofa.provider': 'console', 'twofa.channel': 'sms', 'twofa.outcome': 'ok' }, value: 2 }]);
  });

  it('with the sender left bare, the local verifier counts the send', async () => {
    const c = manager(otel, { verifier: 'local', instrumentSender: false });
    await withPhone(c);
    expect(await otel.value('twofa.sends', { 'twofa.provider': 'local(console)', 'twofa.channel': 'sms', 'twofa.outcome': 'ok' })).toBe(1);
  });

  it('failover over instrumented verifiers, itself instrumented: each attempt counted once, by the provider that made it', async () => {
    const telemetry = { tracer: otel.tracer, meter: otel.meter };
    const a = fakeVerifier({ name: 'a' });
    const b = fakeVerifier({ name: 'b' });
    a.failNext('provider_unavailable', 'start');
    const both = instrumentVerifier(failover([instrumentVerifier(a, telemetry), instrumentVerifier(b, telemetry)], { breaker: false }), telemetry);
    await both.start({ to: '+12015550123', channel: 'sms' });
    await both.start({ to: '+12015550123', channel: 'sms' });
    const sends = (await otel.points()).filter((p) => p.metric === 'twofa.sends').map((p) => [p.attributes['twofa.provider'], p.attributes['twofa.outcome'], p.value]);
    expect(sends.sort()).toEqual([['a', 'ok', 1], ['a', 'provider_unavailable', 1], ['b', 'ok', 1]]);
    // The failover's own span is there, with the attempts under it.
    const outer = otel.spans().filter((s) => s.attributes['twofa.provider'] === 'failover(a,b)');
    expect(outer).toHaveLength(2);
    expect(otel.spans().filter((s) => s.parentSpanContext?.spanId === outer[0]!.spanContext().spanId).map((s) => s.attributes['twofa.provider'])).toEqual(['a', 'b']);
  });

  it('a cooldown refused before any provider call is not a send', async () => {
    const c = manager(otel);
    await withPhone(c);
    await c.twofa.challenge('u1');
    await expect(c.twofa.challenge('u1')).rejects.toMatchObject({ code: 'resend_cooldown' });
    const sends = (await otel.points()).filter((p) => p.metric === 'twofa.sends');
    expect(sends.reduce((n, p) => n + p.value, 0)).toBe(2);
  });
});

describe('twofa.provider.duration', () => {
  it('records each provider call in ms by provider, action and outcome', async () => {
    const c = manager(otel);
    const { id } = await withPhone(c);
    const ch = await c.twofa.challenge('u1', { authenticatorId: id });
    await c.twofa.verify('u1', { challengeId: ch.id, code: wrong(c.phoneCode()) });
    const points = (await otel.points()).filter((p) => p.metric === 'twofa.provider.duration');
    expect(points.every((p) => p.unit === 'ms')).toBe(true);
    const count = (action: string, outcome: string) =>
      points.find((p) => p.attributes['twofa.action'] === action && p.attributes['twofa.outcome'] === outcome && p.attributes['twofa.provider'] === 'fake')?.value;
    expect([count('start', 'ok'), count('check', 'approved'), count('check', 'pending')]).toEqual([2, 1, 1]);
    expect(points.map((p) => Object.keys(p.attributes).sort())).toEqual(points.map(() => ['twofa.action', 'twofa.outcome', 'twofa.provider']));
  });
});

describe('twofa.lockouts', () => {
  it('failures: five wrong codes in a row', async () => {
    const c = manager(otel);
    const { secret } = await withTotp(c);
    for (let i = 0; i < 6; i++) await c.twofa.verify('u1', { method: 'totp', code: wrong(c.totpCode(secret)) });
    expect(await otel.value('twofa.lockouts', { 'twofa.reason': 'failures' })).toBe(1); // the sixth was refused, not a new lockout
    expect(await verifications('totp', 'challenge', 'locked')).toBe(1);
  });

  it('hourly_cap and suspended', async () => {
    const capped = manager(otel, { policy: { hourlyMaxAttempts: 3, lockoutAfter: 50 } });
    const a = await withTotp(capped);
    for (let i = 0; i < 3; i++) await capped.twofa.verify('u1', { method: 'totp', code: wrong(capped.totpCode(a.secret)) });
    expect(await otel.value('twofa.lockouts', { 'twofa.reason': 'hourly_cap' })).toBe(1);

    const suspended = manager(otel, { policy: { maxConsecutiveFailures: 3, lockoutAfter: 50 } });
    const b = await withTotp(suspended);
    for (let i = 0; i < 3; i++) await suspended.twofa.verify('u1', { method: 'totp', code: wrong(suspended.totpCode(b.secret)) });
    expect(await otel.value('twofa.lockouts', { 'twofa.reason': 'suspended', 'twofa.scope': 'primary' })).toBe(1);
    const spans = otel.spans().filter((s) => s.events.length > 0);
    expect(spans.map((s) => s.events[0]!.attributes)).toEqual([{ 'twofa.reason': 'hourly_cap' }, { 'twofa.reason': 'suspended', 'twofa.scope': 'primary' }]);
  });
});
