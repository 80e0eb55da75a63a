import { normaliseDigits } from '../code-input.js';
import { TwoFactorError, isTwoFactorError } from '../errors.js';
import { checkNumberRules, parsePhoneNumber, type NumberRules } from '../phone-number.js';
import { optionsObject } from '../validate.js';
import type { Channel, StartedVerification, Verifier } from '../verifier.js';
import type { CheckResult, Method, MethodContext, OpenAuthenticator } from './types.js';

export interface PhoneOptions {
  /** Sends and checks the codes: twilioVerify(), vonageVerify(), localVerifier({ sender }), failover([...]). */
  verifier?: Verifier;
  /** Channels offered, in fallback order: a send that fails with a retryable or channel error moves to the next. */
  channels?: Channel[];
  numbers?: NumberRules;
  /** Refuse numbers whose line type is not listed (needs a verifier with lookupLineType, e.g. Twilio Lookup). */
  lineTypes?: string[];
  /**
   * Language for messages and calls when the app passes none. Default: none, so a hosted
   * verifier picks by the destination's country (Twilio Verify) or its own default, and
   * localVerifier writes English.
   */
  locale?: string;
  /** Phones one user may hold. Default 5. */
  maxPerUser?: number;
}

/** What `enroll(userId, 'phone', input)` takes. */
export interface PhoneEnrollInput {
  /** As typed: '+1 415 555 0123', or national with `numbers.defaultRegion`. */
  phoneNumber: string;
  channel?: Channel;
  locale?: string;
  /** The name the user gives this phone ("Work phone"). */
  name?: string;
}

/** What `enroll(userId, 'phone')` returns besides id, method, name and expiresAt: the code is on its way. */
export interface PhoneEnrollment {
  /** Masked, e.g. '+1 ••• ••• 0123'. */
  destination: string;
  channel: Channel;
}

export type PhoneMethod = Method<'phone', PhoneEnrollInput, PhoneEnrollment>;

interface PhoneConfig {
  e164: string;
  verificationId?: string;
  [k: string]: unknown;
}

