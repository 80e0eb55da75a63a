import { TwoFactorError } from '../errors.js';
import { checkNumberRules, parsePhoneNumber, type NumberRules } from '../phone-number.js';
import { optionsObject } from '../validate.js';
import type { Channel, Verifier } from '../verifier.js';
import { checkLocale, checkMaxPerUser, delivery } from './delivery.js';
import type { Method } from './types.js';

/** Options of `phone()`. */
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

/** The method `phone()` returns: id `phone`. */
export type PhoneMethod = Method<'phone', PhoneEnrollInput, PhoneEnrollment>;

interface PhoneConfig {
  e164: string;
  verificationId?: string;
  [k: string]: unknown;
}

const PHONE_CHANNELS: readonly Channel[] = ['sms', 'call', 'whatsapp'];

/** Codes over SMS, voice call or WhatsApp through any Verifier. */
export function phone(options?: PhoneOptions): PhoneMethod {
  const o = optionsObject(options, 'phone options', 'config_invalid');
  const d = delivery('phone', o.verifier, PHONE_CHANNELS, o.channels ?? ['sms'], checkLocale(o.locale, 'phone'));
  const maxPerUser = checkMaxPerUser(o.maxPerUser ?? 5, 'phone');
  const numbers = checkNumberRules(o.numbers, 'phone');
  if (o.lineTypes !== undefined && (!Array.isArray(o.lineTypes) || !o.lineTypes.every((t) => typeof t === 'string'))) {
    throw new TwoFactorError('config_invalid', { message: 'phone.lineTypes must be an array of line types.' });
  }
  if (o.lineTypes && !d.verifier?.lookupLineType) {
    throw new TwoFactorError('config_invalid', { message: 'phone.lineTypes needs a verifier with a line-type lookup (e.g. twilioVerify({ lookup: true })).' });
  }

  return {
    id: 'phone',
    role: 'primary',
    order: 10,
    needsChallenge: true,
    maxPerUser,
    answer: 'code',
    isAvailable: () => d.verifier !== undefined,
    attach: (env) => d.verifier?.attach?.(env),

    async enroll(ctx, input, existing) {
      const parsed = parsePhoneNumber(input.phoneNumber, numbers);
      if (existing.some((a) => (a.config as PhoneConfig).e164 === parsed.e164)) throw new TwoFactorError('already_enrolled');
      const channel = d.pickChannel(input.channel);
      const locale = d.pickLocale(input.locale);
      if (o.lineTypes) {
        const type = await d.need().lookupLineType!(parsed.e164);
        if (!type || !o.lineTypes.includes(type)) throw new TwoFactorError('line_type_not_allowed');
      }
      const started = await d.send(ctx, parsed.e164, channel, locale, 'enroll');
      const config: PhoneConfig = { e164: parsed.e164, verificationId: started.id };
      return {
        config,
        display: { phone: parsed.masked },
        output: { destination: parsed.masked, channel: started.channel },
        ttlSeconds: d.ttl(ctx, started),
        sent: { channel: started.channel, destination: parsed.masked },
      };
    },

    async confirm(ctx, pending, code) {
      return (await d.check(ctx, pending, (pending.config as PhoneConfig).verificationId, code)).outcome;
    },

    challenge: (ctx, candidates, opts) =>
      d.challenge(ctx, candidates, {
        channel: d.pickChannel(opts.channel),
        locale: d.pickLocale(opts.locale),
        to: (auth) => (auth.config as PhoneConfig).e164,
        destination: (auth) => auth.record.display?.phone ?? '',
      }),

    check: (ctx, candidates, code, state) => d.checkChallenge(ctx, candidates, code, state),

    abandon: (_ctx, state) => d.abandon(state),
  };
}
