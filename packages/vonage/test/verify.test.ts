import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vonage } from '@vonage/server-sdk';
import { MemoryStore, TwoFactorError, createTwoFactor, phone, type Verifier } from '@twofa/core';
import { FakeClock, startVonageFake, VONAGE_APPLICATION_ID as APP_ID, VONAGE_MAX_CHECKS as MAX_CHECKS, type VonageFake } from '@twofa/testkit';
import { expectNoSecrets } from '@twofa/testkit/conformance';
import { vonageVerify } from '@twofa/vonage';

const TO = '+447700900000';
const DIGITS = '447700900000';

const failure = (p: Promise<unknown>) => p.then(() => undefined as unknown as TwoFactorError, (x: unknown) => x as TwoFactorError);
const wrongFor = (code: string) => code.split('').map((d) => String((Number(d) + 1) % 10)).join('');

describe('vonageVerify on a stateful Vonage fake', () => {
  let fake: VonageFake;
  let v: Verifier;

  beforeAll(async () => {
    fake = await startVonageFake();
    v = vonageVerify({ applicationId: APP_ID, privateKey: fake.privateKey, brand: 'Acme', timeoutMs: 2000, baseUrls: fake.baseUrls });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.server.reset();
    fake.requests.clear();
  });

  it('starts with brand, a one-step workflow (number without +), code length, channel timeout and locale, signed with a JWT', async () => {
    const before = Date.now();
    const s = await v.start({ to: TO, channel: 'sms', locale: 'pt-BR' });
    const after = Date.now();
    const req = fake.server.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v2/verify');
    expect(req.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(req.json).toEqual({ brand: 'Acme', workflow: [{ channel: 'sms', to: DIGITS }], code_length: 6, channel_timeout: 300, locale: 'pt-br' });
    expect(s).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), channel: 'sms' });
    // Not attached to a manager: the system clock.
    expect(s.expiresAt).toBeGreaterThanOrEqual(before + 300_000);
    expect(s.expiresAt).toBeLessThanOrEqual(after + 300_000);
    expect(fake.lastCode(TO)).toMatch(/^\d{6}$/);
  });

  it("maps 'call' to Vonage's voice channel, and adds fallback steps that stretch expiresAt", async () => {
    const withFallback = vonageVerify({ applicationId: APP_ID, privateKey: fake.privateKey, brand: 'Acme', fallback: ['call'], channelTimeoutSeconds: 120, baseUrls: fake.baseUrls });
    const clock = new FakeClock(Date.UTC(2031, 0, 1));
    createTwoFactor({ issuer: 'Acme', store: new MemoryStore(), clock, insecureNoEncryption: true, methods: [phone({ verifier: withFallback })] });
    const s = await withFallback.start({ to: TO, channel: 'sms' });
    expect((fake.server.requests.at(-1)!.json as { workflow: unknown }).workflow).toEqual([
      { channel: 'sms', to: DIGITS },
      { channel: 'voice', to: DIGITS },
    ]);
    expect(s.expiresAt).toBe(Date.UTC(2031, 0, 1) + 240_000); // the manager's clock, two steps of 120 s
    fake.requests.clear();
    await withFallback.start({ to: TO, channel: 'call' }); // the asked channel is not repeated
    expect((fake.server.requests.at(-1)!.json as { workflow: unknown }).workflow).toEqual([{ channel: 'voice', to: DIGITS }]);
  });

  it.each([
    ['en', 'en-us'],
    ['en-GB', 'en-gb'],
    ['pt', 'pt-br'],
    ['pt-PT', 'pt-pt'],
    ['es-419', 'es-es'],
    ['ja', undefined],
    [undefined, undefined],
  ])('sends locale %s as the locale Vonage documents (%s), or none', async (tag, locale) => {
    await v.start({ to: TO, channel: 'sms', ...(tag ? { locale: tag } : {}) });
    expect((fake.server.requests.at(-1)!.json as { locale?: string }).locale).toBe(locale);
  });

  it('sends WhatsApp from the configured business number and email to an address', async () => {
    const wa = vonageVerify({ applicationId: APP_ID, privateKey: fake.privateKey, brand: 'Acme', whatsappFrom: '+447700400080', emailFrom: 'no-reply@acme.test', baseUrls: fake.baseUrls });
    await wa.start({ to: TO, channel: 'whatsapp' });
    expect((fake.server.requests.at(-1)!.json as { workflow: unknown }).workflow).toEqual([{ channel: 'whatsapp', to: DIGITS, from: '447700400080' }]);
    await wa.start({ to: 'user@example.com', channel: 'email', locale: 'fr' });
    expect(fake.server.requests.at(-1)!.json).toMatchObject({ workflow: [{ channel: 'email', to: 'user@example.com', from: 'no-reply@acme.test' }], locale: 'fr-fr' });
  });

  it('refuses a destination of the wrong shape, and an unoffered channel, without calling Vonage', async () => {
    await expect(v.start({ to: 'user@example.com', channel: 'sms' })).rejects.toMatchObject({ code: 'invalid_destination' });
    await expect(v.start({ to: TO, channel: 'email' })).rejects.toMatchObject({ code: 'invalid_destination' });
    const smsOnly = vonageVerify({ applicationId: APP_ID, privateKey: fake.privateKey, brand: 'Acme', channels: ['sms'], baseUrls: fake.baseUrls });
    await expect(smsOnly.start({ to: TO, channel: 'call' })).rejects.toMatchObject({ code: 'channel_unsupported' });
    expect(fake.server.requests).toHaveLength(0);
  });

  it('a wrong code (400 invalid-code) stays pending; the right one approves; checking again is expired (404)', async () => {
    const s = await v.start({ to: TO, channel: 'sms' });
    const code = fake.lastCode(TO)!;
    expect(await v.check({ id: s.id, code: wrongFor(code) })).toBe('pending');
    expect(fake.server.requests.at(-1)!).toMatchObject({ method: 'POST', path: `/v2/verify/${s.id}`, json: { code: wrongFor(code) } });
    expect(await v.check({ id: s.id, code })).toBe('approved');
    expect(await v.check({ id: s.id, code })).toBe('expired');
  });

  it(`after ${MAX_CHECKS} wrong codes Vonage ends the request (410): max_attempts, even for the right code`, async () => {
    const s = await v.start({ to: TO, channel: 'sms' });
    const code = fake.lastCode(TO)!;
    for (let i = 1; i < MAX_CHECKS; i++) expect(await v.check({ id: s.id, code: wrongFor(code) })).toBe('pending');
    expect(await v.check({ id: s.id, code: wrongFor(code) })).toBe('max_attempts');
    expect(await v.check({ id: s.id, code })).toBe('max_attempts');
  });

  it('cancel is a DELETE; the code then no longer works; a second cancel resolves false (404)', async () => {
    const s = await v.start({ to: TO, channel: 'sms' });
    expect(await v.cancel(s.id)).toBe(true);
    expect(fake.server.requests.at(-1)!).toMatchObject({ method: 'DELETE', path: `/v2/verify/${s.id}` });
    expect(fake.requests.get(s.id)!.status).toBe('cancelled');
    expect(await v.check({ id: s.id, code: fake.lastCode(TO)! })).toBe('expired');
    expect(await v.cancel(s.id)).toBe(false);
  });

  it('cancel surfaces an outage as a retryable error, where the SDK’s own cancel() would say false', async () => {
    const s = await v.start({ to: TO, channel: 'sms' });
    fake.failNext('cancel', 'server_error');
    await expect(v.cancel(s.id)).rejects.toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect(fake.requests.get(s.id)!.status).toBe('pending');
  });

  it('an id that is not a Vonage request id never reaches a URL', async () => {
    expect(await v.check({ id: '../templates', code: '123456' })).toBe('expired');
    expect(await v.cancel('a/b')).toBe(false);
    expect(fake.server.requests).toHaveLength(0);
  });

  it('a second verification to a number with one in flight (409) is send_limit, not retryable', async () => {
    await v.start({ to: TO, channel: 'sms' });
    const e = await failure(v.start({ to: TO, channel: 'sms' }));
    expect(e).toMatchObject({ code: 'send_limit', providerCode: 'conflict', retryable: false });
  });

  it('maps 402, 401, 422 (array and object forms), 429 without Retry-After and a 503 page as documented', async () => {
    const problem = (status: number, body: object) => ({ status, body: { title: 'x', instance: 'i', ...body } });
    fake.answerNext('start', problem(402, { type: 'https://developer.vonage.com/api-errors#low-balance' }));
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_unavailable', providerCode: 'low-balance', retryable: true });
    fake.answerNext('start', problem(401, { type: 'https://developer.vonage.com/api-errors#unauthorized' }));
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_error', providerCode: 'unauthorized', retryable: false });
    // The spec's own example writes invalid_parameters as an object.
    fake.answerNext('start', problem(422, { type: 'https://developer.vonage.com/api-errors#invalid-params', invalid_parameters: { name: 'to', reason: 'Invalid' } }));
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'invalid_destination', providerCode: 'invalid-params' });
    fake.answerNext('start', problem(422, { type: 'https://developer.vonage.com/api-errors#invalid-params', invalid_parameters: [{ name: 'workflow[0].to', reason: 'Invalid' }] }));
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'invalid_destination' });
    fake.answerNext('start', problem(422, { type: 'https://developer.vonage.com/api-errors#invalid-params', invalid_parameters: [{ name: 'brand', reason: 'Brand is required' }] }));
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_error' });
    fake.answerNext('start', problem(429, { type: 'https://developer.vonage.com/api-errors#throttled' }));
    const limited = await failure(v.start({ to: TO, channel: 'sms' }));
    expect(limited).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(limited.retryAfter).toBeUndefined();
    fake.answerNext('start', { status: 503, headers: { 'content-type': 'text/html' }, body: '<html>upstream</html>' });
    await expect(v.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_unavailable', providerCode: 503 });
  });

  it('a 200 check without "completed" is not an approval (fails closed)', async () => {
    const s = await v.start({ to: TO, channel: 'sms' });
    fake.answerNext('check', { status: 200, body: { request_id: s.id } });
    await expect(v.check({ id: s.id, code: '000000' })).rejects.toMatchObject({ code: 'provider_error' });
  });

  it('accepts a ready Vonage client and still times out on its own', async () => {
    const client = new Vonage({ applicationId: APP_ID, privateKey: fake.privateKey }, { apiHost: fake.url });
    const ready = vonageVerify({ client, brand: 'Acme', timeoutMs: 250 });
    const s = await ready.start({ to: TO, channel: 'sms' });
    expect(fake.requests.has(s.id)).toBe(true);
    fake.failNext('check', 'never_answer');
    const t0 = Date.now();
    await expect(ready.check({ id: s.id, code: '000000' })).rejects.toMatchObject({ code: 'provider_unavailable' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('an error answer whose body stalls is not read as a refusal: past timeoutMs it is a retryable provider_unavailable', async () => {
    const quick = vonageVerify({ applicationId: APP_ID, privateKey: fake.privateKey, brand: 'Acme', timeoutMs: 250, baseUrls: fake.baseUrls });
    const refusal = { type: 'https://developer.vonage.com/api-errors#invalid-params', title: 'Invalid params', invalid_parameters: [{ name: 'to', reason: 'Invalid' }] };
    fake.answerNext('start', { stallBody: true, status: 422, body: refusal });
    await expect(quick.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_unavailable', retryable: true });
  });

  it('a ready client whose own timer matches timeoutMs: an answer that stalls mid-body is still a retryable provider_unavailable', async () => {
    const client = new Vonage({ applicationId: APP_ID, privateKey: fake.privateKey }, { apiHost: fake.url, timeout: 250 });
    const ready = vonageVerify({ client, brand: 'Acme', timeoutMs: 250 });
    fake.failNext('start', 'stall_body');
    await expect(ready.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_unavailable', retryable: true });
  });

  it('a ready client whose own timer is shorter: the answer it cuts off is a retryable provider_unavailable, not a refusal', async () => {
    const client = new Vonage({ applicationId: APP_ID, privateKey: fake.privateKey }, { apiHost: fake.url, timeout: 150 });
    const ready = vonageVerify({ client, brand: 'Acme', timeoutMs: 5000 });
    fake.failNext('start', 'stall_body');
    const t0 = Date.now();
    await expect(ready.start({ to: TO, channel: 'sms' })).rejects.toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect(Date.now() - t0).toBeLessThan(2000); // the SDK's timer ended it, not timeoutMs
  });

  it('reads the private key from a .key file path, as the Vonage dashboard hands it out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twofa-vonage-'));
    const path = join(dir, 'private.key');
    writeFileSync(path, fake.privateKey);
    const fromFile = vonageVerify({ applicationId: APP_ID, privateKey: path, brand: 'Acme', baseUrls: fake.baseUrls });
    const s = await fromFile.start({ to: TO, channel: 'sms' });
    expect(fake.requests.has(s.id)).toBe(true);
  });

  it('errors carry no key, code or full number, and no raw SDK cause', async () => {
    fake.failNext('start', 'invalid_destination'); // the fake's reason quotes the number
    const e = await failure(v.start({ to: TO, channel: 'sms' }));
    expect(e).toBeInstanceOf(TwoFactorError);
    expect(e.cause).toBeUndefined();
    expectNoSecrets(e, [TO, fake.privateKey.split('\n')[1]!]);
    const s = await v.start({ to: TO, channel: 'sms' });
    fake.failNext('check', 'server_error');
    const c = await failure(v.check({ id: s.id, code: '987654' }));
    expectNoSecrets(c, ['987654', TO]);
  });
});
