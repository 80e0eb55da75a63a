import { describe, expect, it } from 'vitest';
import { LIMITS, readAssertion, readRegistration } from '../src/response.js';
import { ORIGIN } from './helpers.js';
import { SoftAuthenticator } from './soft-authenticator.js';

// The checks before any decoding: sizes, alphabet, shape, one read per property.
const key = new SoftAuthenticator();
const challenge = Buffer.alloc(32, 3).toString('base64url');
const assertion = key.assert({ challenge, rpId: 'example.com' }, { origin: ORIGIN });
const registration = new SoftAuthenticator().register(
  { challenge, rp: { id: 'example.com', name: 'Acme' }, user: { id: 'AAAA', name: 'u', displayName: 'u' }, pubKeyCredParams: [] },
  { origin: ORIGIN },
);
const withResponse = <T extends { response: object }>(r: T, patch: Record<string, unknown>) => ({ ...r, response: { ...r.response, ...patch } });

describe('reading responses', () => {
  it('reads well-formed responses into plain copies, dropping what is not used', () => {
    expect(readAssertion({ ...assertion, authenticatorAttachment: 'platform', clientExtensionResults: { x: 1 } })).toEqual({ ...assertion, clientExtensionResults: {} });
    expect(readRegistration(registration)).toEqual(registration);
    expect(readRegistration(withResponse(registration, { transports: ['usb', 'usb', 'carrier-pigeon', 'nfc'] }))?.response.transports).toEqual(['usb', 'nfc']);
    expect(readAssertion(withResponse(assertion, { userHandle: null }))?.response.userHandle).toBeUndefined();
  });

  it.each([
    ['an id at the size limit + 1', { ...assertion, id: 'A'.repeat(LIMITS.credentialId + 2), rawId: 'A'.repeat(LIMITS.credentialId + 2) }],
    ['id and rawId that differ', { ...assertion, rawId: 'AAAA' }],
    ['a padded id', { ...assertion, id: `${assertion.id}==`, rawId: `${assertion.id}==` }],
    ['standard base64 characters', withResponse(assertion, { signature: 'ab+/' })],
    ['an impossible base64url length', withResponse(assertion, { signature: 'AAAAA' })],
    ['an empty signature', withResponse(assertion, { signature: '' })],
    ['an oversized signature', withResponse(assertion, { signature: 'A'.repeat(LIMITS.signature + 4) })],
    ['an oversized clientDataJSON', withResponse(assertion, { clientDataJSON: 'A'.repeat(LIMITS.clientDataJSON + 4) })],
    ['an oversized authenticatorData', withResponse(assertion, { authenticatorData: 'A'.repeat(LIMITS.authenticatorData + 4) })],
    ['a 1 MB userHandle', withResponse(assertion, { userHandle: 'A'.repeat(1 << 20) })],
    ['a numeric signature', withResponse(assertion, { signature: 42 })],
    ['clientDataJSON that is not JSON', withResponse(assertion, { clientDataJSON: Buffer.from('{"type":').toString('base64url') })],
    ['clientDataJSON that is an array', withResponse(assertion, { clientDataJSON: Buffer.from('[]').toString('base64url') })],
    ['a cross-origin ceremony', withResponse(assertion, { clientDataJSON: Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge, origin: ORIGIN, crossOrigin: true })).toString('base64url') })],
    ['a top origin', withResponse(assertion, { clientDataJSON: Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge, origin: ORIGIN, topOrigin: 'https://evil.example' })).toString('base64url') })],
    ['another credential type', { ...assertion, type: 'password' }],
    ['no response', { ...assertion, response: undefined }],
    ['an array', [assertion]],
    ['a throwing getter', { ...assertion, get response() { throw new Error('no'); } }],
  ])('refuses an assertion with %s', (_what, value) => {
    expect(readAssertion(value)).toBeNull();
  });

  it.each([
    ['an oversized attestationObject', withResponse(registration, { attestationObject: 'A'.repeat(LIMITS.attestationObject + 4) })],
    ['too many transports', withResponse(registration, { transports: Array.from({ length: 17 }, () => 'usb') })],
    ['transports that are not a list', withResponse(registration, { transports: 'usb' })],
    ['no attestationObject', withResponse(registration, { attestationObject: undefined })],
    ['a Proxy that throws', new Proxy({}, { get: () => { throw new Error('boom'); } })],
  ])('refuses a registration with %s', (_what, value) => {
    expect(readRegistration(value)).toBeNull();
  });

  it('reads each property once, so a check and the library cannot see different values', () => {
    let reads = 0;
    const sly = { ...assertion, get id() { reads++; return reads === 1 ? assertion.id : 'AAAA'; } };
    expect(readAssertion(sly)?.id).toBe(assertion.id);
    expect(reads).toBe(1);
  });
});
