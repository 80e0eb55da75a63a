import { TwoFactorError, isNetworkError, type ErrorCode } from '@twofa/core/adapter';
import { RETRY_AFTER_DETAIL } from './http-client.js';

/** Twilio error codes → twofa stable codes (documented in README and docs/twilio-verify.md). */
export const TWILIO_ERROR_CODES: Readonly<Record<number, ErrorCode>> = {
  60200: 'invalid_destination',
  21211: 'invalid_destination', // Messages: invalid 'To' number
  21614: 'invalid_destination', // Messages: 'To' is not a mobile number
  60202: 'max_attempts',
  60203: 'send_limit',
  20404: 'verification_not_found',
  60205: 'channel_unsupported',
  60410: 'blocked',
  60605: 'blocked',
  21610: 'blocked', // Messages: recipient unsubscribed (STOP)
  21408: 'blocked', // Messages: sending to that region is not enabled (geo permissions)
  20429: 'rate_limited',
};

interface TwilioApiError {
  status: number;
  code?: number;
  details?: Record<string, unknown>;
}

function isApiError(e: unknown): e is TwilioApiError {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number';
}

/**
 * Turns anything the Twilio client threw into a TwoFactorError. Twilio's own message
 * text is never copied (it can quote the number); no cause is attached either, since
 * the SDK's errors carry request config with the Authorization header.
 */
export function toTwoFactorError(e: unknown, provider: string, action: string): TwoFactorError {
  if (e instanceof TwoFactorError) return e;
  if (!isApiError(e)) {
    // No answer at all is an outage worth retrying elsewhere; anything else (an SDK
    // validation error, a bug) is not, or failover would retry a bug at every provider.
    return isNetworkError(e)
      ? new TwoFactorError('provider_unavailable', { provider, message: `${provider}: ${action} failed: network error or timeout.` })
      : new TwoFactorError('provider_error', { provider, message: `${provider}: ${action} failed before Twilio answered.` });
  }
  const twilioCode = typeof e.code === 'number' && e.code > 0 ? e.code : undefined;
  let code: ErrorCode | undefined = twilioCode !== undefined ? TWILIO_ERROR_CODES[twilioCode] : undefined;
  if (!code) {
    if (e.status === 429) code = 'rate_limited';
    else if (e.status >= 500) code = 'provider_unavailable';
    else code = 'provider_error';
  }
  const retryAfter = e.details?.[RETRY_AFTER_DETAIL];
  const shown = twilioCode ?? e.status;
  return new TwoFactorError(code, {
    provider,
    providerCode: shown,
    message: `${provider}: ${action} failed (HTTP ${e.status}${twilioCode ? `, Twilio ${twilioCode}` : ''}).`,
    ...(code === 'rate_limited' && typeof retryAfter === 'number' ? { retryAfter } : {}),
  });
}
