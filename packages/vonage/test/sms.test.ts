import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Vonage } from '@vonage/server-sdk';
import { TwoFactorError, type MessageSender } from '@twofa/core';
import { startVonageFake, VONAGE_API_KEY as KEY, VONAGE_API_SECRET as SECRET, type VonageFake } from '@twofa/testkit';
import { expectNoSecrets } from '@twofa/testkit/conformance';
import { vonageSms } from '@twofa/vonage';

const TO = '+447700900000';
const failure = (p: Promise<unknown>) => p.then(() => undefined as unknown as TwoFactorError, (x: unknown) => x as TwoFactorError);
const smsAnswer = (...messages: { status: string; 'error-text'?: string; 'message-id'?: string }[]) => ({
  status: 200,
  body: { 'message-count': String(messages.length), messages },
});

describe('vonageSms on a Vonage fake', () => {
  let fake: VonageFake;
  let s: MessageSender;

  beforeAll(async () => {
    fake = await startVonageFake();
    s = vonageSms({ apiKey: KEY, apiSecret: SECRET, from: 'Acme', timeoutMs: 2000, baseUrls: fake.baseUrls });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.server.reset();
    fake.messages.length = 0;
  });

  it('posts to /sms/json with basic auth, the number without +, and plain text for GSM-7 bodies', async () => {
    const r = await s.send({ to: TO, body: 'Your Acme code is 481516. Café @ 10€.', channel: 'sms' });
    const req = fake.server.requests.at(-1)!;
    expect(req.path).toBe('/sms/json');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`);
    expect(req.json).toEqual({ to: '447700900000', from: 'Acme', text: 'Your Acme code is 481516. Café @ 10€.' });
    expect(r.id).toMatch(/^[0-9A-F]{16}$/);
  });

  it.each([
    ['Cyrillic and an emoji', 'Ваш код 481516 🔐', 'unicode'],
    ['a small c-cedilla (only the capital is GSM-7)', 'Votre code reçu : 481516', 'unicode'],
    ['the GSM-7 basic table', 'Code 481516 @£$¥èéùìò ÄÖÑÜ§¿äöñüà Ç', undefined],
    ['the GSM-7 extension table', 'Code 481516 {}[]~|^€\\', undefined],
  ])("sends %s as type %s (text outside GSM-7 goes as 'unicode', or it arrives garbled)", async (_label, text, type) => {
    await s.send({ to: TO, body: text, channel: 'sms' });
    expect(fake.messages.at(-1)).toEqual({ to: '447700900000', from: 'Acme', text, ...(type ? { type } : {}) });
  });

  it('a sender number is sent without +; an alphanumeric sender id as it is', async () => {
    const numbered = vonageSms({ apiKey: KEY, apiSecret: SECRET, from: '+447700400080', baseUrls: fake.baseUrls });
    await numbered.send({ to: TO, body: 'code 1', channel: 'sms' });
    expect(fake.messages.at(-1)!.from).toBe('447700400080');
  });

  it.each([
    ['1', 'Throttled', 'rate_limited', true],
    ['3', 'Invalid to address', 'invalid_destination', false],
    ['3', 'Invalid from address', 'provider_error', false],
    ['5', 'Internal Error', 'provider_unavailable', true],
    ['6', 'Unroutable message - rejected', 'invalid_destination', false],
    ['7', 'Number barred.', 'blocked', false],
    ['9', 'Quota Exceeded - rejected', 'provider_unavailable', true],
    ['29', 'Non White-listed Destination - rejected', 'blocked', false],
    ['33', 'Number de-activated', 'invalid_destination', false],
    ['99', 'Something new', 'provider_error', false],
  ] as const)('per-message status %s (%s) → %s', async (status, text, code, retryable) => {
    fake.answerNext('sms', smsAnswer({ status, 'error-text': text }));
    const e = await failure(s.send({ to: TO, body: 'code 123456', channel: 'sms' }));
    expect(e).toMatchObject({ code, retryable, providerCode: status });
    if (code === 'rate_limited') expect(e.retryAfter).toBe(1);
  });

  it('a message split in parts where one part failed is a failure with that part’s status', async () => {
    fake.answerNext('sms', smsAnswer({ status: '0', 'message-id': 'A1' }, { status: '7', 'error-text': 'Number barred.' }));
    await expect(s.send({ to: TO, body: 'code 123456', channel: 'sms' })).rejects.toMatchObject({ code: 'blocked', providerCode: '7' });
  });

  it('an HTTP 401 (bad key or secret) is a permanent provider_error', async () => {
    const wrong = vonageSms({ apiKey: KEY, apiSecret: 'not-the-secret', from: 'Acme', baseUrls: fake.baseUrls });
    await expect(wrong.send({ to: TO, body: 'code 1', channel: 'sms' })).rejects.toMatchObject({ code: 'provider_error', providerCode: 'unauthorized', retryable: false });
    expect(fake.messages).toHaveLength(0);
  });

  it('refuses other channels and malformed numbers without calling Vonage', async () => {
    await expect(s.send({ to: TO, body: 'x', channel: 'whatsapp' })).rejects.toMatchObject({ code: 'channel_unsupported' });
    await expect(s.send({ to: '12', body: 'x', channel: 'sms' })).rejects.toMatchObject({ code: 'invalid_destination' });
    expect(fake.server.requests).toHaveLength(0);
  });

  it('accepts a ready Vonage client', async () => {
    const client = new Vonage({ apiKey: KEY, apiSecret: SECRET }, { restHost: fake.url });
    await vonageSms({ client, from: 'Acme' }).send({ to: TO, body: 'code 2', channel: 'sms' });
    expect(fake.messages.at(-1)!.text).toBe('code 2');
  });

  it('errors carry no secret, number or message text', async () => {
    fake.failNext('sms', 'invalid_destination'); // the fake's error-text quotes the number
    const body = 'Your Acme code is 555123.';
    const e = await failure(s.send({ to: TO, body, channel: 'sms' }));
    expect(e.cause).toBeUndefined();
    expectNoSecrets(e, [SECRET, TO, body, '555123']);
  });
});
