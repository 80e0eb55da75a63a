import type { Emitter } from './events.js';
import type { CheckOutcome } from './methods/types.js';
import { keys } from './rate-limit.js';
import type { RateRule } from './store.js';

/** Why a verification failed: the `error` of a failed `verify()` or `confirmEnrollment()` (docs/errors.md). */
export type VerifyError = 'invalid_code' | 'expired' | 'locked' | 'max_attempts' | 'suspended';

/** A refused or failed attempt, as verify and confirmEnrollment return it. */
export type Failure = { ok: false; error: VerifyError; attemptsLeft: number; retryAt?: number };

interface Attempt {
  userId: string;
  purpose: 'enroll' | 'challenge';
  /** A method id from the registry (never caller text). */
  method: string | undefined;
  rules: RateRule[];
  gate: { counts: number[]; resetAt: number[]; allowed: boolean };
  now: number;
}

const isStreak = (r: RateRule) => r.key.startsWith('streak');

/** Turns counted attempts into typed results and the lockout events they cause. */
export class Outcomes {
  constructor(private readonly events: Emitter) {}

  error(outcome: Exclude<CheckOutcome, 'approved'>): VerifyError {
    return outcome === 'invalid' ? 'invalid_code' : outcome;
  }

  /** Why a hit was refused: a suspension or user-wide lockout says more than an exhausted challenge. */
  refused(rules: RateRule[], counts: number[]): VerifyError {
    const blocked = rules.filter((r, i) => counts[i]! >= r.limit);
    if (blocked.some(isStreak)) return 'suspended';
    return blocked.some((r) => !r.key.startsWith('att:')) ? 'locked' : 'max_attempts';
  }

  failure(a: Attempt & { error: VerifyError }): Failure {
    const { rules, gate } = a;
    const attemptsLeft = rules.length ? Math.max(0, Math.min(...rules.map((r, i) => r.limit - gate.counts[i]!))) : 0;
    // A suspension has no end in time; other limits end when their window does.
    const ends = rules.map((r, i) => (!isStreak(r) && gate.counts[i]! >= r.limit ? gate.resetAt[i]! : 0)).filter((t) => t > 0);
    const retryAt = a.error !== 'suspended' && ends.length ? Math.max(...ends) : undefined;
    if (gate.allowed) this.lockEvents(a, a.error === 'invalid_code' || a.error === 'expired' || a.error === 'max_attempts');
    this.events.emit('verification.failed', {
      userId: a.userId,
      ...(a.method ? { method: a.method } : {}),
      purpose: a.purpose,
      error: a.error,
      attemptsLeft,
      at: a.now,
    });
    return { ok: false, error: a.error, attemptsLeft, ...(retryAt !== undefined ? { retryAt } : {}) };
  }

  succeeded(a: Attempt & { method: string; authenticatorId: string }): void {
    this.lockEvents(a, false);
    this.events.emit('verification.succeeded', { userId: a.userId, method: a.method, authenticatorId: a.authenticatorId, purpose: a.purpose, at: a.now });
  }

  /** The attempt that brought a counter to its limit starts a lockout: say so once. */
  private lockEvents(a: Attempt, failed: boolean): void {
    const { rules, gate, userId, now } = a;
    rules.forEach((r, i) => {
      if (gate.counts[i] !== r.limit) return;
      if (r.key === keys.hourly) this.events.emit('user.locked', { userId, until: gate.resetAt[i]!, reason: 'hourly_cap', at: now });
      else if (!failed) return; // a success resets the failure counters
      else if (r.key === keys.failures) this.events.emit('user.locked', { userId, until: gate.resetAt[i]!, reason: 'failures', at: now });
      else if (isStreak(r)) this.events.emit('user.suspended', { userId, scope: r.key === keys.streak('primary') ? 'primary' : 'backup', at: now });
    });
  }
}
