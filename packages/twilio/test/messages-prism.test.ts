import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRISM_REQUEST_REFUSED, specPath, startPrism, type PrismServer } from '@twofa/testkit';
import { twilioMessages } from '@twofa/twilio';

/** The adapter's requests, through the official client, validated by Prism against Twilio's api_v2010 spec. */
const ACCOUNT_SID = `AC${'a'.repeat(32)}`;

describe('twilioMessages against Prism (Twilio OpenAPI: api v2010)', () => {
  let prism: PrismServer;
  beforeAll(async () => {
    prism = await startPrism({ spec: specPath('twilio/twilio_api_v2010.json') });
  });
  afterAll(async () => {
    await prism?.stop();
  });

  const make = (extra: { from?: string; messagingServiceSid?: string }) =>
    twilioMessages({ accountSid: ACCOUNT_SID, authToken: 'prism-token', channels: ['sms', 'whatsapp'], timeoutMs: 5000, baseUrls: { 'https://api.twilio.com': prism.url }, ...extra });

  it('send with from is a valid Messages create', async () => {
    const r = await make({ from: '+15005550001' }).send({ to: '+15005550006', body: 'Your Acme code is 123456.', channel: 'sms' });
    expect(r.id).toMatch(/^(SM|MM)[0-9a-fA-F]{32}$/);
  });

  it('send through a messaging service is a valid Messages create', async () => {
    const r = await make({ messagingServiceSid: `MG${'c'.repeat(32)}` }).send({ to: '+15005550006', body: 'Votre code Acme est 123456.', channel: 'sms' });
    expect(r.id.length).toBeGreaterThan(0);
  });

  it('whatsapp send is a valid Messages create', async () => {
    const r = await make({ from: '+15005550001' }).send({ to: '+15005550006', body: 'code 123456', channel: 'whatsapp' });
    expect(r.id.length).toBeGreaterThan(0);
  });

  it('Prism saw only valid requests on the account Messages path', () => {
    const out = prism.output();
    expect(out).toContain(`post /2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(out).toContain('The request passed the validation rules');
    expect(out).not.toMatch(PRISM_REQUEST_REFUSED);
  });
});
