// The manager every recipe runs, and how a recipe reads its requests. MemoryStore keeps the
// recipes self-contained: with more than one process (or serverless), use redisStore() or
// postgresStore() (docs/production.md).
import { randomBytes } from 'node:crypto';
import { createTwoFactor, MemoryStore, recoveryCodes, totp, type Clock, type RecoveryCodesMethod, type TotpMethod, type TwoFactor, type VerifyInput } from '@twofa/core';

/** The manager's type: a TwoFactor is typed by the methods it was given. */
export type RecipeTwoFactor = TwoFactor<readonly [TotpMethod, RecoveryCodesMethod]>;

/** TOTP with recovery codes; `clock` lets the tests move time. */
export function recipeTwoFactor(clock?: Clock): RecipeTwoFactor {
  return createTwoFactor({
    issuer: 'Acme',
    store: new MemoryStore(),
    encryptionKeys: [process.env.TWOFA_ENCRYPTION_KEYS ?? randomBytes(32).toString('hex')],
    methods: [totp(), recoveryCodes()],
    ...(clock ? { clock } : {}),
  });
}

/** The string fields of a JSON body; anything else is dropped, so no handler sees a non-string. */
export function fieldsOf(body: unknown): Record<string, string | undefined> {
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** `{ challengeId, code }` when a challenge was opened (a phone code), else `{ method, code }` (TOTP by default, 'recovery' for a recovery code). */
export function verifyInputOf(fields: Record<string, string | undefined>): VerifyInput {
  const code = fields.code ?? '';
  return fields.challengeId ? { challengeId: fields.challengeId, code } : { method: fields.method ?? 'totp', code };
}

/**
 * Who is in the password-ok, second-step-due state. A stand-in for your session: the
 * recipes take it from a header so their tests can be short. Never trust a client header for
 * this in an app.
 */
export const USER_HEADER = 'x-user-id';
