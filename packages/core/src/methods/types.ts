import type { RandomSource } from '../clock.js';
import type { KeyRing } from '../crypto.js';
import type { Logger } from '../events.js';
import type { Policy } from '../policy.js';
import type { AuthenticatorRecord, Consumable, Settle, Store } from '../store.js';
import type { Channel, ProviderEnvironment } from '../verifier.js';

/** What a method gets from the manager for one call. */
export interface MethodContext {
  readonly userId: string;
  /** Epoch ms, from the injected clock. */
  readonly now: number;
  readonly issuer: string;
  readonly store: Store;
  readonly keys: KeyRing;
  readonly random: RandomSource;
  readonly policy: Policy;
  readonly logger: Logger;
  /**
   * Writes to apply with a successful consume (reset the failure counters, close the
   * open challenge), so a verify settles in one round trip. Add `touch` for the
   * authenticator you consumed on.
   */
  readonly settle: Settle;
  /**
   * For methods whose one-time thing lives elsewhere (a provider approved the code), or
   * is the challenge itself (a WebAuthn assertion): uses up the open challenge, and
   * `also` (e.g. a sign counter) with it, touches the authenticator and applies `settle`,
   * all in one atomic step. True for the one caller that won.
   */
  consume(authenticatorId: string, also?: Omit<Consumable, 'record'>): Promise<boolean>;
  /**
   * Reports something wrong with an authenticator (a WebAuthn sign count that went back:
   * a cloned key) as an 'authenticator.anomaly' event. `reason` is a stable code of the
   * method's, [a-z_], at most 40 characters.
   */
  report(authenticatorId: string, reason: string): void;
  /**
   * Enforces the send policy for one destination (resend cooldown to it, per destination,
   * per user and global limits). Throws TwoFactorError('resend_cooldown' | 'send_limit')
   * with retryAt.
   */
  guardSend(destination: string, purpose: string): Promise<void>;
  /**
   * Gives back the resend cooldown `guardSend` took when no code went out after all, so
   * the user may ask again at once. The send counts stand: they guard against toll fraud.
   */
  releaseCooldown(destination: string, purpose: string): Promise<void>;
  /**
   * Ends what this call replaces (the method's open challenge, or its pending enrollment),
   * cancelling a provider verification through `abandon`. Call it after your own checks
   * and before you send, so a provider that allows one open verification per destination
   * (Vonage) takes the new one. The manager calls it after you if you did not. Resolves to
   * when the replaced one would have expired, if there was one: a provider that still
   * refuses with `send_limit` and no time of its own is likely waiting for that.
   */
  replacePrevious(): Promise<number | undefined>;
}

/** An authenticator with its config decrypted. */
export interface OpenAuthenticator<C = Record<string, unknown>> {
  record: AuthenticatorRecord;
  config: C;
}

/** The outcome of checking an answer. 'approved' means the one-time thing was consumed. */
export type CheckOutcome = 'approved' | 'invalid' | 'expired' | 'max_attempts';

/** What `confirm` may hand back besides 'approved': the config and display learned from the answer (a WebAuthn credential). */
export interface Confirmed {
  outcome: 'approved';
  config?: Record<string, unknown>;
  display?: Record<string, string>;
}

/** What `check` found: which authenticator answered, when one did. */
export type CheckResult =
  | { outcome: 'approved'; authenticatorId: string; userVerified?: boolean }
  | { outcome: Exclude<CheckOutcome, 'approved'> };

/** What a method's `enroll` returns to the manager: the config to keep encrypted, and what the app sees (`O`). */
export interface EnrollStart<C = Record<string, unknown>, O extends object = object> {
  /** Config to keep encrypted with the pending authenticator. */
  config: C;
  /** Non-secret data shown in `methods()` (e.g. masked number). */
  display?: Record<string, string>;
  /** What `enroll` returns to the app, besides id, method, name and expiresAt. */
  output: O;
  /** Seconds the pending enrollment stays confirmable (more than 0). */
  ttlSeconds: number;
  /** Set when a code went out to confirm it (phone): reported as a 'verification.sent' event. */
  sent?: { channel: Channel; destination?: string };
}

/** What a method's `challenge` returns to the manager: the state to keep with the open challenge, and what the app may see. */
export interface ChallengeStart {
  /** Stored (encrypted) with the open challenge and handed back to `check`. */
  state: Record<string, unknown>;
  /** The authenticator the challenge is for (the phone a code went to); omit when any of the user's will do. */
  authenticatorId?: string;
  channel?: Channel;
  /** Masked destination, e.g. '+1 ••• ••• 0123'. */
  destination?: string;
  /** When the challenge closes, epoch ms; default now + policy.challengeTtlSeconds. */
  expiresAt?: number;
  /** Method-specific data for the app (e.g. WebAuthn request options). */
  output?: Record<string, unknown>;
}

