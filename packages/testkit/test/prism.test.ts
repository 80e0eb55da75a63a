import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specPath, startPrism, type PrismServer } from '@twofa/testkit';

const SPEC = specPath('twilio/twilio_verify_v2.json');
const SERVICE = `/v2/Services/VA${'a'.repeat(32)}/Verifications`;
const auth = `Basic ${Buffer.from(`AC${'a'.repeat(32)}:token`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: auth };

describe('startPrism', () => {
  let prism: PrismServer;
  beforeAll(async () => {
    prism = await startPrism({ spec: SPEC });
  });
  afterAll(async () => {
    await prism?.stop();
  });

  it('serves the spec on loopback: a valid request gets an example answer', async () => {
    expect(prism.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${prism.url}${SERVICE}`, { method: 'POST', headers: form, body: 'To=%2B15005550006&Channel=sms' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.status).toBe('pending');
    expect(body.sid).toMatch(/^VE/);
  });

  it('rejects what the contract does not allow', async () => {
    const missing = await fetch(`${prism.url}${SERVICE}`, { method: 'POST', headers: form, body: 'To=%2B15005550006' });
    expect(missing.status).toBe(422);
    const json = await fetch(`${prism.url}${SERVICE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: '{"To":"+15005550006","Channel":"sms"}',
    });
    expect(json.status).toBe(415);
    const noAuth = await fetch(`${prism.url}${SERVICE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'To=%2B15005550006&Channel=sms',
    });
    expect(noAuth.status).toBe(401);
    const badSid = await fetch(`${prism.url}/v2/Services/XX/Verifications`, { method: 'POST', headers: form, body: 'To=%2B1&Channel=sms' });
    expect(badSid.status).toBe(422);
    const unknown = await fetch(`${prism.url}/v2/Nope`, { headers: { authorization: auth } });
    expect(unknown.status).toBe(404);
    expect(await prism.waitFor(/UNPROCESSABLE_ENTITY/)).toBe(true);
    expect(await prism.waitFor(/no such line 4f1c/, 50)).toBe(false);
  });

  it('stop() ends the process by its pid', async () => {
    const p = await startPrism({ spec: specPath('twilio/twilio_lookups_v2.json') });
    expect(p.pid).toBeGreaterThan(0);
    await p.stop();
    expect(() => process.kill(p.pid, 0)).toThrow();
    await expect(fetch(p.url)).rejects.toThrow();
  });

  it('fails with Prism output when the spec does not exist', async () => {
    await expect(startPrism({ spec: '/nonexistent/spec.json', startTimeoutMs: 20_000 })).rejects.toThrow(/Prism exited|did not start/);
  });
});
