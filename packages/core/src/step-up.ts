import type { KeyRing } from './crypto.js';

/**
 * Proofs of a recent second factor, for step-up: "ask again before sensitive actions".
 * A proof is `<payload>.<signature>`: the payload names the method, the authenticator and
 * when it was verified; the signature (HMAC under the key ring's newest key, checked under
 * any) also covers the user id, so a proof for one user is worthless for another.
 */

interface Payload {
  /** Method id. */
  m: string;
  /** Authenticator id. */
  a: string;
  /** Verified at, epoch ms. */
  t: number;
}

export interface ProofContent {
  method: string;
  authenticatorId: string;
  verifiedAt: number;
}

const scope = (userId: string, payload: string) => `stepup\0${userId}\0${payload}`;

export function makeProof(keys: KeyRing, userId: string, content: ProofContent): string {
  const payload = Buffer.from(JSON.stringify({ m: content.method, a: content.authenticatorId, t: content.verifiedAt } satisfies Payload)).toString('base64url');
  return `${payload}.${keys.sign(scope(userId, payload))}`;
}

/** The proof's content if it is well formed and signed for this user; null otherwise. Never throws. */
export function readProof(keys: KeyRing, userId: string, proof: unknown): ProofContent | null {
  if (typeof proof !== 'string' || proof.length > 1024) return null;
  const dot = proof.indexOf('.');
  if (dot <= 0) return null;
  const payload = proof.slice(0, dot);
  if (!keys.verifySignature(scope(userId, payload), proof.slice(dot + 1))) return null;
  try {
    const p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<Payload>;
    if (typeof p.m !== 'string' || typeof p.a !== 'string' || typeof p.t !== 'number') return null;
    return { method: p.m, authenticatorId: p.a, verifiedAt: p.t };
  } catch {
    return null;
  }
}
