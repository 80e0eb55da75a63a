import { createHmac } from 'node:crypto';
import { TwoFactorError } from '@twofa/core';

/** Opt-in user attribute: a keyed hash, so spans of one user can be found without naming the user. */
export interface HashUserIds {
  /**
   * A secret of at least 16 bytes (a string of 16+ characters or bytes), kept from whoever
   * reads the traces. Keyed because user ids are guessable (sequential numbers, email
   * addresses): an unkeyed hash of them is reversed by hashing every candidate.
   */
  key: string | Uint8Array;
}

const MIN_KEY_BYTES = 16;

export function checkHashKey(o: unknown): string | Uint8Array {
  const key = o !== null && typeof o === 'object' ? (o as { key?: unknown }).key : undefined;
  const bytes = typeof key === 'string' ? Buffer.byteLength(key) : key instanceof Uint8Array ? key.byteLength : 0;
  if (bytes < MIN_KEY_BYTES) {
    throw new TwoFactorError('config_invalid', { message: `hashUserIds.key must be a secret string or bytes of at least ${MIN_KEY_BYTES} bytes.` });
  }
  return key as string | Uint8Array;
}

/**
 * The value of `twofa.user.hash` for a user: HMAC-SHA-256 of the user id under `key`, first
 * 128 bits, base64url (22 characters). Support staff compute it for one user to find that
 * user's spans; without the key it says nothing about who the user is.
 */
export function hashUserId(userId: string, key: string | Uint8Array): string {
  return createHmac('sha256', checkHashKey({ key })).update('twofa.user.hash\0').update(userId).digest().subarray(0, 16).toString('base64url');
}
