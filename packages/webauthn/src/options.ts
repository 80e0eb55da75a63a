import { TwoFactorError } from '@twofa/core/adapter';

/** Whether the authenticator must verify the user (PIN, biometrics): WebAuthn's `userVerification`. */
export type UserVerification = 'required' | 'preferred' | 'discouraged';
/** Which attestation to ask for at registration: WebAuthn's `attestation` conveyance. */
export type Attestation = 'none' | 'direct' | 'enterprise';
/** Whether to ask for a discoverable credential (a passkey): WebAuthn's `residentKey`. */
export type ResidentKey = 'discouraged' | 'preferred' | 'required';

/** Options of `webauthn()`. */
export interface WebAuthnOptions {
  /**
   * The relying party id: your site's host name, or a parent domain of it ('example.com'
   * for https://login.example.com). Credentials are bound to it: changing it later
   * strands every key registered under the old one.
   */
  rpID: string;
  /** Shown by the browser and the authenticator. Default: the manager's issuer. */
  rpName?: string;
  /**
   * Where the browser pages run, exactly as the browser reports them: 'https://example.com',
   * 'https://login.example.com:8443'. Each must be https (http only for localhost) and sit on
   * `rpID` or a subdomain of it.
   */
  origins: string[];
  /** 'required' refuses keys that cannot verify the user (PIN, biometrics). Default 'preferred'. */
  userVerification?: UserVerification;
  /** 'none' (default) asks for no attestation; 'direct' / 'enterprise' ask for the key's certificate chain. */
  attestation?: Attestation;
  /** Whether the key should store a discoverable credential (a passkey). Default 'preferred'. */
  residentKey?: ResidentKey;
  /** How long the browser waits for the user, and the lifetime of each challenge. 30 000–600 000 ms, default 300 000. */
  timeoutMs?: number;
  /** Keys one user may hold. Default 10. */
  maxPerUser?: number;
}

export interface ResolvedOptions {
  rpID: string;
  rpName: string | undefined;
  origins: string[];
  userVerification: UserVerification;
  attestation: Attestation;
  residentKey: ResidentKey;
  timeoutMs: number;
  maxPerUser: number;
}

const invalid = (message: string) => new TwoFactorError('config_invalid', { message });

// A DNS name of LDH labels, lower case, at most 253 characters; IDNs in their xn-- form.
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

/** True for a host name browsers accept as an RP ID (not an IP address). */
export function isRpId(value: unknown): value is string {
  return typeof value === 'string' && HOST.test(value) && !/^[0-9]+$/.test(value.slice(value.lastIndexOf('.') + 1));
}

const isLocalhost = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/** Checks one origin against the RP ID; the reason it is refused, or null. */
export function originProblem(origin: unknown, rpID: string): string | null {
  if (typeof origin !== 'string' || origin.length > 300) return 'must be a string such as "https://example.com"';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'is not a URL';
  }
  if (url.origin !== origin) return 'must be an origin only: scheme, host and port, no path or trailing slash, lower case';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalhost(url.hostname))) return 'must be https (http only for localhost)';
  if (url.hostname !== rpID && !url.hostname.endsWith(`.${rpID}`)) return 'is not on the rpID or a subdomain of it';
  return null;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) throw invalid(`webauthn.${name} must be one of: ${allowed.join(', ')}.`);
  return value as T;
}

function intIn(value: unknown, min: number, max: number, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(`webauthn.${name} must be an integer ${min}–${max}.`);
  return value;
}

/** Validates webauthn() options; throws TwoFactorError('config_invalid'). */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid("webauthn() needs options: { rpID: 'example.com', origins: ['https://example.com'] }.");
  }
  const o = options as Partial<Record<keyof WebAuthnOptions, unknown>>;
  if (!isRpId(o.rpID)) throw invalid("webauthn.rpID must be a lower-case host name such as 'example.com' or 'localhost' (no scheme, port or IP address).");
  const rpID = o.rpID;
  if (o.rpName !== undefined && (typeof o.rpName !== 'string' || !/^[^\p{Cc}\p{Cs}]{1,100}$/u.test(o.rpName))) {
    throw invalid('webauthn.rpName must be 1–100 printable characters.');
  }
  if (!Array.isArray(o.origins) || o.origins.length === 0 || o.origins.length > 50) {
    throw invalid("webauthn.origins must be a non-empty array of origins such as ['https://example.com'].");
  }
  o.origins.forEach((origin, i) => {
    const problem = originProblem(origin, rpID);
    if (problem) throw invalid(`webauthn.origins[${i}] ${problem}.`);
  });
  return {
    rpID,
    rpName: o.rpName as string | undefined,
    origins: [...new Set(o.origins as string[])],
    userVerification: oneOf(o.userVerification, ['required', 'preferred', 'discouraged'], 'preferred', 'userVerification'),
    attestation: oneOf(o.attestation, ['none', 'direct', 'enterprise'], 'none', 'attestation'),
    residentKey: oneOf(o.residentKey, ['discouraged', 'preferred', 'required'], 'preferred', 'residentKey'),
    timeoutMs: intIn(o.timeoutMs, 30_000, 600_000, 300_000, 'timeoutMs'),
    maxPerUser: intIn(o.maxPerUser, 1, 100, 10, 'maxPerUser'),
  };
}
