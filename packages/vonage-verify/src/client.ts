import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Vonage } from '@vonage/server-sdk';
import { TwoFactorError } from '@twofa/core/adapter';

export interface VonageClientOptions {
  timeoutMs: number;
  /** For tests: where the client sends API (Verify) and REST (SMS) calls. */
  apiHost?: string;
  restHost?: string;
}

/** Hosts and timeout for `new Vonage(credentials, options)`. */
export function clientOptions(o: VonageClientOptions) {
  return { timeout: o.timeoutMs, ...(o.apiHost ? { apiHost: o.apiHost } : {}), ...(o.restHost ? { restHost: o.restHost } : {}) };
}

/** PEM text, a Buffer, or the path of the .key file Vonage's dashboard hands out; checked now, not at the first send. */
export function readPrivateKey(key: string | Buffer | undefined, who: string): string {
  let pem = Buffer.isBuffer(key) ? key.toString('utf8') : key;
  if (typeof pem === 'string' && !pem.includes('-----BEGIN') && existsSync(pem)) pem = readFileSync(pem, 'utf8');
  try {
    if (!pem) throw new Error('empty');
    createPrivateKey(pem);
  } catch {
    // The key itself is never quoted.
    throw new TwoFactorError('config_invalid', { message: `${who}: privateKey is not a readable PEM private key (or a path to one).` });
  }
  return pem;
}

export function jwtClient(o: { applicationId?: string; privateKey?: string | Buffer } & VonageClientOptions, who: string): Vonage {
  if (typeof o.applicationId !== 'string' || !/^[0-9a-fA-F-]{8,64}$/.test(o.applicationId)) {
    throw new TwoFactorError('config_invalid', { message: `${who} needs applicationId (the Vonage application's id) and privateKey, or a ready client.` });
  }
  return new Vonage({ applicationId: o.applicationId, privateKey: readPrivateKey(o.privateKey, who) }, clientOptions(o));
}
