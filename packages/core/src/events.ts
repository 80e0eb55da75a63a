import type { Channel } from './verifier.js';

/**
 * Event payloads. They carry only values the SDK made or validated (user ids, method ids
 * from the configured registry, ids it handed out): never a secret, a code, an unmasked
 * number or other caller text.
 */
export interface TwoFactorEvents {
  'verification.sent': {
    userId: string;
    method: string;
    authenticatorId?: string;
    channel?: Channel;
    /** Masked, e.g. '+1 ••• ••• 0123'. */
    destination?: string;
    purpose: 'enroll' | 'challenge';
    at: number;
  };
  'verification.succeeded': { userId: string; method: string; authenticatorId: string; purpose: 'enroll' | 'challenge'; at: number };
  'verification.failed': {
    userId: string;
    method?: string;
    purpose: 'enroll' | 'challenge';
    error: 'invalid_code' | 'expired' | 'locked' | 'max_attempts' | 'suspended';
    attemptsLeft: number;
    at: number;
  };
  /** A lockout began: too many failures in a row (`failures`) or the hourly cap (`hourly_cap`). */
  'user.locked': { userId: string; until: number; reason: 'failures' | 'hourly_cap'; at: number };
  /** A run of failures reached policy.maxConsecutiveFailures: the `primary` methods, or the `backup` (recovery codes), are suspended until unlock(). */
  'user.suspended': { userId: string; scope: 'primary' | 'backup'; at: number };
  'user.unlocked': { userId: string; at: number };
  'authenticator.enrolled': { userId: string; method: string; authenticatorId: string; at: number };
  'authenticator.removed': { userId: string; method: string; authenticatorId: string; at: number };
  /** The app said this user must use 2FA and they have none: their grace period began. */
  'requirement.grace_started': { userId: string; until: number; at: number };
  /** The grace period ended without an enrollment (said once). */
  'requirement.overdue': { userId: string; since: number; at: number };
  /** An administrator removed every authenticator, code, counter, device and open challenge of the user. */
  'admin.reset': { userId: string; actor: string; reason: string; at: number };
  /** A method saw something wrong with an authenticator, e.g. `sign_count_regressed` (a cloned WebAuthn key). */
  'authenticator.anomaly': { userId: string; method: string; authenticatorId: string; reason: string; at: number };
  /**
   * A stored secret did not open: no configured key, or a box moved from another user or
   * record (tampering). The authenticator is treated as unusable.
   */
  'secret.unreadable': { userId: string; record: 'authenticator' | 'challenge'; method?: string; authenticatorId?: string; at: number };
}

/** The name of an event `twofa.on()` accepts. */
export type EventName = keyof TwoFactorEvents;
/** A function `twofa.on(event, listener)` calls with the event's payload. */
export type Listener<E extends EventName> = (event: TwoFactorEvents[E]) => void;

/** Where twofa writes its rare warnings (e.g. legacy ciphertexts met); `console` fits. */
export interface Logger {
  /** Writes one warning line; never contains a secret, a code or a full phone number. */
  warn(message: string): void;
}

/** A tiny typed emitter. A throwing listener is logged, never breaks a verification. */
export class Emitter {
  private readonly listeners = new Map<EventName, Set<(e: never) => void>>();

  constructor(private readonly logger: Logger) {}

  on<E extends EventName>(name: E, fn: Listener<E>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as (e: never) => void);
    return () => set.delete(fn as (e: never) => void);
  }

  emit<E extends EventName>(name: E, event: TwoFactorEvents[E]): void {
    for (const fn of this.listeners.get(name) ?? []) {
      try {
        (fn as Listener<E>)(event);
      } catch (e) {
        this.logger.warn(`twofa: a '${name}' listener threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
