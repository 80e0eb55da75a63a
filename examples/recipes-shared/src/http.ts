// twofa's outcomes as HTTP: one status and one user message for every TwoFactorError code and
// every failed verification. The table in docs/integrating.md ("HTTP statuses") is this file;
// test/http.test.ts holds the two to each other. Each recipe (Hono, Fastify, Next.js) imports
// it; copy it into your app and change the words.
import { isTwoFactorError, type ConfirmResult, type ErrorCode, type VerifyError, type VerifyResult } from '@twofa/core';

/** A status and a message a user can read. */
export interface Mapping {
  status: number;
  message: string;
}

/** Every thrown code. */
export const ERROR_HTTP: Record<ErrorCode, Mapping> = {
  invalid_input: { status: 400, message: 'Check what you entered and try again.' },
  unknown_method: { status: 400, message: 'That sign-in method is not available.' },
  method_unavailable: { status: 400, message: 'That sign-in method is not available.' },
  invalid_phone_number: { status: 400, message: 'That is not a valid phone number.' },
  country_not_allowed: { status: 400, message: 'We cannot send codes to numbers in that country.' },
  line_type_not_allowed: { status: 400, message: 'Use a mobile number.' },
  channel_unsupported: { status: 400, message: 'We cannot send a code that way to that number.' },
  invalid_destination: { status: 400, message: 'We could not send a code there. Check it, or use another.' },
  blocked: { status: 400, message: 'We could not send a code there. Use another method.' },
  not_enrolled: { status: 404, message: 'Two-step sign-in is not set up for that method.' },
  no_pending_enrollment: { status: 404, message: 'That setup has expired. Start again.' },
  backup_only: { status: 409, message: 'Set up an authenticator app or a phone first.' },
  authenticator_limit: { status: 409, message: 'You have the most you can add. Remove one first.' },
  already_enrolled: { status: 409, message: 'That number or address is already set up.' },
  verification_not_found: { status: 410, message: 'That code has expired. Ask for a new one.' },
  max_attempts: { status: 410, message: 'Too many wrong codes for this one. Ask for a new code.' },
  locked: { status: 423, message: 'Too many attempts. Try again later.' },
  suspended: { status: 423, message: 'Two-step sign-in is suspended. Use a recovery code, or contact support.' },
  resend_cooldown: { status: 429, message: 'A code was just sent. Wait a moment before asking for another.' },
  send_limit: { status: 429, message: 'Too many codes were sent. Try again later, or use another method.' },
  rate_limited: { status: 429, message: 'Too many requests. Try again in a moment.' },
  provider_error: { status: 502, message: 'We could not send a code. Try again, or use another method.' },
  provider_unavailable: { status: 503, message: 'We cannot send codes right now. Try again in a moment, or use another method.' },
  store_unavailable: { status: 503, message: 'Sign-in is unavailable right now. Try again in a moment.' },
  config_invalid: { status: 500, message: 'Something went wrong on our side.' },
  encryption_key_missing: { status: 500, message: 'Something went wrong on our side.' },
  decrypt_failed: { status: 500, message: 'Something went wrong on our side. Contact support.' },
};

/** Every `error` of a failed verify() or confirmEnrollment(). */
export const RESULT_HTTP: Record<VerifyError, Mapping> = {
  invalid_code: { status: 401, message: "That code didn't work." },
  expired: { status: 410, message: 'That code has expired. Ask for a new one.' },
  max_attempts: { status: 410, message: 'Too many wrong codes for this one. Ask for a new code.' },
  locked: { status: 423, message: 'Too many attempts. Try again later.' },
  suspended: { status: 423, message: 'Two-step sign-in is suspended. Use a recovery code, or contact support.' },
};

/** What to answer: status, JSON body, headers. */
export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

// Every 2FA answer: secrets, recovery codes and challenge ids must not sit in a cache.
const noStore = { 'cache-control': 'no-store' };

const retryAfter = (retryAt: number | undefined, seconds: number | undefined, now: number): Record<string, string> =>
  retryAt !== undefined ? { 'retry-after': String(Math.max(1, Math.ceil((retryAt - now) / 1000))) } : seconds !== undefined ? { 'retry-after': String(seconds) } : {};

/**
 * A thrown error as an answer: a TwoFactorError by its code (the body holds the stable code,
 * the message and `retryAt`, never the error's own message); anything else is a 500.
 */
export function errorAnswer(e: unknown, now = Date.now()): HttpAnswer {
  if (!isTwoFactorError(e)) return { status: 500, body: { error: 'internal', message: 'Something went wrong on our side.' }, headers: noStore };
  const { status, message } = ERROR_HTTP[e.code];
  return {
    status,
    body: { error: e.code, message, ...(e.retryAt !== undefined ? { retryAt: e.retryAt } : {}) },
    headers: { ...noStore, ...retryAfter(e.retryAt, e.retryAfter, now) },
  };
}

/** A verify() or confirmEnrollment() result as an answer: 200 when ok, else by its `error`. */
export function resultAnswer(result: VerifyResult | ConfirmResult, now = Date.now()): HttpAnswer {
  if (result.ok) return jsonAnswer({ ...result });
  const { status, message } = RESULT_HTTP[result.error];
  const left = result.error === 'invalid_code' && result.attemptsLeft > 0 ? ` ${result.attemptsLeft} ${result.attemptsLeft === 1 ? 'try' : 'tries'} left.` : '';
  return { status, body: { ...result, message: message + left }, headers: { ...noStore, ...retryAfter(result.retryAt, undefined, now) } };
}

/** A successful answer. */
export function jsonAnswer(body: Record<string, unknown>, status = 200): HttpAnswer {
  return { status, body, headers: noStore };
}

/** The user must sign in (the password step) first. */
export const notSignedIn: HttpAnswer = { status: 401, body: { error: 'not_signed_in', message: 'Sign in first.' }, headers: noStore };

/** An answer as a standard Response (Hono, Next.js route handlers, anything on fetch's types). */
export function toResponse(answer: HttpAnswer): Response {
  return Response.json(answer.body, { status: answer.status, headers: answer.headers });
}
