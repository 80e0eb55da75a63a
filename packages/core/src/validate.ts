import { TwoFactorError } from './errors.js';

// Printable, bounded identifiers: they become parts of store keys.
const ID = /^[^\u0000-\u001f\u007f]{1,256}$/;

export function assertUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || !ID.test(userId)) {
    throw new TwoFactorError('invalid_input', { message: 'userId must be a string of 1–256 printable characters.' });
  }
}

export function assertMethodId(method: unknown): asserts method is string {
  if (typeof method !== 'string' || !/^[a-z][a-z0-9_-]{0,31}$/.test(method)) {
    throw new TwoFactorError('unknown_method', { message: 'method must be a configured method id such as "totp".' });
  }
}

/** A code must be a string; what it holds is judged by the method (garbage is a wrong code). */
export function assertCode(code: unknown): asserts code is string {
  if (typeof code !== 'string') throw new TwoFactorError('invalid_input', { message: 'code must be a string.' });
}
