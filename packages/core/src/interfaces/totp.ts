import { generateURI, ScureBase32Plugin, verifySync } from 'otplib';
import QRCode from 'qrcode';
import { normaliseDigits } from '../code-input.js';
import { TwoFactorError } from '../errors.js';
import type { CheckOutcome, Interface, MethodContext, OpenAuthenticator } from './types.js';

export interface TotpOptions {
  /** HMAC algorithm; authenticator apps widely support only sha1. */
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  digits?: 6 | 8;
  /** Seconds per step. */
  period?: number;
  /** Steps accepted either side of now, for clock drift. */
  window?: number;
  /** Secret length in bytes (20 = 160 bits, RFC 4226's recommendation). */
  secretBytes?: number;
  /** How long an unconfirmed enrollment stays confirmable. */
  enrollTtlSeconds?: number;
}

interface TotpConfig {
  secret: string;
  algorithm: 'sha1' | 'sha256' | 'sha512';
  digits: 6 | 8;
  period: number;
  [k: string]: unknown;
}

export interface TotpEnrollment {
  secret: string;
  uri: string;
  qrSvg: string;
}

const base32 = new ScureBase32Plugin();

/**
 * Authenticator apps (RFC 6238) on otplib. Each time step is accepted at most once per
 * authenticator: the last used step is stored atomically and only later steps pass.
 */
export function totp(options: TotpOptions = {}): Interface {
  const algorithm = options.algorithm ?? 'sha1';
  const digits = options.digits ?? 6;
  const period = options.period ?? 30;
  const window = options.window ?? 1;
  const secretBytes = options.secretBytes ?? 20;
  const enrollTtlSeconds = options.enrollTtlSeconds ?? 900;
  if (!['sha1', 'sha256', 'sha512'].includes(algorithm)) throw new TwoFactorError('config_invalid', { message: 'totp.algorithm must be sha1, sha256 or sha512.' });
  if (digits !== 6 && digits !== 8) throw new TwoFactorError('config_invalid', { message: 'totp.digits must be 6 or 8.' });
  if (!Number.isInteger(period) || period < 15 || period > 300) throw new TwoFactorError('config_invalid', { message: 'totp.period must be 15–300 seconds.' });
  if (!Number.isInteger(window) || window < 0 || window > 3) throw new TwoFactorError('config_invalid', { message: 'totp.window must be 0–3 steps.' });
  if (!Number.isInteger(secretBytes) || secretBytes < 16) throw new TwoFactorError('config_invalid', { message: 'totp.secretBytes must be at least 16.' });

  /** The matched time step, or null. Malformed input is just a wrong code. */
  function match(config: TotpConfig, code: string, now: number): number | null {
    const token = normaliseDigits(code, config.digits);
    if (token === null) return null;
    try {
      const r = verifySync({
        secret: config.secret,
        token,
        algorithm: config.algorithm,
        digits: config.digits,
        period: config.period,
        epoch: Math.floor(now / 1000),
        epochTolerance: config.period * window,
      });
      return r.valid && 'timeStep' in r ? r.timeStep : null;
    } catch {
      return null;
    }
  }

  async function consume(ctx: MethodContext, auth: OpenAuthenticator, code: string): Promise<CheckOutcome> {
    const step = match(auth.config as TotpConfig, code, ctx.now);
    if (step === null) return 'invalid';
    const fresh = await ctx.store.useTotpStep(ctx.userId, auth.record.id, step, ctx.now, ctx.settle);
    return fresh ? 'approved' : 'invalid'; // a replayed step is a wrong code
  }

  return {
    id: 'totp',
    isBackup: false,
    order: 0,
    isAvailable: () => true,

    async enroll(ctx, input) {
      const label = input.label ?? ctx.userId;
      if (typeof label !== 'string' || label.length === 0 || label.length > 200 || /[\u0000-\u001f]/.test(label)) {
        throw new TwoFactorError('invalid_input', { message: 'label must be a string of 1–200 printable characters.' });
      }
      const secret = base32.encode(ctx.random(secretBytes), { padding: false });
      const uri = generateURI({ issuer: ctx.issuer, label, secret, algorithm, digits, period });
      const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      const config: TotpConfig = { secret, algorithm, digits, period };
      return { config, display: { label }, output: { secret, uri, qrSvg } satisfies TotpEnrollment, ttlSeconds: enrollTtlSeconds };
    },

    confirm: consume,
    check: consume,

    async challenge() {
      return { state: {}, ttlSeconds: 0 };
    },
  };
}
