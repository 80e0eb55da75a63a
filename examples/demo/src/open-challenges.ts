import type { Clock } from '@twofa/core';
import type { OpenChallenge } from './session.js';

/**
 * The last code sent per user and method (twofa keeps one open challenge per method: a new
 * send replaces it), so a code still works after the tab was closed and the user logged in
 * again within the resend cooldown, and the login and step-up pages share it. A real app
 * keeps this in its session store; the id is useless without the code and a
 * password-checked session. (Per process, like the sessions.)
 */
export class OpenChallenges {
  private readonly byKey = new Map<string, OpenChallenge>();

  constructor(private readonly clock: Clock) {}

  set(userId: string, challenge: OpenChallenge): void {
    this.byKey.set(key(userId, challenge.method), challenge);
  }

  get(userId: string, method: string): OpenChallenge | undefined {
    const c = this.byKey.get(key(userId, method));
    if (c && c.expiresAt <= this.clock.now()) this.byKey.delete(key(userId, method));
    return this.byKey.get(key(userId, method));
  }

  delete(userId: string, method: string): void {
    this.byKey.delete(key(userId, method));
  }

  /** Forgets every open code of the user (after an admin reset). */
  clear(userId: string): void {
    for (const k of this.byKey.keys()) if (k.startsWith(key(userId, ''))) this.byKey.delete(k);
  }
}

const key = (userId: string, method: string) => `${userId}\0${method}`;
