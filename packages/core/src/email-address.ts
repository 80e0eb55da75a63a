import { domainToASCII, domainToUnicode } from 'node:url';
import { TwoFactorError } from './errors.js';

/** An email address as `parseEmailAddress()` accepted it. */
export interface ParsedEmailAddress {
  /** The address to send to: the local part as typed, '@', the domain in lower-case ASCII (punycode). */
  address: string;
  /** The ASCII domain, e.g. 'xn--bcher-kva.example' for 'bücher.example'. */
  domain: string;
  /** For display: 'a•••@example.com'. */
  masked: string;
}

// RFC 5321 §4.5.3.1: a local part of at most 64 octets, a path of at most 256 octets with
// its angle brackets, so an address of at most 254.
const MAX_LOCAL = 64;
const MAX_ADDRESS = 254;
const MAX_LABEL = 63;

/** RFC 5322 dot-atom: atext runs separated by single dots, ASCII only. */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** An LDH label (RFC 1035 / 5890): letters, digits, inner hyphens. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/**
 * What a typed domain may hold before IDNA: letters, marks, digits, dots, hyphens. Anything
 * else is refused here because node's domainToASCII is a URL host parser: it would turn
 * 'ex%41mple.com' into 'example.com' and '0x7f.1' into '127.0.0.1', and drop a soft hyphen.
 */
const RAW_DOMAIN = /^[\p{L}\p{M}\p{N}.-]+$/u;
/** C0 and C1 controls, DEL, line and paragraph separators, BOM: never in an address (header injection). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function invalid(reason: string): TwoFactorError {
  // The reason is ours; the address itself is never echoed (it is personal data, and may be an attack).
  return new TwoFactorError('invalid_input', { message: `The email address is not valid (${reason}).` });
}

/**
 * Validates and normalises an email address a user typed, for sending codes to it. Throws
 * TwoFactorError('invalid_input'), whose message never echoes the input.
 *
 * Accepted: `local@domain` where local is an RFC 5322 dot-atom in ASCII (≤ 64 octets) and the
 * domain has at least two labels; IDN domains are converted to ASCII (punycode) and
 * lower-cased; the whole is at most 254 octets. The local part keeps its case (RFC 5321
 * leaves it to the receiving server). Surrounding spaces are trimmed.
 *
 * Refused on purpose, though some RFC allows them: quoted local parts (`"a b"@x.com`: they
 * carry spaces, `@` and backslashes that no mainstream provider hands out, and that other
 * systems downstream — logs, CSV exports, mail headers — mishandle), non-ASCII local parts
 * (they need SMTPUTF8 at every hop, and invite lookalike spoofing), comments, domain
 * literals (`a@[192.0.2.1]`), dotless domains (`a@localhost`) and all-numeric top-level
 * labels (IPv4 addresses).
 */
export function parseEmailAddress(input: unknown): ParsedEmailAddress {
  if (typeof input !== 'string') throw new TwoFactorError('invalid_input', { message: 'The email address must be a string.' });
  // Bound the work before any regular expression or IDNA sees the input.
  if (input.length > MAX_ADDRESS + 16) throw invalid('too long');
  if (CONTROL.test(input)) throw invalid('control character');
  if (LONE_SURROGATE.test(input)) throw invalid('malformed text');
  const trimmed = input.trim();
  if (trimmed === '') throw invalid('empty');
  const at = trimmed.indexOf('@');
  if (at < 0 || at !== trimmed.lastIndexOf('@')) throw invalid('it needs exactly one @');
  const local = trimmed.slice(0, at);
  const rawDomain = trimmed.slice(at + 1);

  if (local === '') throw invalid('empty local part');
  if (local.length > MAX_LOCAL) throw invalid('local part too long');
  if (local.startsWith('"')) throw invalid('quoted local parts are not accepted');
  if (!DOT_ATOM.test(local)) throw invalid('local part');

  if (rawDomain === '' || !RAW_DOMAIN.test(rawDomain)) throw invalid('domain');
  const domain = domainToASCII(rawDomain).toLowerCase();
  if (domain === '') throw invalid('domain');
  const labels = domain.split('.');
  if (labels.length < 2) throw invalid('domain needs a dot');
  for (const label of labels) {
    if (label.length === 0 || label.length > MAX_LABEL || !LABEL.test(label)) throw invalid('domain');
    // An A-label must decode and encode back to itself. Node 20's domainToASCII refuses bad
    // punycode ('xn--zz'); Node 24's passes it through, so check here on every Node.
    if (label.startsWith('xn--')) {
      const unicode = domainToUnicode(label);
      if (unicode === '' || unicode === label || domainToASCII(unicode) !== label) throw invalid('domain');
    }
  }
  if (/^\d+$/.test(labels.at(-1)!)) throw invalid('domain');

  const address = `${local}@${domain}`;
  if (address.length > MAX_ADDRESS) throw invalid('too long');
  return { address, domain, masked: mask(local, domain) };
}

function mask(local: string, domain: string): string {
  return `${local[0]}•••@${domain}`;
}

/**
 * 'alice@example.com' → 'a•••@example.com': the first character, three bullets (whatever the
 * length), the domain in ASCII, so a lookalike domain shows as punycode. Input that is not a
 * valid address comes back as '•••', never echoed.
 */
export function maskEmailAddress(address: string): string {
  try {
    return parseEmailAddress(address).masked;
  } catch {
    return '•••';
  }
}
