import { TwoFactorError } from './errors.js';

// A lone surrogate is not text: stores and encoders turn it into U+FFFD, so two different
// ids would reach one row ('alice\uD800' and 'alice\uFFFD').
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** True for a string of 1–`max` characters, well-formed UTF-16, without control characters. */
export function isPlainText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && !CONTROL.test(value) && !LONE_SURROGATE.test(value);
}

/** Throws invalid_input unless `value` is plain text (see isPlainText). The message names the field, never the value. */
export function assertText(value: unknown, field: string, max: number): asserts value is string {
  if (!isPlainText(value, max)) {
    throw new TwoFactorError('invalid_input', { message: `${field} must be a string of 1–${max} printable characters (well-formed Unicode).` });
  }
}

// User ids become parts of store keys: printable, bounded, well formed. Their lack of
// control characters also keeps them out of the SDK's own partitions ("\u0001…").
export function assertUserId(userId: unknown): asserts userId is string {
  assertText(userId, 'userId', 256);
}

export function assertMethodId(method: unknown): asserts method is string {
  if (typeof method !== 'string' || !/^[a-z][a-z0-9_-]{0,31}$/.test(method)) {
    throw new TwoFactorError('unknown_method', { message: 'method must be a configured method id such as "totp".' });
  }
}

/** Ids the SDK handed out (authenticator, challenge, device): bounded, URL-safe. */
export function assertId(id: unknown, field: string): asserts id is string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_.-]{1,80}$/.test(id)) {
    throw new TwoFactorError('invalid_input', { message: `${field} must be an id twofa returned.` });
  }
}

/** A plain options object, or undefined (then `{}`); anything else is invalid input. */
export function optionsObject<T extends object>(value: T | undefined | null, what: string, code: 'invalid_input' | 'config_invalid' = 'invalid_input'): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TwoFactorError(code, { message: `${what} must be an object.` });
  }
  return value;
}
