import { normaliseDigits } from '../code-input.js';
import { TwoFactorError, isTwoFactorError } from '../errors.js';
import { parsePhoneNumber, type NumberRules } from '../phone-number.js';
import type { Channel, StartedVerification, Verifier } from '../verifier.js';
import type { CheckOutcome, Interface, MethodContext, OpenAuthenticator } from './types.js';

export interface PhoneOptions {
  /** Sends and checks the codes: twilioVerify(), vonageVerify(), localVerifier({ sender }), failover([...]). */
  verifier?: Verifier;
  /** Channels offered, in fallback order: a send that fails with a retryable or channel error moves to the next. */
  channels?: Channel[];
  numbers?: NumberRules;
  /** Refuse numbers whose line type is not listed (needs a verifier with lookupLineType, e.g. Twilio Lookup). */
  lineTypes?: string[];
  /** Default language for messages and calls. */
  locale?: string;
}

interface PhoneConfig {
  e164: string;
  verificationId?: string;
  [k: string]: unknown;
}

/** Codes over SMS, voice call or WhatsApp through any Verifier. */
export function phone(options: PhoneOptions = {}): Interface & { readonly verifier?: Verifier } {
  const { verifier } = options;
  const channels: Channel[] = options.channels ?? ['sms'];
  if (channels.length === 0) throw new TwoFactorError('config_invalid', { message: 'phone.channels must not be empty.' });
  for (const c of channels) {
    if (!['sms', 'call', 'whatsapp'].includes(c)) throw new TwoFactorError('config_invalid', { message: `phone.channels: unknown channel '${c}'.` });
    if (verifier && !verifier.channels.includes(c)) {
      throw new TwoFactorError('config_invalid', { message: `The ${verifier.name} verifier cannot send over '${c}'.` });
    }
  }
  if (options.lineTypes && !verifier?.lookupLineType) {
    throw new TwoFactorError('config_invalid', { message: 'phone.lineTypes needs a verifier with a line-type lookup (e.g. twilioVerify({ lookup: true })).' });
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
    if (input === undefined) return options.locale;
    if (typeof input !== 'string' || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(input)) {
      throw new TwoFactorError('invalid_input', { message: 'locale must be a BCP 47 tag such as "en" or "pt-BR".' });
    }
    return input;
  }

  /** Sends one code, moving down the channel list only on errors another channel may not hit. */
  async function send(ctx: MethodContext, e164: string, first: Channel, locale: string | undefined, purpose: string) {
    const v = need();
    await ctx.guardSend(e164, `phone:${purpose}`);
    const order = [first, ...channels.filter((c) => c !== first)];
    let last: unknown;
    for (const channel of order) {
      try {
        const started: StartedVerification = await v.start({ to: e164, channel, ...(locale ? { locale } : {}) });
        return started;
      } catch (e) {
        last = e;
        if (!isTwoFactorError(e) || !(e.retryable || e.code === 'channel_unsupported')) break;
      }
    }
    // No code went out: a retry must not wait out a cooldown for a text that never came.
    await ctx.releaseCooldown(`phone:${purpose}`).catch(() => undefined);
    throw last;
  }

  async function check(ctx: MethodContext, verificationId: string | undefined, code: string): Promise<CheckOutcome> {
    const token = normaliseDigits(code, [4, 10]);
    if (token === null) return 'invalid'; // counted, and no provider call for garbage
    if (!verificationId) return 'expired';
    const status = await need().check({ id: verificationId, code: token });
    switch (status) {
      case 'approved':
        return (await ctx.consume()) ? 'approved' : 'expired';
      case 'pending':
        return 'invalid';
      case 'max_attempts':
        return 'max_attempts';
      default:
        return 'expired';
    }
  }

  return {
    id: 'phone',
    ...(verifier ? { verifier } : {}),
    isBackup: false,
    order: 10,
    isAvailable: () => verifier !== undefined,
    attach: (env) => verifier?.attach?.(env),

    async enroll(ctx, input) {
      const parsed = parsePhoneNumber(input.phoneNumber, options.numbers);
      const channel = pickChannel(input.channel);
      const locale = pickLocale(input.locale);
      if (options.lineTypes) {
        const type = await need().lookupLineType!(parsed.e164);
        if (!type || !options.lineTypes.includes(type)) throw new TwoFactorError('line_type_not_allowed');
      }
      const started = await send(ctx, parsed.e164, channel, locale, 'enroll');
      const config: PhoneConfig = { e164: parsed.e164, verificationId: started.id };
      return {
        config,
        display: { phone: parsed.masked },
        output: { destination: parsed.masked, channel: started.channel, expiresAt: started.expiresAt },
        ttlSeconds: Math.max(1, Math.ceil((started.expiresAt - ctx.now) / 1000)),
      };
    },

    async confirm(ctx, pending, code) {
      return check(ctx, (pending.config as PhoneConfig).verificationId, code);
    },

    async challenge(ctx, auth: OpenAuthenticator, opts) {
      const { e164 } = auth.config as PhoneConfig;
      const started = await send(ctx, e164, pickChannel(opts.channel), pickLocale(opts.locale), 'challenge');
      return {
        state: { verificationId: started.id },
        channel: started.channel,
        destination: auth.record.display?.phone ?? '',
        ttlSeconds: Math.max(1, Math.ceil((started.expiresAt - ctx.now) / 1000)),
      };
    },

    async check(ctx, _auth, code, state) {
      return check(ctx, state?.verificationId as string | undefined, code);
    },

    async abandon(_ctx, state) {
      if (verifier && typeof state.verificationId === 'string') await verifier.cancel(state.verificationId).catch(() => false);
    },
  };
}
