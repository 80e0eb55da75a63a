import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import twilio from 'twilio';
import { MemoryStore, TwoFactorError, createTwoFactor, phone, type Verifier } from '@twofa/core';
import { FakeClock, TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_MAX_CHECKS as MAX_CHECKS, TWILIO_SERVICE_SID as SERVICE_SID, startTwilioFake, type TwilioFake } from '@twofa/testkit';
import { twilioVerify } from '@twofa/twilio';
// Test plumbing only (a ready client pointed at the fake): not part of the package's API.
import { TwofaRequestClient } from '../src/client.js';

const TO = '+15005550006';

describe('twilioVerify on a stateful Twilio fake', () => {
  let fake: TwilioFake;
  let v: Verifier;

  beforeAll(async () => {
    fake = await startTwilioFake();
    v = twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, timeoutMs: 2000, baseUrls: fake.baseUrls, customFriendlyName: 'Acme' });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.server.reset());

  it('sends To, Channel, Locale and CustomFriendlyName as Twilio form fields, with basic auth', async () => {
    const before = Date.now();
    const s = await v.start({ to: TO, channel: 'whatsapp', locale: 'pt-BR' });
    const req = fake.server.requests.at(-1)!;
    expect(req.path).toBe(`/v2/Services/${SERVICE_SID}/Verifications`);
    expect(req.form).toEqual({ To: TO, Channel: 'whatsapp', Locale: 'pt-BR', CustomFriendlyName: 'Acme' });
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    // Not attached to a manager: the system clock.
    expect(s.expiresAt).toBeGreaterThanOrEqual(before + 600_000);
    expect(s.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(fake.verifications.get(s.id)?.channel).toBe('whatsapp');
  });

  it("attached by createTwoFactor, expiresAt is the manager's clock plus codeTtlSeconds", async () => {
    const clock = new FakeClock(Date.UTC(2031, 0, 1));
    const short = twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, codeTtlSeconds: 300, baseUrls: fake.baseUrls });
    createTwoFactor({ issuer: 'Acme', store: new MemoryStore(), clock, insecureNoEncryption: true, methods: [phone({ verifier: short })] });
    expect((await short.start({ to: TO, channel: 'sms' })).expiresAt).toBe(Date.UTC(2031, 0, 1) + 300_000);
    clock.advanceSeconds(90);
    expect((await short.start({ to: TO, channel: 'sms' })).expiresAt).toBe(Date.UTC(2031, 0, 1) + 390_000);
  });

  it('a wrong code stays pending; the right one approves; checking again is expired (20404)', async () => {
    const s = await v.start({ to: TO, channel: 'sms' });
    const code = fake.lastCode(TO)!;
    expect(await v.check({ id: s.id, code: code === '000000' ? '111111' : '000000' })).toBe('pending');
    expect(fake.server.requests.at(-1)!.form).toMatchObject({ VerificationSid: s.id });
    expect(await v.check({ id: s.id, code })).toBe('approved');
    expect(await v.check({ id: s.id, code })).toBe('expired');
  });

  it(`${MAX_CHECKS} wrong checks, then even the right code → max_attempts (60202)`, async () => {
    const s = await v.start({ to: TO, channel: 'sms' });
    const code = fake.lastCode(TO)!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < MAX_CHECKS; i++) expect(await v.check({ id: s.id, code: wrong })).toBe('pending');
    expect(await v.check({ id: s.id, code })).toBe('max_attempts');
  });

  it('cancel sets status canceled; the code then no longer works; a second cancel is false', async () => {
    const s = await v.start({ to: TO, channel: 'call' });
    expect(await v.cancel(s.id)).toBe(true);
    expect(fake.server.requests.at(-1)!.form).toEqual({ Status: 'canceled' });
    expect(fake.verifications.get(s.id)!.status).toBe('canceled');
    expect(await v.check({ id: s.id, code: fake.lastCode(TO)! })).toBe('expired');
    expect(await v.cancel(s.id)).toBe(false);
  });

  it('a check Twilio refuses as a malformed code (60200) counts as a wrong guess', async () => {
    const s = await v.start({ to: TO, channel: 'sms' });
    fake.answerNext('check', { status: 400, body: { code: 60200, message: 'Invalid parameter: Code', status: 400 } });
    expect(await v.check({ id: s.id, code: 'abc' })).toBe('pending');
  });

  it('maps 60203, 60605, 20429 and a bare 429 as documented', async () => {
    fake.failNext('start', 'send_limit');
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'send_limit', providerCode: 60203, retryable: false });
    fake.answerNext('start', { status: 403, body: { code: 60605, message: `Verification to ${TO} blocked by geo permissions`, status: 403 } });
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'blocked', providerCode: 60605 });
    fake.answerNext('start', { status: 429, headers: { 'Retry-After': '30' }, body: 'slow down' });
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 30, retryable: true });
    fake.answerNext('start', { status: 429, body: { code: 20429, message: 'Too many requests', status: 429 } });
    const e = await v.start({ to: TO, channel: 'sms' }).then(() => undefined as unknown as TwoFactorError, (x: unknown) => x as TwoFactorError);
    expect(e).toMatchObject({ code: 'rate_limited', providerCode: 20429 });
    expect(e.retryAfter).toBeUndefined();
    fake.answerNext('start', { status: 503, body: '<html>upstream</html>' });
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_unavailable', providerCode: 503 });
    fake.answerNext('start', { status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } });
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_error', providerCode: 20003, retryable: false });
  });

  it('refuses a channel it was not configured for without calling Twilio', async () => {
    const smsOnly = twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, channels: ['sms'], baseUrls: fake.baseUrls });
    await expect(smsOnly.start({ to: TO, channel: 'call' })).rejects.toMatchObject({ code: 'channel_unsupported' });
    expect(fake.server.requests).toHaveLength(0);
  });

  it('lookupLineType asks Lookup v2 for line_type_intelligence and normalises the type', async () => {
    fake.lineTypes.set('+15005550010', 'landline');
    fake.lineTypes.set('+15005550011', 'nonFixedVoip');
    fake.lineTypes.set('+15005550012', null);
    fake.lineTypes.set('+15005550013', 'tollFree');
    expect(await v.lookupLineType!(TO)).toBe('mobile');
    const req = fake.server.requests.at(-1)!;
    expect(req.path).toBe(`/v2/PhoneNumbers/${TO}`);
    expect(req.query.get('Fields')).toBe('line_type_intelligence');
    expect(await v.lookupLineType!('+15005550010')).toBe('landline');
    expect(await v.lookupLineType!('+15005550011')).toBe('voip');
    expect(await v.lookupLineType!('+15005550012')).toBeNull();
    expect(await v.lookupLineType!('+15005550013')).toBe('toll_free');
    fake.failNext('lookup', 'server_error');
    await expect(v.lookupLineType!(TO)).rejects.toMatchObject({ code: 'provider_unavailable' });
  });

  it('lookupLineType whose answer stalls mid-body fails at timeoutMs as a retryable provider_unavailable', async () => {
    const quick = twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, timeoutMs: 250, baseUrls: fake.baseUrls });
    fake.failNext('lookup', 'stall_body');
    const t0 = Date.now();
    await expect(quick.lookupLineType!(TO)).rejects.toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('lookupLineType can be switched off', () => {
    const noLookup = twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, lookup: false });
    expect(noLookup.lookupLineType).toBeUndefined();
  });

  it('accepts a ready twilio client (here with the testing RequestClient) and still times out', async () => {
    const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new TwofaRequestClient(60_000, fake.baseUrls) });
    const ready = twilioVerify({ client, serviceSid: SERVICE_SID, timeoutMs: 250 });
    const s = await ready.start({ to: TO, channel: 'sms' });
    expect(fake.verifications.has(s.id)).toBe(true);
    fake.failNext('check', 'never_answer');
    const t0 = Date.now();
    await expect(ready.check({ id: s.id, code: '000000' })).rejects.toMatchObject({ code: 'provider_unavailable' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('errors carry no credential, no code and no full number, and no raw SDK cause', async () => {
    fake.failNext('start', 'invalid_destination'); // Twilio's message quotes the number
    const e = await v.start({ to: TO, channel: 'sms' }).then(() => undefined as unknown as TwoFactorError, (x: unknown) => x as TwoFactorError);
    expect(e).toBeInstanceOf(TwoFactorError);
    const text = `${e.message} ${String(e)} ${JSON.stringify(e)} ${e.stack}`;
    for (const secret of [TO, TO.slice(1), AUTH_TOKEN, Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')]) expect(text).not.toContain(secret);
    expect(e.cause).toBeUndefined();
  });
});

describe('logging', () => {
  it("a client built with logLevel 'debug' does not make TwofaRequestClient print the number (Lookup URLs hold it)", async () => {
    const fake = await startTwilioFake();
    const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { logLevel: 'debug', httpClient: new TwofaRequestClient(2000, fake.baseUrls) });
      const v = twilioVerify({ client, serviceSid: SERVICE_SID });
      expect(await v.lookupLineType!(TO)).toBe('mobile');
      await v.start({ to: TO, channel: 'sms' });
      const printed = spy.mock.calls.map((c) => c.map(String).join(' ')).join('\n');
      expect(printed).not.toContain(TO.slice(2));
      expect(printed).not.toContain(TO.slice(1).replace('+', '%2B'));
    } finally {
      spy.mockRestore();
      await fake.close();
    }
  });
});

describe('a failure with no answer behind it', () => {
  it('is a permanent provider_error when it is a bug, not an outage failover would retry everywhere', async () => {
    const broken = { verify: { v2: { services: () => { throw new TypeError("Cannot read properties of undefined (reading 'sid')"); } } } };
    const v = twilioVerify({ client: broken as never, serviceSid: SERVICE_SID });
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_error', retryable: false });
  });

  it('is a retryable provider_unavailable when the connection was refused', async () => {
    const fake = await startTwilioFake();
    const url = fake.url;
    await fake.close(); // nothing listens there any more
    const v = twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, baseUrls: { 'https://verify.twilio.com': url } });
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_unavailable', retryable: true });
  });
});
