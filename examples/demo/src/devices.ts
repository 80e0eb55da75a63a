import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock, TwoFactor } from '@twofa/core';

/** A remembered browser, as the security page lists it. */
export interface RememberedDevice {
  id: string;
  name?: string;
  createdAt: number;
  lastUsedAt?: number;
  expiresAt: number;
}

/**
 * The remembered-devices API @twofa/core is getting (same names and shapes). Until it lands,
 * devicesAdapter() builds it on today's rememberDevice(userId) → token and
 * isDeviceRemembered(userId, token), keeping the list in this process's memory. When core
 * has it, this file shrinks to `export const devicesOf = (twofa: TwoFactor): DevicesApi => twofa;`.
 */
export interface DevicesApi {
  /** The token for the cookie, and the device as listed. */
  rememberDevice(userId: string, options?: { days?: number; name?: string }): Promise<{ token: string; device: RememberedDevice }>;
  /** True for a live token of this user's that was not forgotten; marks the device used. */
  isDeviceRemembered(userId: string, token: unknown): Promise<boolean>;
  /** Newest first. */
  devices(userId: string): Promise<RememberedDevice[]>;
  forgetDevice(userId: string, deviceId: string): Promise<boolean>;
  forgetDevices(userId: string): Promise<number>;
}

interface Entry extends RememberedDevice {
  /** SHA-256 of core's token: a token works only with the device it was issued for. */
  tokenHash: Buffer;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export function devicesAdapter(twofa: TwoFactor, clock: Clock): DevicesApi {
  const byUser = new Map<string, Map<string, Entry>>();
  const live = (userId: string) => {
    const m = byUser.get(userId) ?? new Map<string, Entry>();
    byUser.set(userId, m);
    for (const [id, d] of m) if (d.expiresAt <= clock.now()) m.delete(id);
    return m;
  };
  const listed = ({ tokenHash: _hash, ...d }: Entry): RememberedDevice => d;

  return {
    async rememberDevice(userId, options = {}) {
      const days = options.days ?? 30;
      const coreToken = await twofa.rememberDevice(userId, { days });
      const now = clock.now();
      const device: Entry = {
        id: randomBytes(12).toString('base64url'),
        ...(options.name !== undefined ? { name: options.name.slice(0, 100) } : {}),
        createdAt: now,
        expiresAt: now + days * 86_400_000,
        tokenHash: sha256(coreToken),
      };
      live(userId).set(device.id, device);
      return { token: `${device.id}.${coreToken}`, device: listed(device) };
    },

    async isDeviceRemembered(userId, token) {
      if (typeof token !== 'string') return false;
      const dot = token.indexOf('.');
      const device = dot > 0 ? live(userId).get(token.slice(0, dot)) : undefined;
      const coreToken = token.slice(dot + 1);
      if (!device || !timingSafeEqual(device.tokenHash, sha256(coreToken))) return false;
      if (!(await twofa.isDeviceRemembered(userId, coreToken))) return false;
      device.lastUsedAt = clock.now();
      return true;
    },

    async devices(userId) {
      return [...live(userId).values()].map(listed).sort((a, b) => b.createdAt - a.createdAt);
    },

    async forgetDevice(userId, deviceId) {
      return live(userId).delete(deviceId);
    },

    async forgetDevices(userId) {
      const m = live(userId);
      const n = m.size;
      m.clear();
      return n;
    },
  };
}

/** "Chrome on Android", from a User-Agent: enough for a person to recognise a browser. */
export function browserName(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const browser =
    /Edg\//.test(ua) ? 'Edge'
    : /OPR\/|Opera/.test(ua) ? 'Opera'
    : /Firefox\//.test(ua) ? 'Firefox'
    : /Chrome\/|CriOS\//.test(ua) ? 'Chrome'
    : /Safari\//.test(ua) ? 'Safari'
    : 'A browser';
  const os =
    /iPhone|iPad|iPod/.test(ua) ? 'iOS'
    : /Android/.test(ua) ? 'Android'
    : /Windows/.test(ua) ? 'Windows'
    : /Mac OS X|Macintosh/.test(ua) ? 'macOS'
    : /CrOS/.test(ua) ? 'ChromeOS'
    : /Linux/.test(ua) ? 'Linux'
    : '';
  return os ? `${browser} on ${os}` : browser;
}
