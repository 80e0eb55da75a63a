/**
 * The names this package emits: spans, metric instruments and attributes. They are part of
 * its API (dashboards and alerts are built on them) and documented in docs/observability.md;
 * a rename is a breaking change.
 */

/** The instrumentation scope every span and instrument is made under. */
export const SCOPE = '@twofa/opentelemetry';
/** Kept equal to package.json's version by a test. */
export const VERSION = '0.1.0';

/** The names of the spans twofa opens: one per manager call, one per provider call. */
export const SpanNames = {
  enroll: 'twofa.enroll',
  confirmEnrollment: 'twofa.confirm_enrollment',
  challenge: 'twofa.challenge',
  verify: 'twofa.verify',
  remove: 'twofa.remove',
  regenerateRecoveryCodes: 'twofa.regenerate_recovery_codes',
  verifierStart: 'twofa.verifier.start',
  verifierCheck: 'twofa.verifier.check',
  verifierCancel: 'twofa.verifier.cancel',
  verifierLookup: 'twofa.verifier.lookup_line_type',
  senderSend: 'twofa.sender.send',
} as const;

/** The names of the metrics twofa records. */
export const MetricNames = {
  /** Counter: verify and confirmEnrollment outcomes. */
  verifications: 'twofa.verifications',
  /** Counter: codes handed to a provider for delivery (Verifier.start, MessageSender.send). */
  sends: 'twofa.sends',
  /** Histogram (ms): each provider call. */
  providerDuration: 'twofa.provider.duration',
  /** Counter: lockouts and suspensions that began. */
  lockouts: 'twofa.lockouts',
} as const;

/** The attribute keys on spans and metrics. None holds a code, a secret, a number or a user id. */
export const Attr = {
  /** A method id from the configured registry: 'totp', 'phone', 'recovery', yours. */
  method: 'twofa.method',
  /** 'sms' | 'call' | 'whatsapp' | 'email'. */
  channel: 'twofa.channel',
  /** The adapter's configured name: 'twilio-verify', 'local(console)', 'failover(a,b)'. */
  provider: 'twofa.provider',
  /** The provider call: 'start' | 'check' | 'cancel' | 'lookup_line_type' | 'send'. */
  action: 'twofa.action',
  /** 'ok', a result ('invalid_code', 'approved', 'pending', ...) or the error code thrown. */
  outcome: 'twofa.outcome',
  /** The TwoFactorError code thrown, or '_OTHER' for any other error. */
  errorCode: 'twofa.error_code',
  /** 'enroll' (confirmEnrollment) or 'challenge' (verify). */
  purpose: 'twofa.purpose',
  /** Lockouts: 'failures' | 'hourly_cap' | 'suspended'. */
  reason: 'twofa.reason',
  /** Suspensions: 'primary' | 'backup'. */
  scope: 'twofa.scope',
  /** Spans only: attempts left after a failed verification. */
  attemptsLeft: 'twofa.attempts_left',
  /** Spans only: how many authenticators remove() took away. */
  removed: 'twofa.removed',
  /** Spans only, opt-in: a keyed hash of the user id (see hashUserIds). */
  userHash: 'twofa.user.hash',
} as const;

/** Span events, on the operation span that caused them. */
export const EventNames = {
  lockout: 'twofa.lockout',
} as const;

/** What an error that is not a TwoFactorError is reported as (OpenTelemetry's own word for "other"). */
export const OTHER = '_OTHER';
