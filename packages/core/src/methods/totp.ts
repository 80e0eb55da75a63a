import { generateURI, ScureBase32Plugin, verifySync } from 'otplib';
import QRCode from 'qrcode';
import { normaliseDigits } from '../code-input.js';
import { TwoFactorError } from '../errors.js';
import { assertText, optionsObject } from '../validate.js';
import type { CheckOutcome, CheckResult, Method, MethodContext, OpenAuthenticator } from './types.js';

/** Options of `totp()`. */
export interface TotpOptions {
  /** HMAC algorithm; authenticator apps widely support only sha1. */
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  digits?: 6 | 8;
  /** Seconds per step. */
  period?: number;
  /** Steps accepted either side of now, for clock drift (1 accepts 3 codes at any moment). */
  window?: number;
  /** Secret length in bytes, 16–64 (20 = 160 bits, RFC 4226's recommendation). */
  secretBytes?: number;
  /** How long an unconfirmed enrollment stays confirmable. */
  enrollTtlSeconds?: number;
  /** Authenticator apps one user may hold. Default 10. */
  maxPerUser?: number;
}

/** What `enroll(userId, 'totp', input)` takes. */
export interface TotpEnrollInput {
  /** The account name shown in the app, e.g. the user's email. Default: the user id. */
  label?: string;
  /** The name the user gives this authenticator ("Work phone"). */
  name?: string;
}

interface TotpConfig {
  secret: string;
  algorithm: 'sha1' | 'sha256' | 'sha512';
  digits: 6 | 8;
  period: number;
  [k: string]: unknown;
}

/** What `enroll(userId, 'totp')` returns besides id, method, name and expiresAt. */
export interface TotpEnrollment {
  /** Base32, for typing into the app. */
  secret: string;
  /** otpauth:// URI, for a link on the same phone or your own QR code. */
  uri: string;
  /** The URI as an SVG QR code. */
  qrSvg: string;
}

/** The method `totp()` returns: id `totp`. */
export type TotpMethod = Method<'totp', TotpEnrollInput, TotpEnrollment>;

const base32 = new ScureBase32Plugin();

/**
 * Authenticator apps (RFC 6238) on otplib. A user may hold several; a code is accepted
 * from any of them, and each time step at most once per authenticator (its last used step
 * is stored atomically and only later steps pass).
 */
