import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRISM_REQUEST_REFUSED, specPath, startPrism, startRewriteProxy, type PrismServer, type RewriteProxy } from '@twofa/testkit';
import { vonageSms } from '@twofa/vonage';
import type { MessageSender } from '@twofa/core';

/**
 * The official @vonage/server-sdk client, driven by the adapter, against Prism serving
 * Vonage's published SMS spec (unedited). The spec predates the client: it declares a
 * form body with `api_key`/`api_secret`, while the client sends the same fields as JSON
 * with the key and secret in a Basic header; and its server URL's `/sms` path is ignored
 * by Prism. The proxy restates each request in the spec's form, changing no value, so
 * Prism still checks every field the adapter chose (to, from, text, type).
 */
const SPEC = specPath('vonage/sms.yml');
const KEY = 'abcd1234';
const SECRET = 'prismSecret123';

describe('vonageSms against Prism (Vonage OpenAPI: sms)', () => {
  let prism: PrismServer;
  let proxy: RewriteProxy;
  let sender: MessageSender;
  const forwarded: Record<string, string>[] = [];

  beforeAll(async () => {
    prism = await startPrism({ spec: SPEC });
    proxy = await startRewriteProxy({
      target: prism.url,
      rewrite: (req) => {
        const [key, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8').split(':');
        const fields: Record<string, string> = { api_key: key ?? '', api_secret: secret ?? '' };
        for (const [k, v] of Object.entries(JSON.parse(req.body || '{}') as Record<string, unknown>)) fields[k] = String(v);
        forwarded.push(fields);
        const { authorization: _auth, ...headers } = req.headers;
        return {
          ...req,
          path: req.path.replace(/^\/sms/, ''),
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        };
      },
    });
    sender = vonageSms({ apiKey: KEY, apiSecret: SECRET, from: 'Acme', timeoutMs: 5000, baseUrls: { 'https://rest.nexmo.com': proxy.url } });
  });
  afterAll(async () => {
    await proxy?.close();
    await prism?.stop();
  });

  it('send is a valid request and returns the message id', async () => {
    const r = await sender.send({ to: '+447700900000', body: 'Your Acme verification code is 123456.', channel: 'sms' });
    expect(r.id).toBe('0A0000000123ABCD1'); // the spec's example
    expect(forwarded.at(-1)).toEqual({ api_key: KEY, api_secret: SECRET, to: '447700900000', from: 'Acme', text: 'Your Acme verification code is 123456.' });
  });

  it('a unicode send (type=unicode) is a valid request', async () => {
    await sender.send({ to: '+447700900000', body: 'Votre code : 123456 🔐', channel: 'sms' });
    expect(forwarded.at(-1)).toMatchObject({ type: 'unicode' });
  });

  it('Prism validated every request and saw no violation', () => {
    const out = prism.output();
    expect(out).toContain('post /json');
    expect(out).toContain('The request passed the validation rules');
    expect(out).not.toMatch(PRISM_REQUEST_REFUSED);
  });

  it('an off-contract request does fail (sanity: Prism refuses a 16-character api_key)', async () => {
    const wrong = vonageSms({ apiKey: 'abcd1234abcd1234', apiSecret: SECRET, from: 'Acme', timeoutMs: 5000, baseUrls: { 'https://rest.nexmo.com': proxy.url } });
    await expect(wrong.send({ to: '+447700900000', body: 'code 1', channel: 'sms' })).rejects.toMatchObject({ code: 'provider_error' });
    expect(await prism.waitFor(PRISM_REQUEST_REFUSED)).toBe(true);
  });
});