/** How to open a challenge: the channel (`sms`, `call`, `whatsapp`, `email`) and the language of the message. */
export interface ChallengeOptions {
  channel?: Channel;
  locale?: string;
}

/**
 * One way a user proves the second factor: an authenticator app, phone codes, a
 * security key, recovery codes, or your own. The manager does attempt counting,
 * lockouts, events, encryption and storage of each authenticator; the method does what
 * is specific to it. A user may hold several authenticators of one method.
 *
 * `Id`, `Input` and `Enrollment` type `twofa.enroll(userId, id, input)` and its result.
 */
export interface Method<Id extends string = string, Input = Record<string, unknown>, Enrollment extends object = object> {
  /** The method id used in the API: 'totp', 'phone', 'recovery'. Lower case, [a-z0-9_-]. */
  readonly id: Id;
  /**
   * 'primary' methods stand alone. A 'backup' method has no enrollment of its own: its
   * `provision` runs when the user's first primary authenticator is confirmed, and it
   * goes when the last primary one is removed.
   */
  readonly role: 'primary' | 'backup';
  /** Order in `methods()` and the default choice of `challenge()`: lower first. */
  readonly order: number;
  /** True when `verify` must name a challenge: the code was sent for it (phone) or is bound to it (WebAuthn). */
  readonly needsChallenge: boolean;
  /** How many active authenticators of this method one user may hold. */
  readonly maxPerUser: number;
  /**
   * What `verify` and `confirmEnrollment` take as the answer: a typed 'code' (a string;
   * what it holds is judged by the method, garbage counting as a wrong code) or an
   * 'object' (e.g. a WebAuthn response). Anything else is refused as invalid_input
   * before an attempt is counted.
   */
  readonly answer: 'code' | 'object';
  /** Called once by createTwoFactor; pass it on to the providers you own. */
  attach?(env: ProviderEnvironment): void;
  /** False when the method cannot work as configured (e.g. phone without a verifier). */
  isAvailable(): boolean;

  /**
   * Primary methods: starts an enrollment from the app's input. `existing` are the user's
   * active authenticators of this method (e.g. to exclude their keys). Throws
   * TwoFactorError on bad input.
   */
  enroll?(ctx: MethodContext, input: Input, existing: OpenAuthenticator[]): Promise<EnrollStart<Record<string, unknown>, Enrollment>>;
  /**
   * Primary methods: checks the answer that confirms a pending enrollment, consuming it on
   * success; may return the config to keep from now on (what the answer taught).
   */
  confirm?(ctx: MethodContext, pending: OpenAuthenticator, answer: unknown): Promise<CheckOutcome | Confirmed>;
  /** Backup methods: makes the user's set (replacing any) and returns what to show once. */
  provision?(ctx: MethodContext): Promise<string[]>;
  /**
   * Takes over an authenticator enrolled elsewhere (another library's TOTP secret, its
   * recovery codes): validates `data` and returns the config to keep. Throws
   * TwoFactorError('invalid_input') on bad data. A backup method stores its codes here.
   */
  adopt?(ctx: MethodContext, data: unknown): Promise<{ config: Record<string, unknown>; display?: Record<string, string> }>;
  /** Non-secret state for `methods()`, e.g. recovery codes left. */
  describe?(ctx: MethodContext, authenticator: AuthenticatorRecord): Promise<{ remaining?: number; lastUsedAt?: number }>;

  /** Opens a challenge for one of `candidates` (the user's active authenticators of this method, or the one asked for). */
  challenge(ctx: MethodContext, candidates: OpenAuthenticator[], options: ChallengeOptions): Promise<ChallengeStart>;
  /**
   * Checks an answer against `candidates`. On success it must consume the one-time thing
   * atomically and apply `ctx.settle` with it. `state` is the open challenge's, if any.
   */
  check(ctx: MethodContext, candidates: OpenAuthenticator[], answer: unknown, state?: Record<string, unknown>): Promise<CheckResult>;
  /**
   * For methods whose one-time thing follows from the answer alone (recovery codes): what
   * to consume, so the manager counts the attempt and consumes it in one round trip.
   * Null for a malformed answer (a wrong code, counted as one).
   */
  consumableFor?(ctx: MethodContext, answer: unknown): Consumable | null;
  /** Called before an authenticator of this method is deleted: drop what it keeps elsewhere (recovery-code hashes). */
  remove?(ctx: MethodContext, authenticator: AuthenticatorRecord): Promise<void>;
  /** Ends a challenge or pending enrollment early (e.g. cancels the provider verification); gets its state or config. */
  abandon?(ctx: MethodContext, state: Record<string, unknown>): Promise<void>;
}

/** Any method, whatever its types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethod = Method<string, any, object>;
