import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { maskEmailAddress } from './email-address.js';
import { TwoFactorError } from './errors.js';

/** Which phone numbers `phone()` accepts: default region, allowed and denied countries, non-geographic codes. */
export interface NumberRules {
  /** Region assumed for numbers typed without a country code, e.g. 'US'. */
  defaultRegion?: string;
  /** Only numbers from these ISO 3166 countries are accepted. */
  allowedCountries?: string[];
  /** Numbers from these countries are refused (checked after allowedCountries). */
  deniedCountries?: string[];
  /**
   * Numbers of no country (ITU "non-geographic" codes: +800 freephone, +808 shared cost,
   * +870 Inmarsat, +881 satellite, +882/+883 international networks, +888, +979 premium
   * rate) are refused by default: they cost the most and no country list can name them.
   * Allow some by calling code, e.g. ['870'], or all with true.
   */
  allowNonGeographic?: boolean | string[];
}

/** A phone number as `parsePhoneNumber()` accepted it. */
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
  if (!country) {
    const allow = rules.allowNonGeographic;
    if (allow !== true && !(Array.isArray(allow) && allow.includes(parsed.countryCallingCode))) throw new TwoFactorError('country_not_allowed');
  }
  const allowed = rules.allowedCountries?.map((c) => c.toUpperCase());
  const denied = rules.deniedCountries?.map((c) => c.toUpperCase());
  if (allowed && country && !allowed.includes(country)) throw new TwoFactorError('country_not_allowed');
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

/** Masks a destination for display: a phone number as maskPhoneNumber, an address as 'a•••@example.com'. */
export function maskDestination(to: string): string {
  return to.includes('@') ? maskEmailAddress(to) : maskPhoneNumber(to);
}

/** Checks number rules once, at configuration: typed config_invalid instead of a late TypeError. */
export function checkNumberRules(rules: unknown, where: string): NumberRules {
  if (rules === undefined) return {};
  const bad = (what: string) => new TwoFactorError('config_invalid', { message: `${where}.${what}` });
  if (rules === null || typeof rules !== 'object' || Array.isArray(rules)) throw bad('numbers must be an object.');
  const r = rules as Record<string, unknown>;
  const region = /^[A-Za-z]{2}$/;
  if (r.defaultRegion !== undefined && (typeof r.defaultRegion !== 'string' || !region.test(r.defaultRegion))) throw bad('numbers.defaultRegion must be an ISO 3166 code such as "US".');
  for (const list of ['allowedCountries', 'deniedCountries'] as const) {
    const v = r[list];
    if (v !== undefined && (!Array.isArray(v) || !v.every((c) => typeof c === 'string' && region.test(c)))) throw bad(`numbers.${list} must be an array of ISO 3166 codes.`);
  }
  const ng = r.allowNonGeographic;
  if (ng !== undefined && typeof ng !== 'boolean' && (!Array.isArray(ng) || !ng.every((c) => typeof c === 'string' && /^\d{3}$/.test(c)))) {
    throw bad('numbers.allowNonGeographic must be true, false or an array of calling codes such as ["870"].');
  }
  return r as NumberRules;
}
