import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { TwoFactorError } from './errors.js';

export interface NumberRules {
  /** Region assumed for numbers typed without a country code, e.g. 'US'. */
  defaultRegion?: string;
  /** Only numbers from these ISO 3166 countries are accepted. */
  allowedCountries?: string[];
  /** Numbers from these countries are refused (checked after allowedCountries). */
  deniedCountries?: string[];
}

export interface ParsedNumber {
  e164: string;
  country: string | undefined;
  masked: string;
}

/**
 * Parses what a user typed into E.164 and applies the country rules. Throws
 * TwoFactorError('invalid_phone_number' | 'country_not_allowed'); messages never echo the number.
 */
export function parsePhoneNumber(input: unknown, rules: NumberRules = {}): ParsedNumber {
  if (typeof input !== 'string') throw new TwoFactorError('invalid_input', { message: 'phoneNumber must be a string.' });
  // Bound the work and refuse control characters before the parser sees them.
  if (input.length === 0 || input.length > 64 || /[\u0000-\u001f\u007f]/.test(input)) {
    throw new TwoFactorError('invalid_phone_number');
  }
  let parsed;
  try {
    parsed = parsePhoneNumberFromString(input, { defaultCountry: rules.defaultRegion as CountryCode | undefined, extract: false });
  } catch {
    parsed = undefined;
  }
  if (!parsed || !parsed.isValid()) throw new TwoFactorError('invalid_phone_number');
  const country = parsed.country;
  const allowed = rules.allowedCountries?.map((c) => c.toUpperCase());
  const denied = rules.deniedCountries?.map((c) => c.toUpperCase());
  if (allowed && (!country || !allowed.includes(country))) throw new TwoFactorError('country_not_allowed');
  if (denied && country && denied.includes(country)) throw new TwoFactorError('country_not_allowed');
  const e164 = parsed.number;
  return { e164, country, masked: maskPhoneNumber(e164) };
}

/** '+14155550123' → '+1 ••• ••• 0123'. Keeps the country code and the last four digits only. */
export function maskPhoneNumber(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  const cc = parsed?.countryCallingCode ?? digits.slice(0, Math.max(1, digits.length - 10));
  const last = digits.slice(-4);
  return `+${cc} ••• ••• ${last}`;
}

/** Masks an email address for display: 'alice@example.com' → 'a••••@example.com'. */
export function maskDestination(to: string): string {
  const at = to.indexOf('@');
  if (at > 0) return `${to[0]}••••${to.slice(at)}`;
  return maskPhoneNumber(to);
}
