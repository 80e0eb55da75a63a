import type { KeyRing } from './crypto.js';
import { TwoFactorError } from './errors.js';
import type { Emitter, Logger } from './events.js';
import type { OpenAuthenticator } from './methods/types.js';
import type { AuthenticatorRecord } from './store.js';

/**
 * What the manager keeps encrypted: each authenticator's config, and each open challenge.
 * Every box is bound to its user and record (see KeyRing.encrypt), so one moved into
 * another row does not open; that is reported as a 'secret.unreadable' event.
 */

/** An authenticator's sealed config. */
interface StoredConfig {
  c: Record<string, unknown>;
  /** Pending enrollments: confirmable until. */
  exp?: number;
}

/** An open challenge, sealed in the user's partition under `ch:<method>`. */
export interface ChallengeValue {
  id: string;
  method: string;
  authenticatorId?: string;
  state: Record<string, unknown>;
  expiresAt: number;
}

export interface Opened {
  auth: OpenAuthenticator;
  /** Pending enrollments: confirmable until, epoch ms. */
  exp?: number;
  /** Written with an older key or the unbound v1 format: worth writing again. */
  stale: boolean;
}

/** Opened configs kept, so a hot path (every TOTP verify) decrypts a secret once, not every time. */
const CACHE_SIZE = 2048;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

export class Sealer {
  private legacyWarnedAt = -Infinity;
  /**
   * Keyed by user, record and the box itself: a box moved to another row misses the cache
   * and meets the integrity check; a rewritten box is a new key. Holds only what this
   * process has already opened (its key ring opens them all anyway).
   */
  private readonly opened = new Map<string, { config: Record<string, unknown>; exp?: number; stale: boolean }>();

  constructor(
    private readonly keys: KeyRing,
    private readonly events: Emitter,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  sealConfig(userId: string, id: string, config: Record<string, unknown>, exp?: number): string {
    const stored: StoredConfig = { c: config, ...(exp !== undefined ? { exp } : {}) };
    return this.keys.encrypt(JSON.stringify(stored), { purpose: 'authenticator', userId, recordId: id });
  }

  /** The authenticator with its config (frozen), or null (and an event) when its box does not open. */
  open(record: AuthenticatorRecord): Opened | null {
    const key = `${record.userId}\0${record.id}\0${record.secret}`;
    const hit = this.opened.get(key);
    if (hit) {
      this.opened.delete(key); // most recently used last
      this.opened.set(key, hit);
      return { auth: { record, config: hit.config }, ...(hit.exp !== undefined ? { exp: hit.exp } : {}), stale: hit.stale };
    }
    try {
      const { plaintext, stale, legacy } = this.keys.decrypt(record.secret, { purpose: 'authenticator', userId: record.userId, recordId: record.id });
      if (legacy) this.warnLegacy();
      const stored = JSON.parse(plaintext) as StoredConfig;
      const entry = { config: deepFreeze(stored.c), ...(stored.exp !== undefined ? { exp: stored.exp } : {}), stale };
      this.opened.set(key, entry);
      if (this.opened.size > CACHE_SIZE) this.opened.delete(this.opened.keys().next().value!);
      return { auth: { record, config: entry.config }, ...(entry.exp !== undefined ? { exp: entry.exp } : {}), stale };
    } catch (e) {
      if (!(e instanceof TwoFactorError) && !(e instanceof SyntaxError)) throw e;
      this.events.emit('secret.unreadable', { userId: record.userId, record: 'authenticator', method: record.method, authenticatorId: record.id, at: this.now() });
      return null;
    }
  }

  /** `<challenge id>|<box>`: the id in the clear tells a replaced challenge (expired) from a tampered one. */
  sealChallenge(userId: string, value: ChallengeValue): string {
    return `${value.id}|${this.keys.encrypt(JSON.stringify(value), { purpose: 'challenge', userId, recordId: value.id })}`;
  }

  /**
   * The challenge stored for `id`: undefined when the stored one is another (replaced or
   * gone); throws decrypt_failed (after an event) when it is ours but does not open.
   */
  openChallenge(userId: string, stored: string, id?: string): ChallengeValue | undefined {
    const bar = stored.indexOf('|');
    const storedId = bar > 0 ? stored.slice(0, bar) : '';
    if (id !== undefined && storedId !== id) return undefined;
    try {
      const { plaintext } = this.keys.decrypt(stored.slice(bar + 1), { purpose: 'challenge', userId, recordId: storedId });
      const value = JSON.parse(plaintext) as ChallengeValue;
      if (value.id !== storedId) throw new TwoFactorError('decrypt_failed');
      return value;
    } catch (e) {
      if (!(e instanceof TwoFactorError) && !(e instanceof SyntaxError)) throw e;
      this.events.emit('secret.unreadable', { userId, record: 'challenge', at: this.now() });
      throw new TwoFactorError('decrypt_failed', { message: 'The open challenge failed its integrity check.' });
    }
  }

  private warnLegacy(): void {
    const now = this.now();
    if (now - this.legacyWarnedAt < 3_600_000) return;
    this.legacyWarnedAt = now;
    this.logger.warn(
      'twofa: opened a secret in the unbound v1 format of twofa 0.1. It is re-encrypted when used; run the re-encrypt command for the rest, then set legacyCiphertexts: "refuse" (docs/security.md).',
    );
  }
}
