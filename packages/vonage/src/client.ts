import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Vonage } from '@vonage/server-sdk';
import { TwoFactorError, parseBaseUrls } from '@twofa/core/adapter';

/** How both Vonage adapters reach Vonage (their credentials differ: see each adapter's options). */
export interface VonageConnectionOptions {
  /** A ready `Vonage` client instead of the credentials. */
  client?: Vonage;
  /** Per provider call, in ms (default 10 000). */
  timeoutMs?: number;
  /**
   * For tests: send calls to another host, keyed by the Vonage origin they were for:
   * `https://api.nexmo.com` (Verify) and `https://rest.nexmo.com` (SMS), e.g.
   * `{ 'https://api.nexmo.com': prism.url }`. Only with credentials, not with `client`.
   */
  baseUrls?: Record<string, string>;
}

/** The Vonage origins the official client calls, and the client option that moves each. */
const HOSTS = { 'https://api.nexmo.com': 'apiHost', 'https://rest.nexmo.com': 'restHost' } as const;

/** PEM text, a Buffer, or the path of the .key file Vonage's dashboard hands out; checked now, not at the first send. */
function readPrivateKey(key: unknown, who: string): string {
  let pem = Buffer.isBuffer(key) ? key.toString('utf8') : key;
  if (typeof pem === 'string' && !pem.includes('-----BEGIN') && existsSync(pem)) pem = readFileSync(pem, 'utf8');
  try {
    if (typeof pem !== 'string' || pem === '') throw new Error('empty');
    createPrivateKey(pem);
  } catch {
    // The key itself is never quoted.
    throw new TwoFactorError('config_invalid', { message: `${who}: privateKey is not a readable PEM private key (or a path to one).` });
  }
  return pem;
}

type Credentials = { applicationId?: unknown; privateKey?: unknown; apiKey?: unknown; apiSecret?: unknown };

/**
 * The client an adapter uses: the app's own, or a new one with `auth` — 'jwt' (Verify v2:
 * applicationId + privateKey) or 'basic' (SMS: apiKey + apiSecret). Bad options are config_invalid.
 */
export function vonageClient(o: VonageConnectionOptions & Credentials, auth: 'jwt' | 'basic', timeoutMs: number, who: string): Vonage {
  const invalid = (message: string) => new TwoFactorError('config_invalid', { message: `${who}: ${message}` });
  const credentials = auth === 'jwt' ? (['applicationId', 'privateKey'] as const) : (['apiKey', 'apiSecret'] as const);
  if (o.client !== undefined) {
    if (typeof o.client !== 'object' || o.client === null) throw invalid('client must be a Vonage client.');
    if (credentials.some((k) => o[k] !== undefined) || o.baseUrls !== undefined) {
      throw invalid(`give either client or ${credentials.join('/')} (and baseUrls), not both.`);
    }
    return o.client;
  }
  const hosts: { apiHost?: string; restHost?: string } = {};
  for (const [origin, url] of Object.entries(parseBaseUrls(o.baseUrls, who))) {
    const option = HOSTS[origin as keyof typeof HOSTS];
    if (!option) throw invalid(`baseUrls can only move ${Object.keys(HOSTS).join(' and ')}.`);
    hosts[option] = url;
  }
  const options = { timeout: timeoutMs, ...hosts };
  if (auth === 'basic') {
    const { apiKey, apiSecret } = o;
    if (typeof apiKey !== 'string' || apiKey === '' || typeof apiSecret !== 'string' || apiSecret === '') {
      throw invalid('needs apiKey and apiSecret, or a ready client.');
    }
    return new Vonage({ apiKey, apiSecret }, options);
  }
  const { applicationId } = o;
  if (typeof applicationId !== 'string' || !/^[0-9a-fA-F-]{8,64}$/.test(applicationId)) {
    throw invalid("needs applicationId (the Vonage application's id) and privateKey, or a ready client.");
  }
  return new Vonage({ applicationId, privateKey: readPrivateKey(o.privateKey, who) }, options);
}
