import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vonage } from '@vonage/server-sdk';
import { TwoFactorError, type Verifier } from '@twofa/core';
import { FakeClock, startVonageFake, VONAGE_APPLICATION_ID as APP_ID, VONAGE_MAX_CHECKS as MAX_CHECKS, type VonageFake } from '@twofa/testkit';
import { expectNoSecrets } from '@twofa/testkit/conformance';
import { vonageLocale, vonageVerify } from '@twofa/vonage-verify';

const TO = '+447700900000';
const DIGITS = '447700900000';

const failure = (p: Promise<unknown>) => p.then(() => undefined as unknown as TwoFactorError, (x: unknown) => x as TwoFactorError);
const wrongFor = (code: string) => code.split('').map((d) => String((Number(d) + 1) % 10)).join('');

describe('vonageVerify on a stateful Vonage fake', () => {
  let fake: VonageFake;
  let v: Verifier;
  const clock = new FakeClock();

  beforeAll(async () => {
    fake = await startVonageFake();
    v = vonageVerify({ applicationId: APP_ID, privateKey: fake.privateKey, brand: 'Acme', timeoutMs: 2000, apiHost: fake.url, clock });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.server.reset();
    fake.requests.clear();
  });

  it('starts with brand, a one-step workflow (number without +), code length, channel timeout and locale, signed with a JWT', async () => {
    const s = await v.start({ to: TO, channel: 'sms', locale: 'pt-BR' });
    const req = fake.server.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v2/verify');
    expect(req.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(req.json).toEqual({ brand: 'Acme', workflow: [{ channel: 'sms', to: DIGITS }], code_length: 6, channel_timeout: 300, locale: 'pt-br' });
    expect(s).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), channel: 'sms', expiresAt: clock.now() + 300_000 });
    expect(fake.lastCode(TO)).toMatch(/^\d{6}$/);
  });

  it("maps 'call' to Vonage's voice channel, and adds fallback steps that stretch expiresAt", async () => {
    const withFallback = vonageVerify({ applicationId: APP_ID, privateKey: fake.privateKey, brand: 'Acme', fallback: ['call'], channelTimeoutSeconds: 120, apiHost: fake.url, clock });
    const s = await withFallback.start({ to: TO, channel: 'sms' });
    expect((fake.server.requests.at(-1)!.json as { workflow: unknown }).workflow).toEqual([
      { channel: 'sms', to: DIGITS },
      { channel: 'voice', to: DIGITS },
    ]);
    expect(s.expiresAt).toBe(clock.now() + 240_000);
    fake.requests.clear();
    await withFallback.start({ to: TO, channel: 'call' }); // the asked channel is not repeated
    expect((fake.server.requests.at(-1)!.json as { workflow: unknown }).workflow).toEqual([{ channel: 'voice', to: DIGITS }]);
  });

  it('sends WhatsApp from the configured business number and email to an address', async () => {
    const wa = vonageVerify({ applicationId: APP_ID, privateKey: fake.privateKey, brand: 'Acme', whatsappFrom: '+447700400080', emailFrom: 'no-reply@acme.test', apiHost: fake.url });
    await wa.start({ to: TO, channel: 'whatsapp' });
    expect((fake.server.requests.at(-1)!.json as { workflow: unknown }).workflow).toEqual([{ channel: 'whatsapp', to: DIGITS, from: '447700400080' }]);
    await wa.start({ to: 'user@example.com', channel: 'email', locale: 'fr' });
    expect(fake.server.requests.at(-1)!.json).toMatchObject({ workflow: [{ channel: 'email', to: 'user@example.com', from: 'no-reply@acme.test' }], locale: 'fr-fr' });
  });

  it('refuses a destination of the wrong shape, and an unoffered channel, without calling Vonage', async () => {
    await expect(v.start({ to: 'user@example.com', channel: 'sms' })).rejects.toMatchObject({ code: 'invalid_destination' });
    await expect(v.start({ to: TO, channel: 'email' })).rejects.toMatchObject({ code: 'invalid_destination' });
    const smsOnly = vonageVerify({ applicationId: APP_ID, privateKey: fake.privateKey, brand: 'Acme', channels: ['sms'], apiHost: fake.url });
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

  it('reads the private key from a .key file path, as the Vonage dashboard hands it out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twofa-vonage-'));
    const path = join(dir, 'private.key');
    writeFileSync(path, fake.privateKey);
    const fromFile = vonageVerify({ applicationId: APP_ID, privateKey: path, brand: 'Acme', apiHost: fake.url });
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

describe('vonageVerify configuration', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const base = { applicationId: APP_ID, privateKey: pem, brand: 'Acme' };

  it.each([
    ['no brand', { ...base, brand: '' }],
    ['a code length Vonage does not take', { ...base, codeLength: 11 }],
    ['a channel timeout under 60 s', { ...base, channelTimeoutSeconds: 30 }],
    ['email as a fallback step', { ...base, fallback: ['email' as const] }],
    ['an unknown channel', { ...base, channels: ['fax' as never] }],
    ['no application id', { ...base, applicationId: undefined }],
    ['a non-positive timeout', { ...base, timeoutMs: 0 }],
    ['a WhatsApp sender that is not a number', { ...base, whatsappFrom: 'Acme' }],
  ])('refuses %s with config_invalid', (_label, opts) => {
    expect(() => vonageVerify(opts)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });

  it('refuses a private key it cannot read, without quoting it', () => {
    const bad = '-----BEGIN PRIVATE KEY-----\nnot-a-key-Zm9vYmFy\n-----END PRIVATE KEY-----';
    let e: unknown;
    try {
      vonageVerify({ ...base, privateKey: bad });
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({ code: 'config_invalid' });
    expectNoSecrets(e, ['not-a-key-Zm9vYmFy']);
  });

  it('maps BCP 47 tags to the locales Vonage documents, and drops the rest', () => {
    expect(vonageLocale('en')).toBe('en-us');
    expect(vonageLocale('en-GB')).toBe('en-gb');
    expect(vonageLocale('pt')).toBe('pt-br');
    expect(vonageLocale('pt-PT')).toBe('pt-pt');
    expect(vonageLocale('es-419')).toBe('es-es');
    expect(vonageLocale('ja')).toBeUndefined();
    expect(vonageLocale(undefined)).toBeUndefined();
  });
});
