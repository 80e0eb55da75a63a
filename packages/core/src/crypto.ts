import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { RandomSource } from './clock.js';
import { TwoFactorError } from './errors.js';

/** Constant-time string comparison (lengths leak, contents do not). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab); // same work on a mismatch
    return false;
  }
  return timingSafeEqual(ab, bb);
}

interface Key {
  id: string;
  enc: Buffer;
  mac: Buffer;
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** What a box is bound to: its purpose ('authenticator', 'challenge'), its user and its record. */
export interface BoxBinding {
  purpose: string;
  userId: string;
  recordId: string;
}

// NUL-separated: none of the parts can hold a NUL (ids are validated), so the encoding is unambiguous.
const aad = (keyId: string, to: BoxBinding) => Buffer.from(['twofa.v2', keyId, to.purpose, to.userId, to.recordId].join('\0'), 'utf8');

function parseKey(spec: string): Key {
  if (typeof spec !== 'string' || spec.length === 0) {
    throw new TwoFactorError('config_invalid', { message: 'encryptionKeys entries must be non-empty strings.' });
  }
  // "kid:base64" or bare base64 / hex of 32 bytes.
  const colon = spec.indexOf(':');
  const named = colon > 0 && colon < 33;
  const raw = named ? spec.slice(colon + 1) : spec;
  let bytes = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (bytes.length !== 32) {
    throw new TwoFactorError('config_invalid', {
      message: 'Each encryption key must be 32 bytes, as 64 hex characters or base64 (optionally "keyId:" first).',
    });
  }
  const id = named ? spec.slice(0, colon) : createHash('sha256').update(bytes).digest('hex').slice(0, 8);
  if (!/^[A-Za-z0-9_-]+$/.test(id)) {
    throw new TwoFactorError('config_invalid', { message: 'A key id may hold only letters, digits, "_" and "-".' });
  }
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', bytes, Buffer.alloc(0), `twofa:${info}`, 32));
  const key = { id, enc: derive('enc'), mac: derive('mac') };
  bytes.fill(0);
  bytes = Buffer.alloc(0);
  return key;
}

/**
 * AES-256-GCM under a key ring, newest key first: encrypt with the newest, decrypt
 * with whichever key id the ciphertext names. Also the keyed hashes (HMAC-SHA-256)
 * for recovery codes, destinations and device tokens.
 */
export class KeyRing {
  private readonly keys: Key[];
  private readonly insecureMac: Buffer;

  /** Builds the ring from key specs (32 bytes as hex or base64, optionally "keyId:" first), newest first; an empty list means no encryption. */
  constructor(
    specs: readonly string[],
    private readonly random: RandomSource,
    /** Whether boxes of the unbound v1 format (twofa 0.1) still open. */
    private readonly legacy: 'accept' | 'refuse' = 'accept',
  ) {
    this.keys = specs.map(parseKey);
    const ids = new Set(this.keys.map((k) => k.id));
    if (ids.size !== this.keys.length) throw new TwoFactorError('config_invalid', { message: 'Duplicate encryption key id.' });
    // Without keys (insecureNoEncryption) hashes are still keyed, by a fixed public key.
    this.insecureMac = createHash('sha256').update('twofa:insecure-no-encryption').digest();
  }

  /** True when the ring holds at least one key (false only under `insecureNoEncryption`). */
  get encrypted(): boolean {
    return this.keys.length > 0;
  }

  /**
   * Encrypts with the newest key, bound to `to`: the box opens only for the same purpose,
   * user and record, so a box copied into another user's row (or another record) fails.
   */
  encrypt(plaintext: string, to: BoxBinding): string {
    const key = this.keys[0];
    if (!key) return `plain.${b64u(Buffer.from(plaintext, 'utf8'))}`;
    const iv = Buffer.from(this.random(12));
    const cipher = createCipheriv('aes-256-gcm', key.enc, iv);
    cipher.setAAD(aad(key.id, to));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v2.${key.id}.${b64u(iv)}.${b64u(ct)}.${b64u(cipher.getAuthTag())}`;
  }

  /**
   * Opens a box written for `to`. `stale` says it should be written again: an older key,
   * or the unbound v1 format of twofa 0.1 (accepted only while `legacy` is 'accept').
   * Throws TwoFactorError('decrypt_failed') for a box no key opens, or bound elsewhere.
   */
  decrypt(box: string, to: BoxBinding): { plaintext: string; stale: boolean; legacy: boolean } {
    const parts = box.split('.');
    if (parts[0] === 'plain' && parts.length === 2) {
      if (this.encrypted) throw new TwoFactorError('decrypt_failed', { message: 'Found an unencrypted secret while encryption is on; re-enroll that method.' });
      return { plaintext: Buffer.from(parts[1]!, 'base64url').toString('utf8'), stale: false, legacy: false };
    }
    const [v, kid, iv, ct, tag] = parts;
    const key = this.keys.find((k) => k.id === kid);
    if ((v !== 'v2' && v !== 'v1') || !key || !iv || ct === undefined || !tag || parts.length !== 5) {
      throw new TwoFactorError('decrypt_failed', { message: `No configured key can open this secret (key id ${kid ?? '?'}).` });
    }
    const legacy = v === 'v1';
    if (legacy && this.legacy === 'refuse') {
      throw new TwoFactorError('decrypt_failed', { message: 'A secret in the unbound v1 format was refused (legacyCiphertexts is "refuse"); run the re-encrypt command.' });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.enc, Buffer.from(iv, 'base64url'));
      decipher.setAAD(legacy ? Buffer.from(`twofa.v1.${key.id}`) : aad(key.id, to));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plaintext = Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
      return { plaintext, stale: legacy || key !== this.keys[0], legacy };
    } catch (cause) {
      throw new TwoFactorError('decrypt_failed', { message: 'A stored secret failed its integrity check: wrong key, or not written for this user and record.', cause });
    }
  }

  /** Keyed hash under the newest key, prefixed with its key id. */
  hash(purpose: string, value: string): string {
    return this.hashes(purpose, value)[0]!;
  }

  /** The keyed hash under every key, newest first: what a value may be stored as. */
  hashes(purpose: string, value: string): string[] {
    if (!this.encrypted) return [`x.${mac(this.insecureMac, purpose, value)}`];
    return this.keys.map((k) => `${k.id}.${mac(k.mac, purpose, value)}`);
  }

  /** Signs `payload` with the newest key. */
  sign(payload: string): string {
    return this.hash('sign', payload);
  }

  /** True when `signature` is a valid signature of `payload` under any key. */
  verifySignature(payload: string, signature: string): boolean {
    let ok = false;
    for (const candidate of this.hashes('sign', payload)) ok = safeEqual(candidate, signature) || ok;
    return ok;
  }
}

function mac(key: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', key).update(purpose).update('\0').update(value).digest('base64url');
}

/** A random string of `length` characters from `alphabet`, without modulo bias. */
export function randomString(random: RandomSource, alphabet: string, length: number): string {
  const n = alphabet.length;
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < limit) out += alphabet[byte % n];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A random id: 16 bytes of `random`, base64url. */
export function randomId(random: RandomSource): string {
  return b64u(random(16));
}
