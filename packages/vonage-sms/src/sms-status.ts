import type { ErrorCode } from '@twofa/core/adapter';

/**
 * Vonage SMS API per-message status → twofa code. The API answers HTTP 200 and puts the
 * outcome in `messages[].status`. Documented in README.md and docs/vonage-sms.md.
 */
export const VONAGE_SMS_STATUS: Readonly<Record<string, ErrorCode>> = {
  '1': 'rate_limited', // Throttled: over the account's messages per second
  '2': 'provider_error', // Missing parameter
  '3': 'provider_error', // Invalid parameter (→ invalid_destination when it is `to`, see below)
  '4': 'provider_error', // Invalid credentials
  '5': 'provider_unavailable', // Internal error
  '6': 'invalid_destination', // Invalid message: unroutable
  '7': 'blocked', // Number barred
  '8': 'provider_error', // Partner account barred
  '9': 'provider_unavailable', // Partner quota violation: out of credit, another provider can still send
  '10': 'provider_unavailable', // Too many existing binds
  '11': 'provider_error', // Account not enabled for HTTP
  '12': 'provider_error', // Message too long
  '14': 'provider_error', // Invalid signature
  '15': 'provider_error', // Invalid sender address
  '22': 'provider_error', // Invalid network code
  '23': 'provider_error', // Invalid callback URL
  '29': 'blocked', // Non-whitelisted destination (trial accounts)
  '32': 'provider_error', // Signature and API secret disallowed
  '33': 'invalid_destination', // Number de-activated
};

/** Status 1 is a per-second throughput limit: a second later is worth a try. */
export const THROTTLED_RETRY_AFTER_SECONDS = 1;

export function smsStatusCode(status: string, errorText: string | undefined): ErrorCode {
  // Status 3 covers every parameter; only a refused `to` is the user's number.
  if (status === '3' && /\bto\b/i.test(errorText ?? '')) return 'invalid_destination';
  return VONAGE_SMS_STATUS[status] ?? 'provider_error';
}
