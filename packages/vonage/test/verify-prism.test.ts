import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { PRISM_REQUEST_REFUSED, specPath, startPrism, startRewriteProxy, type PrismServer, type RewriteProxy } from '@twofa/testkit';
import { vonageVerify } from '@twofa/vonage';
import type { Verifier } from '@twofa/core';

/**
 * The official @vonage/server-sdk client, driven by the adapter, against Prism serving
 * Vonage's published Verify v2 spec (unedited). Two known gaps (packages/testkit/specs/SOURCES.md)
 * are bridged here, in code, by a small proxy:
 * - the spec's server URL carries the path `/v2/verify`, which Prism ignores when routing,
 *   so the proxy strips it;
 * - Prism answers the first documented status; the proxy adds `Prefer: code=N` so each
 *   documented check answer (400, 404, 410, 429) is exercised from the spec's own schemas.
 * The spec has no DELETE (cancel): cancel is tested against the scripted fake only.
 */
const SPEC = specPath('vonage/verify.v2.yml');
const APP_ID = '7c3b4a10-5d1e-4c4f-9a51-0f0e6c2b9d11';

describe('vonageVerify against Prism (Vonage OpenAPI: verify v2)', () => {
  let prism: PrismServer;
  let proxy: RewriteProxy;
  let verifier: Verifier;
  let prefer: string | undefined;

  beforeAll(async () => {
    prism = await startPrism({ spec: SPEC });
    proxy = await startRewriteProxy({
      target: prism.url,
      rewrite: (req) => ({
        ...req,
        path: req.path.replace(/^\/v2\/verify/, '') || '/',
        headers: { ...req.headers, ...(prefer ? { prefer } : {}) },
      }),
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    verifier = vonageVerify({
      applicationId: APP_ID,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      brand: 'Acme',
      whatsappFrom: '+447700400080',
      emailFrom: 'no-reply@acme.test',
      timeoutMs: 5000,
      baseUrls: { 'https://api.nexmo.com': proxy.url },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await prism?.stop();
  });

  for (const channel of ['sms', 'call', 'whatsapp', 'email'] as const) {
    it(`start over ${channel} (with locale) is a valid request`, async () => {
      prefer = undefined;
      const to = channel === 'email' ? 'user@example.com' : '+447700900000';
      const s = await verifier.start({ to, channel, locale: 'es' });
      expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(s.channel).toBe(channel);
      expect(prism.output()).not.toMatch(PRISM_REQUEST_REFUSED);
    });
  }

  it.each([
    ['code=400', 'pending'],
    ['code=404', 'expired'],
    ['code=410', 'max_attempts'],
  ] as const)('check is a valid request; the documented %s answer maps to %s', async (p, status) => {
    prefer = p;
    expect(await verifier.check({ id: 'c11236f4-00bf-4b89-84ba-88b25df97315', code: '123456' })).toBe(status);
  });

  it('check: the documented 429 is rate_limited (retryable)', async () => {
    prefer = 'code=429';
    await expect(verifier.check({ id: 'c11236f4-00bf-4b89-84ba-88b25df97315', code: '123456' })).rejects.toMatchObject({ code: 'rate_limited', retryable: true });
  });

  it('check: the spec’s 200 has no body, so it is not taken as an approval (fails closed)', async () => {
    prefer = undefined;
    await expect(verifier.check({ id: 'c11236f4-00bf-4b89-84ba-88b25df97315', code: '123456' })).rejects.toMatchObject({ code: 'provider_error' });
  });

  it('start: the documented 409, 422 and 429 answers map to send_limit, provider_error and rate_limited', async () => {
    prefer = 'code=409';
    await expect(verifier.start({ to: '+447700900000', channel: 'sms' })).rejects.toMatchObject({ code: 'send_limit' });
    // The spec's 422 example names `brand`, not `to`: not the user's number.
    prefer = 'code=422';
    await expect(verifier.start({ to: '+447700900000', channel: 'sms' })).rejects.toMatchObject({ code: 'provider_error', providerCode: 'invalid-params' });
    prefer = 'code=429';
    await expect(verifier.start({ to: '+447700900000', channel: 'sms' })).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('Prism validated every request and saw no violation', () => {
    const out = prism.output();
    expect(out).toContain('The request passed the validation rules');
    expect(out).not.toMatch(PRISM_REQUEST_REFUSED);
    expect(proxy.received.every((r) => r.headers.authorization?.startsWith('Bearer '))).toBe(true);
  });

  it('an off-contract request does fail (sanity: a workflow step without `to` is refused by Prism → provider_error)', async () => {
    prefer = undefined;
    const broken = await startRewriteProxy({
      target: prism.url,
      rewrite: (req) => {
        const body = JSON.parse(req.body) as { workflow: { to?: string }[] };
        delete body.workflow[0]!.to;
        return { ...req, path: '/', body: JSON.stringify(body) };
      },
    });
    try {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const bad = vonageVerify({ applicationId: APP_ID, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), brand: 'Acme', baseUrls: { 'https://api.nexmo.com': broken.url }, timeoutMs: 5000 });
      await expect(bad.start({ to: '+447700900000', channel: 'sms' })).rejects.toMatchObject({ code: 'provider_error' });
      expect(await prism.waitFor(PRISM_REQUEST_REFUSED)).toBe(true);
    } finally {
      await broken.close();
    }
  });
});
