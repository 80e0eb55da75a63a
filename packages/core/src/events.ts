import type { Channel } from './verifier.js';

/** Event payloads. They never carry a secret, a code or an unmasked number. */
export interface TwoFactorEvents {
  'verification.sent': { userId: string; method: string; channel?: Channel; destination?: string; purpose: 'enroll' | 'challenge'; at: number };
  'verification.succeeded': { userId: string; method: string; purpose: 'enroll' | 'challenge'; at: number };
  'verification.failed': {
    userId: string;
    method?: string;
    purpose: 'enroll' | 'challenge';
    error: 'invalid_code' | 'expired' | 'locked' | 'max_attempts';
    attemptsLeft: number;
    at: number;
  };
  'user.locked': { userId: string; until: number; at: number };
  'method.enrolled': { userId: string; method: string; at: number };
  'method.removed': { userId: string; method: string; at: number };
}

export type EventName = keyof TwoFactorEvents;
export type Listener<E extends EventName> = (event: TwoFactorEvents[E]) => void;

export interface Logger {
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
