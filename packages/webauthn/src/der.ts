/**
 * ECDSA signatures come DER-encoded: SEQUENCE { INTEGER r, INTEGER s }. SimpleWebAuthn reads
 * them leniently (it skips the outer tag and ignores what follows), so one signature has many
 * encodings that all verify. A strict reader keeps exactly one: the canonical one.
 */

/** One DER length at `at`: short form, or the long form with one byte (lengths up to 255). */
function length(b: Uint8Array, at: number): { value: number; next: number } | null {
  const first = b[at];
  if (first === undefined) return null;
  if (first < 0x80) return { value: first, next: at + 1 };
  const second = b[at + 1];
  if (first !== 0x81 || second === undefined || second < 0x80) return null; // long form only when needed
  return { value: second, next: at + 2 };
}

/** A positive INTEGER with minimal encoding at `at`; the offset after it, or null. */
function integer(b: Uint8Array, at: number): number | null {
  if (b[at] !== 0x02) return null;
  const len = length(b, at + 1);
  if (!len || len.value === 0 || len.next + len.value > b.length) return null;
  const head = b[len.next]!;
  if (head & 0x80) return null; // negative
  if (head === 0 && (len.value === 1 || !(b[len.next + 1]! & 0x80))) return null; // a zero byte that is not needed
  return len.next + len.value;
}

/** True only for the canonical DER encoding of an ECDSA signature, and nothing after it. */
export function isCanonicalEcdsaDer(b: Uint8Array): boolean {
  if (b[0] !== 0x30) return false;
  const seq = length(b, 1);
  if (!seq || seq.next + seq.value !== b.length) return false;
  const afterR = integer(b, seq.next);
  const afterS = afterR === null ? null : integer(b, afterR);
  return afterS === b.length;
}
