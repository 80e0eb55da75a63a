import type { ErrorCode } from '@twofa/core/adapter';

/**
 * A provider failure an adapter's harness must be able to script on its fake server.
 * Each maps to one stable code (see EXPECTED_CODE).
 */
export type ScriptedFailure =
  | 'invalid_destination' // Twilio 60200 / Vonage 422 invalid number
  | 'send_limit' // Twilio 60203
  | 'channel_unsupported' // Twilio 60205
  | 'blocked' // Twilio 60410 / 60605
  | 'rate_limited' // HTTP 429 with Retry-After (the suite uses RETRY_AFTER_SECONDS)
  | 'server_error' // HTTP 500
  | 'never_answer' // the connection stays open and silent
  | 'stall_body' // a success status and headers arrive, then the body stops half-way
  | 'connection_reset'; // the socket closes without a response

/** The `Retry-After` the fakes send with a scripted rate limit. */
export const RETRY_AFTER_SECONDS = 7;

/** The `TwoFactorError` code each scripted failure must become. */
export const EXPECTED_CODE: Record<ScriptedFailure, ErrorCode> = {
  invalid_destination: 'invalid_destination',
  send_limit: 'send_limit',
  channel_unsupported: 'channel_unsupported',
  blocked: 'blocked',
  rate_limited: 'rate_limited',
  server_error: 'provider_unavailable',
  never_answer: 'provider_unavailable',
  stall_body: 'provider_unavailable',
  connection_reset: 'provider_unavailable',
};
