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

/** A remembered device as the app lists it. */
export interface RememberedDevice {
  id: string;
  /** What the app called it when remembering it (e.g. "Firefox on Linux"). */
  name?: string;
  createdAt: number;
  lastUsedAt?: number;
  expiresAt: number;
}

/** What a device's store record holds (no secret: the token is the secret, and only its holder has it). */
export interface DeviceRecord {
  name?: string;
  createdAt: number;
  lastUsedAt?: number;
}

export function makeDeviceToken(keys: KeyRing, userId: string, deviceId: string, version: string, expiresAt: number): string {
  const payload = Buffer.from(JSON.stringify({ d: deviceId, v: version, e: expiresAt })).toString('base64url');
  return `${payload}.${keys.sign(`device\0${userId}\0${payload}`)}`;
}

/** The device id of a well-formed, unexpired token signed for this user, or null. Never throws. */
export function readDeviceToken(keys: KeyRing, userId: string, token: unknown, now: number): { deviceId: string; version: string; expiresAt: number } | null {
  if (typeof token !== 'string' || token.length > 512) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  if (!keys.verifySignature(`device\0${userId}\0${payload}`, token.slice(dot + 1))) return null;
  try {
    const { d, v, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { d?: unknown; v?: unknown; e?: unknown };
    if (typeof d !== 'string' || typeof v !== 'string' || typeof e !== 'number' || e <= now) return null;
    return { deviceId: d, version: v, expiresAt: e };
  } catch {
    return null;
  }
}
