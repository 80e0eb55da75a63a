import { normaliseDigits } from '../code-input.js';
import { TwoFactorError, isTwoFactorError } from '../errors.js';
import type { Channel, StartedVerification, Verifier } from '../verifier.js';
import type { ChallengeStart, CheckResult, MethodContext, OpenAuthenticator } from './types.js';

/**
 * What phone() and email() share: a code sent to a destination through a Verifier, under
 * the send policy, and checked at the verifier. Each method parses its own destinations.
 */
export interface Delivery {
  readonly verifier: Verifier | undefined;
  need(): Verifier;
  pickChannel(input: unknown): Channel;
  pickLocale(input: unknown): string | undefined;
  /** Sends one code, moving down the channel list only on errors another channel may not hit. */
  send(ctx: MethodContext, to: string, first: Channel, locale: string | undefined, purpose: string): Promise<StartedVerification>;
  /** Checks a code at the verifier; on approval uses up the challenge (ctx.consume). */
  check(ctx: MethodContext, auth: OpenAuthenticator, verificationId: string | undefined, code: unknown): Promise<CheckResult>;
  /**
   * Opens a challenge at the likeliest of `candidates` (the destination used last): sends
   * to `to(auth)` and shows `destination(auth)`.
   */
  challenge(
    ctx: MethodContext,
    candidates: OpenAuthenticator[],
    send: { channel: Channel; locale: string | undefined; to: (auth: OpenAuthenticator) => string; destination: (auth: OpenAuthenticator) => string },
  ): Promise<ChallengeStart>;
  /** Checks a code against the challenge's own authenticator (the only candidate). */
  checkChallenge(ctx: MethodContext, candidates: OpenAuthenticator[], code: unknown, state: Record<string, unknown> | undefined): Promise<CheckResult>;
  /** Cancels a started verification, quietly. */
  abandon(state: Record<string, unknown>): Promise<void>;
  /** Seconds until a started verification expires, at least 1. */
  ttl(ctx: MethodContext, started: StartedVerification): number;
}

const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export function checkLocale(value: unknown, where: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || !LOCALE.test(value))) {
    throw new TwoFactorError('config_invalid', { message: `${where}.locale must be a BCP 47 tag such as "en" or "pt-BR".` });
  }
  return value;
}

export function checkMaxPerUser(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) {
    throw new TwoFactorError('config_invalid', { message: `${where}.maxPerUser must be 1–100.` });
  }
  return value;
}

/** `offered`: the channels the method allows; `channels`: those configured, in fallback order. */
export function delivery(name: string, verifier: Verifier | undefined, offered: readonly Channel[], channels: Channel[], locale: string | undefined): Delivery {
  if (verifier !== undefined && (verifier === null || typeof verifier !== 'object' || typeof verifier.start !== 'function')) {
    throw new TwoFactorError('config_invalid', { message: `${name}.verifier must be a Verifier (start, check, cancel).` });
  }
  if (!Array.isArray(channels) || channels.length === 0) throw new TwoFactorError('config_invalid', { message: `${name}.channels must be a non-empty array.` });
  for (const c of channels) {
    if (!offered.includes(c)) throw new TwoFactorError('config_invalid', { message: `${name}.channels: unknown channel '${String(c)}'.` });
    if (verifier && !verifier.channels.includes(c)) {
      throw new TwoFactorError('config_invalid', { message: `The ${verifier.name} verifier cannot send over '${c}'.` });
    }
  }

  function need(): Verifier {
    if (!verifier) throw new TwoFactorError('method_unavailable', { message: `The ${name} method has no verifier configured.` });
    return verifier;
  }

  return {
    verifier,
    need,

    pickChannel(input) {
      if (input === undefined) return channels[0]!;
      if (typeof input !== 'string' || !channels.includes(input as Channel)) {
        throw new TwoFactorError('channel_unsupported', { message: `Channel must be one of: ${channels.join(', ')}.` });
      }
      return input as Channel;
    },

    pickLocale(input) {
      if (input === undefined) return locale;
      if (typeof input !== 'string' || !LOCALE.test(input)) {
        throw new TwoFactorError('invalid_input', { message: 'locale must be a BCP 47 tag such as "en" or "pt-BR".' });
      }
      return input;
    },

    async send(ctx, to, first, lang, purpose) {
      const v = need();
      const cooldown = `${name}:${purpose}`;
      await ctx.guardSend(to, cooldown);
      const replacedUntil = await ctx.replacePrevious();
      const order = [first, ...channels.filter((c) => c !== first)];
      let last: unknown;
      for (const channel of order) {
        try {
          return await v.start({ to, channel, ...(lang ? { locale: lang } : {}) });
        } catch (e) {
          last = e;
          if (!isTwoFactorError(e) || !(e.retryable || e.code === 'channel_unsupported')) break;
        }
      }
      // No code went out: a retry must not wait out a cooldown for a message that never came.
      await ctx.releaseCooldown(to, cooldown).catch(() => undefined);
      // A provider's own send limit says no time; the verification it still counts ends when the one replaced would have.
      if (isTwoFactorError(last, 'send_limit') && last.retryAt === undefined && replacedUntil !== undefined) {
        throw new TwoFactorError('send_limit', {
          message: last.message,
          retryAt: replacedUntil,
          ...(last.provider !== undefined ? { provider: last.provider } : {}),
          ...(last.providerCode !== undefined ? { providerCode: last.providerCode } : {}),
          cause: last,
        });
      }
      throw last;
    },

    async check(ctx, auth, verificationId, code) {
      const token = typeof code === 'string' ? normaliseDigits(code, [4, 10]) : null;
      if (token === null) return { outcome: 'invalid' }; // counted, and no provider call for garbage
      if (!verificationId) return { outcome: 'expired' };
      const status = await need().check({ id: verificationId, code: token });
      switch (status) {
        case 'approved':
          return (await ctx.consume(auth.record.id)) ? { outcome: 'approved', authenticatorId: auth.record.id } : { outcome: 'expired' };
        case 'pending':
          return { outcome: 'invalid' };
        case 'max_attempts':
          return { outcome: 'max_attempts' };
        default:
          return { outcome: 'expired' };
      }
    },

    async challenge(ctx, candidates, how) {
      const auth = likeliest(candidates);
      if (!auth) throw new TwoFactorError('not_enrolled', { message: `The user has no active ${name} authenticator.` });
      const started = await this.send(ctx, how.to(auth), how.channel, how.locale, 'challenge');
      return {
        state: { verificationId: started.id },
        authenticatorId: auth.record.id,
        channel: started.channel,
        destination: how.destination(auth),
        expiresAt: ctx.now + this.ttl(ctx, started) * 1000,
      };
    },

    async checkChallenge(ctx, candidates, code, state) {
      const auth = candidates[0];
      if (!auth) return { outcome: 'expired' };
      return this.check(ctx, auth, state?.verificationId as string | undefined, code);
    },

    async abandon(state) {
      if (verifier && typeof state.verificationId === 'string') await verifier.cancel(state.verificationId).catch(() => false);
    },

    ttl: (ctx, started) => Math.max(1, Math.ceil((started.expiresAt - ctx.now) / 1000)),
  };
}

/** Without a choice: the destination used last (or confirmed last), the likeliest at hand. */
export function likeliest(candidates: OpenAuthenticator[]): OpenAuthenticator | undefined {
  return [...candidates].sort((a, b) => (b.record.lastUsedAt ?? b.record.confirmedAt ?? 0) - (a.record.lastUsedAt ?? a.record.confirmedAt ?? 0))[0];
}
