import type { Clock, RandomSource } from './clock.js';
import type { KeyRing } from './crypto.js';
import type { Logger } from './events.js';
import type { Store } from './store.js';

/** How a code travels to the user. */
export type Channel = 'sms' | 'call' | 'whatsapp' | 'email';

/** What `Verifier.start` receives. */
export interface StartInput {
  /** E.164 phone number (or an email address for the email channel). */
  to: string;
  channel: Channel;
  /** BCP 47 language tag, e.g. 'en', 'fr', 'pt-BR'. */
  locale?: string;
}

/** What `Verifier.start` resolves to. */
export interface StartedVerification {
  /** Opaque id; `check` and `cancel` take it. */
  id: string;
  channel: Channel;
  /** Epoch ms after which the code no longer works. */
  expiresAt: number;
}

/** The outcome of `Verifier.check`. */
export type CheckStatus = 'approved' | 'pending' | 'expired' | 'max_attempts' | 'canceled';

/** What `Verifier.check` receives. */
export interface CheckInput {
  id: string;
  code: string;
}

/**
 * Sends a code to a destination and later checks it. Hosted verifiers (Twilio Verify,
 * Vonage Verify) keep the code at the provider; `localVerifier` keeps only its hash.
 * Failures are thrown as TwoFactorError with a stable code (see errors.ts).
 */
export interface Verifier {
  readonly name: string;
  readonly channels: readonly Channel[];
  /**
   * Called once by createTwoFactor with the manager's environment. A verifier that keeps
   * time (expiry of a started verification, breakers) must use `env.clock` from then on, so
   * expiry maths never mixes two clocks; one that keeps state uses `env.store` and `env.keys`.
   */
  attach?(env: ProviderEnvironment): void;
  /** Sends a code to `input.to` over `input.channel`; resolves to the verification's id and expiry. */
  start(input: StartInput): Promise<StartedVerification>;
  /** Checks a code against a verification: `approved`, or why not. */
  check(input: CheckInput): Promise<CheckStatus>;
  /** Ends a verification early. Resolves false when there was nothing to cancel. */
  cancel(id: string): Promise<boolean>;
  /**
   * Optional line-type check used by phone() at enrollment (e.g. Twilio Lookup).
   * Returns the line type ('mobile', 'landline', 'voip', ...) or null when unknown.
   */
  lookupLineType?(e164: string): Promise<string | null>;
}

/** A message a `MessageSender` delivers: destination, text, channel, and the values the text was written from. */
export interface OutgoingMessage {
  to: string;
  /** The text, written from a message template. */
  body: string;
  channel: Channel;
  /**
   * What `body` was rendered from, for senders that render their own message (an email
   * with a subject and an HTML part, in the user's language). Optional: a sender must still
   * work from `body` alone, and text senders (SMS) ignore it. Carries the code, so treat it
   * like `body`: never log it or put it in an error.
   */
  vars?: {
    code: string;
    issuer: string;
    /** Minutes until the code expires. */
    minutes: number;
    /** BCP 47 tag of the language asked for, e.g. 'fr' or 'pt-BR'. */
    locale?: string;
  };
}

/** Delivers a text a local verifier wrote. */
export interface MessageSender {
  readonly name: string;
  readonly channels: readonly Channel[];
  /** As Verifier.attach: the owning verifier passes the manager's environment on. */
  attach?(env: ProviderEnvironment): void;
  /** Delivers one message; resolves to the provider's message id. Throws a `TwoFactorError` on failure. */
  send(message: OutgoingMessage): Promise<{ id: string }>;
}

/** What the manager hands every verifier, sender and method it owns (see `attach`). */
export interface ProviderEnvironment {
  /** The manager's clock: every expiry and breaker follows it. */
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  /** The manager's key ring (encryption and keyed hashes). */
  readonly keys: KeyRing;
  /** The manager's store, for providers that keep state (localVerifier). */
  readonly store: Store;
  /** The manager's issuer, e.g. for message texts. */
  readonly issuer: string;
}
