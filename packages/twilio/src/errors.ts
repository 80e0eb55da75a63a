import { TwoFactorError, type ErrorCode, type ProviderCall } from '@twofa/core/adapter';
import { RETRY_AFTER_DETAIL } from './client.js';

/**
 * The one Twilio failure mapper, for both adapters: read what the client threw
 * (`readTwilioFailure`, given to callProvider), let the adapter settle the answers a call
 * turns into a result (a check's 20404 is 'expired'), and map the rest (`twilioError`).
 * The tables are documented in docs/twilio-verify.md and docs/twilio-messages.md, whose
 * error tables a test holds to this file.
 */

/** A Twilio answer to a failed call. */
export interface TwilioFailure {
  /** HTTP status. */
  status: number;
  /** Twilio's error code (e.g. 60202), when the body had one. */
  code?: number;
  /** Seconds, from Retry-After on a 429. */
  retryAfter?: number;
}

/** Which Twilio API answered: each has its own codes. */
export type TwilioApi = 'verify' | 'messages';

/** Twilio error codes → twofa codes, per API. Anything else is mapped by HTTP status. */
export const TWILIO_CODES: Readonly<Record<TwilioApi, Readonly<Record<number, ErrorCode>>>> = {
  verify: {
    60200: 'invalid_destination', // invalid parameter (on check: a malformed code)
    60202: 'max_attempts', // max check attempts reached
    60203: 'send_limit', // max send attempts reached
    20404: 'verification_not_found', // approved, expired or canceled: gone
    60205: 'channel_unsupported', // SMS to a landline
    60410: 'blocked', // Fraud Guard
    60605: 'blocked', // geo permissions
    20429: 'rate_limited',
  },
  messages: {
    21211: 'invalid_destination', // invalid 'To' number
    21614: 'invalid_destination', // 'To' is not a mobile number
    21610: 'blocked', // recipient unsubscribed (STOP)
    21408: 'blocked', // sending to that region is not enabled (geo permissions)
    20429: 'rate_limited',
  },
};

/** Reads a Twilio answer (a RestException) out of what the client threw; undefined when none came back. */
export function readTwilioFailure(e: unknown): TwilioFailure | undefined {
  const status = (e as { status?: unknown } | null)?.status;
  if (typeof status !== 'number') return undefined;
  const { code, details } = e as { code?: unknown; details?: Record<string, unknown> };
  const retryAfter = details?.[RETRY_AFTER_DETAIL];
  return {
    status,
    ...(typeof code === 'number' && code > 0 ? { code } : {}),
    ...(status === 429 && typeof retryAfter === 'number' ? { retryAfter } : {}),
  };
}

/**
 * A Twilio answer as a TwoFactorError. Twilio's own message text is never copied (it can
 * quote the number), and `providerCode` is Twilio's code or else the HTTP status.
 */
export function twilioError(f: TwilioFailure, api: TwilioApi, call: Pick<ProviderCall, 'provider' | 'action'>): TwoFactorError {
  const byStatus: ErrorCode = f.status === 429 ? 'rate_limited' : f.status >= 500 ? 'provider_unavailable' : 'provider_error';
  const code = (f.code !== undefined ? TWILIO_CODES[api][f.code] : undefined) ?? byStatus;
  return new TwoFactorError(code, {
    provider: call.provider,
    providerCode: f.code ?? f.status,
    message: `${call.provider}: ${call.action} failed (HTTP ${f.status}${f.code ? `, Twilio ${f.code}` : ''}).`,
    ...(code === 'rate_limited' && f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}),
  });
}
