import { describe, expect, it } from 'vitest';
import { TwoFactorError } from '@twofa/core';
import { FakeClock, fakeSender, fakeVerifier } from '@twofa/testkit';

describe('fakeVerifier', () => {
  it('records each start and exposes its code to the test', async () => {
    const v = fakeVerifier();
    const s = await v.start({ to: '+15005550006', channel: 'sms', locale: 'fr' });
    expect(v.sent).toHaveLength(1);
    expect(v.sent[0]).toMatchObject({ id: s.id, to: '+15005550006', channel: 'sms', locale: 'fr' });
    const code = v.lastCode('+15005550006')!;
    expect(code).toMatch(/^\d{6}$/);
    expect(v.lastCode('+15005550007')).toBeUndefined();
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await v.check({ id: s.id, code: wrong })).toBe('pending');
    expect(await v.check({ id: s.id, code })).toBe('approved');
    expect(await v.check({ id: s.id, code })).toBe('expired');
  });

  it('expires on its clock and stops after maxChecks', async () => {
    const clock = new FakeClock();
    const v = fakeVerifier({ clock, ttlSeconds: 60, maxChecks: 2, code: '424242' });
    const a = await v.start({ to: '+15005550006', channel: 'sms' });
    expect(a.expiresAt).toBe(clock.now() + 60_000);
    expect(await v.check({ id: a.id, code: '1' })).toBe('pending');
    expect(await v.check({ id: a.id, code: '2' })).toBe('max_attempts');
    expect(await v.check({ id: a.id, code: '424242' })).toBe('max_attempts');
    const b = await v.start({ to: '+15005550006', channel: 'sms' });
    clock.advanceSeconds(60);
    expect(await v.check({ id: b.id, code: '424242' })).toBe('expired');
    expect(await v.cancel(b.id)).toBe(false);
  });

  it('cancel ends an open verification once', async () => {
    const v = fakeVerifier({ code: '123456' });
    const s = await v.start({ to: '+15005550006', channel: 'call' });
    expect(await v.cancel(s.id)).toBe(true);
    expect(await v.cancel(s.id)).toBe(false);
    expect(await v.check({ id: s.id, code: '123456' })).toBe('expired');
  });

  it('failNext throws the scripted TwoFactorError once, on the chosen operation', async () => {
    const v = fakeVerifier({ channels: ['sms'] });
    v.failNext('rate_limited', 'start', { retryAfter: 9 });
    const err = await v.start({ to: '+15005550006', channel: 'sms' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwoFactorError);
    expect((err as TwoFactorError).code).toBe('rate_limited');
    expect((err as TwoFactorError).retryAfter).toBe(9);
    await expect(v.start({ to: '+15005550006', channel: 'sms' })).resolves.toMatchObject({ channel: 'sms' });
    await expect(v.start({ to: '+15005550006', channel: 'call' })).rejects.toMatchObject({ code: 'channel_unsupported' });
  });

  it('lookupLineType exists only when a line type is configured', async () => {
    expect(fakeVerifier().lookupLineType).toBeUndefined();
    const v = fakeVerifier({ lineType: (n) => (n.endsWith('0') ? 'landline' : 'mobile') });
    expect(await v.lookupLineType!('+15005550010')).toBe('landline');
    expect(await v.lookupLineType!('+15005550006')).toBe('mobile');
  });
});

describe('fakeSender', () => {
  it('records messages and finds the code in the last body', async () => {
    const s = fakeSender();
    const r = await s.send({ to: '+15005550006', body: 'Your Acme code is 918273. It expires in 10 minutes.', channel: 'sms' });
    await s.send({ to: '+15005550009', body: 'Code 5555', channel: 'sms' });
    expect(r.id).toBeTruthy();
    expect(s.sent.map((m) => m.to)).toEqual(['+15005550006', '+15005550009']);
    expect(s.lastCode('+15005550006')).toBe('918273');
    expect(s.lastCode()).toBe('5555');
  });

  it('failNext makes the next send fail, then sends resume', async () => {
    const s = fakeSender();
    s.failNext('provider_unavailable');
    await expect(s.send({ to: '+15005550006', body: 'x 123456', channel: 'sms' })).rejects.toMatchObject({ code: 'provider_unavailable', retryable: true });
    await s.send({ to: '+15005550006', body: 'x 123456', channel: 'sms' });
    expect(s.sent).toHaveLength(1);
  });
});
