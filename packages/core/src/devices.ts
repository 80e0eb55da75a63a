import type { Clock, RandomSource } from './clock.js';
import { randomId, type KeyRing } from './crypto.js';
import { TwoFactorError } from './errors.js';
import { keys } from './rate-limit.js';
import { makeDeviceToken, readDeviceToken, securityVersion, type DeviceRecord, type RememberedDevice } from './remember-device.js';
import type { Store } from './store.js';
import { assertId, assertText, assertUserId, optionsObject } from './validate.js';

/** Devices a user may have remembered at once; remembering one more forgets the oldest. */
const MAX_DEVICES = 20;
/** lastUsedAt is written at the first use, then at most this often, so a busy device does not write at every request. */
const TOUCH_EVERY_MS = 3_600_000;

/** "Remember this device": signed tokens, each backed by a record the user can list and revoke. */
export interface DevicesApi {
  /**
   * Remembers the device the user just verified on: returns the token to keep in a cookie
   * and the device as listed. The token stops working when it expires, when the device is
   * forgotten, and when the user's 2FA changes.
   */
  rememberDevice(userId: string, options?: { days?: number; name?: string }): Promise<{ token: string; device: RememberedDevice }>;
  /** True for a live token of this user's that was not forgotten. A bad token is just "not remembered". */
  isDeviceRemembered(userId: string, token: unknown): Promise<boolean>;
  /** The user's remembered devices, newest first. */
  devices(userId: string): Promise<RememberedDevice[]>;
  /** Forgets one remembered device; resolves false when the user had no such device. */
  forgetDevice(userId: string, deviceId: string): Promise<boolean>;
  /** Forgets every remembered device of the user; returns how many. */
  forgetDevices(userId: string): Promise<number>;
}

interface Deps {
  store: Store;
  keyRing: KeyRing;
  clock: Clock;
  random: RandomSource;
}

function parse(key: string, value: string, expiresAt: number): RememberedDevice | null {
  try {
    const r = JSON.parse(value) as DeviceRecord;
    return {
      id: key.slice(keys.devicePrefix.length),
      ...(typeof r.name === 'string' ? { name: r.name } : {}),
      createdAt: r.createdAt,
      ...(typeof r.lastUsedAt === 'number' ? { lastUsedAt: r.lastUsedAt } : {}),
      expiresAt,
    };
  } catch {
    return null;
  }
}

export function devicesApi({ store, keyRing, clock, random }: Deps): DevicesApi {
  async function list(userId: string, now: number): Promise<RememberedDevice[]> {
    const records = await store.listRecords(userId, keys.devicePrefix, now);
    return records
      .map((r) => parse(r.key, r.value, r.expiresAt))
      .filter((d): d is RememberedDevice => d !== null)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  return {
    async rememberDevice(userId, options) {
      assertUserId(userId);
      const o = optionsObject(options, 'rememberDevice options');
      const days = o.days ?? 30;
      if (typeof days !== 'number' || !(days > 0) || days > 400) throw new TwoFactorError('invalid_input', { message: 'days must be more than 0 and at most 400.' });
      if (o.name !== undefined) assertText(o.name, 'name', 100);
      const now = clock.now();
      const [authenticators, current] = await Promise.all([store.getAuthenticators(userId), list(userId, now)]);
      for (const old of current.slice(MAX_DEVICES - 1)) await store.takeRecord(userId, keys.device(old.id), now);
      const id = randomId(random);
      const expiresAt = now + Math.round(days * 86_400_000);
      const record: DeviceRecord = { ...(o.name !== undefined ? { name: o.name } : {}), createdAt: now };
      await store.putRecord(userId, keys.device(id), JSON.stringify(record), expiresAt, now);
      const token = makeDeviceToken(keyRing, userId, id, securityVersion(authenticators), expiresAt);
      return { token, device: { id, ...record, expiresAt } };
    },

    async isDeviceRemembered(userId, token) {
      assertUserId(userId);
      const now = clock.now();
      const t = readDeviceToken(keyRing, userId, token, now);
      if (!t) return false;
      const r = await store.hit(userId, [], now, { load: { authenticators: true, record: keys.device(t.deviceId) } });
      const list = r.authenticators ?? [];
      if (!r.record || !list.some((a) => a.status === 'active') || securityVersion(list) !== t.version) return false;
      const device = parse(keys.device(t.deviceId), r.record, t.expiresAt);
      if (device && (device.lastUsedAt === undefined || now - device.lastUsedAt >= TOUCH_EVERY_MS)) {
        const { id: _id, expiresAt: _e, ...rest } = device;
        await store.putRecord(userId, keys.device(t.deviceId), JSON.stringify({ ...rest, lastUsedAt: now } satisfies DeviceRecord), t.expiresAt, now);
      }
      return true;
    },

    async devices(userId) {
      assertUserId(userId);
      return list(userId, clock.now());
    },

    async forgetDevice(userId, deviceId) {
      assertUserId(userId);
      assertId(deviceId, 'deviceId');
      return (await store.takeRecord(userId, keys.device(deviceId), clock.now())) !== null;
    },

    async forgetDevices(userId) {
      assertUserId(userId);
      const now = clock.now();
      let n = 0;
      for (const d of await list(userId, now)) if ((await store.takeRecord(userId, keys.device(d.id), now)) !== null) n++;
      return n;
    },
  };
}
