import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRISM_REQUEST_REFUSED, specPath, startPrism, type PrismServer } from '@twofa/testkit';
import { twilioVerify } from '@twofa/twilio';
import type { Verifier } from '@twofa/core';
import { dirname } from 'node:path';

/**
 * The official twilio client, driven by the adapter, against Prism serving Twilio's own
 * OpenAPI files: any request off-contract (wrong path, parameter name, content type,
 * missing auth) comes back 4xx from Prism and the adapter throws, failing the test.
 */
const SPECS = dirname(specPath('twilio/twilio_verify_v2.json'));
const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
const SERVICE_SID = `VA${'b'.repeat(32)}`;

describe('twilioVerify against Prism (Twilio OpenAPI: verify v2, lookups v2)', () => {
  let verify: PrismServer;
  let lookups: PrismServer;
  let verifier: Verifier;

  beforeAll(async () => {
    [verify, lookups] = await Promise.all([
      startPrism({ spec: `${SPECS}/twilio_verify_v2.json` }),
      startPrism({ spec: `${SPECS}/twilio_lookups_v2.json` }),
    ]);
    verifier = twilioVerify({
      accountSid: ACCOUNT_SID,
      authToken: 'prism-token',
      serviceSid: SERVICE_SID,
      timeoutMs: 5000,
      customFriendlyName: 'Acme',
      baseUrls: { 'https://verify.twilio.com': verify.url, 'https://lookups.twilio.com': lookups.url },
    });
  });
  afterAll(async () => {
    await Promise.all([verify?.stop(), lookups?.stop()]);
  });

  for (const channel of ['sms', 'call', 'whatsapp', 'email'] as const) {
    it(`start over ${channel} (with locale and custom friendly name) is a valid request`, async () => {
      const to = channel === 'email' ? 'user@example.com' : '+15005550006';
      const s = await verifier.start({ to, channel, locale: 'fr' });
      expect(s.id).toMatch(/^VE[0-9a-fA-F]{32}$/);
      expect(s.channel).toBe(channel);
      expect(s.expiresAt).toBeGreaterThan(Date.now());
    });
  }

  it('check by verification sid is a valid request and maps the status', async () => {
    const s = await verifier.start({ to: '+15005550006', channel: 'sms' });
    const status = await verifier.check({ id: s.id, code: '123456' });
    expect(['approved', 'pending', 'expired', 'max_attempts', 'canceled']).toContain(status);
  });

  it('cancel is a valid status update', async () => {
    const s = await verifier.start({ to: '+15005550006', channel: 'sms' });
    // Prism answers the spec's example (status "approved" or "canceled"); the request is what is checked here.
    expect(typeof (await verifier.cancel(s.id))).toBe('boolean');
    expect(await verify.waitFor(/POST \/v2\/Services\/VA[b]{32}\/Verifications\/VE/i)).toBe(true);
  });

  it('lookupLineType asks Lookup v2 for line_type_intelligence', async () => {
    const t = await verifier.lookupLineType!('+14155552671');
    expect(t === null || typeof t === 'string').toBe(true);
    // Prism does not log the query; the Fields parameter is asserted against the fake in twilio-verify.test.ts.
    expect(await lookups.waitFor(/get \/v2\/PhoneNumbers\/\+14155552671/)).toBe(true);
  });

  it('Prism saw no contract violation from the adapter', () => {
    for (const out of [verify.output(), lookups.output()]) {
      expect(out).not.toMatch(PRISM_REQUEST_REFUSED);
      expect(out).toContain('The request passed the validation rules');
    }
  });

  it('an off-contract request does fail (sanity: a malformed service sid is refused by Prism → provider_error)', async () => {
    const bad = twilioVerify({
      accountSid: ACCOUNT_SID,
      authToken: 'prism-token',
      serviceSid: `VA${'c'.repeat(32)}`,
      timeoutMs: 5000,
      // Path rewritten to a sid Prism's pattern check refuses.
      baseUrls: { [`https://verify.twilio.com/v2/Services/VA${'c'.repeat(32)}`]: `${verify.url}/v2/Services/XX` },
    });
    await expect(bad.start({ to: '+15005550006', channel: 'sms' })).rejects.toMatchObject({ code: 'provider_error', providerCode: 422 });
  });
});
