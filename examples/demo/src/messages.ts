import { isTwoFactorError } from '@twofa/core';
import { clockTime, inWords } from './views/time.js';

/** A failed verify or confirm, as the SDK reports it. */
export interface Failure {
  error: string;
  attemptsLeft?: number;
  retryAt?: number;
}

const attempts = (n: number | undefined) =>
  n === undefined ? '' : n === 0 ? ' No attempts left for this code.' : ` ${n} ${n === 1 ? 'attempt' : 'attempts'} left.`;

const waitUntil = (retryAt: number | undefined, now: number) =>
  retryAt === undefined ? 'for a while' : `for ${inWords(retryAt - now)} (until ${clockTime(retryAt)})`;

/** The outcome of a wrong code (or of a security key's refused answer: `key`), in plain words. */
export function describeFailure(f: Failure, now: number, key = false): string {
  switch (f.error) {
    case 'invalid_code': {
      const wrong = key ? 'Your security key’s answer was not accepted.' : 'That code is not right.';
      // The last allowed wrong code starts the lockout: say so now, not on the next try.
      if (f.attemptsLeft === 0 && f.retryAt !== undefined) {
        return `${wrong} Too many wrong codes: two-step sign-in is locked ${waitUntil(f.retryAt, now)}.`;
      }
      return `${wrong}${attempts(f.attemptsLeft)}`;
    }
    case 'expired':
      return key ? 'That request has ended. Use your key again.' : 'That code has expired. Ask for a new one.';
    case 'max_attempts':
      return key ? 'Too many tries for this request. Use your key again.' : 'Too many wrong tries for this code. Ask for a new code.';
    case 'locked':
      return `Too many wrong codes. Two-step sign-in is locked ${waitUntil(f.retryAt, now)}.`;
    default:
      return 'That did not work. Try again.';
  }
}

/**
 * A thrown TwoFactorError (or anything else), in plain words. Never echoes input. `about`:
 * the kind of destination the form was for, when it asked for one.
 */
export function describeError(e: unknown, now: number, about?: 'phone' | 'email'): string {
  if (!isTwoFactorError(e)) return 'Something went wrong on our side. Try again in a moment.';
  if (about === 'email' && (e.code === 'invalid_input' || e.code === 'invalid_destination')) return 'That is not an email address we can send to. Enter one like name@example.com.';
  // challenge() throws 'locked' in newer cores; compared as a string so this compiles with both.
  if (String(e.code) === 'locked') return describeFailure({ error: 'locked', ...(e.retryAt !== undefined ? { retryAt: e.retryAt } : {}) }, now);
  switch (e.code) {
    case 'resend_cooldown':
      return `A code was sent recently. You can ask for a new one in ${inWords((e.retryAt ?? now) - now)}.`;
    case 'send_limit':
      return `Too many codes were sent. Try again ${waitUntil(e.retryAt, now)}, or use another method.`;
    case 'invalid_phone_number':
    case 'invalid_destination':
      return 'That is not a valid phone number. Include the country code, like +1 201 555 0123.';
    case 'country_not_allowed':
      return 'We cannot send codes to numbers in that country.';
    case 'line_type_not_allowed':
      return 'That number looks like a landline or an internet number. Use a mobile number.';
    case 'channel_unsupported':
      return 'We cannot reach that number that way. Try a text message instead.';
    case 'verification_not_found':
    case 'max_attempts':
      return 'That code request has ended. Ask for a new code.';
    case 'not_enrolled':
    case 'no_pending_enrollment':
      return 'That method is not set up (any more). Start again.';
    case 'backup_only':
      return 'Recovery codes only work alongside an authenticator app, a phone or an email address.';
    case 'authenticator_limit':
      return 'You have as many of these as allowed. Remove one first.';
    case 'method_unavailable':
      return 'That way to sign in is not available right now.';
    case 'rate_limited':
    case 'provider_unavailable':
    case 'blocked':
    case 'provider_error':
      return 'We could not send a code right now. Try again in a moment, or use another method.';
    case 'store_unavailable':
      return 'We cannot check codes right now. Nothing was accepted; try again in a moment.';
    default:
      return 'Something went wrong on our side. Try again in a moment.';
  }
}
