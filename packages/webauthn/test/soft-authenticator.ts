import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@twofa/webauthn';

/**
 * A software authenticator: what a security key or a platform authenticator does, in
 * Node, so the tests verify real WebAuthn responses. An ES256 (or Ed25519, RS256) key pair, `fmt: 'none'`
 * attestation, authenticator data with the UP/UV/BE/BS/AT flags and a sign count.
 */

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const b64u = (data: Buffer | Uint8Array) => Buffer.from(data).toString('base64url');

export interface Ceremony {
  /** The origin the browser reports. */
  origin: string;
  /** The RP ID the authenticator hashes; default the one the options name. */
  rpId?: string;
  /** Default the options' challenge. */
  challenge?: string;
  /** User present / verified flags. Defaults true / true. */
  up?: boolean;
  uv?: boolean;
  /** Override the sign count this response carries (a cloned key's stale count). */
  signCount?: number;
  /** clientDataJSON's type; default webauthn.create / webauthn.get. */
  type?: string;
  crossOrigin?: boolean;
}

export interface SoftKeyOptions {
  /** Whether the key keeps a sign count (false: always 0, as synced passkeys). Default true. */
  counter?: boolean;
  /** Backup eligible and backed up (a synced passkey). Default false. */
  synced?: boolean;
  transports?: string[];
  aaguid?: string;
  /** The key's algorithm. Default ES256. */
  alg?: 'ES256' | 'Ed25519' | 'RS256';
}

export class SoftAuthenticator {
  readonly credentialId: Buffer;
  private readonly privateKey: KeyObject;
  /** To check a signature independently of the code under test. */
  readonly publicKey: KeyObject;
  private readonly cosePublicKey: Uint8Array;
  private count = 0;
  /** The user handle the key stored at registration. */
  userHandle: string | undefined;

  constructor(private readonly o: SoftKeyOptions = {}) {
    const alg = o.alg ?? 'ES256';
    const { privateKey, publicKey } =
      alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : alg === 'Ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    const jwk = publicKey.export({ format: 'jwk' });
    const bin = (b64url: string | undefined) => new Uint8Array(Buffer.from(b64url!, 'base64url'));
    // COSE_Key (RFC 9053): EC2 P-256 with ES256 (-7), OKP Ed25519 with EdDSA (-8), RSA with RS256 (-257).
    const cose: [number, number | Uint8Array][] =
      alg === 'ES256' ? [[1, 2], [3, -7], [-1, 1], [-2, bin(jwk.x)], [-3, bin(jwk.y)]]
      : alg === 'Ed25519' ? [[1, 1], [3, -8], [-1, 6], [-2, bin(jwk.x)]]
      : [[1, 3], [3, -257], [-1, bin(jwk.n)], [-2, bin(jwk.e)]];
    this.cosePublicKey = isoCBOR.encode(new Map(cose));
    this.credentialId = createHash('sha256').update(this.cosePublicKey).digest().subarray(0, 16);
  }

  get id(): string {
    return b64u(this.credentialId);
  }

  /** The next sign count: counting keys go up by one per use, the others stay 0. */
  private nextCount(): number {
    if (this.o.counter === false) return 0;
    return ++this.count;
  }

  private authData(rpId: string, c: Ceremony, count: number, attested: boolean): Buffer {
    let flags = 0;
    if (c.up !== false) flags |= FLAG.UP;
    if (c.uv !== false) flags |= FLAG.UV;
    if (this.o.synced) flags |= FLAG.BE | FLAG.BS;
    if (attested) flags |= FLAG.AT;
    const head = Buffer.alloc(37);
    sha256(rpId).copy(head, 0);
    head[32] = flags;
    head.writeUInt32BE(count, 33);
    if (!attested) return head;
    const aaguid = Buffer.from((this.o.aaguid ?? '00000000-0000-0000-0000-000000000000').replace(/-/g, ''), 'hex');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(this.credentialId.length);
    return Buffer.concat([head, aaguid, len, this.credentialId, Buffer.from(this.cosePublicKey)]);
  }

  private clientData(type: string, challenge: string, c: Ceremony): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: c.origin, crossOrigin: c.crossOrigin ?? false }));
  }

  /** navigator.credentials.create(), as the JSON a browser page posts back. */
  register(options: PublicKeyCredentialCreationOptionsJSON, c: Ceremony): RegistrationResponseJSON {
    this.userHandle = options.user.id;
    const authData = this.authData(c.rpId ?? options.rp.id!, c, c.signCount ?? (this.o.counter === false ? 0 : this.count), true);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as never,
    );
    const clientDataJSON = this.clientData(c.type ?? 'webauthn.create', c.challenge ?? options.challenge, c);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: this.o.transports ?? ['usb'] },
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get(), as the JSON a browser page posts back. */
  assert(options: PublicKeyCredentialRequestOptionsJSON, c: Ceremony): AuthenticationResponseJSON {
    const count = c.signCount ?? this.nextCount();
    const authData = this.authData(c.rpId ?? options.rpId!, c, count, false);
    const clientDataJSON = this.clientData(c.type ?? 'webauthn.get', c.challenge ?? options.challenge, c);
    const signature = sign(this.o.alg === 'Ed25519' ? null : 'sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
    };
  }
}
