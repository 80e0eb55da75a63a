import { createHash } from 'node:crypto';
import type { KeyRing } from './crypto.js';
import type { AuthenticatorRecord } from './store.js';

/**
 * The user's security version: changes whenever an authenticator is confirmed or
 * removed, so device tokens bound to it are revoked by any 2FA change. Derived, not stored.
 */
export function securityVersion(authenticators: AuthenticatorRecord[]): string {
  const parts = authenticators
    .filter((a) => a.status === 'active')
    .map((a) => `${a.id}:${a.confirmedAt ?? a.createdAt}`)
    .sort();
  return createHash('sha256').update(parts.join('|')).digest('base64url').slice(0, 16);
}

export function makeDeviceToken(keys: KeyRing, userId: string, version: string, expiresAt: number): string {
  const payload = Buffer.from(JSON.stringify({ v: version, e: expiresAt })).toString('base64url');
  return `${payload}.${keys.sign(`device\0${userId}\0${payload}`)}`;
}

/** True only for a well-formed, unexpired token signed for this user and version. Never throws. */
export function checkDeviceToken(keys: KeyRing, userId: string, version: string, token: unknown, now: number): boolean {
  if (typeof token !== 'string' || token.length > 512) return false;
  const dot = token.indexOf('.');
  if (dot <= 0) return false;
  const payload = token.slice(0, dot);
  if (!keys.verifySignature(`device\0${userId}\0${payload}`, token.slice(dot + 1))) return false;
  try {
    const { v, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { v?: unknown; e?: unknown };
    return v === version && typeof e === 'number' && e > now;
  } catch {
    return false;
  }
}