export function totp(options?: TotpOptions): TotpMethod {
  const o = optionsObject(options, 'totp options', 'config_invalid');
  const algorithm = o.algorithm ?? 'sha1';
  const digits = o.digits ?? 6;
  const period = o.period ?? 30;
  const window = o.window ?? 1;
  const secretBytes = o.secretBytes ?? 20;
  const enrollTtlSeconds = o.enrollTtlSeconds ?? 900;
  const maxPerUser = o.maxPerUser ?? 10;
  const int = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  if (!['sha1', 'sha256', 'sha512'].includes(algorithm)) throw new TwoFactorError('config_invalid', { message: 'totp.algorithm must be sha1, sha256 or sha512.' });
  if (digits !== 6 && digits !== 8) throw new TwoFactorError('config_invalid', { message: 'totp.digits must be 6 or 8.' });
  if (!int(period, 15, 300)) throw new TwoFactorError('config_invalid', { message: 'totp.period must be 15–300 seconds.' });
  if (!int(window, 0, 3)) throw new TwoFactorError('config_invalid', { message: 'totp.window must be 0–3 steps.' });
  // otplib refuses secrets above 64 bytes: a longer one would make every right code fail.
  if (!int(secretBytes, 16, 64)) throw new TwoFactorError('config_invalid', { message: 'totp.secretBytes must be 16–64.' });
  if (!int(enrollTtlSeconds, 60, 86_400)) throw new TwoFactorError('config_invalid', { message: 'totp.enrollTtlSeconds must be 60–86400.' });
  if (!int(maxPerUser, 1, 100)) throw new TwoFactorError('config_invalid', { message: 'totp.maxPerUser must be 1–100.' });

  /** The step whose code is `token`, within `tolerance` seconds of `epoch`; null for none, or a malformed secret. */
  function stepOf(config: TotpConfig, token: string, epoch: number, tolerance: number): number | null {
    try {
      const r = verifySync({ secret: config.secret, token, algorithm: config.algorithm, digits: config.digits, period: config.period, epoch, epochTolerance: tolerance });
      return r.valid && 'timeStep' in r ? r.timeStep : null;
    } catch {
      return null;
    }
  }

  /**
   * The step in the window whose code is `token` and that is later than the last used one
   * (`after`); null for none. otplib reports the earliest matching step, so when two
   * neighbouring steps share a code (about one pair in a million) and the earlier was used,
   * the later ones are checked on their own: the user typed the code of now, not a replay.
   */
  function match(config: TotpConfig, token: string, now: number, after: number | undefined): number | null {
    const first = stepOf(config, token, Math.floor(now / 1000), config.period * window);
    if (first === null || after === undefined || first > after) return first;
    const last = Math.floor(now / 1000 / config.period) + window;
    for (let step = after + 1; step <= last; step++) if (stepOf(config, token, step * config.period, 0) === step) return step;
    return null;
  }

  /**
   * The first candidate the code matches is the one it is consumed on: every concurrent
   * submission of one code picks the same authenticator, so one wins across all of them.
   */
  async function consume(ctx: MethodContext, candidates: OpenAuthenticator[], code: unknown): Promise<CheckResult> {
    for (const auth of candidates) {
      const config = auth.config as TotpConfig;
      const token = typeof code === 'string' ? normaliseDigits(code, config.digits) : null;
      const step = token === null ? null : match(config, token, ctx.now, auth.record.counter);
      if (step === null) continue;
      const id = auth.record.id;
      const fresh = await ctx.store.consume(ctx.userId, { counter: { authenticatorId: id, value: step } }, ctx.now, { ...ctx.settle, touch: id });
      return fresh ? { outcome: 'approved', authenticatorId: id } : { outcome: 'invalid' }; // a replayed step is a wrong code
    }
    return { outcome: 'invalid' };
  }

  return {
    id: 'totp',
    role: 'primary',
    order: 0,
    needsChallenge: false,
    maxPerUser,
    answer: 'code',
    isAvailable: () => true,

    async enroll(ctx, input) {
      const label = input.label ?? ctx.userId;
      assertText(label, 'label', 200);
      const secret = base32.encode(ctx.random(secretBytes), { padding: false });
      const uri = generateURI({ issuer: ctx.issuer, label, secret, algorithm, digits, period });
      const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      const config: TotpConfig = { secret, algorithm, digits, period };
      return { config, display: { label }, output: { secret, uri, qrSvg }, ttlSeconds: enrollTtlSeconds };
    },

    async adopt(_ctx, data) {
      const d = optionsObject(data as Record<string, unknown> | undefined, 'totp import data');
      const secret = typeof d.secret === 'string' ? d.secret.replace(/[\s=]/g, '').toUpperCase() : '';
      // Base32 of at least 80 bits (16 characters): what apps and other libraries write.
      if (!/^[A-Z2-7]{16,128}$/.test(secret)) throw new TwoFactorError('invalid_input', { message: 'secret must be base32, at least 16 characters.' });
      const alg = d.algorithm ?? 'sha1';
      const dig = d.digits ?? 6;
      const per = d.period ?? 30;
      if (alg !== 'sha1' && alg !== 'sha256' && alg !== 'sha512') throw new TwoFactorError('invalid_input', { message: 'algorithm must be sha1, sha256 or sha512.' });
      if (dig !== 6 && dig !== 8) throw new TwoFactorError('invalid_input', { message: 'digits must be 6 or 8.' });
      if (!int(per, 15, 300)) throw new TwoFactorError('invalid_input', { message: 'period must be 15–300 seconds.' });
      const label = d.label;
      if (label !== undefined) assertText(label, 'label', 200);
      const config: TotpConfig = { secret, algorithm: alg as TotpConfig['algorithm'], digits: dig as 6 | 8, period: per as number };
      return { config, ...(label !== undefined ? { display: { label: label as string } } : {}) };
    },

    async confirm(ctx, pending, code): Promise<CheckOutcome> {
      return (await consume(ctx, [pending], code)).outcome;
    },

    check: (ctx, candidates, code) => consume(ctx, candidates, code),

    async challenge() {
      return { state: {} };
    },
  };
}
