import type { RandomSource } from '../clock.js';
import type { KeyRing } from '../crypto.js';
import type { Policy } from '../policy.js';
import type { AuthenticatorRecord, Settle, Store } from '../store.js';
import type { Channel, ProviderEnvironment } from '../verifier.js';

/** What an Interface gets from the manager for one call. */
export interface MethodContext {
  readonly userId: string;
  /** Epoch ms, from the injected clock. */
  readonly now: number;
  readonly issuer: string;
  readonly store: Store;
  readonly keys: KeyRing;
  readonly random: RandomSource;
  readonly policy: Policy;
  /** Writes to apply with a successful consume, so a verify settles in one round trip. */
  readonly settle: Settle;
  /**
   * For methods whose one-time thing lives elsewhere (a provider approved the code):
   * closes the open challenge and applies `settle` atomically. True for the one caller that won.
   */
  consume(): Promise<boolean>;
  /**
   * Enforces the send policy for one destination (resend cooldown, per destination,
   * per user and global limits). Throws TwoFactorError('resend_cooldown' | 'send_limit').
   */
  guardSend(destination: string, purpose: string): Promise<void>;
  /**
   * Gives back the resend cooldown `guardSend` took when no code went out after all, so
   * the user may ask again at once. The send counts stand: they guard against toll fraud.
   */
  releaseCooldown(purpose: string): Promise<void>;
}

/** An authenticator with its config decrypted. */
export interface OpenAuthenticator<C = Record<string, unknown>> {
  record: AuthenticatorRecord;
  config: C;
}

/** The outcome of checking a code. 'approved' means the one-time thing was consumed. */
export type CheckOutcome = 'approved' | 'invalid' | 'expired' | 'max_attempts';

export interface EnrollStart<C = Record<string, unknown>, O = Record<string, unknown>> {
  /** Config to keep encrypted with the pending authenticator. */
  config: C;
  /** Non-secret data shown in `methods()` (e.g. masked number). */
  display?: Record<string, string>;
  /** What `enroll` returns to the app, besides `method`. */
  output: O;
  /** Seconds the pending enrollment stays confirmable. */
  ttlSeconds: number;
}

export interface ChallengeStart {
  /** Stored with the open challenge and handed back to `check`. */
  state: Record<string, unknown>;
  channel?: Channel;
  /** Masked destination, e.g. '+1 ••• ••• 0123'. */
  destination?: string;
  /** Seconds the challenge stays open. */
  ttlSeconds: number;
}

export interface ChallengeOptions {
  channel?: Channel;
  locale?: string;
}

/**
 * One way a user proves the second factor (Sentry's word): TOTP app, phone codes,
 * recovery codes, or your own. The manager does attempt counting, lockouts, events and
 * storage of the authenticator; the Interface does what is specific to its method.
 */
export interface Interface {
  /** Method id used in the API: 'totp', 'phone', 'recovery'. */
  readonly id: string;
  /** Backup methods (recovery codes) are never the only method. */
  readonly isBackup: boolean;
  /** Order in `methods()`: lower first. */
  readonly order: number;
  /** Called once by createTwoFactor; a method passes it on to the providers it owns. */
  attach?(env: ProviderEnvironment): void;
  /** False when the method cannot work as configured (e.g. phone without a verifier). */
  isAvailable(): boolean;
  /** Starts enrollment from the app's input. Throws TwoFactorError on bad input. */
  enroll(ctx: MethodContext, input: Record<string, unknown>): Promise<EnrollStart>;
  /** Checks the code that confirms a pending enrollment. */
  confirm(ctx: MethodContext, pending: OpenAuthenticator, code: string): Promise<CheckOutcome>;
  /** Opens a challenge: sends a code, or nothing for TOTP. */
  challenge(ctx: MethodContext, auth: OpenAuthenticator, options: ChallengeOptions): Promise<ChallengeStart>;
  /**
   * Checks a code. On success it must consume the one-time thing atomically and apply
   * `ctx.settle` with it. `state` is the challenge state, if a challenge was opened.
   */
  check(ctx: MethodContext, auth: OpenAuthenticator, code: string, state?: Record<string, unknown>): Promise<CheckOutcome>;
  /** Ends an open challenge early (e.g. cancels the provider verification). */
  abandon?(ctx: MethodContext, state: Record<string, unknown>): Promise<void>;
}