const PHONE_CHANNELS: readonly Channel[] = ['sms', 'call', 'whatsapp'];
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** Codes over SMS, voice call or WhatsApp through any Verifier. */
export function phone(options?: PhoneOptions): PhoneMethod {
  const o = optionsObject(options, 'phone options', 'config_invalid');
  const { verifier } = o;
  const channels: Channel[] = o.channels ?? ['sms'];
  const maxPerUser = o.maxPerUser ?? 5;
  if (verifier !== undefined && (verifier === null || typeof verifier !== 'object' || typeof verifier.start !== 'function')) {
    throw new TwoFactorError('config_invalid', { message: 'phone.verifier must be a Verifier (start, check, cancel).' });
  }
  if (!Array.isArray(channels) || channels.length === 0) throw new TwoFactorError('config_invalid', { message: 'phone.channels must be a non-empty array.' });
  for (const c of channels) {
    if (!PHONE_CHANNELS.includes(c)) throw new TwoFactorError('config_invalid', { message: `phone.channels: unknown channel '${String(c)}'.` });
    if (verifier && !verifier.channels.includes(c)) {
      throw new TwoFactorError('config_invalid', { message: `The ${verifier.name} verifier cannot send over '${c}'.` });
    }
  }
  const numbers = checkNumberRules(o.numbers, 'phone');
  if (o.lineTypes !== undefined && (!Array.isArray(o.lineTypes) || !o.lineTypes.every((t) => typeof t === 'string'))) {
    throw new TwoFactorError('config_invalid', { message: 'phone.lineTypes must be an array of line types.' });
  }
  if (o.lineTypes && !verifier?.lookupLineType) {
    throw new TwoFactorError('config_invalid', { message: 'phone.lineTypes needs a verifier with a line-type lookup (e.g. twilioVerify({ lookup: true })).' });
  }
  if (o.locale !== undefined && (typeof o.locale !== 'string' || !LOCALE.test(o.locale))) {
    throw new TwoFactorError('config_invalid', { message: 'phone.locale must be a BCP 47 tag such as "en" or "pt-BR".' });
  }
  if (typeof maxPerUser !== 'number' || !Number.isInteger(maxPerUser) || maxPerUser < 1 || maxPerUser > 100) {
    throw new TwoFactorError('config_invalid', { message: 'phone.maxPerUser must be 1–100.' });
  }

  function need(): Verifier {
    if (!verifier) throw new TwoFactorError('method_unavailable', { message: 'The phone method has no verifier configured.' });
    return verifier;
  }

  function pickChannel(input: unknown): Channel {
    if (input === undefined) return channels[0]!;
    if (typeof input !== 'string' || !channels.includes(input as Channel)) {
      throw new TwoFactorError('channel_unsupported', { message: `Channel must be one of: ${channels.join(', ')}.` });
    }
    return input as Channel;
  }

  function pickLocale(input: unknown): string | undefined {
    if (input === undefined) return o.locale;
    if (typeof input !== 'string' || !LOCALE.test(input)) {
      throw new TwoFactorError('invalid_input', { message: 'locale must be a BCP 47 tag such as "en" or "pt-BR".' });
    }
    return input;
  }

  /** Sends one code, moving down the channel list only on errors another channel may not hit. */
  async function send(ctx: MethodContext, e164: string, first: Channel, locale: string | undefined, purpose: string): Promise<StartedVerification> {
    const v = need();
    await ctx.guardSend(e164, `phone:${purpose}`);
    await ctx.replacePrevious();
    const order = [first, ...channels.filter((c) => c !== first)];
    let last: unknown;
    for (const channel of order) {
      try {
        return await v.start({ to: e164, channel, ...(locale ? { locale } : {}) });
      } catch (e) {
        last = e;
        if (!isTwoFactorError(e) || !(e.retryable || e.code === 'channel_unsupported')) break;
      }
    }
    // No code went out: a retry must not wait out a cooldown for a text that never came.
    await ctx.releaseCooldown(e164, `phone:${purpose}`).catch(() => undefined);
    throw last;
  }

  async function check(ctx: MethodContext, auth: OpenAuthenticator, verificationId: string | undefined, code: unknown): Promise<CheckResult> {
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
  }

  const ttl = (ctx: MethodContext, started: StartedVerification) => Math.max(1, Math.ceil((started.expiresAt - ctx.now) / 1000));

  return {
    id: 'phone',
    role: 'primary',
    order: 10,
    needsChallenge: true,
    maxPerUser,
    answer: 'code',
    isAvailable: () => verifier !== undefined,
    attach: (env) => verifier?.attach?.(env),

    async enroll(ctx, input) {
      const parsed = parsePhoneNumber(input.phoneNumber, numbers);
      const channel = pickChannel(input.channel);
      const locale = pickLocale(input.locale);
      if (o.lineTypes) {
        const type = await need().lookupLineType!(parsed.e164);
        if (!type || !o.lineTypes.includes(type)) throw new TwoFactorError('line_type_not_allowed');
      }
      const started = await send(ctx, parsed.e164, channel, locale, 'enroll');
      const config: PhoneConfig = { e164: parsed.e164, verificationId: started.id };
      return {
        config,
        display: { phone: parsed.masked },
        output: { destination: parsed.masked, channel: started.channel },
        ttlSeconds: ttl(ctx, started),
        sent: { channel: started.channel, destination: parsed.masked },
      };
    },

    async confirm(ctx, pending, code) {
      return (await check(ctx, pending, (pending.config as PhoneConfig).verificationId, code)).outcome;
    },

    async challenge(ctx, candidates, opts) {
      // Without a choice: the phone used last (or confirmed last), the likeliest at hand.
      const auth = [...candidates].sort((a, b) => (b.record.lastUsedAt ?? b.record.confirmedAt ?? 0) - (a.record.lastUsedAt ?? a.record.confirmedAt ?? 0))[0];
      if (!auth) throw new TwoFactorError('not_enrolled', { message: 'The user has no active phone.' });
      const { e164 } = auth.config as PhoneConfig;
      const started = await send(ctx, e164, pickChannel(opts.channel), pickLocale(opts.locale), 'challenge');
      return {
        state: { verificationId: started.id },
        authenticatorId: auth.record.id,
        channel: started.channel,
        destination: auth.record.display?.phone ?? '',
        expiresAt: ctx.now + ttl(ctx, started) * 1000,
      };
    },

    async check(ctx, candidates, code, state) {
      const auth = candidates[0];
      if (!auth) return { outcome: 'expired' };
      return check(ctx, auth, state?.verificationId as string | undefined, code);
    },

    async abandon(_ctx, state) {
      if (verifier && typeof state.verificationId === 'string') await verifier.cancel(state.verificationId).catch(() => false);
    },
  };
}
