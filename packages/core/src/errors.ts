/**
 * Stable error codes. Apps switch on `code`; messages are for developers and never
 * carry a secret, a code or a full phone number. Documented in docs/errors.md.
 */
export const ErrorCodes = {
  // configuration and input
  config_invalid: 'The TwoFactor options are invalid.',
  encryption_key_missing: 'No encryption key was given and insecureNoEncryption is not set.',
  invalid_input: 'An argument is missing, of the wrong type or too long.',
  unknown_method: 'No such method is configured.',
  method_unavailable: 'The method is configured but cannot be used (e.g. no verifier).',
  not_enrolled: 'The user has no active authenticator of that method.',
  no_pending_enrollment: 'There is no enrollment waiting to be confirmed.',
  backup_only: 'A backup method cannot be the only method.',
  authenticator_limit: 'The user already has as many authenticators of this method as allowed; remove one first.',
  already_enrolled: 'The user already has that phone number or address as an active authenticator.',
  // phone numbers
  invalid_phone_number: 'The phone number is not a valid number.',
  country_not_allowed: 'Numbers from that country are not allowed.',
  line_type_not_allowed: 'That kind of line (e.g. landline, VoIP) is not allowed.',
  channel_unsupported: 'The verifier cannot deliver over that channel to that destination.',
  // limits
  locked: 'Too many failed attempts: the user is locked out until retryAt; nothing was sent.',
  suspended: 'Too many failed attempts in a row: the methods are suspended until a recovery code is used or an administrator unlocks the user.',
  resend_cooldown: 'A code was sent recently; wait before asking for another.',
  send_limit: 'Too many codes were sent to this destination, user or in total.',
  // providers and storage
  invalid_destination: 'The provider refused the destination as invalid.',
  blocked: 'The provider blocked the send (fraud guard or blocklist).',
  rate_limited: 'The provider asked us to slow down.',
  provider_unavailable: 'The provider could not be reached or failed (network, timeout, 5xx).',
  provider_error: 'The provider refused the request for another reason.',
  verification_not_found: 'The provider has no such verification (expired, approved or canceled).',
  max_attempts: 'The provider saw too many checks for this verification.',
  store_unavailable: 'The store could not be reached; nothing was accepted.',
  decrypt_failed: 'A stored secret could not be decrypted with any configured key.',
} as const;

/** Every stable error code a `TwoFactorError` can carry (docs/errors.md). */
export type ErrorCode = keyof typeof ErrorCodes;

/** Errors worth trying at another provider or later. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['provider_unavailable', 'rate_limited']);

/** What a `TwoFactorError` carries besides its code. */
export interface TwoFactorErrorOptions {
  message?: string;
  /** Epoch ms when trying again makes sense (cooldowns, lockouts, 429s). */
  retryAt?: number;
  /** Seconds to wait, as a provider said (Retry-After). */
  retryAfter?: number;
  /** Provider-specific code or HTTP status, for logs. */
  providerCode?: string | number;
  /** Which adapter raised it. */
  provider?: string;
  cause?: unknown;
}

/** The one error class twofa throws: switch on `code` (stable), never on `message`. See docs/errors.md. */
export class TwoFactorError extends Error {
  readonly code: ErrorCode;
  readonly retryAt?: number;
  readonly retryAfter?: number;
  readonly providerCode?: string | number;
  readonly provider?: string;

  /** Makes an error with a stable code; the message defaults to the code's description. */
  constructor(code: ErrorCode, options: TwoFactorErrorOptions = {}) {
    super(options.message ?? ErrorCodes[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TwoFactorError';
    this.code = code;
    if (options.retryAt !== undefined) this.retryAt = options.retryAt;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
    if (options.providerCode !== undefined) this.providerCode = options.providerCode;
    if (options.provider !== undefined) this.provider = options.provider;
  }

  /** True for errors another provider, channel or a later try might not hit. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

/** True when `e` is a `TwoFactorError` (and, when `code` is given, has that code). A type guard. */
export function isTwoFactorError(e: unknown, code?: ErrorCode): e is TwoFactorError {
  return e instanceof TwoFactorError && (code === undefined || e.code === code);
}
