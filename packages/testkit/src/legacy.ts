import { createCipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Data as twofa 0.1 wrote it, for upgrade tests: stores and apps must keep reading it.
 * This is a copy of 0.1's format on purpose (not a call into today's code), so a change
 * to today's code cannot quietly change what "old data" means.
 */

function keyOf(spec: string): { id: string; enc: Buffer } {
  const colon = spec.indexOf(':');
  const named = colon > 0 && colon < 33;
  const raw = named ? spec.slice(colon + 1) : spec;
  const bytes = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  const id = named ? spec.slice(0, colon) : createHash('sha256').update(bytes).digest('hex').slice(0, 8);
  return { id, enc: Buffer.from(hkdfSync('sha256', bytes, Buffer.alloc(0), 'twofa:enc', 32)) };
}

/** A secret box in 0.1's unbound v1 format (AES-256-GCM, additional data `twofa.v1.<keyId>` only). */
export function sealV1(keySpec: string, plaintext: string): string {
  const { id, enc } = keyOf(keySpec);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', enc, iv);
  cipher.setAAD(Buffer.from(`twofa.v1.${id}`));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const b64u = (b: Buffer) => b.toString('base64url');
  return `v1.${id}.${b64u(iv)}.${b64u(ct)}.${b64u(cipher.getAuthTag())}`;
}

/** 0.1's sealed TOTP config for `secret` (base32), as its authenticator record's `secret` field held it. */
export function legacyTotpSecret(keySpec: string, secret: string): string {
  return sealV1(keySpec, JSON.stringify({ c: { secret, algorithm: 'sha1', digits: 6, period: 30 } }));
}

/** 0.1's sealed config of a recovery-code set (empty), as its authenticator record held it. */
export function legacyRecoverySecret(keySpec: string): string {
  return sealV1(keySpec, JSON.stringify({ c: {} }));
}
