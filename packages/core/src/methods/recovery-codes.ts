import { randomString } from '../crypto.js';
import { TwoFactorError } from '../errors.js';
import { optionsObject } from '../validate.js';
import type { MethodContext, Method } from './types.js';

/** Options of `recoveryCodes()`. */
export interface RecoveryCodesOptions {
  /** How many codes a set holds, 4–50. Default 10. */
  count?: number;
}

// 30 symbols without the look-alikes 0/o, 1/l/i and u: 12 characters = 58.9 bits.
const ALPHABET = 'abcdefghjkmnpqrstvwxyz23456789';
const LENGTH = 12;
/** Bits of entropy in one code. */
export const RECOVERY_CODE_BITS = LENGTH * Math.log2(ALPHABET.length);

/**
 * Accepts any case, spaces and dashes: 'ABCD-EFGH-JKMN' = 'abcd efgh jkmn'. Codes imported
 * from another library (hex, base32) normalise the same way, so 6–64 letters and digits
 * pass; anything else is no code at all.
 */
export function normaliseRecoveryCode(input: string): string | null {
  if (input.length > 128) return null;
  const code = input.replace(/[\s-]/g, '').toLowerCase();
  return /^[a-z0-9]{6,64}$/.test(code) ? code : null;
}

const hashInput = (userId: string, code: string) => `${userId}\0${code}`;

/** The method `recoveryCodes()` returns: id `recovery`, a backup method (nothing to enroll). */
export type RecoveryCodesMethod = Method<'recovery', never, never>;

/**
 * Backup codes: high-entropy, shown once, stored only as keyed hashes (HMAC-SHA-256),
 * each usable once. A verify counts the attempt and uses the code in one store round
 * trip: the candidate hashes follow from the code alone.
 */
export function recoveryCodes(options?: RecoveryCodesOptions): RecoveryCodesMethod {
  const { count = 10 } = optionsObject(options, 'recoveryCodes options', 'config_invalid');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 4 || count > 50) {
    throw new TwoFactorError('config_invalid', { message: 'recoveryCodes.count must be 4–50.' });
  }
  const consumableFor = (ctx: MethodContext, code: unknown) => {
    const normal = typeof code === 'string' ? normaliseRecoveryCode(code) : null;
    return normal === null ? null : { recoveryCode: ctx.keys.hashes('recovery', hashInput(ctx.userId, normal)) };
  };
  return {
    id: 'recovery',
    role: 'backup',
    order: 100,
    needsChallenge: false,
    maxPerUser: 1,
    answer: 'code',
    isAvailable: () => true,

    async provision(ctx) {
      const codes = new Set<string>();
      while (codes.size < count) codes.add(randomString(ctx.random, ALPHABET, LENGTH));
      const plain = [...codes];
      await ctx.store.setRecoveryCodes(ctx.userId, plain.map((c) => ctx.keys.hash('recovery', hashInput(ctx.userId, c))), ctx.now);
      return plain.map((c) => `${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8)}`);
    },

    /** Codes another library issued (hex, base32 …), stored as keyed hashes like ours; `data`: { codes: string[] }. */
    async adopt(ctx, data) {
      const codes = (data as { codes?: unknown } | null)?.codes;
      if (!Array.isArray(codes) || codes.length === 0 || codes.length > 100) throw new TwoFactorError('invalid_input', { message: 'codes must be an array of 1–100 codes.' });
      const normal = codes.map((c) => (typeof c === 'string' ? normaliseRecoveryCode(c) : null));
      if (normal.some((c) => c === null)) throw new TwoFactorError('invalid_input', { message: 'Each recovery code must be 6–64 letters and digits (spaces and dashes are ignored).' });
      await ctx.store.setRecoveryCodes(ctx.userId, [...new Set(normal as string[])].map((c) => ctx.keys.hash('recovery', hashInput(ctx.userId, c))), ctx.now);
      return { config: {} };
    },

    async remove(ctx) {
      await ctx.store.setRecoveryCodes(ctx.userId, [], ctx.now);
    },

    async describe(ctx) {
      return ctx.store.recoveryCodes(ctx.userId);
    },

    async challenge() {
      return { state: {} };
    },

    consumableFor,

    // Reached only when the verify names a challenge; otherwise the manager consumes in its own round trip.
    async check(ctx, candidates, code) {
      const what = consumableFor(ctx, code);
      const auth = candidates[0];
      if (!what || !auth) return { outcome: 'invalid' };
      const used = await ctx.store.consume(ctx.userId, what, ctx.now, { ...ctx.settle, touch: auth.record.id });
      return used ? { outcome: 'approved', authenticatorId: auth.record.id } : { outcome: 'invalid' };
    },
  };
}
