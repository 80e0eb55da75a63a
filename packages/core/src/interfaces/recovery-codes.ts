import { randomString } from '../crypto.js';
import { TwoFactorError } from '../errors.js';
import type { Interface, MethodContext } from './types.js';

export interface RecoveryCodesOptions {
  /** How many codes a set holds. */
  count?: number;
}

// 30 symbols without the look-alikes 0/o, 1/l/i and u: 12 characters = 58.9 bits.
const ALPHABET = 'abcdefghjkmnpqrstvwxyz23456789';
const LENGTH = 12;
/** Bits of entropy in one code. */
export const RECOVERY_CODE_BITS = LENGTH * Math.log2(ALPHABET.length);

/** Internal hooks the manager uses; not part of the Interface contract. */
export interface RecoveryCodesInterface extends Interface {
  readonly count: number;
  generate(ctx: MethodContext): Promise<string[]>;
}

/** Accepts any case, spaces and dashes: 'ABCD-EFGH-JKMN' = 'abcd efgh jkmn'. */
export function normaliseRecoveryCode(input: string): string | null {
  if (input.length > 64) return null;
  const code = input.replace(/[\s-]/g, '').toLowerCase();
  if (code.length !== LENGTH) return null;
  for (const ch of code) if (!ALPHABET.includes(ch)) return null;
  return code;
}

const hashInput = (userId: string, code: string) => `${userId}\0${code}`;

/**
 * Backup codes: high-entropy, shown once, stored only as keyed hashes (HMAC-SHA-256),
 * each usable once (an atomic conditional write in the Store).
 */
export function recoveryCodes(options: RecoveryCodesOptions = {}): RecoveryCodesInterface {
  const count = options.count ?? 10;
  if (!Number.isInteger(count) || count < 4 || count > 50) {
    throw new TwoFactorError('config_invalid', { message: 'recoveryCodes.count must be 4–50.' });
  }
  return {
    id: 'recovery',
    isBackup: true,
    order: 100,
    count,
    isAvailable: () => true,

    async generate(ctx) {
      const codes = new Set<string>();
      while (codes.size < count) codes.add(randomString(ctx.random, ALPHABET, LENGTH));
      const plain = [...codes];
      await ctx.store.setRecoveryCodes(ctx.userId, plain.map((c) => ctx.keys.hash('recovery', hashInput(ctx.userId, c))), ctx.now);
      return plain.map((c) => `${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8)}`);
    },

    async enroll() {
      throw new TwoFactorError('backup_only', { message: 'Recovery codes come with the first method; use regenerateRecoveryCodes().' });
    },
    async confirm() {
      return 'invalid';
    },
    async challenge() {
      return { state: {}, ttlSeconds: 0 };
    },

    async check(ctx, _auth, code) {
      const normal = normaliseRecoveryCode(code);
      if (normal === null) return 'invalid';
      const candidates = ctx.keys.hashes('recovery', hashInput(ctx.userId, normal));
      return (await ctx.store.useRecoveryCode(ctx.userId, candidates, ctx.now, ctx.settle)) ? 'approved' : 'invalid';
    },
  };
}
