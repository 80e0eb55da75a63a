import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

/** How the browser can reach an authenticator (WebAuthn's AuthenticatorTransport, with later additions). */
export type Transport = 'ble' | 'cable' | 'hybrid' | 'internal' | 'nfc' | 'smart-card' | 'usb';

/**
 * Responses come from the browser, so from anyone: every field is checked for type, size
 * and alphabet before a byte is decoded, and copied once into a plain object (a getter or
 * a Proxy cannot answer differently to the library than to these checks). Sizes in
 * base64url characters.
 */
export const LIMITS = {
  /** A credential id is at most 1023 bytes (WebAuthn §7.1 step 23). */
  credentialId: 1366,
  clientDataJSON: 8192,
  /** Attestation statements carry certificate chains. */
  attestationObject: 65_536,
  authenticatorData: 16_384,
  /** ML-DSA-87 signatures are 4627 bytes. */
  signature: 8192,
  /** A user handle is at most 64 bytes. */
  userHandle: 88,
} as const;

export const CREDENTIAL_ID_MAX_BYTES = 1023;

const B64URL = /^[A-Za-z0-9_-]+$/;
export const TRANSPORTS: readonly Transport[] = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'];

/** Unpadded base64url (WebAuthn's JSON form) of 1 to `max` characters, or null. */
function b64url(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.length <= max && value.length % 4 !== 1 && B64URL.test(value) ? value : null;
}

function plainObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The id both `id` and `rawId` carry (the JSON form has them equal), or null. */
function credentialIdOf(r: Record<string, unknown>): string | null {
  const id = b64url(r.id, LIMITS.credentialId);
  return id !== null && r.rawId === id && r.type === 'public-key' ? id : null;
}

/**
 * Refuses what the library would let through: a ceremony run inside a cross-origin iframe
 * (clickjacking a key tap), and clientDataJSON that is not a JSON object. Cheap: it is small.
 */
function clientDataAcceptable(clientDataJSON: string): boolean {
  try {
    const data = plainObject(JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')));
    return data !== null && data.crossOrigin !== true && data.topOrigin === undefined;
  } catch {
    return false;
  }
}

function guarded<T>(read: () => T | null): T | null {
  try {
    return read();
  } catch {
    return null; // a throwing getter or Proxy trap: garbage like any other
  }
}

/** What both kinds of response hold: the credential id, the `response` member and acceptable client data. */
function envelope(value: unknown): { id: string; res: Record<string, unknown>; clientDataJSON: string } | null {
  const r = plainObject(value);
  const res = r && plainObject(r.response);
  const id = r && credentialIdOf(r);
  if (!r || !res || id === null) return null;
  const clientDataJSON = b64url(res.clientDataJSON, LIMITS.clientDataJSON);
  return clientDataJSON !== null && clientDataAcceptable(clientDataJSON) ? { id, res, clientDataJSON } : null;
}

/** A registration response (navigator.credentials.create, as JSON), checked and copied; null when malformed. */
export function readRegistration(value: unknown): RegistrationResponseJSON | null {
  return guarded(() => {
    const e = envelope(value);
    const attestationObject = e && b64url(e.res.attestationObject, LIMITS.attestationObject);
    if (!e || attestationObject === null) return null;
    const { id, res, clientDataJSON } = e;
    let transports: Transport[] = [];
    if (res.transports !== undefined) {
      if (!Array.isArray(res.transports) || res.transports.length > 16) return null;
      transports = [...new Set(res.transports.filter((t): t is Transport => TRANSPORTS.includes(t as Transport)))];
    }
    return { id, rawId: id, type: 'public-key', response: { clientDataJSON, attestationObject, transports }, clientExtensionResults: {} };
  });
}

/** An authentication response (navigator.credentials.get, as JSON), checked and copied; null when malformed. */
export function readAssertion(value: unknown): AuthenticationResponseJSON | null {
  return guarded(() => {
    const e = envelope(value);
    if (!e) return null;
    const { id, res, clientDataJSON } = e;
    const authenticatorData = b64url(res.authenticatorData, LIMITS.authenticatorData);
    const signature = b64url(res.signature, LIMITS.signature);
    // Browsers send null or omit it for credentials that are not discoverable.
    const userHandle = res.userHandle === undefined || res.userHandle === null ? undefined : b64url(res.userHandle, LIMITS.userHandle);
    if (authenticatorData === null || signature === null || userHandle === null) return null;
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON, authenticatorData, signature, ...(userHandle !== undefined ? { userHandle } : {}) },
      clientExtensionResults: {},
    };
  });
}
